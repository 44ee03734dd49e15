"""Wrong arguments to `Driver.submit` and `Driver.wait_any` fail at once, clearly (audit of issue 8).

Before this audit, ``submit(None)`` raised AttributeError (the project
raises TypeError naming the call). ``wait_any`` looped forever on an item
that is not a submission: it spun on the AttributeError path. It also
blocked forever on a submission of another driver, whose completion never
appears on this ring. The two hang cases run under a SIGALRM whose handler
raises, so on the old code they fail instead of hanging the suite.
"""

from __future__ import annotations

import os

import pytest
from _uringutil import alarm_after

from stdio2.os.fd import OwnedFd
from stdio2.os.linux import uring


@pytest.mark.parametrize("bad", [None, uring.Nop, 5, "Read"])
def test_submit_refuses_a_non_event(ring: uring.Driver, bad: object) -> None:
    with pytest.raises(TypeError, match=r"Driver\.submit takes an Event"):
        ring.submit(bad)  # type: ignore[arg-type]
    assert ring.in_flight() == 0 and not ring._inflight
    assert ring.submit(uring.Nop()).wait() is None


def test_wait_any_refuses_a_non_submission(ring: uring.Driver) -> None:
    sub = ring.submit(uring.Timeout(10))
    with alarm_after(1.0), pytest.raises(TypeError, match=r"wait_any takes Submission"):
        ring.wait_any([sub, None])  # type: ignore[list-item]
    sub.cancel()


def test_wait_any_refuses_another_drivers_submission(ring: uring.Driver) -> None:
    r, w = os.pipe2(os.O_CLOEXEC)
    with OwnedFd.from_raw_fd(r) as rd, OwnedFd.from_raw_fd(w) as wr, uring.Driver(8) as other:
        theirs = other.submit(uring.Read(rd, bytearray(1)))
        batch = other.submit_all([uring.Read(rd, bytearray(1)) for _ in range(8)])  # the bulk path
        for sub in (theirs, batch[3]):
            with alarm_after(1.0), pytest.raises(ValueError, match="another Driver"):
                ring.wait_any([sub])  # (the old code blocked here for good)
        os.write(wr.as_raw_fd(), bytes(9))
        assert theirs.wait() + sum(s.wait() for s in batch) == 9
