"""write_atomic / AtomicFile: readers see old or new contents, failures leave the old file intact."""

from __future__ import annotations

import gc
import os
import pathlib
import stat
import threading

import pytest

from stdio2 import fs
from stdio2.io import Error, ErrorKind, Write


def _leftovers(d: pathlib.Path) -> list[str]:
    return sorted(n for n in os.listdir(d) if n.endswith(".tmp"))


def test_write_atomic_creates_and_replaces(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "config"
    fs.write_atomic(p, "v1")
    assert p.read_text() == "v1"
    p.chmod(0o600)
    inode = p.stat().st_ino
    fs.write_atomic(p, b"v2")
    assert p.read_bytes() == b"v2"
    assert p.stat().st_ino != inode  # a new file was renamed over the old one
    assert stat.S_IMODE(p.stat().st_mode) == 0o600  # permissions kept
    assert _leftovers(tmp_path) == []


def test_atomic_file_commit_and_discard(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "data"
    p.write_bytes(b"old")
    with fs.AtomicFile(p) as f:
        assert isinstance(f, Write)
        f.write_all(b"new ")
        f.write_all(b"contents")
        assert p.read_bytes() == b"old"  # nothing visible before commit
        assert len(_leftovers(tmp_path)) == 1
    assert p.read_bytes() == b"new contents"
    with pytest.raises(RuntimeError), fs.AtomicFile(p) as f:
        f.write_all(b"half")
        raise RuntimeError("boom")
    assert p.read_bytes() == b"new contents" and _leftovers(tmp_path) == []
    f = fs.AtomicFile(p)
    f.write(b"x")
    f.discard()
    f.discard()
    with pytest.raises(Error) as ei:
        f.write(b"y")
    assert ei.value.kind is ErrorKind.InvalidInput
    assert p.read_bytes() == b"new contents" and _leftovers(tmp_path) == []


def test_uncommitted_atomic_file_is_discarded_with_warning(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "data"
    f = fs.AtomicFile(p)
    f.write(b"x")
    with pytest.warns(ResourceWarning, match="without commit"):
        del f
        gc.collect()
    assert not p.exists() and _leftovers(tmp_path) == []


def test_errors_carry_the_path(tmp_path: pathlib.Path) -> None:
    with pytest.raises(Error) as ei:
        fs.write_atomic(tmp_path / "missing-dir" / "f", b"x")
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == tmp_path / "missing-dir" / "f"
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "inner").write_bytes(b"")
    with pytest.raises(Error) as ei:
        fs.write_atomic(tmp_path / "d", b"x")  # rename over a non-empty directory fails
    assert ei.value.kind in (ErrorKind.IsADirectory, ErrorKind.DirectoryNotEmpty)
    assert _leftovers(tmp_path) == [] and (tmp_path / "d" / "inner").exists()


def test_concurrent_readers_never_see_a_mix(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "shared"
    versions = [bytes([65 + i]) * 50_000 for i in range(10)]
    fs.write_atomic(p, versions[0])
    seen: set[bytes] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            data = fs.read(p)
            seen.add(data[:1] * len(data))
            assert data in versions

    t = threading.Thread(target=reader)
    t.start()
    try:
        for _ in range(5):
            for v in versions:
                fs.write_atomic(p, v)
    finally:
        stop.set()
        t.join(10)
    assert seen <= set(versions)
