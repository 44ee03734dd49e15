"""stdio2.fs directories, copy, remove_dir_all and atomic writes on Windows; skipped elsewhere."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows file calls")

from _winutil import ON_WINE, ON_WINE_AS_ROOT  # noqa: E402

from stdio2 import fs  # noqa: E402
from stdio2.io import Error, ErrorKind  # noqa: E402
from stdio2.os_str import OsString  # noqa: E402

NAMES = ["plain.txt", "caf\u00e9", "\u65e5\u672c\u8a9e.bin", "\U0001f600 smile", "sp ace"]


def test_read_dir_lists_non_ascii_names(tmp_path: Path) -> None:
    for name in NAMES:
        (tmp_path / name).write_bytes(name.encode())
    (tmp_path / "sub\u00df").mkdir()
    with fs.read_dir(tmp_path) as rd:
        entries = list(rd)
    names = {e.file_name() for e in entries}
    assert names == {OsString.from_str(n) for n in [*NAMES, "sub\u00df"]}
    for e in entries:
        assert isinstance(e.file_name(), OsString)
        assert e.path() == tmp_path / str(e.file_name())
        ft = e.file_type()
        if str(e.file_name()) == "sub\u00df":
            assert ft.is_dir() and not ft.is_file() and e.metadata().is_dir()
        else:
            assert ft.is_file() and not ft.is_symlink()
            assert e.metadata().len() == len(str(e.file_name()).encode())


def test_read_dir_errors_and_close(tmp_path: Path) -> None:
    with pytest.raises(Error) as ei:
        fs.read_dir(tmp_path / "missing")
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == tmp_path / "missing"
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(Error) as ei:
        fs.read_dir(tmp_path / "f")
    assert ei.value.path == tmp_path / "f"
    rd = fs.read_dir(tmp_path)
    rd.close()
    rd.close()
    assert list(rd) == []
    assert "closed" in repr(rd)
    with pytest.raises(TypeError):
        fs.ReadDir()
    with pytest.raises(TypeError):
        fs.DirEntry()


def test_read_dir_dropped_early_releases_handle(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / str(i)).write_bytes(b"")
    rd = fs.read_dir(tmp_path)
    next(rd)
    del rd  # no warning, and the directory can be removed afterwards
    fs.remove_dir_all(tmp_path)
    assert not tmp_path.exists()


@settings(max_examples=40, deadline=None)
@given(st.sets(st.text(st.characters(codec="utf-8", exclude_characters='<>:"/\\|?*'), min_size=1,
                       max_size=12).filter(lambda s: s.strip(" .") == s and s not in (".", "..")),
               max_size=6))
def test_read_dir_matches_os_listdir(names: set[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        made = set()
        for n in names:
            try:
                Path(d, n).write_bytes(b"")
            except (OSError, ValueError):
                continue  # NUL, reserved device names (CON, NUL ...) or case-folding duplicates
            made.add(n)
        with fs.read_dir(d) as rd:
            got = {str(e.file_name()) for e in rd}
        assert got == set(os.listdir(d))


def test_dir_builder_and_create_dir_all(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    with pytest.raises(Error) as ei:
        fs.DirBuilder().create(deep)
    assert ei.value.kind is ErrorKind.NotFound
    fs.DirBuilder().recursive(True).create(deep)
    assert deep.is_dir()
    fs.DirBuilder().recursive(True).create(deep)  # existing is fine
    with pytest.raises(Error) as ei:
        fs.DirBuilder().create(deep)
    assert ei.value.kind is ErrorKind.AlreadyExists and ei.value.path == deep
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(Error):
        fs.create_dir_all(tmp_path / "file")
    with pytest.raises(TypeError):
        fs.DirBuilder().recursive(1)  # type: ignore[arg-type]


def test_create_dir_all_concurrent_creators(tmp_path: Path) -> None:
    failures: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(i: int) -> None:
        barrier.wait()
        try:
            for j in range(5):
                fs.create_dir_all(tmp_path / "x" / "y" / str(j) / "z" / str(i % 2))
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    for j in range(5):
        for k in range(2):
            assert (tmp_path / "x" / "y" / str(j) / "z" / str(k)).is_dir()


def test_copy_contents_and_method(tmp_path: Path) -> None:
    src, dst = tmp_path / "src.bin", tmp_path / "dst\u00e9.bin"
    data = os.urandom(300_000)
    src.write_bytes(data)
    dst.write_bytes(b"old and longer" * 100_000)
    assert fs.copy(src, dst) == len(data)
    assert dst.read_bytes() == data
    assert fs.last_copy_method() == "read_write"
    assert fs.copy(tmp_path / "src.bin", tmp_path / "empty") == len(data)


def test_copy_errors(tmp_path: Path) -> None:
    src = tmp_path / "s"
    src.write_bytes(b"keep me")
    with pytest.raises(Error) as ei:
        fs.copy(tmp_path / "missing", tmp_path / "d")
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == tmp_path / "missing"
    with pytest.raises(Error) as ei:
        fs.copy(src, src)
    assert ei.value.kind is ErrorKind.InvalidInput
    assert (ei.value.path, ei.value.path2) == (src, src)
    assert src.read_bytes() == b"keep me"
    with pytest.raises(Error):
        fs.copy(tmp_path, tmp_path / "d")  # a directory is not copied
    with pytest.raises(Error) as ei:
        fs.copy(src, tmp_path / "no" / "d")
    assert ei.value.kind is ErrorKind.NotFound


@pytest.mark.skipif(ON_WINE_AS_ROOT, reason="Wine keeps read-only as mode bits, which root ignores")
def test_copy_keeps_read_only(tmp_path: Path) -> None:
    src, dst = tmp_path / "ro", tmp_path / "copy"
    src.write_bytes(b"x")
    p = fs.metadata(src).permissions()
    p.set_readonly(True)
    fs.set_permissions(src, p)
    try:
        fs.copy(src, dst)
        assert fs.metadata(dst).permissions().readonly()
    finally:
        for f in (src, dst):
            if f.exists():
                os.chmod(f, 0o666)


def test_remove_dir_all_tree(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for d in ("a/b/c", "a/\u00e9", "d"):
        (root / d).mkdir(parents=True)
    for f in ("a/b/c/f1", "a/\u00e9/f2", "d/f3", "f4"):
        (root / f).write_bytes(b"data")
    fs.remove_dir_all(root)
    assert not root.exists()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(Error) as ei:
        fs.remove_dir_all(root)
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == root
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(Error) as ei:
        fs.remove_dir_all(tmp_path / "file")
    assert ei.value.kind is ErrorKind.NotADirectory and ei.value.raw_os_error() == 267
    assert (tmp_path / "file").exists()


@pytest.mark.skipif(ON_WINE_AS_ROOT, reason="Wine keeps read-only as mode bits, which root ignores")
def test_remove_dir_all_read_only_file(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    (root / "ro").write_bytes(b"")
    os.chmod(root / "ro", 0o444)
    fs.remove_dir_all(root)
    assert not root.exists()


def _make_symlink_dir(target: Path, link: Path) -> None:
    from stdio2.os.windows.fs import symlink_dir

    symlink_dir(target, link)


def _make_junction(target: Path, link: Path) -> None:
    import _winapi

    _winapi.CreateJunction(str(target), str(link))


@pytest.mark.parametrize("make", [_make_symlink_dir, _make_junction], ids=["symlink", "junction"])
def test_remove_dir_all_never_follows_links(tmp_path: Path, make: Callable[[Path, Path], None]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_bytes(b"keep")
    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "f").write_bytes(b"")
    link = root / "sub" / "link"
    try:
        make(outside, link)
        usable = (link / "precious").read_bytes() == b"keep"
    except OSError:
        usable = False
    if not usable:
        if ON_WINE:
            pytest.xfail("this Wine cannot make a usable directory link of this kind")
        raise AssertionError("could not make the link on Windows")
    entries = {str(e.file_name()): e for e in fs.read_dir(root / "sub")}
    assert entries["link"].file_type().is_symlink()
    fs.remove_dir_all(root)
    assert not root.exists()
    assert (outside / "precious").read_bytes() == b"keep"
    # A link given directly is removed itself, its target untouched.
    make(outside, tmp_path / "direct")
    fs.remove_dir_all(tmp_path / "direct")
    assert not (tmp_path / "direct").exists()
    assert (outside / "precious").read_bytes() == b"keep"


def test_write_atomic_and_atomic_file(tmp_path: Path) -> None:
    target = tmp_path / "t\u00e9.txt"
    fs.write_atomic(target, "first")
    assert target.read_text() == "first"
    fs.write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    with fs.AtomicFile(target) as f:
        f.write_all(b"third")
        assert target.read_bytes() == b"second"  # not visible before commit
    assert target.read_bytes() == b"third"
    with pytest.raises(RuntimeError), fs.AtomicFile(target) as f:
        f.write_all(b"never")
        raise RuntimeError
    assert target.read_bytes() == b"third"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temp left behind
    f = fs.AtomicFile(target)
    f.discard()
    f.discard()
    with pytest.raises(Error) as ei:
        f.write(b"x")
    assert ei.value.kind is ErrorKind.InvalidInput
    with pytest.raises(Error) as ei:
        fs.write_atomic(tmp_path / "missing" / "x", b"")
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == tmp_path / "missing" / "x"
    with pytest.raises(TypeError, match="write_atomic"):
        fs.write_atomic(target, 5)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_atomic_file_collected_uncommitted_warns(tmp_path: Path) -> None:
    target = tmp_path / "t"
    f = fs.AtomicFile(target)
    f.write_all(b"x")
    with pytest.warns(ResourceWarning):
        del f
        import gc

        gc.collect()
    assert list(tmp_path.iterdir()) == []


def test_atomic_file_failed_replace_keeps_the_target(tmp_path: Path) -> None:
    # CPython opens files without FILE_SHARE_DELETE, so while `held` is open
    # MoveFileExW cannot replace the target: the commit fails, the old file
    # stays whole and the temporary file is removed.
    target = tmp_path / "held.txt"
    target.write_bytes(b"old")
    with open(target, "rb") as held:
        with pytest.raises(Error) as ei:
            fs.write_atomic(target, b"new")
        assert ei.value.kind is ErrorKind.PermissionDenied
        assert ei.value.path == target
        assert held.read() == b"old"
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["held.txt"]
    fs.write_atomic(target, b"new")  # and once nothing holds it, the replace goes through
    assert target.read_bytes() == b"new"
