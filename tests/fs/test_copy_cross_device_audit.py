"""fs.copy / io.copy across file systems: copy_file_range refuses (EXDEV), the next path copies (audit)."""

from __future__ import annotations

import os
import pathlib
import stat
import tempfile
from collections.abc import Iterator

import pytest

from stdio2 import fs, io


def _other_fs_dir(tmp_path: pathlib.Path) -> str | None:
    # /dev/shm is a tmpfs on Linux; tmp_path usually is not (ext4, xfs, overlay ...).
    shm = "/dev/shm"
    if not os.path.isdir(shm) or not os.access(shm, os.W_OK):
        return None
    if os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        return None
    return shm


@pytest.fixture
def other_dir(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    base = _other_fs_dir(tmp_path)
    if base is None:
        pytest.skip("no second writable file system next to tmp_path")
    d = tempfile.mkdtemp(prefix="stdio2-xdev-", dir=base)
    try:
        yield pathlib.Path(d)
    finally:
        fs.remove_dir_all(d)


@pytest.mark.parametrize("direction", ["to_other", "from_other"])
def test_fs_copy_across_file_systems(tmp_path: pathlib.Path, other_dir: pathlib.Path, direction: str) -> None:
    here, there = tmp_path / "f", other_dir / "f"
    src, dst = (here, there) if direction == "to_other" else (there, here)
    data = os.urandom(300_000)
    src.write_bytes(data)
    src.chmod(0o640)
    assert fs.copy(src, dst) == len(data)
    assert dst.read_bytes() == data
    assert stat.S_IMODE(dst.stat().st_mode) == 0o640
    # A kernel path still did it (sendfile after EXDEV; copy_file_range where
    # the kernel copies across these two file system types); never silently none.
    assert fs.last_copy_method() in ("copy_file_range", "sendfile")
    # Again onto the existing destination, from a shorter source: truncated, not merged.
    src.write_bytes(b"short")
    assert fs.copy(src, dst) == 5 and dst.read_bytes() == b"short"


def test_io_copy_between_files_on_two_file_systems_continues_from_the_positions(
    tmp_path: pathlib.Path, other_dir: pathlib.Path
) -> None:
    src, dst = tmp_path / "src", other_dir / "dst"
    data = os.urandom(200_000)
    src.write_bytes(data)
    with fs.File.open(src) as r, fs.File.create(dst) as w:
        head = bytearray(1000)
        r.read_exact(head)
        w.write_all(b"prefix:")
        assert io.copy(r, w) == len(data) - 1000
    assert dst.read_bytes() == b"prefix:" + data[1000:]
