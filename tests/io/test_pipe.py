"""stdio2.io.pipe: single-call reads/writes, ownership, deadlines, child processes."""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stdio2.os.unix
from stdio2.io import Deadline, Error, ErrorKind, PipeReader, PipeWriter, Read, Write, pipe
from stdio2.os.fd import OwnedFd


def test_pipe_is_two_owned_cloexec_ends() -> None:
    r, w = pipe()
    with r, w:
        assert isinstance(r, PipeReader) and isinstance(r, Read)
        assert isinstance(w, PipeWriter) and isinstance(w, Write)
        for end in (r, w):
            assert fcntl.fcntl(end.as_raw_fd(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
            assert os.get_blocking(end.as_raw_fd())
            assert not end.is_terminal()
        assert repr(r) == f"PipeReader(fd={r.as_raw_fd()})"
    assert stdio2.os.unix.pipe is pipe


def test_read_and_write_are_single_calls() -> None:
    r, w = pipe()
    with r, w:
        assert w.write(b"hello") == 5
        assert w.write(b"") == 0
        buf = bytearray(3)
        assert r.read(buf) == 3 and buf == b"hel"
        big = bytearray(100)
        # One read returns what is there, without waiting for more.
        assert r.read(big) == 2 and big[:2] == b"lo"
        assert r.read(bytearray(0)) == 0
        view = memoryview(bytearray(10))[2:6]
        w.write(memoryview(b"abcdef")[1:3])
        assert r.read(view) == 2 and bytes(view[:2]) == b"bc"
        w.flush()


def test_eof_when_all_writers_closed() -> None:
    r, w = pipe()
    w2 = w.try_clone()
    assert isinstance(w2, PipeWriter)
    w.write_all(b"ab")
    w.close()
    buf = bytearray()
    w2.write(b"c")
    w2.close()
    with r:
        assert r.read_to_end(buf) == 3 and buf == b"abc"
        assert r.read(bytearray(4)) == 0


def test_broken_pipe_is_typed() -> None:
    r, w = pipe()
    r.close()
    with w, pytest.raises(Error) as info:
        w.write(b"x")
    assert info.value.kind is ErrorKind.BrokenPipe
    assert isinstance(info.value, BrokenPipeError)


def test_wrong_buffer_types_name_the_right_call() -> None:
    r, w = pipe()
    with r, w:
        with pytest.raises(TypeError, match="bytearray"):
            r.read(5)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="read-only"):
            r.read(b"abc")
        with pytest.raises(TypeError, match="encode"):
            w.write("text")  # type: ignore[arg-type]


def test_closed_ends_raise_invalid_input() -> None:
    r, w = pipe()
    r.close()
    w.close()
    for call in (lambda: r.read(bytearray(1)), lambda: w.write(b"x"), r.as_raw_fd, w.try_clone):
        with pytest.raises(Error) as info:
            call()
        assert info.value.kind is ErrorKind.InvalidInput
    w.flush()


def test_non_blocking_inherited_descriptor_gives_would_block() -> None:
    rfd, wfd = os.pipe()
    os.set_blocking(rfd, False)
    r = PipeReader(OwnedFd.from_raw_fd(rfd))
    w = PipeWriter.from_raw_fd(wfd)
    with r, w:
        with pytest.raises(Error) as info:
            r.read(bytearray(4))
        assert info.value.kind is ErrorKind.WouldBlock


def test_into_raw_fd_and_ownedfd_conversion() -> None:
    r, w = pipe()
    o = OwnedFd(w)
    assert w.closed()
    w2 = PipeWriter(o)
    raw = r.into_raw_fd()
    with w2:
        w2.write(b"z")
        assert os.read(raw, 1) == b"z"
    os.close(raw)


@settings(max_examples=100, deadline=None)
@given(chunks=st.lists(st.binary(min_size=0, max_size=300), max_size=12), size=st.integers(1, 97))
def test_bytes_arrive_in_order(chunks: list[bytes], size: int) -> None:
    r, w = pipe()
    with r, w:
        for c in chunks:
            w.write_all(c)
        w.close()
        got = bytearray()
        buf = bytearray(size)
        while n := r.read(buf):
            assert n <= size
            got += buf[:n]
        assert got == b"".join(chunks)


def test_child_process_writes_into_our_pipe() -> None:
    r, w = pipe()
    with r:
        fd = w.as_raw_fd()
        code = "import os,sys; os.write(int(sys.argv[1]), b'from child')"
        proc = subprocess.run([sys.executable, "-c", code, str(fd)], pass_fds=(fd,), check=True)
        assert proc.returncode == 0
        w.close()
        buf = bytearray()
        r.read_to_end(buf)
        assert buf == b"from child"


# -- deadlines ---------------------------------------------------------------


def test_read_times_out_without_writer_activity() -> None:
    r, w = pipe()
    with r, w:
        t0 = time.monotonic()
        with Deadline.after(0.15), pytest.raises(Error) as info:
            r.read(bytearray(8))
        elapsed = time.monotonic() - t0
        assert info.value.kind is ErrorKind.TimedOut
        assert isinstance(info.value, TimeoutError)
        assert 0.14 <= elapsed < 3
        # The pipe is still usable and still blocking.
        assert os.get_blocking(r.as_raw_fd())
        w.write(b"ok")
        buf = bytearray(8)
        assert r.read(buf) == 2


def test_read_returns_data_arriving_before_the_deadline() -> None:
    r, w = pipe()
    with r, w:
        timer = threading.Timer(0.05, lambda: w.write(b"late but in time"))
        timer.start()
        buf = bytearray(64)
        t0 = time.monotonic()
        with Deadline.after(5):
            n = r.read(buf)
        timer.join()
        assert buf[:n] == b"late but in time"
        assert time.monotonic() - t0 < 4


def test_read_with_data_waiting_and_expired_deadline_returns_it() -> None:
    r, w = pipe()
    with r, w:
        w.write(b"ready")
        buf = bytearray(8)
        with Deadline.after(0):
            assert r.read(buf) == 5


def test_read_at_eof_under_deadline_returns_zero() -> None:
    r, w = pipe()
    w.close()
    with r, Deadline.after(1):
        assert r.read(bytearray(4)) == 0


def test_deadline_in_another_thread_does_not_affect_this_one() -> None:
    r, w = pipe()
    with r, w:
        entered = threading.Event()
        leave = threading.Event()

        def hold() -> None:
            with Deadline.after(0.01):
                entered.set()
                leave.wait(5)

        t = threading.Thread(target=hold)
        t.start()
        entered.wait(5)
        threading.Timer(0.1, lambda: w.write(b"x")).start()
        assert r.read(bytearray(1)) == 1  # no deadline here: plain blocking read
        leave.set()
        t.join()


def test_writer_under_deadline_writes_pipe_buf_chunks_and_times_out() -> None:
    r, w = pipe()
    with r, w:
        total = 0
        data = b"x" * 100_000
        with Deadline.after(0.2), pytest.raises(Error) as info:
            while True:
                n = w.write(data)
                assert 0 < n <= select.PIPE_BUF
                total += n
        assert info.value.kind is ErrorKind.TimedOut
        assert total >= select.PIPE_BUF  # the pipe buffer filled up
        assert os.get_blocking(w.as_raw_fd()), "never switched to non-blocking"
        # Nothing was lost: everything counted is in the pipe.
        got = 0
        buf = bytearray(65536)
        w.close()
        while n := r.read(buf):
            got += n
        assert got == total


def test_write_all_under_deadline_reports_progress() -> None:
    r, w = pipe()
    with r, w:
        with Deadline.after(0.2), pytest.raises(Error) as info:
            w.write_all(b"y" * 1_000_000)
        assert info.value.kind is ErrorKind.TimedOut
        assert info.value.progress > 0


def test_a_kept_error_does_not_hold_the_descriptor_open() -> None:
    r, w = pipe()
    wfd, rfd = w.as_raw_fd(), r.as_raw_fd()
    r2 = r.try_clone()
    r.close()
    r2.close()
    try:
        w.write(b"x")
    except Error as e:
        kept = e  # the traceback references the frame of write()
    w.close()
    assert kept.kind is ErrorKind.BrokenPipe
    assert not _is_open(wfd) and not _is_open(rfd)
    r, w = pipe()
    rfd = r.as_raw_fd()
    try:
        with Deadline.after(0.01):
            r.read(bytearray(1))
    except Error as e:
        kept = e
    r.close()
    w.close()
    assert kept.kind is ErrorKind.TimedOut
    assert not _is_open(rfd)


def _is_open(fd: int) -> bool:
    try:
        fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError:
        return False
    return True
