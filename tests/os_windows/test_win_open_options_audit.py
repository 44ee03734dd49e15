"""Audit (issue 9): ``OpenOptionsExt.access_mode`` replaces read/write/append, as in Rust.

Rust's ``get_access_mode`` returns a custom access mode before it looks at
read/write/append, so ``OpenOptions::new().access_mode(0).open(p)`` (the
example in Rust's docs: open for attributes only) is valid. stdio2 used to
refuse it with InvalidInput before any system call. The mapping is pure and
checked everywhere; tests/windows/test_fs_audit.py opens a real file so.
"""

from __future__ import annotations

import pytest

from stdio2 import fs
from stdio2._sys.windows import fs as wfs
from stdio2.io import Error, ErrorKind
from stdio2.os.windows.fs import OpenOptionsExt


def test_access_mode_zero_needs_no_read_write_or_append() -> None:
    p = wfs.open_parameters(OpenOptionsExt.access_mode(fs.OpenOptions(), 0))
    assert p.desired_access == 0
    assert p.creation_disposition == wfs.OPEN_EXISTING


def test_custom_access_mode_wins_over_read_write_append() -> None:
    opts = OpenOptionsExt.access_mode(fs.OpenOptions().read(True).append(True), wfs.GENERIC_READ)
    assert wfs.open_parameters(opts).desired_access == wfs.GENERIC_READ


def test_creation_rules_still_apply_with_a_custom_access_mode() -> None:
    # Rust's get_creation_mode reads write/append, not the custom mode.
    opts = OpenOptionsExt.access_mode(fs.OpenOptions().create(True), wfs.GENERIC_WRITE)
    with pytest.raises(Error) as info:
        wfs.open_parameters(opts)
    assert info.value.kind is ErrorKind.InvalidInput


def test_without_a_custom_mode_nothing_asked_for_is_still_refused() -> None:
    with pytest.raises(Error) as info:
        wfs.open_parameters(fs.OpenOptions())
    assert info.value.kind is ErrorKind.InvalidInput
