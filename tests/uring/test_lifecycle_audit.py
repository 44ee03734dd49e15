"""A Driver dropped without `close()` while a read is in flight (audit of issue 8).

``__del__`` may run on any thread, so it must not touch the ring. It keeps
whatever is in flight for the life of the process (the graveyard), closes
the ring descriptor (the kernel then cancels the work), and warns. The
buffer therefore stays pinned. The descriptor the read uses is only
closed for real when its record is dropped, so the test removes its own
records from the graveyard at the end, as a long-lived process never would.
"""

from __future__ import annotations

import gc
import os
import warnings

import pytest

from stdio2.os.fd import OwnedFd
from stdio2.os.linux import uring
from stdio2.os.linux.uring import _driver


def test_a_collected_driver_keeps_its_in_flight_read_pinned() -> None:
    r, w = os.pipe2(os.O_CLOEXEC)
    rd, wr = OwnedFd.from_raw_fd(r), OwnedFd.from_raw_fd(w)
    buf = bytearray(8)
    before = len(_driver._graveyard)
    ring = uring.Driver(4)
    ring_fd = ring._ring.fd  # type: ignore[union-attr]
    sub = ring.submit(uring.Read(rd, buf))
    del sub
    with pytest.warns(ResourceWarning, match="unclosed uring.Driver"):
        del ring
        gc.collect()
    try:
        assert not os.path.exists(f"/proc/self/fd/{ring_fd}") or "io_uring" not in os.readlink(
            f"/proc/self/fd/{ring_fd}"
        )
        with pytest.raises(BufferError):
            buf.extend(b"x")  # still pinned: kept for good
        rd.close()  # deferred: the kept record holds the descriptor
        assert os.get_inheritable(r) is False  # the number is still open (not recycled)
    finally:
        kept = _driver._graveyard[before:]
        del _driver._graveyard[before:]
        for op in kept:
            op._release()  # type: ignore[attr-defined]
        del kept
        gc.collect()
        wr.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        buf.extend(b"x")  # released now
    with pytest.raises(OSError):
        os.fstat(r)  # and the deferred close happened
