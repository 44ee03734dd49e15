"""Filesystem: fs.copy, io.copy between Files, fs.read, read_dir and File.read against the stdlib way.

Files live in a temporary directory on the same file system as /tmp and are
deleted by each case's cleanup (the big ones are 512 MiB / 256 MiB in a full
run). Both sides read warm page-cache data: the harness warms each up once.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from itertools import repeat

from benchmarks._harness import Pair, case, pinned
from stdio2 import fs, io
from stdio2.fs._copy import kernel_copy_objects
from stdio2.os_str import OsString, _set_inner


def _tempdir() -> str:
    return tempfile.mkdtemp(prefix="stdio2-bench-fs-")


def _big_file(directory: str, size: int) -> str:
    path = os.path.join(directory, "src.bin")
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(size >> 20):
            f.write(chunk)
    return path


@case("fs.copy", "shutil.copyfile", target=1.05)
def copy_file(quick: bool) -> Pair:
    d = _tempdir()
    src = _big_file(d, (8 if quick else 512) << 20)
    a, b = os.path.join(d, "a.bin"), os.path.join(d, "b.bin")
    return Pair(
        lambda: fs.copy(src, a),
        lambda: shutil.copyfile(src, b),
        lambda: shutil.rmtree(d),
    )


@case("io.copy(File, File)", "shutil.copyfile", target=1.05)
def io_copy_files(quick: bool) -> Pair:
    d = _tempdir()
    src = _big_file(d, (8 if quick else 512) << 20)
    a, b = os.path.join(d, "a.bin"), os.path.join(d, "b.bin")

    def with_stdio2() -> None:
        with fs.File.open(src) as r, fs.File.create(a) as w:
            # What io.copy does once its _kernel_copy hook is wired to this
            # function (see docs/fs.md); until then call it directly.
            if kernel_copy_objects(r, w) is None:
                io.copy(r, w)

    return Pair(with_stdio2, lambda: shutil.copyfile(src, b), lambda: shutil.rmtree(d))


@case("fs.read", "open(p, 'rb').read()", target=1.1)
def read_whole(quick: bool) -> Pair:
    d = _tempdir()
    src = _big_file(d, (8 if quick else 256) << 20)

    def with_stdlib() -> bytes:
        with open(src, "rb") as f:
            return f.read()

    return Pair(lambda: fs.read(src), with_stdlib, lambda: shutil.rmtree(d))


def _populated_dir(quick: bool) -> tuple[str, int]:
    """A new temporary directory holding *n* empty files; ``(path, n)``."""
    d = _tempdir()
    n = 2000 if quick else 20_000
    for i in range(n):
        os.close(os.open(os.path.join(d, f"entry-{i:06d}"), os.O_CREAT | os.O_WRONLY, 0o644))
    return d, n


@case("read_dir names", "os.scandir names", target=1.3)
def read_dir_names(quick: bool) -> Pair:
    d, n = _populated_dir(quick)

    def with_stdio2() -> list[object]:
        with fs.read_dir(d) as it:
            return [e.file_name() for e in it]

    def with_stdlib() -> list[str]:
        with os.scandir(d) as it:
            return [e.name for e in it]

    return Pair(with_stdio2, with_stdlib, lambda: shutil.rmtree(d), ops=n)


@case("File.read 4 KiB", "os.read", target=1.1)
def file_read_calls(quick: bool) -> Pair:
    d = _tempdir()
    path = os.path.join(d, "small.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(4096))
    f2 = fs.File.open(path)
    fd = f2.as_raw_fd()
    n = 2000 if quick else 20_000
    buf = bytearray(4096)
    read, seek = f2.read, os.lseek
    os_read = os.read
    pin = pinned()
    pin.__enter__()

    # Each call reads the same 4 KiB at offset 0 (pread-free: seek back first,
    # identically on both sides).
    def with_stdio2() -> None:
        for _ in range(n):
            seek(fd, 0, 0)
            read(buf)

    def with_os() -> None:
        for _ in range(n):
            seek(fd, 0, 0)
            os_read(fd, 4096)

    def cleanup() -> None:
        pin.__exit__(None, None, None)
        f2.close()
        shutil.rmtree(d)

    return Pair(with_stdio2, with_os, cleanup, ops=n)


@case("File.read at EOF", "os.read at EOF", target=1.1)
def file_read_eof(quick: bool) -> Pair:
    d = _tempdir()
    path = os.path.join(d, "empty.bin")
    open(path, "wb").close()
    f2 = fs.File.open(path)
    fd = f2.as_raw_fd()
    n = 5000 if quick else 50_000
    buf = bytearray(4096)
    read = f2.read
    os_read = os.read

    def with_stdio2() -> None:
        for _ in range(n):
            read(buf)

    def with_os() -> None:
        for _ in range(n):
            os_read(fd, 4096)

    def cleanup() -> None:
        f2.close()
        shutil.rmtree(d)

    return Pair(with_stdio2, with_os, cleanup, ops=n)


@case("read_dir entries (no names)", "list(os.scandir)", target=1.3)
def read_dir_entries(quick: bool) -> Pair:
    # The listing machinery alone: how much of "read_dir names" is the
    # DirEntry wrapper and how much is building each name's OsString.
    d, n = _populated_dir(quick)

    def with_stdio2() -> list[object]:
        with fs.read_dir(d) as it:
            return list(it)

    def with_stdlib() -> list[object]:
        with os.scandir(d) as it:
            return list(it)

    return Pair(with_stdio2, with_stdlib, lambda: shutil.rmtree(d), ops=n)


@case("read_dir floor: os.scandir + one OsString per name", "os.scandir names")
def read_dir_floor(quick: bool) -> Pair:
    # What any read_dir that returns OsString names must at least do: the same
    # listing (bytes names: no decoding, which the anchor pays for), then one
    # OsString per name made the cheapest way CPython offers, two C calls per
    # name driven by map() (no Python frame, no DirEntry). When this row sits
    # above the "read_dir names" target, the target asks for less than the
    # value type alone costs.
    d, n = _populated_dir(quick)
    raw = os.fsencode(d)
    new = object.__new__

    def floor() -> list[OsString]:
        with os.scandir(raw) as it:
            names = [e.name for e in it]
        out = list(map(new, repeat(OsString, len(names))))
        deque(map(_set_inner, out, names), maxlen=0)
        return out

    def with_stdlib() -> list[str]:
        with os.scandir(d) as it:
            return [e.name for e in it]

    return Pair(floor, with_stdlib, lambda: shutil.rmtree(d), ops=n)
