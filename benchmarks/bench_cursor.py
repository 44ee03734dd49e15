"""Cursor against io.BytesIO: 64-byte reads into a caller buffer, and appending writes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from benchmarks._harness import Pair, case
from stdio2.io import Cursor

_CHUNK = 64


def _reads(quick: bool, inner: type[bytes] | type[bytearray]) -> Pair:
    """64-byte reads from a Cursor over *inner*(data) vs ``BytesIO.readinto`` over the same bytes."""
    ops = 20_000 if quick else 200_000
    data = bytes(range(256)) * (ops * _CHUNK // 256)
    buf = bytearray(_CHUNK)
    cur = Cursor(inner(data))
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
    return _reads(quick, bytes)


@case("Cursor(bytearray).read(64 B buf)", "BytesIO.readinto(64 B buf)")
def read_bytearray(quick: bool) -> Pair:
    return _reads(quick, bytearray)


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
