"""BufReader, BufWriter, LineWriter, IntoInnerError: Rust's buffering rules, on real files too."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest
from buffered_helpers import (
    ScriptReader,
    ScriptWriter,
    SeekScriptReader,
    SeekScriptWriter,
    broken,
    interrupted,
    rust_lines,
)

from stdio2.io import (
    BufRead,
    BufReader,
    BufWriter,
    Error,
    ErrorKind,
    IntoInnerError,
    Lines,
    LineWriter,
    Seek,
    SeekFrom,
    Split,
    from_pyio,
)
from stdio2.testing import check_bufread, check_write

# ---------------------------------------------------------------------------
# BufReader: the buffer and its bypass


def test_small_read_fills_whole_buffer_once() -> None:
    inner = ScriptReader(b"abcdefghijklmnopqrstuvwxyz")
    r = BufReader(inner, 8)
    buf = bytearray(3)
    assert r.read(buf) == 3 and buf == b"abc"
    assert inner.sizes == [8]  # one inner read, into the whole buffer
    assert r.buffer() == b"defgh"
    assert r.read(buf) == 3 and buf == b"def"
    assert r.read(buf) == 2 and buf[:2] == b"gh"  # what is buffered, no second call
    assert inner.calls == 1


def test_large_read_bypasses_empty_buffer() -> None:
    inner = ScriptReader(bytes(range(64)))
    r = BufReader(inner, 8)
    big = bytearray(8)
    assert r.read(big) == 8
    assert inner.sizes == [8] and r.buffer() == b""  # went straight through
    small = bytearray(2)
    r.read(small)
    big = bytearray(20)
    # The buffer is not empty now: the large read is served from it.
    assert r.read(big) == 6
    assert big[:6] == bytes(range(10, 16))
    assert inner.sizes == [8, 8]


def test_line_iterators_fill_a_larger_buffer_direct_reads_do_not() -> None:
    # lines()/split()/read_line's look-ahead read up to 8x the capacity per
    # inner.read (capped at 64 KiB); read/fill_buf keep Rust's capacity-sized fills.
    data = b"".join(b"%d\n" % i for i in range(100))
    inner = ScriptReader(data)
    r = BufReader(inner, 8)
    split = r.split(10)
    assert next(split) == b"0"
    assert inner.sizes == [64]
    assert r.capacity() == 8
    # The look-ahead is exact: buffer() and read() start at the next segment.
    assert r.buffer() == data[2:64]
    buf = bytearray(62)
    assert r.read(buf) == 62 and buf == data[2:64]
    assert r.read(bytearray(3)) == 3
    assert inner.sizes == [64, 8]  # the buffer is empty again: a capacity-sized fill
    assert r.fill_buf() == data[67:72]
    assert [bytes(s) for s in split] == data[67:].split(b"\n")[:-1]
    assert all(60 <= n <= 64 for n in inner.sizes[2:])  # 64 less the partial segment kept
    # The default capacity's iterators read 64 KiB; a big capacity is its own limit.
    big = ScriptReader(b"x\n" * 10)
    assert list(BufReader(big).lines()) == ["x"] * 10 and big.sizes[0] == 64 * 1024
    huge = ScriptReader(b"x\n" * 10)
    assert list(BufReader(huge, 1 << 20).lines()) == ["x"] * 10 and huge.sizes[0] == 1 << 20


def test_read_line_breaks_only_at_newline() -> None:
    # read_line's look-ahead splits with str.splitlines, which also breaks at
    # these; each must stay inside its line.
    odd = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
    lines = [f"a{c}b\n" for c in odd] + ["plain\n", "x\r\n", "tail\r"]
    for cap in (4, 64, 8192):
        r = BufReader(ScriptReader("".join(lines).encode()), cap)
        assert [r.read_line() for _ in range(len(lines) + 1)] == [*lines, ""]


def test_fill_buf_is_readonly_and_consume_clamps() -> None:
    r = BufReader(ScriptReader(b"hello world"), 4)
    view = r.fill_buf()
    assert bytes(view) == b"hell"
    with pytest.raises(TypeError):
        view[0] = 0  # type: ignore[index]
    r.consume(100)
    assert r.buffer() == b""
    assert bytes(r.fill_buf()) == b"o wo"
    with pytest.raises(ValueError):
        r.consume(-1)


def test_fill_buf_makes_one_call_and_does_not_retry_interrupted() -> None:
    inner = ScriptReader(b"data", faults={0: interrupted()})
    r = BufReader(inner)
    with pytest.raises(InterruptedError):
        r.fill_buf()
    assert bytes(r.fill_buf()) == b"data"
    assert bytes(r.fill_buf()) == b"data"  # not consumed, no new call
    assert inner.calls == 2


def test_accessors_and_capacity_zero() -> None:
    inner = ScriptReader(b"abc\ndef\n")
    r = BufReader(inner, 0)
    assert r.capacity() == 0 and r.get_ref() is inner and r.get_mut() is inner
    buf = bytearray(2)
    assert r.read(buf) == 2  # straight through
    # Rust: a zero-capacity BufReader's BufRead methods see end of file.
    assert r.read_line() == ""
    assert list(r.lines()) == []


def test_into_inner_loses_buffer_and_disables_reader() -> None:
    inner = ScriptReader(b"abcdef")
    r = BufReader(inner, 4)
    r.read(bytearray(1))
    assert r.into_inner() is inner
    assert inner.pos == 4  # the 3 buffered bytes are gone with the BufReader
    with pytest.raises(Error) as ei:
        r.read(bytearray(1))
    assert ei.value.kind is ErrorKind.InvalidInput


def test_wrong_types() -> None:
    r = BufReader(ScriptReader(b"x"))
    with pytest.raises(TypeError, match="bytearray"):
        r.read(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytearray"):
        r.read_until(10, b"")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        r.split("x")  # type: ignore[arg-type]
    with open(os.devnull, "rb") as f, pytest.raises(TypeError, match="from_pyio"):
        BufReader(f)  # type: ignore[arg-type]
    with open(os.devnull, "wb") as g, pytest.raises(TypeError, match="from_pyio"):
        BufWriter(g)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        BufReader(ScriptReader(b""), -1)
    with pytest.raises(TypeError):
        BufWriter(ScriptWriter(), 1.5)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# BufReader: seeking


def test_seek_current_accounts_for_buffer_and_discards_it() -> None:
    data = bytes(range(100))
    inner = SeekScriptReader(data)
    r = BufReader(inner, 16)
    assert isinstance(r, Seek)
    r.read(bytearray(3))  # inner is at 16, logical position 3
    assert r.stream_position() == 3
    assert r.seek(SeekFrom.Current(2)) == 5
    assert inner.seeks[-1] == SeekFrom.Current(2 - 13)
    assert r.buffer() == b""
    buf = bytearray(1)
    r.read(buf)
    assert buf[0] == 5
    assert r.seek(SeekFrom.End(-1)) == 99
    r.read(buf)
    assert buf[0] == 99


def test_seek_relative_keeps_buffer_inside_it() -> None:
    data = bytes(range(100))
    inner = SeekScriptReader(data)
    r = BufReader(inner, 16)
    r.read(bytearray(8))  # buffer holds 8..15
    calls = inner.calls
    r.seek_relative(-5)
    r.seek_relative(2)
    assert inner.seeks == [] and inner.calls == calls
    buf = bytearray(1)
    r.read(buf)
    assert buf[0] == 5
    r.seek_relative(50)  # outside: a real seek, buffer discarded
    assert len(inner.seeks) == 1 and r.buffer() == b""
    r.read(buf)
    assert buf[0] == 56


def test_failed_seek_keeps_buffer() -> None:
    r = BufReader(SeekScriptReader(b"abcdef"), 4)
    r.read(bytearray(1))
    with pytest.raises(Error):
        r.seek(SeekFrom.Current(-10))
    assert r.buffer() == b"bcd"


def test_seek_only_with_seekable_inner() -> None:
    r = BufReader(ScriptReader(b"abc"))
    assert not isinstance(r, Seek)
    assert isinstance(r, BufRead)
    with pytest.raises(TypeError, match="Seek"):
        r.seek(SeekFrom.Start(0))
    with pytest.raises(TypeError, match="SeekFrom"):
        BufReader(SeekScriptReader(b"")).seek(0)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# BufReader: lines, split, read_line and friends


DATA = b"first\nsecond\r\n\nfourth\rstill\r\r\nlast\r"


@pytest.mark.parametrize("cap", [1, 2, 3, 5, 8, 64, 8192])
@pytest.mark.parametrize("chunk", [1, 3, 7, 1 << 20])
def test_lines_split_read_line_match_model(cap: int, chunk: int) -> None:
    want = [x.decode() for x in rust_lines(DATA)]
    assert want[-1] == "last\r"  # no '\n', so the '\r' stays (Rust)
    assert list(BufReader(ScriptReader(DATA, [chunk]), cap).lines()) == want
    segs = list(BufReader(ScriptReader(DATA, [chunk]), cap).split(b"\r"))
    assert segs == DATA.split(b"\r")[:-1] or segs == DATA.split(b"\r")
    r = BufReader(ScriptReader(DATA, [chunk]), cap)
    got = []
    while line := r.read_line():
        got.append(line)
    assert "".join(got) == DATA.decode()
    assert (
        (got == DATA.decode().split("\n")
        and False)
        or got == [s + "\n" for s in DATA.decode().split("\n")[:-1]] + [DATA.decode().split("\n")[-1]]
    )


def test_lines_and_split_are_the_adapter_types() -> None:
    r = BufReader(ScriptReader(b"a\nb"))
    assert isinstance(r.lines(), Lines)
    assert isinstance(r.split(10), Split)


def test_lines_interleaved_with_direct_reads() -> None:
    data = b"".join(b"line %d\n" % i for i in range(100))
    r = BufReader(ScriptReader(data, [37]), 64)
    lines = r.lines()
    assert next(lines) == "line 0"
    assert r.read_line() == "line 1\n"
    assert next(lines) == "line 2"
    buf = bytearray(3)
    r.read_exact(buf)
    assert buf == b"lin"
    assert next(lines) == "e 3"
    assert r.buffer().startswith(b"line 4\n")
    assert next(iter(lines)) == "line 4"
    out = bytearray()
    r.read_until(b" ", out)
    assert out == b"line "
    assert next(lines) == "5"
    split = r.split(10)
    assert next(split) == b"line 6"
    assert next(lines) == "line 7"
    r.consume(2)
    assert next(split) == b"ne 8"
    rest = [ln for ln in lines]
    assert rest == [f"line {i}" for i in range(9, 100)]


def test_two_line_iterators_share_the_reader() -> None:
    r = BufReader(ScriptReader(b"a\nb\nc\nd\n"))
    one, two = r.lines(), r.lines()
    assert [next(one), next(two), next(one), next(two)] == ["a", "b", "c", "d"]
    assert list(one) == [] and list(two) == []


def test_read_line_batches_stay_exact_when_mixed() -> None:
    data = b"".join(b"%d\n" % i for i in range(1000))
    r = BufReader(ScriptReader(data, [100]), 256)
    expect = [b"%d\n" % i for i in range(1000)]
    k = 0
    while k < 1000:
        for _ in range(k % 7):  # runs long enough to switch to batch mode
            if k < 1000:
                assert r.read_line() == expect[k].decode()
                k += 1
        if k < 1000:
            out = bytearray()
            r.read_until(10, out)
            assert out == expect[k]
            k += 1
    assert r.read_line() == ""


def test_invalid_utf8_line_is_reported_and_skipped() -> None:
    data = b"good\nbad \xff line\nalso good\n\xc3\nend"
    for cap in (4, 8, 64):
        lines = BufReader(ScriptReader(data, [5]), cap).lines()
        got: list[object] = []
        while True:
            try:
                got.append(next(lines))
            except StopIteration:
                break
            except Error as e:
                assert e.kind is ErrorKind.InvalidData
                got.append("ERR")
        assert got == ["good", "ERR", "also good", "ERR", "end"], cap
    r = BufReader(ScriptReader(data))
    assert r.read_line() == "good\n"
    with pytest.raises(Error) as ei:
        r.read_line()
    assert ei.value.kind is ErrorKind.InvalidData
    assert r.read_line() == "also good\n"  # the bad line was consumed (Rust)


def test_long_lines_beyond_capacity() -> None:
    data = b"x" * 100 + b"\n" + b"y" * 37 + b"\r\n" + b"z" * 50
    for cap in (1, 8, 16):
        assert list(BufReader(ScriptReader(data, [9]), cap).lines()) == [
            "x" * 100,
            "y" * 37,
            "z" * 50,
        ]
        assert list(BufReader(ScriptReader(data, [9]), cap).split(ord("y"))) == data.split(b"y")


def test_interrupted_is_retried_by_conveniences() -> None:
    data = b"one\ntwo\nthree\n"

    def faults() -> dict[int, BaseException]:
        # Fresh exceptions each time: a raised one keeps the reader's frame
        # (and the buffer view it was given) alive through its traceback.
        return {k: interrupted() for k in range(0, 40, 2)}

    r = BufReader(ScriptReader(data, [2], faults=faults()), 4)
    assert list(r.lines()) == ["one", "two", "three"]
    r = BufReader(ScriptReader(data, [2], faults=faults()), 4)
    assert [r.read_line() for _ in range(3)] == ["one\n", "two\n", "three\n"]
    r = BufReader(ScriptReader(data, [2], faults=faults()), 4)
    out = bytearray()
    assert r.read_to_end(out) == len(data) and out == data
    r = BufReader(ScriptReader(data, [2], faults=faults()), 4)
    assert r.skip_until(b"w") == 6 and r.read_to_string() == "o\nthree\n"


def test_failure_mid_line_loses_nothing() -> None:
    data = b"a long line that straddles fills\nnext\n"
    # read_line: the failure is raised; a retry returns the whole line.
    r = BufReader(ScriptReader(data, [5], faults={3: broken(ErrorKind.TimedOut)}), 8)
    with pytest.raises(TimeoutError):
        r.read_line()
    assert r.read_line() == "a long line that straddles fills\n"
    assert r.read_line() == "next\n"
    # lines(): the iterator stays usable and the line comes out whole.
    for cap in (4, 8, 64):
        r = BufReader(ScriptReader(data, [5], faults={3: broken()}), cap)
        lines = r.lines()
        with pytest.raises(BrokenPipeError):
            next(lines)
        assert list(lines) == ["a long line that straddles fills", "next"]
    # read_until keeps what it read in the caller's buffer, with progress.
    r = BufReader(ScriptReader(data, [5], faults={2: broken()}), 4)
    out = bytearray()
    with pytest.raises(Error) as ei:
        r.read_until(10, out)
    assert ei.value.progress == len(out) == 8
    r.read_until(10, out)
    assert out == data[: data.index(b"\n") + 1]


def test_read_exact_and_read_to_end_progress() -> None:
    r = BufReader(ScriptReader(b"abcdefgh", [3]), 4)
    buf = bytearray(5)
    r.read_exact(buf)
    assert buf == b"abcde"
    with pytest.raises(Error) as ei:
        r.read_exact(bytearray(10))
    assert ei.value.kind is ErrorKind.UnexpectedEof and ei.value.progress == 3
    r = BufReader(ScriptReader(b"abcdefgh", [3], faults={2: broken()}), 4)
    r.read(bytearray(1))
    out = bytearray(b">")
    with pytest.raises(Error) as ei:
        r.read_to_end(out)
    assert out == b">bcdef" and ei.value.progress == 5


def test_has_data_left_and_skip_until() -> None:
    r = BufReader(ScriptReader(b"key=value;rest", [4]), 4)
    assert r.skip_until(b"=") == 4
    out = bytearray()
    r.read_until(b";", out)
    assert out == b"value;"
    assert r.has_data_left()
    assert r.read_to_string() == "rest"
    assert not r.has_data_left()


def test_bufreader_conformance_kit() -> None:
    # (check_bufread runs check_read too; small capacities are covered by
    # the property tests, at a fraction of the kit's cost on its 200 kB sample)
    check_bufread(lambda data: BufReader(ScriptReader(data, [1000]), 64))
    check_bufread(lambda data: BufReader(ScriptReader(data), 8192))


# ---------------------------------------------------------------------------
# BufWriter


def test_bufwriter_buffers_small_and_bypasses_large() -> None:
    inner = ScriptWriter()
    w = BufWriter(inner, 8)
    assert w.write(b"abc") == 3
    assert w.write(b"de") == 2
    assert inner.writes == [] and w.buffer() == b"abcde"
    assert w.write(b"fgh") == 3  # fits exactly (Rust: buffered, no flush)
    assert inner.writes == [] and w.buffer() == b"abcdefgh"
    assert w.write(b"i") == 1  # does not fit: flush first
    assert inner.writes == [b"abcdefgh"] and w.buffer() == b"i"
    assert w.write(b"0123456789") == 10  # >= capacity: flush, then straight through
    assert inner.writes == [b"abcdefgh", b"i", b"0123456789"]
    assert w.buffer() == b""
    w.flush()
    assert inner.flushes == 1


def test_bufwriter_capacity_zero_passes_everything_through() -> None:
    inner = ScriptWriter(limits=[2])
    w = BufWriter(inner, 0)
    assert w.write(b"abc") == 2  # one inner write, its count returned
    assert w.buffer() == b""
    w.write_all(b"xyz")
    assert bytes(inner.out) == b"abxyz"


def test_failed_flush_keeps_unwritten_bytes() -> None:
    inner = ScriptWriter(limits=[3], faults={1: broken()})
    w = BufWriter(inner, 16)
    w.write(b"0123456789")
    with pytest.raises(BrokenPipeError) as ei:
        w.flush()
    assert ei.value.progress == 3
    assert bytes(inner.out) == b"012" and w.buffer() == b"3456789"
    assert inner.flushes == 0
    w.flush()
    assert bytes(inner.out) == b"0123456789" and w.buffer() == b""


def test_write_that_needs_failed_flush_takes_nothing() -> None:
    inner = ScriptWriter(faults={0: broken()})
    w = BufWriter(inner, 8)
    w.write(b"abcdef")
    with pytest.raises(Error) as ei:
        w.write(b"ghijk")
    assert ei.value.progress == 0 and w.buffer() == b"abcdef"
    w.write_all(b"x" * 20)  # flushes, then the large one goes straight through
    assert inner.writes == [b"abcdef", b"x" * 20]


def test_write_zero_in_flush() -> None:
    w = BufWriter(ScriptWriter(limits=[0]), 8)
    w.write(b"abc")
    with pytest.raises(Error) as ei:
        w.flush()
    assert ei.value.kind is ErrorKind.WriteZero
    assert w.buffer() == b"abc"
    w.into_parts()


def test_interrupted_in_flush_is_retried() -> None:
    inner = ScriptWriter(limits=[2], faults={0: interrupted(), 2: interrupted()})
    w = BufWriter(inner, 8)
    w.write(b"abcde")
    w.flush()
    assert bytes(inner.out) == b"abcde"


def test_into_inner_and_into_inner_error() -> None:
    inner = ScriptWriter()
    w = BufWriter(inner, 8)
    w.write(b"abc")
    assert w.into_inner() is inner
    assert bytes(inner.out) == b"abc" and inner.flushes == 0  # no inner.flush (Rust)
    assert not inner.closed
    with pytest.raises(Error) as ei:
        w.write(b"x" * 100)
    assert ei.value.kind is ErrorKind.InvalidInput

    inner = ScriptWriter(limits=[1], faults={1: broken(ErrorKind.StorageFull)})
    w = BufWriter(inner, 8)
    w.write(b"abc")
    with pytest.raises(IntoInnerError) as ei2:
        w.into_inner()
    e = ei2.value
    assert isinstance(e, Error) and isinstance(e, OSError)
    assert e.kind is ErrorKind.StorageFull and e.error().kind is ErrorKind.StorageFull
    assert e.into_error() is e.error()
    back = e.into_inner()
    assert back is w and back.buffer() == b"bc"  # nothing lost
    assert back.into_inner() is inner and bytes(inner.out) == b"abc"


def test_into_parts() -> None:
    inner = ScriptWriter()
    w = BufWriter(inner)
    w.write(b"pending")
    got, data = w.into_parts()
    assert got is inner and data == b"pending" and inner.writes == []


def test_close_and_with_flush_then_close_inner() -> None:
    inner = ScriptWriter()
    with BufWriter(inner) as w:
        w.write(b"hello")
    assert bytes(inner.out) == b"hello" and inner.flushes == 1 and inner.closed
    w.close()  # twice is fine

    inner = ScriptWriter(faults={0: broken()})
    w = BufWriter(inner)
    w.write(b"data")
    with pytest.raises(BrokenPipeError):
        w.close()
    assert not inner.closed and w.buffer() == b"data"  # kept, nothing closed
    w.close()
    assert inner.closed and bytes(inner.out) == b"data"


def test_gc_with_pending_bytes_flushes_and_warns() -> None:
    inner = ScriptWriter()
    w = BufWriter(inner)
    w.write(b"12345")
    with pytest.warns(ResourceWarning, match="5 unflushed bytes"):
        del w
        gc.collect()
    assert bytes(inner.out) == b"12345"

    inner = ScriptWriter(faults={0: broken()})
    lw = LineWriter(inner)
    lw.write(b"abc")
    with pytest.warns(ResourceWarning, match="3 unflushed bytes.*lost"):
        del lw
        gc.collect()

    w = BufWriter(ScriptWriter())
    w.write(b"x")
    w.flush()
    del w
    gc.collect()  # nothing pending: no warning (pytest turns one into an error)


def test_bufwriter_write_all_progress_and_types() -> None:
    inner = ScriptWriter(limits=[4], faults={2: broken()})
    w = BufWriter(inner, 4)
    with pytest.raises(Error) as ei:
        w.write_all(b"0123456789")
    assert ei.value.progress == 8 and bytes(inner.out) == b"01234567"
    with pytest.raises(TypeError, match="encode"):
        w.write("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="encode"):
        w.write_all("text")  # type: ignore[arg-type]


def test_bufwriter_copies_mutable_buffers() -> None:
    inner = ScriptWriter()
    w = BufWriter(inner)
    data = bytearray(b"abc")
    w.write(data)
    data[0] = ord("X")
    w.write(memoryview(b"defg")[1:])
    import array

    w.write(array.array("H", [0x4142]))  # 2 bytes, whatever len() says
    w.flush()
    assert bytes(inner.out)[:6] == b"abcefg" and len(inner.out) == 8


def test_bufwriter_write_vectored() -> None:
    inner = ScriptWriter()
    w = BufWriter(inner, 8)
    assert w.write_vectored([b"", b"ab", b"cd", b"efghij"]) == 4
    assert w.buffer() == b"abcd"
    assert w.write_vectored([b"0123456789"]) == 10
    assert inner.writes == [b"abcd", b"0123456789"]


def test_bufwriter_seek_writes_out_first() -> None:
    inner = SeekScriptWriter()
    w = BufWriter(inner)
    assert isinstance(w, Seek)
    assert not isinstance(BufWriter(ScriptWriter()), Seek)
    w.write(b"abc")
    assert w.seek(SeekFrom.Start(1)) == 1
    assert inner.seeks == [(SeekFrom.Start(1), 3)]


def test_bufwriter_conformance_kit() -> None:
    def factory(data: bytes) -> tuple[BufWriter, object]:
        inner = ScriptWriter(limits=[3])
        return BufWriter(inner, 5), lambda: bytes(inner.out)

    check_write(factory)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# LineWriter (Rust's LineWriterShim)


def test_linewriter_writes_through_last_newline_in_one_call() -> None:
    inner = ScriptWriter()
    w = LineWriter(inner, 16)
    assert w.write(b"abc") == 3
    assert inner.writes == []
    assert w.write(b"def\nghi\njk") == 10
    # The buffer goes first, then ONE write up to the last newline.
    assert inner.writes == [b"abc", b"def\nghi\n"] and w.buffer() == b"jk"
    assert w.write(b"\n") == 1
    assert inner.writes[-2:] == [b"jk", b"\n"]


def test_linewriter_flushes_completed_line_before_buffering() -> None:
    # A short write can leave a complete line in the buffer.
    inner = ScriptWriter(limits=[2, 100])
    w = LineWriter(inner, 10)
    assert w.write(b"abcd\nef") == 5  # 2 written, "cd\n" buffered, "ef" not taken
    assert w.buffer() == b"cd\n"
    assert w.write(b"xyz") == 3  # no newline: flush the completed line first
    assert bytes(inner.out) == b"abcd\n" and w.buffer() == b"xyz"


def test_linewriter_partial_write_buffers_up_to_last_fitting_newline() -> None:
    inner = ScriptWriter(limits=[1])
    w = LineWriter(inner, 6)
    data = b"aaaa\nbb\ncccccc\nd"
    n = w.write(data)
    # 1 written; the rest up to the last newline is 14 > 6 bytes, so only
    # up to the last newline that fits in 6 ("aaa\nbb" -> "aaa\n") is buffered.
    assert n == 1 + 4 and w.buffer() == b"aaa\n"


def test_linewriter_zero_write_takes_nothing() -> None:
    w = LineWriter(ScriptWriter(limits=[0]), 8)
    assert w.write(b"line\ntail") == 0
    assert w.buffer() == b""


def test_linewriter_error_in_line_write_takes_nothing() -> None:
    inner = ScriptWriter(faults={0: broken()})
    w = LineWriter(inner, 8)
    with pytest.raises(BrokenPipeError):
        w.write(b"x\ny")
    assert w.buffer() == b"" and w.write(b"x\ny") == 3


def test_linewriter_write_all() -> None:
    inner = ScriptWriter(limits=[3])
    w = LineWriter(inner, 8)
    w.write_all(b"ab")
    w.write_all(b"cd\nef\ngh")
    # Buffered data present: lines are appended to it and written out together.
    assert bytes(inner.out) == b"abcd\nef\n" and w.buffer() == b"gh"
    w.write_all(b"\n")
    assert bytes(inner.out) == b"abcd\nef\ngh\n"
    w.write_all(b"one\ntwo\n")  # buffer empty: straight through with write_all
    assert bytes(inner.out).endswith(b"one\ntwo\n") and w.buffer() == b""
    w.write_all(b"x" * 20)  # no newline, larger than capacity
    assert w.buffer() == b"" and bytes(inner.out).endswith(b"x" * 20)


def test_linewriter_write_all_progress() -> None:
    inner = ScriptWriter(limits=[2], faults={1: broken()})
    w = LineWriter(inner, 8)
    with pytest.raises(Error) as ei:
        w.write_all(b"abcdef\ngh")
    assert ei.value.progress == 2 and bytes(inner.out) == b"ab"


def test_linewriter_into_inner_close_and_vectored() -> None:
    inner = ScriptWriter()
    w = LineWriter(inner)
    # The default inner write_vectored takes the first buffer only: a short
    # write of the lines, so nothing is buffered (Rust).
    assert w.write_vectored([b"ab", b"c\nd", b"ef"]) == 2
    assert inner.writes == [b"ab"] and w.buffer() == b""
    assert w.write_vectored([b"c\n", b"d", b"ef"]) == 5
    assert w.buffer() == b"def"
    w.write(b"tail")
    assert w.into_inner() is inner and bytes(inner.out).endswith(b"tail")
    inner = ScriptWriter(faults={0: broken()})
    w = LineWriter(inner)
    w.write(b"tail")
    with pytest.raises(IntoInnerError) as ei:
        w.into_inner()
    assert ei.value.into_inner() is w and w.buffer() == b"tail"
    w.close()
    assert inner.closed and bytes(inner.out) == b"tail"


def test_linewriter_conformance_kit() -> None:
    def factory(data: bytes) -> tuple[LineWriter, object]:
        inner = ScriptWriter(limits=[5])
        return LineWriter(inner, 4), lambda: bytes(inner.out)

    check_write(factory)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# End to end on real files and pipes


def test_file_round_trip(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "data.txt")
    lines = [f"line {i} {'é' * (i % 5)}" for i in range(5000)]
    with BufWriter(from_pyio(open(path, "wb", buffering=0)), 100) as w:
        for ln in lines:
            w.write(ln.encode() + b"\r\n" if ln.endswith("3") else ln.encode() + b"\n")
    assert os.path.getsize(path) > 40000
    with BufReader(from_pyio(open(path, "rb", buffering=0))) as r:
        assert list(r.lines()) == lines
        r.seek(SeekFrom.Start(0))
        assert r.read_line() == "line 0 \n"
        pos = r.stream_position()
        assert pos == len("line 0 \n")
        r.seek_relative(5)
        assert r.read_line() == "1 é\n"
        r.rewind()
        assert [s.decode() for s in r.split(10)][:2] == ["line 0 ", "line 1 é"]


def test_linewriter_over_pipe_delivers_each_line_at_once() -> None:
    rfd, wfd = os.pipe()
    reader = open(rfd, "rb", buffering=0)  # noqa: SIM115
    with LineWriter(from_pyio(open(wfd, "wb", buffering=0))) as w:
        for i in range(20):
            w.write(b"part %d " % i)
            w.write(b"done\nnext ")
            # The complete line is in the pipe now, the tail is not.
            assert reader.read(4096) == (b"next " if i else b"") + b"part %d done\n" % i
        w.write(b"end")
    assert reader.read() == b"next end"
    reader.close()


def test_child_process_reads_what_bufwriter_wrote(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "child.txt")
    w = BufWriter(from_pyio(open(path, "wb", buffering=0)))  # noqa: SIM115
    w.write(b"x" * 100)
    w.write_all(b"y" * 10000)  # larger than the buffer: written out, then through
    w.write(b"tail")
    proc = subprocess.run(
        [sys.executable, "-c", f"import os; print(os.path.getsize({path!r}))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(proc.stdout) == 10100  # "tail" is still in our buffer
    w.close()
    assert os.path.getsize(path) == 10104


@pytest.mark.skipif(sys.platform == "win32", reason="dup2 over a descriptor: Unix semantics")
def test_failing_file_keeps_buffer_for_retry(tmp_path: object) -> None:
    # A real failure: the descriptor becomes read-only under the writer.
    path = os.path.join(str(tmp_path), "ro.txt")
    f = open(path, "wb", buffering=0)  # noqa: SIM115
    w = BufWriter(from_pyio(f), 16)
    w.write(b"precious")
    saved = os.dup(f.fileno())
    ro = os.open(path, os.O_RDONLY)
    os.dup2(ro, f.fileno())
    os.close(ro)
    with pytest.raises(Error) as ei:
        w.flush()
    assert ei.value.raw_os_error() is not None and w.buffer() == b"precious"
    os.dup2(saved, f.fileno())
    os.close(saved)
    w.close()
    with open(path, "rb") as check:
        assert check.read() == b"precious"


# ---------------------------------------------------------------------------
# LineWriter over a File: the direct write(2) path keeps File.write's rules


def test_linewriter_on_a_file_writes_lines_through(tmp_path) -> None:
    from stdio2.fs import File

    path = tmp_path / "lines.txt"
    with LineWriter(File.create(path)) as w:
        assert w.write(b"one\n") == 4
        assert path.read_bytes() == b"one\n"  # through at once, no flush
        assert w.write(bytearray(b"two\nthr")) == 7
        assert path.read_bytes() == b"one\ntwo\n"
    assert path.read_bytes() == b"one\ntwo\nthr"


@pytest.mark.skipif(sys.platform == "win32", reason="the direct write(2) path is the Unix File's")
def test_linewriter_on_a_closed_file_never_writes_to_the_old_number(tmp_path) -> None:
    from stdio2.fs import File

    f = File.create(tmp_path / "a")
    w = LineWriter(f)
    f.close()
    # The number is free; something else gets it.
    other = os.open(tmp_path / "b", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        with pytest.raises(Error) as info:
            w.write(b"line\n")
        assert info.value.kind is ErrorKind.InvalidInput
        assert os.path.getsize(tmp_path / "b") == 0
    finally:
        os.close(other)


@pytest.mark.skipif(sys.platform == "win32", reason="the direct write(2) path is the Unix File's")
def test_linewriter_on_a_file_reports_the_files_error_with_its_path(tmp_path) -> None:
    from stdio2.fs import File

    path = tmp_path / "ro"
    path.write_bytes(b"")
    w = LineWriter(File.open(path))  # read-only: write(2) fails with EBADF
    with pytest.raises(Error) as info:
        w.write(b"line\n")
    assert info.value.raw_os_error() == 9
    assert info.value.path == path
    w.get_ref().close()


@pytest.mark.skipif(sys.platform == "win32", reason="the direct write(2) path is the Unix File's")
def test_linewriter_on_a_full_nonblocking_pipe_file_raises_would_block() -> None:
    from stdio2.fs import File
    from stdio2.os.fd import OwnedFd

    r, wfd = os.pipe()
    os.set_blocking(wfd, False)
    w = LineWriter(File(OwnedFd.from_raw_fd(wfd)))
    try:
        line = b"x" * 4095 + b"\n"
        with pytest.raises(Error) as info:
            while True:
                w.write(line)
        assert info.value.kind is ErrorKind.WouldBlock
    finally:
        w.get_ref().close()
        os.close(r)
