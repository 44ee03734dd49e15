"""Audit (issue 9): create + truncate on Windows is ``OPEN_ALWAYS`` plus a truncation, as in Rust.

``CREATE_ALWAYS`` fails with ``ERROR_ACCESS_DENIED`` on an existing file
that has the hidden or system attribute (CreateFileW's documentation; Rust
issue 115745), so ``fs.write`` / ``File.create`` could not rewrite such a
file on Windows. Wine does not enforce that rule, so here these tests check
the emulation's contract (contents replaced, attributes kept, new files
still created); the refusal itself only shows on a real Windows machine.
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows file calls")

from stdio2 import fs  # noqa: E402
from stdio2.io import Error, ErrorKind  # noqa: E402
from stdio2.os.windows.fs import OpenOptionsExt  # noqa: E402

FILE_ATTRIBUTE_HIDDEN = 0x2
FILE_ATTRIBUTE_SYSTEM = 0x4
GENERIC_READ = 0x8000_0000


def _k32() -> ctypes.WinDLL:  # type: ignore[name-defined,unused-ignore]
    dll = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    dll.GetFileAttributesW.argtypes = [ctypes.c_wchar_p]
    dll.GetFileAttributesW.restype = ctypes.c_uint32
    dll.SetFileAttributesW.argtypes = [ctypes.c_wchar_p, ctypes.c_uint32]
    return dll


@pytest.mark.parametrize(
    "attrs", [FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_SYSTEM, FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM]
)
def test_rewriting_a_hidden_or_system_file_keeps_its_attributes(tmp_path: Path, attrs: int) -> None:
    k32 = _k32()
    p = tmp_path / "marked"
    p.write_bytes(b"old contents, longer than the new")
    assert k32.SetFileAttributesW(str(p), attrs)
    fs.write(p, b"new")
    assert p.read_bytes() == b"new"
    assert k32.GetFileAttributesW(str(p)) & attrs == attrs
    with fs.File.create(p) as f:
        assert f.metadata().len() == 0
        f.write_all(b"again")
    assert p.read_bytes() == b"again"
    assert k32.GetFileAttributesW(str(p)) & attrs == attrs


def test_create_truncate_still_creates_and_truncates(tmp_path: Path) -> None:
    p = tmp_path / "plain"
    with fs.OpenOptions().write(True).create(True).truncate(True).open(p) as f:
        f.write_all(b"0123456789")
    assert p.read_bytes() == b"0123456789"
    with fs.OpenOptions().read(True).write(True).create(True).truncate(True).open(p) as f:
        assert f.metadata().len() == 0
        f.write_all(b"ab")
    assert p.read_bytes() == b"ab"


def test_a_failed_truncation_closes_the_handle_and_reports_it(tmp_path: Path) -> None:
    # A custom access mode without write rights: OPEN_ALWAYS succeeds, the
    # truncation is refused (Windows says ERROR_ACCESS_DENIED, Wine 8
    # ERROR_INVALID_PARAMETER). The error surfaces with the path, the file
    # is left as it was, and the handle is closed: an exclusive open
    # (share mode 0) succeeds, which it would not next to a leaked handle.
    p = tmp_path / "ro-handle"
    p.write_bytes(b"keep")
    opts = OpenOptionsExt.access_mode(fs.OpenOptions().write(True).create(True).truncate(True), GENERIC_READ)
    with pytest.raises(Error) as info:
        opts.open(p)
    assert info.value.kind in (ErrorKind.PermissionDenied, ErrorKind.InvalidInput)
    assert info.value.path == p
    assert p.read_bytes() == b"keep"
    with OpenOptionsExt.share_mode(fs.OpenOptions().read(True), 0).open(p) as f:
        assert f.metadata().len() == 4
