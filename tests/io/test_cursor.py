"""Cursor over bytes, bytearray and memoryview, checked against a simple model."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from stdio2.io import BufRead, Cursor, Error, ErrorKind, Read, Seek, SeekFrom, Write


class CursorMachine(RuleBasedStateMachine):
    """Model: a bytearray ``data`` plus an int ``pos``; the kind decides write rules."""

    kind = "bytearray"

    @initialize(init=st.binary(max_size=64))
    def make(self, init: bytes) -> None:
        self.data = bytearray(init)
        self.pos = 0
        if self.kind == "bytes":
            self.c = Cursor(bytes(init))
        elif self.kind == "bytearray":
            self.backing = bytearray(init)
            self.c = Cursor(self.backing)
        else:
            self.backing = bytearray(init)
            self.c = Cursor(memoryview(self.backing))

    @rule(n=st.integers(0, 40), view=st.booleans())
    def read(self, n: int, view: bool) -> None:
        buf = bytearray(n)
        got = self.c.read(memoryview(buf) if view else buf)
        want = bytes(self.data[self.pos : self.pos + n])
        assert got == len(want) and bytes(buf[:got]) == want
        self.pos += got

    @rule(n=st.integers(0, 40))
    def read_exact(self, n: int) -> None:
        buf = bytearray(n)
        want = bytes(self.data[self.pos : self.pos + n])
        if len(want) == n:
            self.c.read_exact(buf)
            assert bytes(buf) == want
            self.pos += n
        else:
            with pytest.raises(Error) as ei:
                self.c.read_exact(buf)
            assert ei.value.kind is ErrorKind.UnexpectedEof
            assert ei.value.progress == len(want) and bytes(buf[: len(want)]) == want
            self.pos = max(self.pos, len(self.data))

    @rule()
    def read_to_end(self) -> None:
        buf = bytearray(b"p")
        n = self.c.read_to_end(buf)
        want = bytes(self.data[self.pos :])
        assert n == len(want) and bytes(buf) == b"p" + want
        self.pos = max(self.pos, len(self.data))

    @rule(delim=st.sampled_from([0, 10, 97]))
    def read_until(self, delim: int) -> None:
        buf = bytearray()
        n = self.c.read_until(delim, buf)
        rest = bytes(self.data[self.pos :])
        i = rest.find(delim)
        want = rest if i < 0 else rest[: i + 1]
        assert n == len(want) and bytes(buf) == want
        self.pos += n

    @rule(k=st.integers(0, 20))
    def fill_and_consume(self, k: int) -> None:
        data = bytes(memoryview(self.c.fill_buf()))  # type: ignore[arg-type]
        rest = bytes(self.data[self.pos :])
        assert (data and rest.startswith(data)) or (not data and not rest)
        k = min(k, len(data))
        self.c.consume(k)
        self.pos += k

    @rule(data=st.binary(max_size=40))
    def write(self, data: bytes) -> None:
        if self.kind == "bytes":
            with pytest.raises(TypeError, match="bytearray"):
                self.c.write(data)
            return
        n = self.c.write(data)
        if self.kind == "bytearray":
            assert n == len(data)
            if self.pos > len(self.data):
                self.data += bytes(self.pos - len(self.data))
            self.data[self.pos : self.pos + n] = data
        else:
            room = max(0, len(self.data) - self.pos)
            assert n == min(room, len(data))
            self.data[self.pos : self.pos + n] = data[:n]
        self.pos += n

    @rule(data=st.binary(min_size=1, max_size=40))
    def write_all(self, data: bytes) -> None:
        if self.kind != "memoryview":
            return
        room = max(0, len(self.data) - self.pos)
        if len(data) <= room:
            self.c.write_all(data)
        else:
            with pytest.raises(Error) as ei:
                self.c.write_all(data)
            assert ei.value.kind is ErrorKind.WriteZero and ei.value.progress == room
        n = min(room, len(data))
        self.data[self.pos : self.pos + n] = data[:n]
        self.pos += n

    @rule(whence=st.sampled_from([0, 1, 2]), off=st.integers(-100, 100))
    def seek(self, whence: int, off: int) -> None:
        base = (0, self.pos, len(self.data))[whence]
        if whence == 0 and off < 0:
            return  # not constructible: SeekFrom.Start(-1) is a ValueError
        pos = (SeekFrom.Start, SeekFrom.Current, SeekFrom.End)[whence](off)
        if base + off < 0:
            with pytest.raises(Error) as ei:
                self.c.seek(pos)
            assert ei.value.kind is ErrorKind.InvalidInput
        else:
            assert self.c.seek(pos) == base + off
            self.pos = base + off

    @rule(pos=st.integers(0, 100))
    def set_position(self, pos: int) -> None:
        self.c.set_position(pos)
        self.pos = pos

    @invariant()
    def agrees(self) -> None:
        assert self.c.position == self.pos
        assert self.c.stream_position() == self.pos
        assert self.c.stream_len() == len(self.data)
        assert self.c.is_empty() == (self.pos >= len(self.data))
        assert self.c.remaining_slice() == bytes(self.data[self.pos :])
        assert bytes(self.c.get_ref()) == bytes(self.data)


class BytesCursorMachine(CursorMachine):
    kind = "bytes"


class ViewCursorMachine(CursorMachine):
    kind = "memoryview"


_settings = settings(max_examples=70, stateful_step_count=25)
TestBytearrayCursor = CursorMachine.TestCase
TestBytesCursor = BytesCursorMachine.TestCase
TestViewCursor = ViewCursorMachine.TestCase
for _case in (TestBytearrayCursor, TestBytesCursor, TestViewCursor):
    _case.settings = _settings
del _case  # a module-level name bound to a TestCase would be collected twice


def test_traits_and_identity() -> None:
    ba = bytearray(b"abc")
    c = Cursor(ba)
    assert isinstance(c, Cursor) and isinstance(c, Read) and isinstance(c, BufRead)
    assert isinstance(c, Seek) and isinstance(c, Write)
    assert c.get_ref() is ba and c.get_mut() is ba and c.into_inner() is ba
    mv = memoryview(bytearray(4))
    assert Cursor(mv).get_ref() is mv
    assert repr(Cursor(b"ab")) == "Cursor(b'ab', position=0)"
    assert Cursor(b"ab") == Cursor(bytearray(b"ab"))


def test_bad_inner_and_args() -> None:
    with pytest.raises(TypeError, match="encode"):
        Cursor("text")  # type: ignore[type-var]
    with pytest.raises(TypeError, match="memoryview"):
        Cursor([1, 2])  # type: ignore[type-var]
    c = Cursor(bytearray(b"abc"))
    with pytest.raises(TypeError, match=r"Cursor\.read"):
        c.read(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        c.read([0, 0, 0])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        c.write("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        c.write([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        c.set_position(-1)
    with pytest.raises(TypeError):
        c.set_position(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Cursor\(bytearray"):
        Cursor(memoryview(b"ro")).write(b"x")


def test_negative_seek_keeps_position() -> None:
    for inner in (b"hello", bytearray(b"hello"), memoryview(bytearray(b"hello"))):
        c = Cursor(inner)
        c.seek(SeekFrom.Start(3))
        with pytest.raises(Error) as ei:
            c.seek(SeekFrom.End(-6))
        assert ei.value.kind is ErrorKind.InvalidInput
        assert c.position == 3
        assert c.seek(SeekFrom.Start(50)) == 50
        assert c.read(bytearray(4)) == 0


def test_bytearray_write_past_end_zero_fills() -> None:
    ba = bytearray(b"ab")
    c = Cursor(ba)
    c.set_position(5)
    assert c.write(memoryview(b"xy")) == 2
    assert ba == b"ab\x00\x00\x00xy"
    c.set_position(1)
    c.write_all(b"ZZ")
    assert ba == b"aZZ\x00\x00xy"


def test_memoryview_of_other_formats() -> None:
    import array

    arr = array.array("I", [0, 0])
    c = Cursor(memoryview(arr))
    assert c.write(b"\x01\x00\x00\x00\x02") == 5
    assert arr[0] == 1
    assert c.write(b"123456") == 3
    assert c.write(b"x") == 0
    out = array.array("H", [0, 0])
    r = Cursor(b"\x01\x00\x02\x00zz")
    assert r.read(out) == 4 and list(out) == [1, 2]


def test_fill_buf_does_not_pin_bytearray() -> None:
    ba = bytearray(b"abc")
    c = Cursor(ba)
    view = c.fill_buf()
    c.set_position(3)
    c.write(b"more" * 1000)  # growing must work while the caller still holds the view
    assert bytes(memoryview(view)) == b"abc"  # type: ignore[arg-type]


def test_lines_and_read_line() -> None:
    c = Cursor("a\r\nb\u00e9\n\nlast".encode())
    assert c.read_line() == "a\r\n"
    assert list(c.lines()) == ["b\u00e9", "", "last"]
    bad = Cursor(b"\xff\nok\n")
    with pytest.raises(Error):
        bad.read_line()
    assert bad.read_line() == "ok\n"
    assert Cursor(memoryview(b"x\ny")).read_line() == "x\n"
    c = Cursor(b"a,b")
    assert c.skip_until(b",") == 2 and c.read_to_string() == "b"
