"""A Cancellation cleanup that uses the driver while the driver reaps (audit of issue 8).

A cleanup runs inside the reap, and the reap releases its CQEs to the kernel
only after handling them all. The cleanup may submit to the same driver, for
example a `Close` for a descriptor that nobody will receive. That submission
reaps too, from the same CQ head, and releases those CQEs, plus its own.
Before this audit, the outer reap then moved the head on by its own count a
second time. The CQ head passed the kernel's tail, so later reaps read stale
or unwritten entries, and the kernel saw a CQ it believed was full.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

from stdio2._sys.linux import uring as _sys
from stdio2.io import Deadline
from stdio2.os.fd import OwnedFd
from stdio2.os.linux import uring


@contextmanager
def _pipe() -> Iterator[tuple[OwnedFd, OwnedFd]]:
    r, w = os.pipe2(os.O_CLOEXEC)
    with OwnedFd.from_raw_fd(r) as rd, OwnedFd.from_raw_fd(w) as wr:
        yield rd, wr


def _cq_consistent(ring: uring.Driver) -> bool:
    raw = ring._ring
    assert raw is not None
    return raw.cq_head == _sys._U32_AT(raw.rings, raw.cq_tail_off)[0]


def test_a_cleanup_that_submits_during_the_reap_keeps_the_cq_consistent() -> None:
    cleanup_subs: list[uring.Submission] = []

    with uring.Driver(8) as ring, _pipe() as (r1, w1), _pipe() as (r2, w2):

        class Resubmitting(uring.Read):
            __slots__ = ()

            def cancel(self) -> uring.Cancellation:
                def cleanup(result: int) -> None:
                    cleanup_subs.append(ring.submit(uring.Nop()))

                return uring.Cancellation(self, cleanup=cleanup)

        dropped = ring.submit(Resubmitting(r1, bytearray(1)))
        others = [ring.submit(uring.Read(r2, bytearray(1))) for _ in range(3)]
        del dropped
        gc.collect()
        # All four reads complete before the next reap: one harvest, the
        # dropped read first, its cleanup's submission in the middle of it.
        os.write(w1.as_raw_fd(), b"a")
        os.write(w2.as_raw_fd(), b"bcd")
        with Deadline.after(5):
            ring.wait_any(others)
            assert [s.wait() for s in others] == [1, 1, 1]
        assert len(cleanup_subs) == 1 and cleanup_subs[0].wait() is None
        assert _cq_consistent(ring)
        # The ring goes on working through several wraps of its CQ.
        for _ in range(6):
            subs = [ring.submit(uring.Read(r2, bytearray(1))) for _ in range(5)]
            os.write(w2.as_raw_fd(), b"12345")
            with Deadline.after(5):
                assert sorted(s.wait() for s in subs) == [1] * 5
            assert _cq_consistent(ring)
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
