"""stdio2.os.windows.fs.FileExt: seek_read / seek_write (ReadFile/WriteFile with an OVERLAPPED offset).

Real files under Windows (Wine in CI). Off Windows only the import and the
Unsupported error are checked.
"""

from __future__ import annotations

import array
import ctypes
import io
import sys
from pathlib import Path

import pytest
from _winutil import ON_WINE, windows_only
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from stdio2 import fs
from stdio2.io import Error, ErrorKind, SeekFrom
from stdio2.os.windows.fs import FileExt, OpenOptionsExt

FILE_FLAG_OVERLAPPED = 0x4000_0000
ERROR_HANDLE_EOF = 38
ERROR_ACCESS_DENIED = 5


def _pos(f: fs.File) -> int:
    return f.seek(SeekFrom.Current(0))


def _rw(p: Path) -> fs.File:
    return fs.OpenOptions().read(True).write(True).open(p)


@pytest.mark.skipif(sys.platform == "win32", reason="the off-Windows behaviour")
def test_off_windows_imports_and_reports_unsupported(tmp_path: Path) -> None:
    p = tmp_path / "f"
    fs.write(p, b"abc")
    with fs.File.open(p) as f:
        with pytest.raises(Error) as ei:
            FileExt.seek_read(f, bytearray(3), 0)
        assert ei.value.kind is ErrorKind.Unsupported
        with pytest.raises(TypeError, match=r"FileExt\.seek_write"):
            FileExt.seek_write(f, "text", 0)  # type: ignore[arg-type]


@windows_only
def test_read_and_write_at_offsets(tmp_path: Path) -> None:
    p = tmp_path / "a.bin"
    fs.write(p, b"0123456789")
    with _rw(p) as f:
        buf = bytearray(4)
        assert FileExt.seek_read(f, buf, 3) == 4 and buf == b"3456"
        assert FileExt.seek_read(f, buf, 0) == 4 and buf == b"0123"
        # A short read at the end: only what is there.
        assert FileExt.seek_read(f, buf, 8) == 2 and buf[:2] == b"89"
        assert FileExt.seek_write(f, b"AB", 4) == 2
        assert FileExt.seek_write(f, bytearray(b"CD"), 0) == 2  # the writable (zero-copy) path
        assert FileExt.seek_write(f, memoryview(b"xxEFxx")[2:4], 8) == 2
    assert fs.read(p) == b"CD23AB67EF"


@windows_only
def test_past_the_end_reads_zero_and_writes_extend_with_zeros(tmp_path: Path) -> None:
    p = tmp_path / "e"
    fs.write(p, b"abc")
    with _rw(p) as f:
        buf = bytearray(b"????")
        assert FileExt.seek_read(f, buf, 3) == 0  # exactly at the end
        assert FileExt.seek_read(f, buf, 1000) == 0
        assert buf == b"????"
        assert FileExt.seek_write(f, b"Z", 6) == 1
        assert f.metadata().len() == 7
    assert fs.read(p) == b"abc\0\0\0Z"


@windows_only
def test_windows_reports_handle_eof_for_an_offset_read_at_the_end(tmp_path: Path) -> None:
    # The OS fact the backend maps to 0: ReadFile with an OVERLAPPED offset at
    # or past the end fails with ERROR_HANDLE_EOF (a plain ReadFile returns TRUE, 0 bytes).
    from stdio2._sys.windows.file import _OVERLAPPED
    from stdio2._sys.windows.kernel32 import k32

    p = tmp_path / "eof"
    fs.write(p, b"abc")
    with fs.File.open(p) as f:
        ov = _OVERLAPPED()
        ov.Offset = 3
        got = ctypes.c_uint32(99)
        buf = ctypes.create_string_buffer(4)
        ok = k32().ReadFile(f.as_raw_handle(), buf, 4, ctypes.byref(got), ctypes.byref(ov))
        assert not ok and ctypes.get_last_error() == ERROR_HANDLE_EOF  # type: ignore[attr-defined,unused-ignore]
        assert got.value == 0


