"""Scripted readers and writers for the buffered-type tests (real objects, no OS mocks).

Each one records the calls it received, so the tests can check Rust's exact
buffering rules (how many inner calls, of what size) and inject short
reads/writes, `Interrupted` and hard failures at chosen points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stdio2.io import Error, ErrorKind, Read, Seek, SeekFrom, Write


class ScriptReader(Read):
    """Serves *data*; call *k* returns at most ``chunks[k % len]`` bytes.

    ``faults`` maps a call number to an exception raised instead (the call
    still counts). ``sizes`` records the buffer length each call was given.
    """

    def __init__(
        self,
        data: bytes,
        chunks: Sequence[int] = (1 << 30,),
        faults: dict[int, BaseException] | None = None,
    ) -> None:
        self.data = data
        self.pos = 0
        self.chunks = list(chunks) or [1 << 30]
        self.faults = dict(faults or {})
        self.calls = 0
        self.sizes: list[int] = []

    def read(self, buf: Any, /) -> int:
        k = self.calls
        self.calls += 1
        with memoryview(buf) as whole:
            self.sizes.append(whole.nbytes)
        if k in self.faults:
            # (raised before taking a view: a view kept alive by the
            # traceback would pin the caller's bytearray)
            raise self.faults.pop(k)
        view = memoryview(buf).cast("B")
        n = min(len(view), self.chunks[k % len(self.chunks)], len(self.data) - self.pos)
        view[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n


class SeekScriptReader(ScriptReader, Seek):
    """A `ScriptReader` that can seek (positions are offsets into *data*)."""

    def __init__(self, data: bytes, chunks: Sequence[int] = (1 << 30,)) -> None:
        super().__init__(data, chunks)
        self.seeks: list[SeekFrom] = []

    def seek(self, pos: SeekFrom, /) -> int:
        self.seeks.append(pos)
        base = {0: 0, 1: self.pos, 2: len(self.data)}[pos.whence]
        new = base + pos.offset
        if new < 0:
            raise Error(ErrorKind.InvalidInput, "negative position")
        self.pos = new
        return new


class ScriptWriter(Write):
    """Accepts at most ``limits[k % len]`` bytes on write call *k*.

    ``faults`` maps a call number to an exception raised instead. ``out``
    holds every byte accepted, ``writes`` each call's accepted bytes,
    ``flushes`` counts ``flush()`` calls, ``closed`` tells whether
    ``close()`` ran.
    """

    def __init__(
        self,
        limits: Sequence[int] = (1 << 30,),
        faults: dict[int, BaseException] | None = None,
    ) -> None:
        self.limits = list(limits) or [1 << 30]
        self.faults = dict(faults or {})
        self.out = bytearray()
        self.writes: list[bytes] = []
        self.calls = 0
        self.flushes = 0
        self.closed = False

    def write(self, buf: Any, /) -> int:
        k = self.calls
        self.calls += 1
        if k in self.faults:
            raise self.faults.pop(k)
        view = memoryview(buf).cast("B")
        n = min(len(view), self.limits[k % len(self.limits)])
        self.out += view[:n]
        self.writes.append(bytes(view[:n]))
        return n

    def flush(self) -> None:
        self.flushes += 1

    def close(self) -> None:
        self.closed = True


class SeekScriptWriter(ScriptWriter, Seek):
    """A `ScriptWriter` that records seeks (and always reports position 0 + offset)."""

    def __init__(self) -> None:
        super().__init__()
        self.seeks: list[tuple[SeekFrom, int]] = []

    def seek(self, pos: SeekFrom, /) -> int:
        self.seeks.append((pos, len(self.out)))
        return pos.offset


def broken(kind: ErrorKind = ErrorKind.BrokenPipe) -> Error:
    return Error(kind, "injected")


def interrupted() -> Error:
    return Error(ErrorKind.Interrupted, "injected")


def rust_lines(data: bytes) -> list[bytes]:
    """Rust's ``lines()`` split, on bytes: '\\n' removed, then one '\\r' before it."""
    out = []
    for seg in split_keep(data, 10):
        if seg.endswith(b"\n"):
            seg = seg[:-1]
            if seg.endswith(b"\r"):
                seg = seg[:-1]
        out.append(seg)
    return out


def split_keep(data: bytes, delim: int) -> list[bytes]:
    """*data* cut after each *delim* (delimiters kept); no empty tail."""
    out, start = [], 0
    while start < len(data):
        i = data.find(bytes((delim,)), start)
        end = len(data) if i < 0 else i + 1
        out.append(data[start:end])
        start = end
    return out
