"""remove_dir_all: never follows a symlink, also under a racing attacker (CVE-2022-21658)."""

from __future__ import annotations

import itertools
import os
import pathlib
import threading
import time

import pytest
from tests.fs.conftest import fd_count

from stdio2 import fs
from stdio2.io import Error, ErrorKind


def _tree(root: pathlib.Path, width: int = 3, depth: int = 3) -> None:
    root.mkdir()
    for i in range(width):
        (root / f"f{i}").write_bytes(b"x")
    if depth:
        for i in range(width):
            _tree(root / f"d{i}", width, depth - 1)


def test_removes_a_tree(tmp_path: pathlib.Path) -> None:
    before = fd_count()
    _tree(tmp_path / "t")
    os.symlink("d0", tmp_path / "t" / "link-to-sibling")
    os.mkfifo(tmp_path / "t" / "d1" / "fifo")
    fs.remove_dir_all(tmp_path / "t")
    assert not (tmp_path / "t").exists()
    assert fd_count() == before


def test_symlinks_inside_are_unlinked_not_followed(tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_bytes(b"keep")
    victim = tmp_path / "victim"
    victim.mkdir()
    os.symlink(outside, victim / "escape")
    os.symlink(outside / "precious", victim / "file-link")
    fs.remove_dir_all(victim)
    assert not victim.exists()
    assert (outside / "precious").read_bytes() == b"keep"


def test_symlink_argument_is_removed_itself(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "f").write_bytes(b"keep")
    os.symlink(target, tmp_path / "link")
    fs.remove_dir_all(tmp_path / "link")
    assert not os.path.lexists(tmp_path / "link")
    assert (target / "f").read_bytes() == b"keep"


def test_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(Error) as ei:
        fs.remove_dir_all(tmp_path / "missing")
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == tmp_path / "missing"
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(Error) as ei:
        fs.remove_dir_all(tmp_path / "file")
    assert ei.value.kind is ErrorKind.NotADirectory
    assert (tmp_path / "file").exists()


def test_deep_tree_beyond_recursion_limit(tmp_path: pathlib.Path) -> None:
    # Deeper than Python's default recursion limit: the walk uses an explicit stack.
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        cur = fd
        for _ in range(1200):
            os.mkdir("d", dir_fd=cur)
            nxt = os.open("d", os.O_RDONLY, dir_fd=cur)
            if cur != fd:
                os.close(cur)
            cur = nxt
        os.close(cur)
    finally:
        os.close(fd)
    fs.remove_dir_all(tmp_path / "d")
    assert not (tmp_path / "d").exists()


def test_non_utf8_names(tmp_path: pathlib.Path) -> None:
    root = os.fsencode(tmp_path / "t")
    os.mkdir(root)
    os.mkdir(root + b"/\xff\xfe")
    with open(root + b"/\xff\xfe/\x80", "wb"):
        pass
    fs.remove_dir_all(root)
    assert not os.path.exists(root)


def _attack(victim: pathlib.Path, outside: pathlib.Path, stop: threading.Event) -> None:
    # Over and over: move every subdirectory away and put a symlink to
    # `outside` in its place, wait a moment, then turn the symlinks back into
    # fresh directories with files. A remover that follows symlinks deletes
    # `outside`'s files in every round (checked against a naive os.listdir /
    # os.path.isdir remover when this test was written: 20 rounds out of 20).
    parked = itertools.count()
    subs = [victim / f"sub{d}" for d in range(8)]
    while not stop.is_set():
        for sub in subs:
            try:
                os.rename(sub, victim / f"parked{next(parked)}")
                os.symlink(outside, sub)
            except OSError:
                pass
        time.sleep(0.0005)
        for sub in subs:
            try:
                os.unlink(sub)
                os.mkdir(sub)
                for i in range(3):
                    (sub / f"f{i}").write_bytes(b"")
            except OSError:
                pass


def test_attacker_swapping_directories_for_symlinks(tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    keep = sorted(f"keep{i}" for i in range(20))
    for name in keep:
        (outside / name).write_bytes(b"precious")
    for round_ in range(12):
        victim = tmp_path / f"victim{round_}"
        victim.mkdir()
        for d in range(8):
            (victim / f"sub{d}").mkdir()
            for i in range(30):
                (victim / f"sub{d}" / f"f{i}").write_bytes(b"")
        stop = threading.Event()
        attacker = threading.Thread(target=_attack, args=(victim, outside, stop))
        attacker.start()
        try:
            for _ in range(3):
                try:
                    fs.remove_dir_all(victim)
                except Error:
                    pass  # losing a race may fail the removal; it must never leave the tree
        finally:
            stop.set()
            attacker.join(10)
        assert sorted(p.name for p in outside.iterdir()) == keep
        if os.path.lexists(victim):
            fs.remove_dir_all(victim)  # no attacker now: must succeed
        assert not os.path.lexists(victim)
    assert all((outside / name).read_bytes() == b"precious" for name in keep)