@windows_only
def test_the_file_pointer_moves_to_offset_plus_count(tmp_path: Path) -> None:
    p = tmp_path / "ptr"
    fs.write(p, b"0123456789")
    with _rw(p) as f:
        buf = bytearray(3)
        assert FileExt.seek_read(f, buf, 2) == 3
        assert _pos(f) == 5
        # A plain read continues after the positioned one (Rust documents this).
        assert f.read(buf) == 3 and buf == b"567"
        assert FileExt.seek_write(f, b"ab", 1) == 2
        assert _pos(f) == 3
        f.write_all(b"!")
        # A clone shares the handle's file pointer, so it moved too.
        with f.try_clone() as g:
            FileExt.seek_read(g, buf, 6)
            assert _pos(f) == 9
    assert fs.read(p) == b"0ab!456789"


@pytest.mark.skipif(not ON_WINE, reason="observed under Wine; Windows documents only offset + count")
@windows_only
def test_pointer_after_end_of_file_and_empty_buffers_on_wine(tmp_path: Path) -> None:
    # What Wine does where Microsoft's documentation is silent: the pointer
    # goes to the offset even when nothing was read or written.
    p = tmp_path / "wine"
    fs.write(p, b"0123456789")
    with _rw(p) as f:
        assert FileExt.seek_read(f, bytearray(4), 20) == 0
        assert _pos(f) == 20
        assert FileExt.seek_read(f, bytearray(), 5) == 0
        assert _pos(f) == 5
        assert FileExt.seek_write(f, b"", 7) == 0
        assert _pos(f) == 7
    assert fs.read(p) == b"0123456789"


@windows_only
def test_empty_buffers_move_no_bytes(tmp_path: Path) -> None:
    p = tmp_path / "empty"
    fs.write(p, b"abc")
    with _rw(p) as f:
        assert FileExt.seek_read(f, bytearray(), 1) == 0
        assert FileExt.seek_read(f, memoryview(bytearray(5))[2:2], 0) == 0
        assert FileExt.seek_write(f, b"", 10) == 0  # does not extend the file
        assert f.metadata().len() == 3
    assert fs.read(p) == b"abc"


@windows_only
def test_non_byte_buffers_count_bytes(tmp_path: Path) -> None:
    p = tmp_path / "wide"
    fs.write(p, b"")
    with _rw(p) as f:
        assert FileExt.seek_write(f, array.array("H", [0x4241, 0x4443]), 2) == 4
        out = array.array("H", [0, 0])
        assert FileExt.seek_read(f, out, 2) == 4
        assert out.tolist() == [0x4241, 0x4443]
    assert fs.read(p) == b"\0\0ABCD"


def _set_sparse(f: fs.File) -> bool:
    # FSCTL_SET_SPARSE, so that real NTFS does not allocate the gap; Wine's
    # Unix files are sparse anyway.
    from ctypes import wintypes as w

    dll = ctypes.WinDLL("kernel32", use_last_error=True)
    fn = dll.DeviceIoControl
    fn.restype = w.BOOL
    fn.argtypes = [w.HANDLE, w.DWORD, w.LPVOID, w.DWORD, w.LPVOID, w.DWORD, ctypes.POINTER(w.DWORD), w.LPVOID]
    out = w.DWORD()
    return bool(fn(f.as_raw_handle(), 0x900C4, None, 0, None, 0, ctypes.byref(out), None))


@windows_only
def test_offsets_past_4_gib_use_offset_high(tmp_path: Path) -> None:
    p = tmp_path / "sparse"
    far = (5 << 32) + 0x1234  # OffsetHigh = 5, Offset = 0x1234: both halves matter
    with fs.File.create_new(p) as f:
        if not _set_sparse(f) and not ON_WINE:
            pytest.skip("the volume cannot make sparse files")
        assert FileExt.seek_write(f, b"far away", far) == 8
        assert _pos(f) == far + 8
        assert f.metadata().len() == far + 8
        buf = bytearray(8)
        assert FileExt.seek_read(f, buf, far) == 8 and buf == b"far away"
        # Not wrapped to the low 32 bits: the gap reads as zeros there.
        assert FileExt.seek_read(f, buf, 0x1234) == 8 and buf == bytes(8)
        assert FileExt.seek_read(f, buf, far + 8) == 0
        assert FileExt.seek_read(f, buf, 1 << 40) == 0
        f.set_len(0)


