"""Deadlines further away than a C poll timeout can express (about 24.8 days, or infinite).

``poll()`` takes an int of milliseconds and CPython refuses anything longer
than about 24.8 days, so a blocking call under ``Deadline.after(1e10)`` used
to fail with a raw ``OverflowError`` even when data was already there. Waits
are now made a day at a time (`stdio2.io._deadline.wait_ms`).
"""

from __future__ import annotations

import sys
import threading
import time

import pytest

from stdio2.io import Deadline, pipe
from stdio2.io._deadline import MAX_WAIT_SECONDS, wait_ms
from stdio2.process import Command, Stdio

FAR = [1e10, float("inf")]


@pytest.mark.parametrize("seconds", FAR)
def test_wait_ms_is_at_most_a_day(seconds: float) -> None:
    assert wait_ms(time.monotonic() + seconds) == int(MAX_WAIT_SECONDS * 1000)


def test_wait_ms_rounds_up_and_reaches_zero() -> None:
    assert wait_ms(time.monotonic() - 1) == 0
    # Never more than what remains (rounded up to whole milliseconds).
    assert wait_ms(time.monotonic() + 0.0001) in (0, 1)
    assert 0 < wait_ms(time.monotonic() + 2) <= 2000


@pytest.mark.parametrize("seconds", FAR)
def test_pipe_read_and_write_under_a_far_deadline(seconds: float) -> None:
    r, w = pipe()
    with r, w, Deadline.after(seconds):
        assert w.write(b"ready") == 5
        buf = bytearray(8)
        assert r.read(buf) == 5 and buf[:5] == b"ready"
        # A read that has to wait: the data comes from another thread.
        t = threading.Timer(0.05, w.write_all, (b"later",))
        t.start()
        try:
            assert r.read(buf) == 5 and buf[:5] == b"later"
        finally:
            t.join()


@pytest.mark.skipif(sys.platform == "win32", reason="the Unix pidfd/poll paths")
@pytest.mark.parametrize("seconds", FAR)
def test_child_wait_and_output_under_a_far_deadline(seconds: float) -> None:
    with Deadline.after(seconds):
        out = Command(sys.executable).args(["-c", "print('hi')"]).output()
        assert out.status.success() and out.stdout.strip() == b"hi"
        child = Command(sys.executable).args(["-c", "pass"]).stdout(Stdio.null()).spawn()
        assert child.wait().success()
