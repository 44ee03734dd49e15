"""Real Windows handles, errors and anonymous pipes (kernel32 through ctypes); skipped elsewhere."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows OS calls")

from stdio2.io import Deadline, Error, ErrorKind, PipeReader, PipeWriter, pipe  # noqa: E402
from stdio2.os.windows.io import BorrowedHandle, OwnedHandle  # noqa: E402

ERROR_FILE_NOT_FOUND = 2
ERROR_INVALID_HANDLE = 6


def _is_open(raw: int) -> bool:
    import ctypes
    from ctypes import wintypes

    k = ctypes.WinDLL("kernel32", use_last_error=True)
    fn = k.GetHandleInformation
    fn.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]
    fn.restype = wintypes.BOOL
    flags = wintypes.DWORD()
    return bool(fn(raw, ctypes.byref(flags)))


# -- errors ----------------------------------------------------------------------


def test_real_oserror_maps_through_winerror(tmp_path: os.PathLike[str]) -> None:
    missing = os.path.join(os.fspath(tmp_path), "missing.txt")
    with pytest.raises(OSError) as ei:
        open(missing, "rb")  # noqa: SIM115 - the point is the stdlib's error
    assert getattr(ei.value, "winerror", None) is None  # the CRT open reports errno only
    err = Error.from_os_error(ei.value)
    assert err.kind is ErrorKind.NotFound and isinstance(err, FileNotFoundError)
    with pytest.raises(OSError) as ei2:
        os.stat(missing)  # a Win32 call: winerror is set
    assert ei2.value.winerror == ERROR_FILE_NOT_FOUND  # type: ignore[attr-defined]
    err2 = Error.from_os_error(ei2.value)
    assert err2.kind is ErrorKind.NotFound
    assert err2.raw_os_error() == ERROR_FILE_NOT_FOUND
    assert err2.path == missing


def test_from_raw_os_error_uses_windows_codes() -> None:
    err = Error.from_raw_os_error(5)
    assert err.kind is ErrorKind.PermissionDenied and isinstance(err, PermissionError)
    assert err.winerror == 5  # type: ignore[attr-defined]
    assert "os error 5" in str(err)
    assert Error.from_raw_os_error(109).kind is ErrorKind.BrokenPipe
    assert Error.from_raw_os_error(10054).kind is ErrorKind.ConnectionReset


# -- owned handles ----------------------------------------------------------------


def test_owned_handle_closes_exactly_once() -> None:
    r, w = pipe()
    raw = r.as_raw_handle()
    owned = OwnedHandle(r)
    assert r.closed() and owned.as_raw_handle() == raw
    assert _is_open(raw)
    owned.close()
    assert not _is_open(raw)
    owned.close()  # idempotent, no second CloseHandle
    w.close()


def test_from_raw_handle_checks_the_value() -> None:
    r, w = pipe()
    with r, w:
        raw = r.into_raw_handle()
        owned = OwnedHandle.from_raw_handle(raw)
        owned.close()
        with pytest.raises(Error) as ei:
            OwnedHandle.from_raw_handle(raw)
        assert ei.value.raw_os_error() == ERROR_INVALID_HANDLE


def test_try_clone_is_a_second_real_handle() -> None:
    r, w = pipe()
    with r, w:
        owned = OwnedHandle(w)
        copy = owned.try_clone()
        assert copy.as_raw_handle() != owned.as_raw_handle()
        owned.close()
        with PipeWriter(copy) as w2:
            w2.write_all(b"through the copy")
        buf = bytearray(64)
        assert buf[: r.read(buf)] == b"through the copy"


def test_borrow_dies_with_owner_and_clone_to_owned() -> None:
    r, w = pipe()
    with w:
        b = r.as_handle()
        with b.try_clone_to_owned() as dup:
            assert dup.as_raw_handle() != r.as_raw_handle()
        r.close()
        with pytest.raises(Error) as ei:
            b.as_raw_handle()
        assert ei.value.kind is ErrorKind.InvalidInput


def test_current_process_pseudo_handle_duplicates_to_real() -> None:
    me = OwnedHandle.from_raw_handle(-1)
    with me.try_clone() as real:
        assert 0 < real.as_raw_handle() < 2**63
        assert _is_open(real.as_raw_handle())
    me.close()  # never CloseHandle'd


def test_dropped_owner_closes_with_resource_warning() -> None:
    r, w = pipe()
    raw = r.as_raw_handle()
    with pytest.warns(ResourceWarning):
        del r
        gc.collect()
    assert not _is_open(raw)
    w.close()


def test_borrow_raw_of_garbage_fails() -> None:
    with pytest.raises(Error) as ei:
        BorrowedHandle.borrow_raw(0x7FFF_FFF0)
    assert ei.value.raw_os_error() == ERROR_INVALID_HANDLE


# -- pipes -------------------------------------------------------------------------


def test_pipe_round_trip_and_eof_on_broken_pipe() -> None:
    r, w = pipe()
    with r:
        w.write_all(b"hello ")
        w.write_all(bytearray(b"world"))
        w.close()  # the only writer: the reader then sees ERROR_BROKEN_PIPE = EOF
        out = bytearray()
        r.read_to_end(out)
        assert out == b"hello world"
        assert r.read(bytearray(4)) == 0


def test_write_to_a_pipe_without_reader_is_broken_pipe() -> None:
    r, w = pipe()
    r.close()
    with w, pytest.raises(Error) as ei:
        w.write(b"x")
    assert ei.value.kind is ErrorKind.BrokenPipe
    assert ei.value.raw_os_error() in (109, 232)
    assert isinstance(ei.value, BrokenPipeError)


def test_pipe_read_deadline_times_out() -> None:
    r, w = pipe()
    with r, w:
        t0 = time.monotonic()
        with Deadline.after(0.2), pytest.raises(Error) as ei:
            r.read(bytearray(10))
        assert ei.value.kind is ErrorKind.TimedOut
        assert time.monotonic() - t0 >= 0.15
        w.write(b"ok")
        with Deadline.after(5):
            buf = bytearray(10)
            assert buf[: r.read(buf)] == b"ok"


def test_pipe_reader_blocks_until_a_thread_writes() -> None:
    r, w = pipe()

    def later() -> None:
        time.sleep(0.05)
        w.write_all(b"late")
        w.close()

    t = threading.Thread(target=later)
    t.start()
    with r:
        out = bytearray()
        r.read_to_end(out)
    t.join()
    assert out == b"late"


def test_pipe_ends_take_ownership_and_refuse_bad_arguments() -> None:
    r, w = pipe()
    r2 = PipeReader(OwnedHandle(r))
    assert r.closed() and not r2.closed()
    with pytest.raises(TypeError):
        PipeReader(3)
    with pytest.raises(TypeError):
        r2.read(b"immutable")
    r2.close()
    with pytest.raises(Error) as ei:
        r2.read(bytearray(1))
    assert ei.value.kind is ErrorKind.InvalidInput
    w.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=3000), max_size=12), st.integers(1, 5000))
def test_pipe_preserves_the_byte_stream(chunks: list[bytes], bufsize: int) -> None:
    r, w = pipe()
    expected = b"".join(chunks)

    def writer() -> None:
        with w:
            for c in chunks:
                w.write_all(c)

    t = threading.Thread(target=writer)
    t.start()
    got = bytearray()
    buf = bytearray(bufsize)
    with r:
        while n := r.read(buf):
            got += buf[:n]
    t.join()
    assert got == expected
