"""Audit of the fdMutex rule (issue 3) for the cases the first tests left out.

A ``close()`` from another thread while a call is in flight must defer the
real ``close(2)`` until the call returns: here for a ``write(2)`` blocked on
a full pipe and for a read waiting in a deadline's ``poll``. In both cases the
number must still name our pipe while the call runs (no new descriptor can
take it), and be released the moment the call ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/task")

from stdio2.io import Deadline, Error, ErrorKind, pipe  # noqa: E402


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _wait_blocked(thread: threading.Thread) -> None:
    # The thread's state in /proc is "S" once it sleeps in the kernel.
    assert thread.native_id is not None
    path = f"/proc/self/task/{thread.native_id}/stat"
    limit = time.monotonic() + 5
    while time.monotonic() < limit:
        with open(path) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "S":
                break
        time.sleep(0.001)
    time.sleep(0.02)


def _same_pipe(fd: int, other_end: int) -> bool:
    a, b = os.fstat(fd), os.fstat(other_end)
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def test_close_during_blocked_write_defers_the_release() -> None:
    r, w = pipe()
    wfd, rfd = w.as_raw_fd(), r.as_raw_fd()
    os.set_blocking(rfd, False)
    # Fill the pipe so the next write blocks.
    os.set_blocking(wfd, False)
    try:
        while True:
            os.write(wfd, bytes(65536))
    except BlockingIOError:
        pass
    os.set_blocking(wfd, True)
    out: dict[str, object] = {}

    def writer() -> None:
        try:
            out["n"] = w.write(b"z" * 100)
        except BaseException as e:  # pragma: no cover - reported below
            out["error"] = e

    t = threading.Thread(target=writer)
    t.start()
    _wait_blocked(t)
    w.close()
    assert w.closed()
    assert _is_open(wfd) and _same_pipe(wfd, rfd), "closed under a write(2) in flight"
    probe = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    assert probe != wfd
    os.close(probe)
    with pytest.raises(Error) as info:
        w.write(b"x")
    assert info.value.kind is ErrorKind.InvalidInput
    # Drain: the blocked write completes, then the deferred close happens.
    got = 0
    while t.is_alive() or got == 0:
        try:
            got += len(os.read(rfd, 1 << 16))
        except BlockingIOError:
            time.sleep(0.001)
        t.join(0.001)
    assert out == {"n": 100}
    assert not _is_open(wfd) or not _same_pipe(wfd, rfd)
    r.close()


def test_close_during_deadline_poll_defers_the_release() -> None:
    r, w = pipe()
    rfd = r.as_raw_fd()
    out: dict[str, object] = {}

    def reader() -> None:
        buf = bytearray(8)
        try:
            with Deadline.after(5):
                n = r.read(buf)
            out["data"] = bytes(buf[:n])
        except BaseException as e:  # pragma: no cover - reported below
            out["error"] = e

    t = threading.Thread(target=reader)
    t.start()
    _wait_blocked(t)  # in poll(2) now
    r.close()
    assert _is_open(rfd) and _same_pipe(rfd, w.as_raw_fd())
    w.write(b"late")
    t.join(5)
    assert out == {"data": b"late"}
    assert not _is_open(rfd)
    w.close()


def test_close_during_deadline_poll_then_timeout_releases() -> None:
    r, w = pipe()
    rfd = r.as_raw_fd()
    out: dict[str, object] = {}

    def reader() -> None:
        try:
            with Deadline.after(0.3):
                r.read(bytearray(8))
        except Error as e:
            out["kind"] = e.kind

    t = threading.Thread(target=reader)
    t.start()
    _wait_blocked(t)
    r.close()
    assert _is_open(rfd)
    t.join(5)
    assert out == {"kind": ErrorKind.TimedOut}
    # The TimedOut error (kept in `out`) must not keep the descriptor open.
    assert not _is_open(rfd)
    w.close()
