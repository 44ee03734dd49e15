"""Cancelling an operation the kernel runs in an io-wq worker (audit of issue 8).

io_uring runs operations that cannot wait by polling, such as splice, in a
kernel worker thread. To cancel one that is blocked there, the kernel
signals the worker. The system call then fails with EINTR or with a
kernel-internal ERESTART* code (ERESTARTSYS is 512, which has no name in
user space), and io_uring posts that code as the result. Before this audit,
such a result reached the caller as "Unknown error 512". Under a Deadline it
was that error instead of TimedOut, and a close was reported the same way.
DESIGN §7 says a cancelled operation raises ECANCELED (kind Uncategorized),
never Interrupted, and a passed Deadline raises TimedOut.
The test: a SpliceFile from a pipe nobody writes to, which blocks in io-wq.
"""

from __future__ import annotations

import asyncio
import errno
import os
import time
from pathlib import Path

import pytest
from _uringutil import owned_file

from stdio2.io import Deadline, Error, ErrorKind
from stdio2.os.fd import OwnedFd
from stdio2.os.linux import uring


def _pipe() -> tuple[OwnedFd, OwnedFd]:
    r, w = os.pipe2(os.O_CLOEXEC)
    return OwnedFd.from_raw_fd(r), OwnedFd.from_raw_fd(w)


def _assert_cancelled(e: Error) -> None:
    assert e.raw_os_error() == errno.ECANCELED, e
    assert e.kind is ErrorKind.Uncategorized
    assert "512" not in str(e)


def test_cancelled_splice_raises_ecanceled(ring: uring.Driver, tmp_path: Path) -> None:
    r, w = _pipe()
    with r, w, owned_file(tmp_path / "out") as f:
        sub = ring.submit(uring.SpliceFile(r, f, 100))
        time.sleep(0.05)  # let the worker block in splice
        assert not sub.done()
        sub.cancel()
        with pytest.raises(Error) as info:
            sub.wait()
        _assert_cancelled(info.value)
        assert ring.in_flight() == 0
        # Nothing was consumed: a later splice moves the bytes written now.
        os.write(w.as_raw_fd(), b"hello")
        assert ring.submit(uring.SpliceFile(r, f, 100)).wait() == 5
        assert os.pread(f.as_raw_fd(), 16, 0) == b"hello"


def test_deadline_on_a_blocked_splice_is_timed_out(ring: uring.Driver, tmp_path: Path) -> None:
    r, w = _pipe()
    with r, w, owned_file(tmp_path / "out") as f:
        sub = ring.submit(uring.SpliceFile(r, f, 100))
        with pytest.raises(Error) as info, Deadline.after(0.1):
            sub.wait()
        assert info.value.kind is ErrorKind.TimedOut, info.value
        assert ring.in_flight() == 0 and sub.done()


def test_await_with_a_deadline_on_a_blocked_splice(ring: uring.Driver, tmp_path: Path) -> None:
    r, w = _pipe()
    with r, w, owned_file(tmp_path / "out") as f:

        async def main() -> None:
            with Deadline.after(0.1):
                await ring.submit(uring.SpliceFile(r, f, 100))

        with pytest.raises(Error) as info:
            asyncio.run(main())
        assert info.value.kind is ErrorKind.TimedOut, info.value
        assert ring.in_flight() == 0


def test_closing_the_driver_cancels_a_blocked_splice_with_ecanceled(tmp_path: Path) -> None:
    r, w = _pipe()
    with r, w, owned_file(tmp_path / "out") as f:
        with uring.Driver(8) as d:
            sub = d.submit(uring.SpliceFile(r, f, 100))
            time.sleep(0.05)
        assert sub.done()
        with pytest.raises(Error) as info:
            sub.wait()
        _assert_cancelled(info.value)
