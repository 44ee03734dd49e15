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
