"""Chain, Take, Bytes, Split, Lines, Tee, Broadcast, Empty, Repeat, Sink, copy, read_to_string."""

from __future__ import annotations

import pytest
from _iofaults import ChunkReader, CollectWriter, FailingBufRead, FailingReader, InterruptingReader
from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2.io import (
    BufRead,
    Chain,
    Cursor,
    Error,
    ErrorKind,
    Read,
    Seek,
    SeekFrom,
    Take,
    Write,
    copy,
    empty,
    from_pyio,
    read_to_string,
    repeat,
    sink,
)


def test_chain_is_bufread_only_when_both_are() -> None:
    both = Cursor(b"ab").chain(Cursor(b"cd"))
    assert isinstance(both, Chain) and isinstance(both, BufRead)
    mixed = Cursor(b"ab").chain(ChunkReader(b"cd"))
    assert isinstance(mixed, Chain) and not isinstance(mixed, BufRead)
    assert not hasattr(mixed, "fill_buf")
    assert mixed.read_to_string() == "abcd"
    a, b = both.get_ref()
    assert a.position == 0 and both.into_inner() == (a, b)
    assert both.read_line() == "abcd"


def test_chain_read_semantics() -> None:
    ch = Cursor(b"ab").chain(Cursor(b"cd"))
    buf = bytearray(10)
    assert ch.read(bytearray()) == 0  # an empty buffer does not end the first reader
    assert ch.read(buf) == 2 and buf[:2] == b"ab"  # one read never crosses the boundary
    assert ch.read(buf) == 2 and buf[:2] == b"cd"
    assert ch.read(buf) == 0
    ch2 = Cursor(b"x\ny").chain(Cursor(b"z\n"))
    assert list(ch2.lines()) == ["x", "yz"]


def test_take() -> None:
    t = Cursor(b"hello world").take(5)
    assert isinstance(t, Take) and isinstance(t, BufRead)
    assert t.limit() == 5
    buf = bytearray(3)
    assert t.read(buf) == 3 and t.limit() == 2
    assert t.read_to_string() == "lo"
    assert t.read(buf) == 0
    t.set_limit(3)
    assert t.read_to_string() == " wo"
    assert t.get_ref().position == 8 and t.into_inner() is t.get_mut()
    plain = ChunkReader(b"abcdef").take(4)
    assert not isinstance(plain, BufRead)
    assert plain.read_to_string() == "abcd"
    with pytest.raises(ValueError):
        Cursor(b"").take(-1)
    with pytest.raises(TypeError):
        Cursor(b"").take("3")  # type: ignore[arg-type]


def test_take_bufread_limits_fill_buf_and_consume() -> None:
    t = Cursor(b"abcdef").take(4)
    assert bytes(memoryview(t.fill_buf())) == b"abcd"  # type: ignore[arg-type]
    t.consume(10)  # clamped to the limit
    assert t.limit() == 0 and t.get_ref().position == 4
    assert bytes(t.fill_buf()) == b""  # type: ignore[call-overload]


class _Liar(Read):
    def read(self, buf: object, /) -> int:
        return 100


def test_take_rejects_impossible_counts() -> None:
    with pytest.raises(Error) as ei:
        _Liar().take(10).read(bytearray(5))
    assert ei.value.kind is ErrorKind.InvalidData


def test_bytes_iterator_retries_interrupted_and_survives_errors() -> None:
    assert list(InterruptingReader(ChunkReader(b"abc"), 2).bytes()) == [97, 98, 99]
    assert list(Cursor(b"xy").bytes()) == [120, 121]
    it = FailingReader(b"abcdef", fail_at=2, times=1).bytes()
    assert next(it) == 97 and next(it) == 98
    with pytest.raises(Error):
        next(it)
    assert list(it) == [99, 100, 101, 102]


def test_split_and_lines_keep_partial_data_across_errors() -> None:
    r = FailingBufRead(b"one,two,three", fail_at=6, chunk=4)
    it = r.split(b",")
    assert next(it) == b"one"
    with pytest.raises(TimeoutError):
        next(it)
    assert list(it) == [b"two", b"three"]  # nothing of "two" was lost
    r = FailingBufRead(b"l1\nline2\r\nl3", fail_at=5, chunk=4)
    lines = r.lines()
    assert next(lines) == "l1"
    with pytest.raises(Error):
        next(lines)
    assert list(lines) == ["line2", "l3"]


def test_lines_invalid_utf8_is_skipped_after_error() -> None:
    lines = Cursor(b"a\n\xff\xfe\nb\n").lines()
    assert next(lines) == "a"
    with pytest.raises(Error) as ei:
        next(lines)
    assert ei.value.kind is ErrorKind.InvalidData
    assert list(lines) == ["b"]


def test_tee() -> None:
    w = CollectWriter()
    t = ChunkReader(b"hello world", [4]).tee(w)
    assert t.read_to_string() == "hello world"
    assert bytes(w.data) == b"hello world"
    r, w2 = t.into_inner()
    assert w2 is w and t.get_ref() == (r, w)
    bad = CollectWriter(capacity=3)
    t = Cursor(b"abcdef").tee(bad)
    buf = bytearray(6)
    with pytest.raises(Error) as ei:
        t.read(buf)
    assert ei.value.kind is ErrorKind.WriteZero and ei.value.progress == 3
    assert buf == b"abcdef"


def test_broadcast() -> None:
    a, b = CollectWriter(limit=3), CollectWriter(limit=1)
    bc = a.broadcast(b)
    assert bc.write(b"hello") == 3  # what the first took, all of it to the second
    bc.write_all(b"lo!")
    assert a.data == b.data == b"hello!"
    bc.flush()
    assert a.flushes == b.flushes == 1
    assert bc.get_ref() == (a, b) and bc.into_inner() == (a, b)


