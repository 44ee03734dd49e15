"""The provided methods of Read / Write / Seek / BufRead, driven by fault-injecting implementations."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from _iofaults import ChunkReader, CollectWriter, FailingBufRead, FailingReader, InterruptingReader
from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2.io import BufRead, Cursor, Error, ErrorKind, Seek, SeekFrom

DATA = bytes(range(256)) * 4


def test_read_exact_fills_across_short_reads() -> None:
    r = ChunkReader(DATA, [1, 5, 3])
    buf = bytearray(500)
    r.read_exact(buf)
    assert bytes(buf) == DATA[:500]


def test_read_exact_eof_reports_progress() -> None:
    r = ChunkReader(b"abcdef", [4])
    buf = bytearray(10)
    with pytest.raises(Error) as ei:
        r.read_exact(buf)
    assert ei.value.kind is ErrorKind.UnexpectedEof
    assert ei.value.progress == 6
    assert bytes(buf[:6]) == b"abcdef"


def test_read_exact_error_reports_progress() -> None:
    r = FailingReader(DATA, fail_at=10)
    buf = bytearray(20)
    with pytest.raises(Error) as ei:
        r.read_exact(buf)
    assert ei.value.kind is ErrorKind.ConnectionReset
    assert ei.value.progress == 10
    assert bytes(buf[:10]) == DATA[:10]


def test_read_to_end_keeps_data_on_error() -> None:
    r = FailingReader(DATA, fail_at=100, chunk=7)
    buf = bytearray(b"pre")
    with pytest.raises(ConnectionResetError) as ei:  # also an instance of the builtin
        r.read_to_end(buf)
    assert ei.value.progress == 100
    assert bytes(buf) == b"pre" + DATA[:100]


def test_read_to_end_converts_plain_oserror_and_keeps_data() -> None:
    r = FailingReader(DATA, fail_at=40, error=OSError(28, "No space left on device"))
    buf = bytearray()
    with pytest.raises(Error) as ei:
        r.read_to_end(buf)
    assert ei.value.kind is ErrorKind.StorageFull
    assert ei.value.errno == 28
    # On Windows 28 is a C-runtime errno, not a Windows error code.
    assert ei.value.raw_os_error() == (None if sys.platform == "win32" else 28)
    assert ei.value.progress == 40 and bytes(buf) == DATA[:40]


def test_read_to_end_resumes_after_error() -> None:
    r = FailingReader(DATA, fail_at=50, times=1)
    buf = bytearray()
    with pytest.raises(Error):
        r.read_to_end(buf)
    r.read_to_end(buf)
    assert bytes(buf) == DATA


def test_interrupted_is_retried_by_conveniences_not_by_read() -> None:
    r = InterruptingReader(ChunkReader(DATA, [10]), every=2)
    buf = bytearray(30)
    r.read(buf)  # call 1 reads
    with pytest.raises(InterruptedError) as ei:
        r.read(buf)  # call 2 is interrupted: read never retries
    assert ei.value.errno == 4
    r = InterruptingReader(ChunkReader(DATA, [10]), every=2)
    out = bytearray()
    assert r.read_to_end(out) == len(DATA) and bytes(out) == DATA
    r = InterruptingReader(ChunkReader(DATA, [10]), every=3)
    buf = bytearray(100)
    r.read_exact(buf)
    assert bytes(buf) == DATA[:100]


def test_write_all_retries_interrupted_and_short_writes() -> None:
    w = CollectWriter(limit=7, interrupt_every=3)
    w.write_all(DATA)
    assert bytes(w.data) == DATA


def test_write_all_write_zero_progress() -> None:
    w = CollectWriter(limit=10, capacity=25)
    with pytest.raises(Error) as ei:
        w.write_all(DATA)
    assert ei.value.kind is ErrorKind.WriteZero
    assert ei.value.progress == 25


def test_write_all_error_progress() -> None:
    w = CollectWriter(limit=10, capacity=33, error=OSError(32, "Broken pipe"))
    with pytest.raises(BrokenPipeError) as ei:
        w.write_all(DATA)
    assert isinstance(ei.value, Error)
    assert ei.value.kind is ErrorKind.BrokenPipe and ei.value.progress == 33


def test_write_fmt_and_vectored() -> None:
    w = CollectWriter(limit=4)
    w.write_fmt("{}-{x}\u00e9", 1, x="y")
    assert w.data.decode() == "1-y\u00e9"
    w2 = CollectWriter()
    assert w2.write_vectored([b"", bytearray(b"ab"), b"cd"]) == 2
    assert w2.write_vectored([]) == 0
    r = ChunkReader(b"xyz", [10])
    a, b = bytearray(0), bytearray(2)
    assert r.read_vectored([a, b]) == 2 and b == b"xy"


def test_read_to_string_invalid_utf8() -> None:
    with pytest.raises(Error) as ei:
        ChunkReader(b"ok\xffno").read_to_string()
    assert ei.value.kind is ErrorKind.InvalidData
    assert ChunkReader("h\u00e9llo".encode(), [1]).read_to_string() == "h\u00e9llo"


class _Buf(BufRead):
    """A minimal BufRead over bytes, handing out *chunk* bytes per fill_buf."""

    def __init__(self, data: bytes, chunk: int = 3) -> None:
        self.data, self.pos, self.chunk = data, 0, chunk

    def fill_buf(self) -> bytes:
        return self.data[self.pos : self.pos + self.chunk]

    def consume(self, n: int, /) -> None:
        self.pos += n

    def read(self, buf: Any, /) -> int:
        d = self.fill_buf()
        view = memoryview(buf).cast("B")
        k = min(len(d), len(view))
        view[:k] = d[:k]
        self.pos += k
        return k


def test_read_line_all_or_nothing() -> None:
    r = _Buf(b"good\nb\xffd\nnext\n")
    assert r.read_line() == "good\n"
    with pytest.raises(Error) as ei:
        r.read_line()
    assert ei.value.kind is ErrorKind.InvalidData
    assert r.read_line() == "next\n"  # the bad line was consumed, nothing partial returned
    assert r.read_line() == ""


def test_read_until_keeps_data_and_progress_on_error() -> None:
    r = FailingBufRead(b"abcdefgh\nrest", fail_at=6, chunk=4)
    buf = bytearray()
    with pytest.raises(TimeoutError) as ei:
        r.read_until(b"\n", buf)
    assert ei.value.progress == 6 and bytes(buf) == b"abcdef"
    assert r.read_until(b"\n", buf) == 3
    assert bytes(buf) == b"abcdefgh\n"


def test_bufread_helpers() -> None:
    r = _Buf(b"a,bb,,ccc", 2)
    assert r.skip_until(b",") == 2
    assert list(r.split(ord(","))) == [b"bb", b"", b"ccc"]
    assert not r.has_data_left()
    assert list(_Buf(b"x\r\ny\n\nz", 2).lines()) == ["x", "y", "", "z"]


def test_int_args_raise_typeerror_naming_the_call() -> None:
    r = ChunkReader(DATA)
    with pytest.raises(TypeError, match="read_exact"):
        r.read_exact(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytearray"):
        r.read_to_end(b"")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="read-only"):
        r.read_exact(b"abc")
    with pytest.raises(TypeError, match="not str"):
        CollectWriter().write_all("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Cursor\.read"):
        Cursor(b"x").read(4)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [256, -1])
def test_byte_arg_range(bad: int) -> None:
    with pytest.raises(ValueError):
        _Buf(b"abc").read_until(bad, bytearray())


@pytest.mark.parametrize("bad", ["\n", b"ab", b"", True, 1.0, None])
def test_byte_arg_type(bad: Any) -> None:
    with pytest.raises(TypeError, match="byte"):
        _Buf(b"abc").read_until(bad, bytearray())
    with pytest.raises(TypeError):
        _Buf(b"abc").split(bad)


class _Seeker(Seek):
    def __init__(self, size: int) -> None:
        self.size, self.pos, self.calls = size, 0, 0

    def seek(self, pos: SeekFrom, /) -> int:
        self.calls += 1
        base = {0: 0, 1: self.pos, 2: self.size}[pos.whence]
        if base + pos.offset < 0:
            raise Error(ErrorKind.InvalidInput)
        self.pos = base + pos.offset
        return self.pos


def test_seek_provided_methods() -> None:
    s = _Seeker(100)
    s.seek(SeekFrom.Start(30))
    assert s.stream_len() == 100
    assert s.stream_position() == 30  # stream_len went back
    s.seek_relative(-10)
    assert s.stream_position() == 20
    s.rewind()
    assert s.pos == 0
    with pytest.raises(ValueError):
        SeekFrom.Start(-1)
    with pytest.raises(TypeError, match="SeekFrom"):
        Cursor(b"").seek(3)  # type: ignore[arg-type]
    assert SeekFrom.End(-2) == SeekFrom.End(-2) and repr(SeekFrom.Current(4)) == "SeekFrom.Current(4)"


@settings(max_examples=150)
@given(data=st.binary(max_size=3000), chunks=st.lists(st.integers(1, 600), min_size=1, max_size=8))
def test_read_to_end_any_chunking(data: bytes, chunks: list[int]) -> None:
    buf = bytearray(b"x")
    assert ChunkReader(data, chunks).read_to_end(buf) == len(data)
    assert bytes(buf) == b"x" + data


@settings(max_examples=100)
@given(data=st.binary(max_size=500), fail_at=st.integers(0, 500), chunk=st.integers(1, 50))
def test_read_exact_progress_property(data: bytes, fail_at: int, chunk: int) -> None:
    r = FailingReader(data, fail_at=fail_at, chunk=chunk)
    buf = bytearray(len(data))
    try:
        r.read_exact(buf)
    except Error as e:
        assert e.progress == min(fail_at, len(data))
        assert bytes(buf[: e.progress]) == data[: e.progress]
    else:
        assert fail_at >= len(data) and bytes(buf) == data
