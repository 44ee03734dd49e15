"""The Windows backend's pure mapping of OpenOptions to CreateFileW arguments (runs everywhere)."""

from __future__ import annotations

import sys

import pytest

from stdio2 import fs
from stdio2._sys.windows import fs as wfs
from stdio2.io import Error, ErrorKind
from stdio2.os.windows import fs as winfs


def _params(opts: fs.OpenOptions) -> wfs.CreateFileParameters:
    return wfs.open_parameters(opts)


def test_access_rights() -> None:
    o = fs.OpenOptions
    assert _params(o().read(True)).desired_access == wfs.GENERIC_READ
    assert _params(o().write(True)).desired_access == wfs.GENERIC_WRITE
    assert _params(o().read(True).write(True)).desired_access == wfs.GENERIC_READ | wfs.GENERIC_WRITE
    append = _params(o().append(True)).desired_access
    assert append == wfs.FILE_GENERIC_WRITE & ~wfs.FILE_WRITE_DATA
    assert append & wfs.FILE_APPEND_DATA and not append & wfs.FILE_WRITE_DATA
    assert _params(o().write(True).append(True)).desired_access == append
    assert _params(o().read(True).append(True)).desired_access == append | wfs.GENERIC_READ
    custom = winfs.OpenOptionsExt.access_mode(o().read(True), 0x1234)
    assert _params(custom).desired_access == 0x1234


def test_creation_dispositions() -> None:
    o = fs.OpenOptions
    w = lambda: o().write(True)  # noqa: E731
    assert _params(w()).creation_disposition == wfs.OPEN_EXISTING
    assert _params(w().create(True)).creation_disposition == wfs.OPEN_ALWAYS
    assert _params(w().truncate(True)).creation_disposition == wfs.TRUNCATE_EXISTING
    assert _params(w().create(True).truncate(True)).creation_disposition == wfs.CREATE_ALWAYS
    new = _params(w().create_new(True).create(True).truncate(True))
    assert new.creation_disposition == wfs.CREATE_NEW
    assert new.flags_and_attributes & wfs.FILE_FLAG_OPEN_REPARSE_POINT


def test_share_flags_and_qos() -> None:
    p = _params(fs.OpenOptions().read(True))
    assert p.share_mode == wfs.FILE_SHARE_READ | wfs.FILE_SHARE_WRITE | wfs.FILE_SHARE_DELETE
    assert p.flags_and_attributes == wfs.FILE_FLAG_BACKUP_SEMANTICS
    o = fs.OpenOptions().read(True)
    winfs.OpenOptionsExt.share_mode(o, 0)
    winfs.OpenOptionsExt.custom_flags(o, 0x0800_0000)
    winfs.OpenOptionsExt.attributes(o, 0x2)
    winfs.OpenOptionsExt.security_qos_flags(o, 0x0002_0000)
    p = _params(o)
    assert p.share_mode == 0
    assert p.flags_and_attributes == (
        0x0800_0000 | 0x2 | 0x0002_0000 | wfs.SECURITY_SQOS_PRESENT | wfs.FILE_FLAG_BACKUP_SEMANTICS
    )
    with pytest.raises(ValueError):
        winfs.OpenOptionsExt.share_mode(o, -1)
    with pytest.raises(TypeError):
        winfs.OpenOptionsExt.attributes(o, "2")  # type: ignore[arg-type]


def test_invalid_combinations_match_unix() -> None:
    for opts in (
        fs.OpenOptions(),
        fs.OpenOptions().read(True).create(True),
        fs.OpenOptions().append(True).truncate(True),
    ):
        with pytest.raises(Error) as ei:
            wfs.open_parameters(opts)
        assert ei.value.kind is ErrorKind.InvalidInput


@pytest.mark.skipif(sys.platform == "win32", reason="checks the off-Windows refusal")
def test_symlink_calls_are_unsupported_off_windows() -> None:
    for fn in (winfs.symlink_file, winfs.symlink_dir):
        with pytest.raises(Error) as ei:
            fn("a", "b")
        assert ei.value.kind is ErrorKind.Unsupported
