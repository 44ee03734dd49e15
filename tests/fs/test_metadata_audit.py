"""Metadata.created(): the typed error where the file system records no birth time (audit)."""

from __future__ import annotations

import os
import sys

import pytest

from stdio2 import fs
from stdio2.io import Error, ErrorKind
from stdio2.os_str import OsString

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not os.path.isdir("/proc/self"),
    reason="procfs (which records no birth time) is Linux's",
)


def _assert_unsupported(md: fs.Metadata) -> None:
    with pytest.raises(Error) as ei:
        md.created()
    assert ei.value.kind is ErrorKind.Unsupported
    # The other times are still there: only the birth time is missing.
    assert md.modified().tzinfo is not None and md.accessed().tzinfo is not None


def test_created_is_unsupported_on_procfs_by_path_descriptor_and_entry() -> None:
    # statx() on procfs answers without STATX_BTIME in stx_mask.
    _assert_unsupported(fs.metadata("/proc/self/status"))
    _assert_unsupported(fs.symlink_metadata("/proc/self/status"))
    with fs.File.open("/proc/self/status") as f:
        _assert_unsupported(f.metadata())
    with fs.read_dir("/proc/self") as entries:
        status = next(e for e in entries if e.file_name() == OsString("status"))
        _assert_unsupported(status.metadata())
