"""Buffered types against their standard-library counterparts.

The reading cases run over a text file in a temporary directory (64 MiB,
2 MiB with ``--quick``; the page cache holds it after the warm-up, so they
measure the Python-level cost, not the disk). Until ``stdio2.fs.File``
exists the BufReader's inner reader is a three-line `Read` over
``io.FileIO.readinto`` (one C call per fill, as ``fs.File.read`` will be);
the case names say so with "[FileIO]".
"""

from __future__ import annotations

import io
import os
import random
import shutil
import tempfile

from benchmarks._harness import Pair, case
from stdio2.io import BufReader, BufWriter, LineWriter, Read, Write

_WORDS = (
    "the of and to in is was for on that with as by at from it an be this are have "
    "which or had not but were they one all their there been has more when will "
    "would who so no her she him his about over after into than then them these "
    "naïve café über straße"
).split()


class _FileReader(Read):
    """A stdio2 reader over a descriptor: ``read`` is one ``FileIO.readinto``."""

    __slots__ = ("_f", "_readinto")

    def __init__(self, path: str) -> None:
        self._f = io.FileIO(path, "r")
        self._readinto = self._f.readinto

    def read(self, buf: object, /) -> int:
        return self._readinto(buf)  # type: ignore[arg-type,no-any-return]

    def close(self) -> None:
        self._f.close()


class _FileWriter(Write):
    """A stdio2 writer over a descriptor: ``write`` is one ``FileIO.write``."""

    __slots__ = ("_f",)

    def __init__(self, path: str) -> None:
        self._f = io.FileIO(path, "w")

    def write(self, buf: object) -> int:
        return self._f.write(buf)  # type: ignore[arg-type,no-any-return]

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._f.close()


_tmpdir: str | None = None
_files: dict[bool, str] = {}


def _dir() -> str:
    global _tmpdir
    if _tmpdir is None:
        _tmpdir = tempfile.mkdtemp(prefix="stdio2-bench-")
    return _tmpdir


def _text_file(quick: bool) -> str:
    """A UTF-8 file of lines 0-120 characters long (1 in ~12 lines is not ASCII)."""
    if quick in _files:
        return _files[quick]
    rng = random.Random(2)
    lines = []
    size = 0
    while size < 1 << 20:
        n = rng.randrange(0, 20)
        line = " ".join(rng.choice(_WORDS) for _ in range(n))[:120] + "\n"
        lines.append(line)
        size += len(line.encode())
    block = "".join(lines).encode()
    path = os.path.join(_dir(), f"text-{'quick' if quick else 'full'}.txt")
    with open(path, "wb") as f:
        for _ in range(2 if quick else 64):
            f.write(block)
    _files[quick] = path
    return path


def _cleanup() -> None:
    global _tmpdir
    if _tmpdir is not None:
        shutil.rmtree(_tmpdir, ignore_errors=True)
        _tmpdir = None
        _files.clear()


@case(
    "BufReader.lines() str, file [FileIO]",
    "for line in open(p, encoding='utf-8')",
    target=1.0,
)
def _lines(quick: bool) -> Pair:
    path = _text_file(quick)

    def ours() -> None:
        r = BufReader(_FileReader(path))
        for _line in r.lines():
            pass
        r.close()

    def theirs() -> None:
        with open(path, encoding="utf-8") as f:
            for _line in f:
                pass

    return Pair(ours, theirs, cleanup=_cleanup, ops=os.path.getsize(path) // 50)


@case(
    "BufReader.split(ord('\\n')) bytes, file [FileIO]",
    "for line in open(p, 'rb')",
    target=1.2,
)
def _split(quick: bool) -> Pair:
    path = _text_file(quick)

    def ours() -> None:
        r = BufReader(_FileReader(path))
        for _seg in r.split(10):
            pass
        r.close()

    def theirs() -> None:
        with open(path, "rb") as f:
            for _line in f:
                pass

    return Pair(ours, theirs, cleanup=_cleanup, ops=os.path.getsize(path) // 50)


@case("BufReader.read_line() [FileIO]", "BufferedReader.readline()", target=3.0)
def _read_line(quick: bool) -> Pair:
    path = _text_file(True)  # 2 MiB: a million Python-level calls is enough

    def ours() -> None:
        r = BufReader(_FileReader(path))
        rl = r.read_line
        while rl():
            pass
        r.close()

    def theirs() -> None:
        with open(path, "rb") as f:
            rl = f.readline
            while rl():
                pass

    return Pair(ours, theirs, cleanup=_cleanup, ops=os.path.getsize(path) // 50)


@case("BufWriter.write 16 B x 1M [FileIO]", "io.BufferedWriter.write", target=1.5)
def _bufwriter(quick: bool) -> Pair:
    count = 50_000 if quick else 1_000_000
    chunk = b"0123456789abcde\n"
    path = os.path.join(_dir(), "bufwriter.out")

    def ours() -> None:
        w = BufWriter(_FileWriter(path))
        write = w.write
        for _ in range(count):
            write(chunk)
        w.close()

    def theirs() -> None:
        with open(path, "wb") as f:
            write = f.write
            for _ in range(count):
                write(chunk)

    return Pair(ours, theirs, cleanup=_cleanup, ops=count)


@case("LineWriter one line per write [FileIO]", "line-buffered TextIOWrapper", target=0.8)
def _linewriter(quick: bool) -> Pair:
    count = 5_000 if quick else 50_000
    text = [f"line {i}: the quick brown fox\n" for i in range(count)]
    data = [t.encode() for t in text]
    path = os.path.join(_dir(), "linewriter.out")

    def ours() -> None:
        w = LineWriter(_FileWriter(path))
        write = w.write
        for line in data:
            write(line)
        w.close()

    def theirs() -> None:
        with open(path, "w", encoding="utf-8", buffering=1) as f:
            write = f.write
            for line in text:
                write(line)

    return Pair(ours, theirs, cleanup=_cleanup, ops=count)
