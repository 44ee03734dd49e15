"""Cursor against io.BytesIO: 64-byte reads into a caller buffer, and appending writes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from benchmarks._harness import Pair, case
from stdio2.io import Cursor

_CHUNK = 64


def _reads(quick: bool, make: Callable[[bytes], Any]) -> Pair:
    """64-byte reads through ``make(data).read`` vs ``BytesIO.readinto`` over the same bytes."""
    ops = 20_000 if quick else 200_000
    data = bytes(range(256)) * (ops * _CHUNK // 256)
    buf = bytearray(_CHUNK)
    cur = make(data)
    bio = io.BytesIO(data)

    def s2() -> None:
        cur.set_position(0)
        read = cur.read
        for _ in range(ops):
            read(buf)

    def std() -> None:
        bio.seek(0)
        readinto = bio.readinto
        for _ in range(ops):
            readinto(buf)

    return Pair(stdio2=s2, stdlib=std, ops=ops)


@case("Cursor(bytes).read(64 B buf)", "BytesIO.readinto(64 B buf)", target=5.5)
def read_bytes(quick: bool) -> Pair:
    return _reads(quick, Cursor)


@case("Cursor(bytearray).read(64 B buf)", "BytesIO.readinto(64 B buf)")
def read_bytearray(quick: bool) -> Pair:
    return _reads(quick, lambda data: Cursor(bytearray(data)))


class _ReadFloor:
    """A floor, not a Cursor: a 64-byte read out of a bytearray with no checks.

    A bytearray can grow, so a Cursor over one cannot keep a memoryview of
    it (an export would forbid the resize): each read copies a slice out
    and assigns it into the caller's buffer. This does only that, for a
    full 64-byte buffer, with no type, length or end-of-data checks.
    """

    __slots__ = ("_inner", "_pos")

    def __init__(self, data: bytes) -> None:
        self._inner = bytearray(data)
        self._pos = 0

    def set_position(self, pos: int) -> None:
        self._pos = pos

    def read(self, buf: bytearray) -> int:
        pos = self._pos
        buf[:] = self._inner[pos : pos + 64]
        self._pos = pos + 64
        return 64


@case("Cursor(bytearray) read floor: slice out, assign in, no checks", "BytesIO.readinto(64 B buf)")
def read_bytearray_floor(quick: bool) -> Pair:
    # The 5.5x is applied to Cursor(bytes), which keeps a BytesIO
    # and reads through it; this row shows what the growable kind costs.
    return _reads(quick, _ReadFloor)


def _appends(quick: bool, make: Callable[[bytearray], Any]) -> Pair:
    """64-byte appending writes through ``make(bytearray()).write`` vs ``BytesIO.write``."""
    ops = 20_000 if quick else 200_000
    chunk = b"x" * _CHUNK

    def ours() -> None:
        write = make(bytearray()).write
        for _ in range(ops):
            write(chunk)

    def std() -> None:
        write = io.BytesIO().write
        for _ in range(ops):
            write(chunk)

    return Pair(stdio2=ours, stdlib=std, ops=ops)


@case("Cursor(bytearray).write(64 B)", "BytesIO.write(64 B)", target=3.5)
def write_append(quick: bool) -> Pair:
    return _appends(quick, Cursor)


class _Appender:
    """A reference, not a Cursor: a method that appends and returns the count, keeping no position."""

    __slots__ = ("_inner",)

    def __init__(self, inner: bytearray) -> None:
        self._inner = inner

    def write(self, buf: bytes) -> int:
        self._inner += buf
        return len(buf)


@case("Cursor write reference: one-line append method, no position", "BytesIO.write(64 B)")
def write_reference(quick: bool) -> Pair:
    # What a Python-level write costs before any cursor bookkeeping: the
    # method call and the C append. Cursor.write adds what its contract
    # needs: reading the position, comparing it with the length (a write
    # in the middle overwrites, past the end zero-fills) and storing the
    # new one.
    return _appends(quick, _Appender)


class _PositionFloor:
    """A floor, not a Cursor: the least a positioned appending write can do.

    It appends first and only then checks that the position was at the old
    end, which needs one ``len(inner)`` (the new position, one int) instead
    of two. The check trusts ``len(buf)`` to be the byte count, which is
    wrong for an ``array('i')``, and it never undoes a wrong append: a real
    Cursor cannot take either shortcut.
    """

    __slots__ = ("_inner", "_pos")

    def __init__(self, inner: bytearray) -> None:
        self._inner = inner
        self._pos = 0

    def write(self, buf: bytes) -> int:
        inner = self._inner
        inner += buf
        n = len(inner)
        k = n - self._pos
        if k == len(buf):
            self._pos = n
            return k
        raise AssertionError("the floor handles appends only")


@case("Cursor write floor: append, one len, position check and store", "BytesIO.write(64 B)")
def write_floor(quick: bool) -> Pair:
    # The reference plus what no positioned write can skip: learning the
    # inner's length (a new int, positions pass 256 at once), comparing
    # and storing the position.
    return _appends(quick, _PositionFloor)


@case("Cursor(bytes).read_line()", "BytesIO.readline()")
def read_line(quick: bool) -> Pair:
    ops = 10_000 if quick else 100_000
    data = b"a line of some forty characters, ending\n" * ops
    cur = Cursor(data)
    bio = io.BytesIO(data)

    def s2() -> None:
        cur.set_position(0)
        read_line = cur.read_line
        for _ in range(ops):
            read_line()

    def std() -> None:
        bio.seek(0)
        readline = bio.readline
        for _ in range(ops):
            readline().decode()

    return Pair(stdio2=s2, stdlib=std, ops=ops)
