"""read_dir / ReadDir / DirEntry: d_type without system calls, descriptor lifetime, errors."""

from __future__ import annotations

import gc
import os
import pathlib
import socket

import pytest
from tests.fs.conftest import fd_count

from stdio2 import fs
from stdio2.io import Error, ErrorKind
from stdio2.os.unix.fs import DirEntryExt, FileTypeExt
from stdio2.os_str import OsString


def _populate(d: pathlib.Path) -> None:
    (d / "file").write_bytes(b"12345")
    (d / "dir").mkdir()
    os.symlink("file", d / "link")
    os.mkfifo(d / "fifo")


def test_entries_names_paths_types(tmp_path: pathlib.Path) -> None:
    _populate(tmp_path)
    with fs.read_dir(tmp_path) as rd:
        entries = {e.file_name(): e for e in rd}
    assert set(entries) == {OsString(n) for n in ("file", "dir", "link", "fifo")}
    e = entries[OsString("file")]
    assert e.path() == tmp_path / "file" and isinstance(e.path(), pathlib.Path)
    assert e.file_type().is_file() and e.metadata().len() == 5
    assert entries[OsString("dir")].file_type().is_dir()
    link = entries[OsString("link")]
    assert link.file_type().is_symlink() and link.metadata().is_symlink()  # not followed
    fifo = entries[OsString("fifo")].file_type()
    assert FileTypeExt.is_fifo(fifo) and not fifo.is_file()
    assert DirEntryExt.ino(e) == os.stat(tmp_path / "file").st_ino
    assert "file" in repr(e)
    same = e
    assert e == same and e != entries[OsString("dir")]
    with pytest.raises(TypeError):
        fs.ReadDir()


def test_file_type_comes_from_the_listing_not_a_stat(tmp_path: pathlib.Path) -> None:
    _populate(tmp_path)
    entries = list(fs.read_dir(tmp_path))
    for name in ("file", "link", "fifo"):
        os.unlink(tmp_path / name)
    os.rmdir(tmp_path / "dir")
    # The entries are gone from disk; types known from d_type still answer.
    types = {}
    for e in entries:
        if e.file_name() == OsString("fifo"):
            continue  # os.DirEntry only reports dir/file/symlink from d_type; a FIFO costs an lstat
        try:
            types[str(e.file_name())] = e.file_type()
        except Error as err:  # a file system without d_type needs the lstat
            assert err.kind is ErrorKind.NotFound
            pytest.skip("this file system does not report d_type")
    assert types["file"].is_file() and types["dir"].is_dir() and types["link"].is_symlink()
    with pytest.raises(Error) as ei:
        entries[0].metadata()
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == entries[0].path()


def test_socket_type(tmp_path: pathlib.Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(tmp_path / "sock"))
        (e,) = list(fs.read_dir(tmp_path))
        assert FileTypeExt.is_socket(e.file_type())
    finally:
        s.close()


def test_descriptor_closed_on_exhaustion_close_break_and_gc(tmp_path: pathlib.Path) -> None:
    for i in range(5):
        (tmp_path / f"f{i}").write_bytes(b"")
    before = fd_count()
    rd = fs.read_dir(tmp_path)
    assert fd_count() == before + 1
    assert len(list(rd)) == 5
    assert fd_count() == before  # exhausted
    with pytest.raises(StopIteration):
        next(rd)
    rd = fs.read_dir(tmp_path)
    next(rd)
    rd.close()
    rd.close()
    assert fd_count() == before
    with pytest.raises(StopIteration):
        next(rd)
    for _ in fs.read_dir(tmp_path):
        break
    gc.collect()
    assert fd_count() == before  # break + GC, no ResourceWarning
    with fs.read_dir(tmp_path) as rd:
        next(rd)
    assert fd_count() == before
    it = iter(fs.read_dir(tmp_path))  # the ReadDir itself is gone, the iterator lives on
    assert len(list(it)) == 5
    assert fd_count() == before
    rd = fs.read_dir(tmp_path)
    del rd  # never iterated
    gc.collect()
    assert fd_count() == before


def test_open_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(Error) as ei:
        fs.read_dir(tmp_path / "missing")
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == tmp_path / "missing"
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(Error) as ei:
        fs.read_dir(tmp_path / "f")
    assert ei.value.kind is ErrorKind.NotADirectory


def test_empty_dir_and_bytes_path(tmp_path: pathlib.Path) -> None:
    assert list(fs.read_dir(tmp_path)) == []
    (tmp_path / "x").write_bytes(b"")
    (e,) = list(fs.read_dir(os.fsencode(tmp_path)))
    assert e.path() == tmp_path / "x"


def test_dir_builder_mode(tmp_path: pathlib.Path) -> None:
    from stdio2.os.unix.fs import DirBuilderExt

    b = DirBuilderExt.mode(fs.DirBuilder().recursive(True), 0o700)
    b.create(tmp_path / "a" / "b")
    assert (os.stat(tmp_path / "a" / "b").st_mode & 0o777) == 0o700 & ~_umask()
    assert "recursive=True" in repr(b)
    with pytest.raises(TypeError):
        fs.DirBuilder().recursive("yes")  # type: ignore[arg-type]


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old
