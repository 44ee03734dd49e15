"""OpenOptions: every combination of the six flags against Rust's rules, on real files.

Rust's ``OpenOptions`` (library/std/src/sys/pal/unix/fs.rs, ``get_access_mode``
and ``get_creation_mode``) is the reference model below: it says which
combinations are InvalidInput and, for the rest, which of O_RDONLY/O_WRONLY/
O_RDWR, O_APPEND, O_CREAT, O_EXCL, O_TRUNC the open uses. Each valid
combination is then opened on a missing and on an existing file and the
observable effects (created or not, truncated or not, readable, writable,
appending) are checked.
"""

from __future__ import annotations

import itertools
import pathlib

import pytest

from stdio2 import fs
from stdio2.io import Error, ErrorKind, SeekFrom

FLAGS = ("read", "write", "append", "truncate", "create", "create_new")


def rust_model(combo: tuple[bool, ...]) -> dict[str, bool] | None:
    """None for Rust's EINVAL, else what the open does."""
    read, write, append, truncate, create, create_new = combo
    if not (read or write or append):
        return None  # get_access_mode: (false, false, false)
    if not write and not append:
        if truncate or create or create_new:
            return None
    elif append and truncate and not create_new:
        return None
    if create_new:
        create, truncate, excl = True, False, True
    else:
        excl = False
    return {
        "readable": read,
        "writable": write or append,
        "append": append,
        "create": create,
        "excl": excl,
        "truncate": truncate,
    }


COMBOS = list(itertools.product((False, True), repeat=6))


def options_for(combo: tuple[bool, ...]) -> fs.OpenOptions:
    opts = fs.OpenOptions()
    for name, on in zip(FLAGS, combo, strict=True):
        getattr(opts, name)(on)
    return opts


@pytest.mark.parametrize(
    "combo", COMBOS, ids=lambda c: "".join("rwatcn"[i] if on else "-" for i, on in enumerate(c))
)
def test_every_combination_matches_rusts_rules(tmp_path: pathlib.Path, combo: tuple[bool, ...]) -> None:
    model = rust_model(combo)
    missing = tmp_path / "missing"
    existing = tmp_path / "existing"
    existing.write_bytes(b"old")
    opts = options_for(combo)
    if model is None:
        for target in (missing, existing, tmp_path / "no-dir" / "f"):
            with pytest.raises(Error) as ei:
                opts.open(target)
            # Refused before open(2): InvalidInput even where the OS would say NotFound,
            # and the error still names the path it was about.
            assert ei.value.kind is ErrorKind.InvalidInput
            assert ei.value.path == target
        assert not missing.exists() and existing.read_bytes() == b"old"
        return

    # A missing file: created only with create/create_new.
    if model["create"]:
        with opts.open(missing) as f:
            assert f.metadata().len() == 0
        assert missing.exists()
    else:
        with pytest.raises(Error) as ei:
            opts.open(missing)
        assert ei.value.kind is ErrorKind.NotFound and ei.value.path == missing

    # An existing file.
    if model["excl"]:
        with pytest.raises(Error) as ei:
            opts.open(existing)
        assert ei.value.kind is ErrorKind.AlreadyExists and ei.value.path == existing
        assert existing.read_bytes() == b"old"
        return
    with opts.open(existing) as f:
        assert f.metadata().len() == (0 if model["truncate"] else 3)
        buf = bytearray(8)
        if model["readable"]:
            assert f.read(buf) == (0 if model["truncate"] else 3)
        else:
            with pytest.raises(Error) as ei:
                f.read(buf)
            assert ei.value.path == existing
        if model["writable"]:
            f.seek(SeekFrom.Start(0))
            f.write_all(b"XY")
        else:
            with pytest.raises(Error):
                f.write(b"XY")
    after = existing.read_bytes()
    base = b"" if model["truncate"] else b"old"
    if not model["writable"]:
        assert after == base
    elif model["append"]:
        assert after == base + b"XY"  # O_APPEND: the seek to 0 does not matter
    else:
        assert after == b"XY" + base[2:]


def test_setters_reject_non_bools_and_chain() -> None:
    opts = fs.OpenOptions()
    for name in FLAGS:
        assert getattr(opts, name)(True) is opts
        with pytest.raises(TypeError, match=name):
            getattr(opts, name)(1)
    assert "create_new" in repr(opts)
