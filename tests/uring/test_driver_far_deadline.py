"""A Deadline further away than a timespec wait should span (or infinite) still waits and completes.

``io_uring_enter``'s wait takes a timespec built from the remaining time;
``int(float("inf"))`` used to raise a raw ``OverflowError`` before any
wait. Waits are now at most a day each (the callers loop).
"""

from __future__ import annotations

import threading

import pytest

from stdio2.io import Deadline, pipe
from stdio2.os.linux import uring


@pytest.mark.parametrize("seconds", [1e10, float("inf")])
def test_a_read_that_must_wait_completes_under_a_far_deadline(seconds: float) -> None:
    r, w = pipe()
    buf = bytearray(4)
    with r, w, uring.Driver(8) as driver:
        feeder = threading.Timer(0.05, w.write_all, (b"abcd",))
        feeder.start()
        try:
            with Deadline.after(seconds):
                assert driver.submit(uring.Read(r, buf)).wait() == 4
        finally:
            feeder.join()
    assert buf == b"abcd"
