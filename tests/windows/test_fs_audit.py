"""Audit (issue 9), files on Windows: opening with a custom access mode; skipped elsewhere."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows file calls")

from stdio2 import fs  # noqa: E402
from stdio2.io import Error, ErrorKind  # noqa: E402
from stdio2.os.windows.fs import MetadataExt, OpenOptionsExt  # noqa: E402


def test_access_mode_zero_opens_for_metadata_only(tmp_path: Path) -> None:
    # Rust's documented use of access_mode(0): no read/write/append, yet a
    # valid handle whose metadata can be queried. stdio2 refused it before
    # calling CreateFileW.
    p = tmp_path / "f"
    p.write_bytes(b"12345")
    with OpenOptionsExt.access_mode(fs.OpenOptions(), 0).open(p) as f:
        md = f.metadata()
        assert md.len() == 5 and md.is_file()
        assert MetadataExt.file_size(md) == 5
        # No data rights: reading is refused by Windows, not by stdio2.
        with pytest.raises(Error) as info:
            f.read(bytearray(1))
        assert info.value.kind is ErrorKind.PermissionDenied
        assert info.value.raw_os_error() == 5


def test_access_mode_zero_on_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(Error) as info:
        OpenOptionsExt.access_mode(fs.OpenOptions(), 0).open(tmp_path / "missing")
    assert info.value.kind is ErrorKind.NotFound
    assert info.value.raw_os_error() == 2


def test_default_share_mode_lets_others_read_write_rename_and_delete(tmp_path: Path) -> None:
    # FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, as Rust: an
    # open File does not lock its name the way share mode 0 would.
    p = tmp_path / "shared"
    fs.write(p, b"0123456789")
    with fs.OpenOptions().read(True).write(True).open(p) as held:
        with fs.OpenOptions().read(True).write(True).open(p) as other:  # a second writer
            other.write_all(b"ab")
        moved = tmp_path / "moved"
        fs.rename(p, moved)  # rename while open
        assert not p.exists() and moved.exists()
        fs.remove_file(moved)  # delete while open (the name may linger until the last close)
        buf = bytearray(10)
        held.read_exact(buf)  # the open handle still reads the data
        assert bytes(buf) == b"ab23456789"
    assert not moved.exists()


def test_a_narrower_share_mode_is_a_sharing_violation(tmp_path: Path) -> None:
    p = tmp_path / "read-only-share"
    fs.write(p, b"x")
    FILE_SHARE_READ = 0x1
    with OpenOptionsExt.share_mode(fs.OpenOptions().read(True), FILE_SHARE_READ).open(p):
        with fs.File.open(p):  # another reader is fine
            pass
        with pytest.raises(Error) as info:
            fs.OpenOptions().write(True).open(p)
        assert info.value.raw_os_error() == 32  # ERROR_SHARING_VIOLATION
        assert info.value.path == p
        with pytest.raises(Error) as info:
            fs.remove_file(p)  # no FILE_SHARE_DELETE: the name is locked
        assert info.value.raw_os_error() == 32
    fs.remove_file(p)