class _BadFlush(CollectWriter):
    def flush(self) -> None:
        super().flush()
        raise Error(ErrorKind.BrokenPipe)


def test_broadcast_flushes_both_even_if_first_fails() -> None:
    a, b = _BadFlush(), CollectWriter()
    with pytest.raises(BrokenPipeError):
        a.broadcast(b).flush()
    assert b.flushes == 1


def test_empty_repeat_sink() -> None:
    e = empty()
    assert isinstance(e, BufRead) and isinstance(e, Write) and isinstance(e, Seek)
    assert e.read(bytearray(10)) == 0 and bytes(e.fill_buf()) == b""  # type: ignore[call-overload]
    assert e.write(b"abc") == 3 and e.seek(SeekFrom.End(-5)) == 0 and e.stream_len() == 0
    with pytest.raises(TypeError):
        e.read(10)  # type: ignore[arg-type]
    buf = bytearray(5)
    assert repeat(b"z").read(buf) == 5 and buf == b"zzzzz"
    assert repeat(7).take(3).read_to_end(bytearray()) == 3
    with pytest.raises(Error) as ei:
        repeat(0).read_to_end(bytearray())
    assert ei.value.kind is ErrorKind.OutOfMemory
    with pytest.raises(ValueError):
        repeat(300)
    s = sink()
    assert s.write(b"abc") == 3 and s.write(memoryview(b"ab")) == 2
    s.write_all(b"x" * 10)
    s.flush()
    with pytest.raises(TypeError):
        s.write("text")  # type: ignore[arg-type]


def test_copy_plain_reader_and_bufread() -> None:
    data = bytes(range(256)) * 1000
    w = CollectWriter(limit=5000)
    assert copy(ChunkReader(data, [70_000, 3]), w) == len(data)
    assert bytes(w.data) == data
    w = CollectWriter(limit=777)
    assert copy(Cursor(data), w) == len(data) and bytes(w.data) == data
    assert copy(InterruptingReader(ChunkReader(data, [1000]), 2), sink()) == len(data)
    assert copy(empty(), sink()) == 0


def test_copy_progress_on_writer_failure_keeps_rest_in_bufread() -> None:
    data = b"0123456789" * 10
    c = Cursor(data)
    w = CollectWriter(limit=7, capacity=45, error=Error(ErrorKind.StorageFull))
    with pytest.raises(Error) as ei:
        copy(c, w)
    assert ei.value.kind is ErrorKind.StorageFull and ei.value.progress == 45
    assert c.position == 45  # the unwritten bytes are still readable
    rest = CollectWriter()
    assert copy(c, rest) == 55 and bytes(w.data + rest.data) == data


def test_copy_progress_on_reader_failure() -> None:
    w = CollectWriter()
    with pytest.raises(Error) as ei:
        copy(FailingReader(b"x" * 100, fail_at=30), w)
    assert ei.value.progress == 30 and len(w.data) == 30


def test_copy_between_real_files(tmp_path: object) -> None:
    import pathlib

    p = pathlib.Path(str(tmp_path))
    src, dst = p / "src", p / "dst"
    data = bytes(range(256)) * 2000
    src.write_bytes(data)
    with open(src, "rb", buffering=0) as fi, open(dst, "wb", buffering=0) as fo:
        assert copy(from_pyio(fi), from_pyio(fo)) == len(data)
    assert dst.read_bytes() == data


def test_copy_and_read_to_string_type_errors() -> None:
    import io

    with pytest.raises(TypeError, match="from_pyio"):
        copy(io.BytesIO(b""), sink())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="from_pyio"):
        read_to_string(io.BytesIO(b""))  # type: ignore[arg-type]
    assert read_to_string(Cursor("\u00e9".encode())) == "\u00e9"


@settings(max_examples=120)
@given(
    a=st.binary(max_size=300),
    b=st.binary(max_size=300),
    limit=st.integers(0, 700),
    chunks=st.lists(st.integers(1, 50), min_size=1, max_size=5),
)
def test_chain_take_model(a: bytes, b: bytes, limit: int, chunks: list[int]) -> None:
    r = ChunkReader(a, chunks).chain(ChunkReader(b, chunks)).take(limit)
    out = bytearray()
    buf = bytearray(max(chunks))
    while n := r.read(buf):
        assert n <= len(buf)
        out += buf[:n]
    assert bytes(out) == (a + b)[:limit]
    assert r.limit() == limit - len(out)
    buffered = Cursor(a).chain(Cursor(b)).take(limit)
    assert (
        list(buffered.split(b"\x00"))
        == ((a + b)[:limit].split(b"\x00") if (a + b)[:limit] else [])[
            : None if not (a + b)[:limit].endswith(b"\x00") else -1
        ]
    )


@settings(max_examples=120)
@given(
    data=st.binary(max_size=2000),
    chunks=st.lists(st.integers(1, 700), min_size=1, max_size=4),
    limit=st.integers(1, 500),
    capacity=st.one_of(st.none(), st.integers(0, 2000)),
    buffered=st.booleans(),
)
def test_copy_never_loses_bytes(
    data: bytes, chunks: list[int], limit: int, capacity: int | None, buffered: bool
) -> None:
    reader = Cursor(data) if buffered else ChunkReader(data, chunks)
    w = CollectWriter(limit=limit, capacity=capacity, error=Error(ErrorKind.StorageFull))
    try:
        n = copy(reader, w)
    except Error as e:
        assert capacity is not None and capacity < len(data)
        assert e.kind is ErrorKind.StorageFull and e.progress == capacity
        assert bytes(w.data) == data[:capacity]
        if buffered:
            assert isinstance(reader, Cursor) and reader.position == capacity
    else:
        assert n == len(data) and bytes(w.data) == data
