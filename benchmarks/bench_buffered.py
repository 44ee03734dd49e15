"""Buffered types against their standard-library counterparts.

The reading cases run over a text file in a temporary directory (64 MiB,
2 MiB with ``--quick``; the page cache holds it after the warm-up, so they
measure the Python-level cost, not the disk). The inner reader/writer is
``stdio2.fs.File`` (one ``read(2)``/``write(2)`` per call).
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from itertools import chain

from benchmarks._harness import Pair, case
from stdio2.fs import File
from stdio2.io import BufReader, BufWriter, LineWriter

_WORDS = (
    "the of and to in is was for on that with as by at from it an be this are have "
    "which or had not but were they one all their there been has more when will "
    "would who so no her she him his about over after into than then them these"
).split()
_NON_ASCII = "naïve café über straße 東京 €".split()


_tmpdir: str | None = None
_files: dict[bool, str] = {}


def _dir() -> str:
    global _tmpdir
    if _tmpdir is None:
        _tmpdir = tempfile.mkdtemp(prefix="stdio2-bench-")
    return _tmpdir


def _text_file(quick: bool) -> str:
    """A UTF-8 file of lines 0-120 characters long, ~50 bytes on average.

    About 1 line in 12 holds a non-ASCII word (Latin-1, CJK, €), the rest is
    ASCII: the usual shape of logs, CSV and prose.
    """
    if quick in _files:
        return _files[quick]
    rng = random.Random(2)
    lines = []
    size = 0
    while size < 1 << 20:
        n = rng.randrange(0, 20)
        words = [rng.choice(_WORDS) for _ in range(n)]
        if words and rng.randrange(12) == 0:
            words[rng.randrange(len(words))] = rng.choice(_NON_ASCII)
        line = " ".join(words)[:120] + "\n"
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
    "BufReader.lines() str, file [fs.File]",
    "for line in open(p, encoding='utf-8')",
    target=1.0,
)
def _lines(quick: bool) -> Pair:
    path = _text_file(quick)

    def ours() -> None:
        r = BufReader(File.open(path))
        for _line in r.lines():
            pass
        r.close()

    def theirs() -> None:
        with open(path, encoding="utf-8") as f:
            for _line in f:
                pass

    return Pair(ours, theirs, cleanup=_cleanup, ops=os.path.getsize(path) // 50)


@case(
    "BufReader.split(ord('\\n')) bytes, file [fs.File]",
    "for line in open(p, 'rb')",
    target=1.2,
)
def _split(quick: bool) -> Pair:
    path = _text_file(quick)

    def ours() -> None:
        r = BufReader(File.open(path))
        for _seg in r.split(10):
            pass
        r.close()

    def theirs() -> None:
        with open(path, "rb") as f:
            for _line in f:
                pass

    return Pair(ours, theirs, cleanup=_cleanup, ops=os.path.getsize(path) // 50)


@case("split floor: FileIO.readinto 64 KiB + bytes.split, no BufReader", "for line in open(p, 'rb')")
def _split_floor(quick: bool) -> Pair:
    # The way BufReader.split works with everything else taken away: fill
    # a 64 KiB buffer (the size its iterators refill at a default 8 KiB
    # capacity) with one readinto, copy its complete lines out, split them
    # in C, and chain the lists so that the loop steps through them in C.
    # The bytes after the last newline are dropped, not carried over, so
    # this does slightly less than a splitter must. The anchor's C iterator
    # makes one readline per line instead and allocates only the line.
    path = _text_file(quick)

    def floor() -> None:
        with open(path, "rb", buffering=0) as f:
            buf = bytearray(64 * 1024)
            view = memoryview(buf)
            readinto = f.readinto

            def batches() -> Iterator[list[bytes]]:
                while n := readinto(buf):
                    yield view[: buf.rfind(10, 0, n) + 1].tobytes().split(b"\n")

            for _seg in chain.from_iterable(batches()):
                pass

    def theirs() -> None:
        with open(path, "rb") as f:
            for _line in f:
                pass

    return Pair(floor, theirs, cleanup=_cleanup, ops=os.path.getsize(path) // 50)


@case("BufReader.read_line() [fs.File]", "BufferedReader.readline()", target=3.0)
def _read_line(quick: bool) -> Pair:
    path = _text_file(True)  # 2 MiB: a million Python-level calls is enough

    def ours() -> None:
        r = BufReader(File.open(path))
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


@case("BufWriter.write 16 B x 1M [fs.File]", "io.BufferedWriter.write", target=1.5)
def _bufwriter(quick: bool) -> Pair:
    count = 50_000 if quick else 1_000_000
    chunk = b"0123456789abcde\n"
    path = os.path.join(_dir(), "bufwriter.out")

    def ours() -> None:
        w = BufWriter(File.create(path))
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


@case("LineWriter one line per write [fs.File]", "line-buffered TextIOWrapper", target=0.8)
def _linewriter(quick: bool) -> Pair:
    count = 5_000 if quick else 50_000
    text = [f"line {i}: the quick brown fox\n" for i in range(count)]
    data = [t.encode() for t in text]
    path = os.path.join(_dir(), "linewriter.out")

    def ours() -> None:
        w = LineWriter(File.create(path))
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