@windows_only
def test_handle_opened_with_file_flag_overlapped(tmp_path: Path) -> None:
    # Such a handle may answer ERROR_IO_PENDING; the backend then waits with
    # GetOverlappedResult before the buffer is released.
    p = tmp_path / "ovl"
    fs.write(p, b"0123456789")
    opts = OpenOptionsExt.custom_flags(fs.OpenOptions().read(True).write(True), FILE_FLAG_OVERLAPPED)
    with opts.open(p) as f:
        buf = bytearray(4)
        assert FileExt.seek_read(f, buf, 2) == 4 and buf == b"2345"
        assert FileExt.seek_read(f, buf, 100) == 0
        assert FileExt.seek_write(f, b"zz", 1) == 2
    assert fs.read(p) == b"0zz3456789"


@windows_only
def test_append_handles_write_at_the_end(tmp_path: Path) -> None:
    # Without FILE_WRITE_DATA every write goes to the end, offset or not.
    p = tmp_path / "log"
    fs.write(p, b"0123")
    with fs.OpenOptions().append(True).open(p) as f:
        assert FileExt.seek_write(f, b"AB", 0) == 2
    assert fs.read(p) == b"0123AB"


@windows_only
def test_os_errors_carry_code_and_path(tmp_path: Path) -> None:
    p = tmp_path / "ro"
    fs.write(p, b"data")
    with fs.File.open(p) as f:
        with pytest.raises(Error) as ei:
            FileExt.seek_write(f, b"x", 0)
        assert ei.value.kind is ErrorKind.PermissionDenied
        assert ei.value.raw_os_error() == ERROR_ACCESS_DENIED and ei.value.path == p
    with fs.OpenOptions().write(True).open(p) as f:
        with pytest.raises(PermissionError) as pe:
            FileExt.seek_read(f, bytearray(2), 0)
        assert isinstance(pe.value, Error) and pe.value.path == p
    assert fs.read(p) == b"data"


@windows_only
def test_closed_file_raises_like_other_methods(tmp_path: Path) -> None:
    p = tmp_path / "c"
    fs.write(p, b"abc")
    f = fs.File.open(p)
    f.close()
    with pytest.raises(Error) as expected:
        f.read(bytearray(1))
    for call in (lambda: FileExt.seek_read(f, bytearray(1), 0), lambda: FileExt.seek_write(f, b"x", 0)):
        with pytest.raises(Error) as ei:
            call()
        assert ei.value.kind is expected.value.kind is ErrorKind.InvalidInput
        assert str(ei.value) == str(expected.value)


@windows_only
def test_wrong_arguments(tmp_path: Path) -> None:
    p = tmp_path / "w"
    fs.write(p, b"abc")
    with _rw(p) as f:
        with pytest.raises(TypeError, match=r"FileExt\.seek_read takes a File, got BytesIO"):
            FileExt.seek_read(io.BytesIO(b"abc"), bytearray(1), 0)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"FileExt\.seek_write takes a File"):
            FileExt.seek_write(p, b"x", 0)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"FileExt\.seek_read.*read-only"):
            FileExt.seek_read(f, b"abc", 0)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"FileExt\.seek_read"):
            FileExt.seek_read(f, 3, 0)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"FileExt\.seek_read.*contiguous"):
            FileExt.seek_read(f, memoryview(bytearray(4))[::2], 0)
        with pytest.raises(TypeError, match=r"FileExt\.seek_write.*str"):
            FileExt.seek_write(f, "abc", 0)  # type: ignore[arg-type]
        for bad in ("1", 1.0, True, None):
            with pytest.raises(TypeError, match=r"FileExt\.seek_read takes an int offset"):
                FileExt.seek_read(f, bytearray(1), bad)  # type: ignore[arg-type]
            with pytest.raises(TypeError, match=r"FileExt\.seek_write takes an int offset"):
                FileExt.seek_write(f, b"x", bad)  # type: ignore[arg-type]
        # Negative, and past NT's signed 64-bit offsets (whose all-ones values
        # would mean "at the end of file" to WriteFile).
        for bad_offset in (-1, 1 << 63, (1 << 64) - 1):
            with pytest.raises(Error) as ei:
                FileExt.seek_write(f, b"x", bad_offset)
            assert ei.value.kind is ErrorKind.InvalidInput
            with pytest.raises(Error) as ei:
                FileExt.seek_read(f, bytearray(1), bad_offset)
            assert ei.value.kind is ErrorKind.InvalidInput
        buf = bytearray(1)
        view = memoryview(buf)
        with pytest.raises(Error):
            FileExt.seek_read(f, view, -1)
        view.release()
        buf.extend(b"still resizable")  # no export left behind by the failed call
    assert fs.read(p) == b"abc"


