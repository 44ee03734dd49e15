"""The free functions of stdio2.fs: paths in all forms, non-UTF-8 names, kinds and paths in errors."""

from __future__ import annotations

import os
import pathlib
import stat
import threading

import pytest

from stdio2 import fs
from stdio2.io import Error, ErrorKind
from stdio2.os.unix.ffi import OsStrExt
from stdio2.os_str import OsString

NON_UTF8 = b"caf\xe9-\xff\xfe.bin"


def test_read_write_round_trip_all_path_forms(tmp_path: pathlib.Path) -> None:
    forms = [
        tmp_path / "a",
        str(tmp_path / "b"),
        os.fsencode(tmp_path / "c"),
        OsString.from_fspath(tmp_path / "d"),
    ]
    for i, p in enumerate(forms):
        fs.write(p, f"text {i}")
        assert fs.read(p) == f"text {i}".encode()
        assert fs.read_to_string(p) == f"text {i}"
    fs.write(tmp_path / "mv", memoryview(b"xyz")[1:])
    assert fs.read(tmp_path / "mv") == b"yz"
    with pytest.raises(TypeError):
        fs.write(tmp_path / "bad", 42)


def test_read_errors_carry_kind_and_path(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(Error) as ei:
        fs.read(missing)
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == missing
    assert str(missing) in str(ei.value)
    with pytest.raises(Error) as ei:
        fs.read(tmp_path)
    assert ei.value.kind is ErrorKind.IsADirectory
    (tmp_path / "bin").write_bytes(b"\xff")
    with pytest.raises(Error) as ei:
        fs.read_to_string(tmp_path / "bin")
    assert ei.value.kind is ErrorKind.InvalidData and ei.value.path == tmp_path / "bin"
    with pytest.raises(Error) as ei:
        fs.read("nul\0byte")
    assert ei.value.kind is ErrorKind.InvalidInput
    with pytest.raises(Error) as ei:
        fs.write(tmp_path / "missing-dir" / "f", b"")
    assert ei.value.kind is ErrorKind.NotFound


def test_non_utf8_names_round_trip(tmp_path: pathlib.Path) -> None:
    raw_dir = os.fsencode(tmp_path)
    p = raw_dir + b"/" + NON_UTF8
    fs.write(p, b"data")
    assert os.path.exists(p)
    names = [e.file_name() for e in fs.read_dir(tmp_path)]
    assert names == [OsStrExt.from_bytes(NON_UTF8)]
    (entry,) = list(fs.read_dir(raw_dir))
    assert os.fsencode(entry.path()) == p  # pathlib.Path with surrogate escapes, lossless
    assert fs.read(entry.path()) == b"data"
    assert fs.metadata(entry.path()).len() == 4
    link = raw_dir + b"/\xfflink"
    os.symlink(NON_UTF8, link)
    assert os.fsencode(fs.read_link(link)) == NON_UTF8
    assert os.fsencode(fs.canonicalize(link)) == p
    fs.rename(p, raw_dir + b"/\x80")
    assert os.listdir(raw_dir) == [b"\xfflink", b"\x80"] or sorted(os.listdir(raw_dir)) == sorted(
        [b"\xfflink", b"\x80"]
    )


def test_metadata_and_symlink_metadata(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "t"
    target.write_bytes(b"12345")
    link = tmp_path / "l"
    os.symlink(target, link)
    md = fs.metadata(link)
    assert md.is_file() and md.len() == 5 and not md.is_symlink()
    lmd = fs.symlink_metadata(link)
    assert lmd.is_symlink() and lmd.file_type().is_symlink() and not lmd.is_file()
    assert fs.metadata(tmp_path).is_dir()
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    with pytest.raises(Error) as ei:
        fs.metadata(tmp_path / "dangling")
    assert ei.value.kind is ErrorKind.NotFound
    assert fs.symlink_metadata(tmp_path / "dangling").is_symlink()


def test_exists_and_try_exists(tmp_path: pathlib.Path) -> None:
    (tmp_path / "f").write_bytes(b"")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    assert fs.exists(tmp_path / "f") and fs.try_exists(tmp_path / "f")
    assert not fs.exists(tmp_path / "nope") and not fs.try_exists(tmp_path / "nope")
    assert not fs.try_exists(tmp_path / "dangling")
    assert not fs.exists(tmp_path / "f" / "below-a-file")
    # Rust maps only NotFound to Ok(false); ENOTDIR is an error it cannot answer.
    with pytest.raises(Error) as info:
        fs.try_exists(tmp_path / "f" / "below-a-file")
    assert info.value.kind is ErrorKind.NotADirectory
    assert info.value.path == tmp_path / "f" / "below-a-file"
    with pytest.raises(Error):
        fs.try_exists("bad\0path")
    assert not fs.exists("bad\0path")


def test_set_permissions(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"")
    perm = fs.metadata(p).permissions()
    perm.set_readonly(True)
    fs.set_permissions(p, perm)
    assert stat.S_IMODE(p.stat().st_mode) & 0o222 == 0
    perm.set_readonly(False)
    fs.set_permissions(p, perm)
    assert not fs.metadata(p).permissions().readonly()
    with pytest.raises(Error) as ei:
        fs.set_permissions(tmp_path / "nope", perm)
    assert ei.value.kind is ErrorKind.NotFound


def test_rename_remove_file_hard_link(tmp_path: pathlib.Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    fs.write(a, b"1")
    fs.write(b, b"2")
    fs.rename(a, b)  # replaces b atomically
    assert fs.read(b) == b"1" and not a.exists()
    with pytest.raises(Error) as ei:
        fs.rename(a, b)
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == a and ei.value.path2 == b
    assert str(a) in str(ei.value) and str(b) in str(ei.value)
    fs.create_dir(tmp_path / "d")
    fs.write(tmp_path / "d" / "x", b"")
    with pytest.raises(Error) as ei:
        fs.rename(b, tmp_path / "d")
    assert ei.value.kind is ErrorKind.IsADirectory
    fs.hard_link(b, tmp_path / "h")
    assert os.stat(b).st_ino == os.stat(tmp_path / "h").st_ino
    with pytest.raises(Error) as ei:
        fs.hard_link(b, tmp_path / "h")
    assert ei.value.kind is ErrorKind.AlreadyExists
    # hard_link of a symlink links the symlink itself (Rust's linkat(..., 0)).
    os.symlink(b, tmp_path / "sl")
    fs.hard_link(tmp_path / "sl", tmp_path / "sl2")
    assert os.path.islink(tmp_path / "sl2")
    fs.remove_file(b)
    assert not b.exists()
    with pytest.raises(Error) as ei:
        fs.remove_file(tmp_path / "d")
    assert ei.value.kind in (ErrorKind.IsADirectory, ErrorKind.PermissionDenied)


def test_dirs_and_read_link(tmp_path: pathlib.Path) -> None:
    d = tmp_path / "d"
    fs.create_dir(d)
    with pytest.raises(Error) as ei:
        fs.create_dir(d)
    assert ei.value.kind is ErrorKind.AlreadyExists and ei.value.path == d
    with pytest.raises(Error) as ei:
        fs.create_dir(tmp_path / "x" / "y")
    assert ei.value.kind is ErrorKind.NotFound
    fs.write(d / "f", b"")
    with pytest.raises(Error) as ei:
        fs.remove_dir(d)
    assert ei.value.kind is ErrorKind.DirectoryNotEmpty
    with pytest.raises(Error) as ei:
        fs.remove_dir(d / "f")
    assert ei.value.kind is ErrorKind.NotADirectory
    fs.remove_file(d / "f")
    fs.remove_dir(d)
    assert not d.exists()
    os.symlink("some/target", tmp_path / "l")
    assert fs.read_link(tmp_path / "l") == pathlib.Path("some/target")
    fs.write(tmp_path / "plain", b"")
    with pytest.raises(Error) as ei:
        fs.read_link(tmp_path / "plain")
    assert ei.value.kind is ErrorKind.InvalidInput
    with pytest.raises(Error) as ei:
        fs.canonicalize(tmp_path / "missing" / "..")
    assert ei.value.kind is ErrorKind.NotFound
    assert fs.canonicalize(tmp_path / "." / "plain") == pathlib.Path(os.path.realpath(tmp_path)) / "plain"


def test_create_dir_all(tmp_path: pathlib.Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    fs.create_dir_all(deep)
    assert deep.is_dir()
    fs.create_dir_all(deep)  # existing directory: fine
    fs.create_dir_all(str(deep) + "/")
    fs.write(tmp_path / "file", b"")
    with pytest.raises(Error) as ei:
        fs.create_dir_all(tmp_path / "file")
    assert ei.value.kind is ErrorKind.AlreadyExists
    with pytest.raises(Error) as ei:
        fs.create_dir_all(tmp_path / "file" / "sub")
    assert ei.value.kind is ErrorKind.NotADirectory
    fs.DirBuilder().recursive(True).create(tmp_path / "x" / "y")
    with pytest.raises(Error):
        fs.DirBuilder().create(tmp_path / "x" / "y")
    fs.create_dir_all("")


def test_create_dir_all_concurrent_creators_do_not_fail(tmp_path: pathlib.Path) -> None:
    for round_ in range(5):
        base = tmp_path / f"r{round_}"
        paths = [base / "a" / "b" / "c" / "d" / f"leaf{i % 3}" for i in range(12)]
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(paths))

        def create(
            p: pathlib.Path,
            barrier: threading.Barrier = barrier,
            errors: list[BaseException] = errors,
        ) -> None:
            barrier.wait()
            try:
                fs.create_dir_all(p)
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=create, args=(p,)) for p in paths]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert all(p.is_dir() for p in paths)


@pytest.mark.parametrize(
    "module",
    ["stdio2.fs", "stdio2.os.unix.fs", "stdio2.os.windows.fs", "stdio2._sys.unix.kernel_copy"],
)
def test_cold_import(module: str) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", f"import {module}"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