@windows_only
def test_failed_read_leaves_the_buffer_resizable(tmp_path: Path) -> None:
    p = tmp_path / "wo"
    fs.write(p, b"abc")
    buf = bytearray(4)
    with fs.OpenOptions().write(True).open(p) as f, pytest.raises(Error):
        FileExt.seek_read(f, buf, 0)
    buf.extend(b"more")  # BufferError if the failed call still exported it
    assert len(buf) == 8


class PositionedModel(RuleBasedStateMachine):
    """seek_read / seek_write / read / write / seek against bytes plus a pointer."""

    def __init__(self) -> None:
        super().__init__()
        self.model = bytearray()
        self.pointer = 0
        self.file: fs.File | None = None

    @initialize(base=st.binary(max_size=64))
    def start(self, base: bytes) -> None:
        import tempfile

        self.dir = tempfile.mkdtemp()
        self.path = Path(self.dir) / "m"
        fs.write(self.path, base)
        self.model = bytearray(base)
        self.file = _rw(self.path)

    def teardown(self) -> None:
        import shutil

        if self.file is not None:
            self.file.close()
            shutil.rmtree(self.dir)

    @rule(offset=st.integers(0, 100), n=st.integers(0, 40))
    def seek_read(self, offset: int, n: int) -> None:
        assert self.file is not None
        buf = bytearray(n)
        got = FileExt.seek_read(self.file, buf, offset)
        assert bytes(buf[:got]) == bytes(self.model[offset:offset + n])
        if got:
            self.pointer = offset + got
        else:
            # Nothing read (empty buffer, end of file): Windows documents no
            # pointer move; Wine moves it to the offset. Either is accepted.
            now = _pos(self.file)
            assert now in (self.pointer, offset)
            self.pointer = now

    @rule(offset=st.integers(0, 100), data=st.binary(min_size=1, max_size=40))
    def seek_write(self, offset: int, data: bytes) -> None:
        assert self.file is not None
        assert FileExt.seek_write(self.file, data, offset) == len(data)
        if offset > len(self.model):
            self.model.extend(bytes(offset - len(self.model)))
        self.model[offset:offset + len(data)] = data
        self.pointer = offset + len(data)

    @rule(n=st.integers(1, 40))
    def plain_read(self, n: int) -> None:
        assert self.file is not None
        buf = bytearray(n)
        got = self.file.read(buf)
        assert bytes(buf[:got]) == bytes(self.model[self.pointer:self.pointer + n])
        self.pointer += got

    @rule(data=st.binary(min_size=1, max_size=20))
    def plain_write(self, data: bytes) -> None:
        assert self.file is not None
        self.file.write_all(data)
        if self.pointer > len(self.model):
            self.model.extend(bytes(self.pointer - len(self.model)))
        self.model[self.pointer:self.pointer + len(data)] = data
        self.pointer += len(data)

    @rule(to=st.integers(0, 120))
    def seek(self, to: int) -> None:
        assert self.file is not None
        assert self.file.seek(SeekFrom.Start(to)) == to
        self.pointer = to

    @invariant()
    def pointer_and_length(self) -> None:
        if self.file is not None:
            assert _pos(self.file) == self.pointer
            assert self.file.metadata().len() == len(self.model)


TestPositionedModel = windows_only(PositionedModel.TestCase)
TestPositionedModel.settings = settings(max_examples=40, stateful_step_count=15, deadline=None)
