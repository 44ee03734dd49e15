"""stdio2.fs directories, copy, remove_dir_all and atomic writes on Windows; skipped elsewhere."""

from __future__ import annotations

import os
import sys
import threading
import time
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


# -- remove_dir_all by handles (CVE-2022-21658) --------------------------------


def _outside_dir(tmp_path: Path) -> tuple[Path, list[str]]:
    """The directory an attacker points links at, and the names that must survive in it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    keep = sorted(f"keep{i}" for i in range(10))
    for name in keep:
        (outside / name).write_bytes(b"precious")
    return outside, keep


def _victim_tree(victim: Path) -> None:
    for d in range(6):
        (victim / f"sub{d}").mkdir(parents=True)
        for i in range(20):
            (victim / f"sub{d}" / f"f{i}").write_bytes(b"")


def _remove_while_attacked(victim: Path) -> None:
    for _ in range(3):
        try:
            fs.remove_dir_all(victim)
        except Error:
            pass  # losing a race may fail the removal; it must never leave the tree


def test_remove_dir_all_deep_tree_with_read_only_files(tmp_path: Path) -> None:
    root = tmp_path / "deep"
    here = root
    read_only = []
    for depth in range(40):
        here = here / "d"
        here.mkdir(parents=True)
        (here / f"f{depth}").write_bytes(b"x" * depth)
        (here / "side").mkdir()
        (here / "side" / "g").write_bytes(b"")
        if depth % 3 == 0:
            ro = here / f"ro{depth}"
            ro.write_bytes(b"")
            os.chmod(ro, 0o444)
            read_only.append(ro)
    assert all(os.lstat(p).st_file_attributes & 0x1 for p in read_only)  # FILE_ATTRIBUTE_READONLY
    fs.remove_dir_all(root)
    assert not root.exists()
    assert list(tmp_path.iterdir()) == []


def _link_maker_works(make: Callable[[Path, Path], None], where: Path) -> bool:
    target = where / "probe-target"
    target.mkdir()
    (target / "x").write_bytes(b"")
    try:
        make(target, where / "probe-link")
        return (where / "probe-link" / "x").exists()
    except OSError:
        return False
    finally:
        for p in (where / "probe-link", target / "x", target):
            try:
                os.rmdir(p) if p != target / "x" else os.remove(p)
            except OSError:
                pass


def test_remove_dir_all_links_deep_inside_keep_their_targets(tmp_path: Path) -> None:
    makers = [m for m in (_make_symlink_dir, _make_junction) if _link_maker_works(m, tmp_path)]
    if not makers:
        if ON_WINE:
            pytest.xfail("Wine 8 cannot make junctions (FSCTL_SET_REPARSE_POINT) or directory symlinks")
        raise AssertionError("could not make any directory link on Windows")
    outside = tmp_path / "outside"
    (outside / "inner").mkdir(parents=True)
    (outside / "precious").write_bytes(b"keep")
    (outside / "inner" / "deeper").write_bytes(b"keep")
    root = tmp_path / "tree"
    (root / "a" / "b" / "c").mkdir(parents=True)
    for i, make in enumerate(makers):
        make(outside, root / "a" / f"link{i}")
        make(outside / "inner", root / "a" / "b" / "c" / f"innerlink{i}")
        (root / "a" / "b" / f"file{i}").write_bytes(b"")
    fs.remove_dir_all(root)
    assert not root.exists()
    assert (outside / "precious").read_bytes() == b"keep"
    assert (outside / "inner" / "deeper").read_bytes() == b"keep"


def _junction_attack(victim: Path, outside: Path, stop: threading.Event) -> None:
    # Over and over: move every subdirectory away and put a junction to
    # `outside` in its place, then turn the junctions back into directories.
    import _winapi

    parked = 0
    subs = [victim / f"sub{d}" for d in range(6)]
    while not stop.is_set():
        for sub in subs:
            try:
                os.rename(sub, victim / f"parked{parked}")
                parked += 1
                _winapi.CreateJunction(str(outside), str(sub))
            except OSError:
                pass
        for sub in subs:
            try:
                os.rmdir(sub)  # removes the junction itself
                sub.mkdir()
                for i in range(3):
                    (sub / f"f{i}").write_bytes(b"")
            except OSError:
                pass


def test_remove_dir_all_attacker_swapping_directories_for_junctions(tmp_path: Path) -> None:
    if not _link_maker_works(_make_junction, tmp_path):
        if ON_WINE:
            pytest.skip("Wine 8 cannot make junctions (FSCTL_SET_REPARSE_POINT is ERROR_NOT_SUPPORTED)")
        raise AssertionError("could not make a junction on Windows")
    outside, keep = _outside_dir(tmp_path)
    for round_ in range(8):
        victim = tmp_path / f"victim{round_}"
        _victim_tree(victim)
        stop = threading.Event()
        attacker = threading.Thread(target=_junction_attack, args=(victim, outside, stop))
        attacker.start()
        try:
            _remove_while_attacked(victim)
        finally:
            stop.set()
            attacker.join(10)
        assert sorted(p.name for p in outside.iterdir()) == keep
        if os.path.lexists(victim):
            fs.remove_dir_all(victim)  # no attacker now: must succeed
        assert not os.path.lexists(victim)
    assert all((outside / name).read_bytes() == b"precious" for name in keep)


_HOST_ATTACKER = r"""
import os, sys, time
victim, outside, stop, done, ready = sys.argv[1:6]
subs = [os.path.join(victim, "sub%d" % d) for d in range(6)]
parked = 0
while not os.path.exists(stop):
    for sub in subs:
        try:
            os.rename(sub, os.path.join(victim, "parked%d" % parked))
            parked += 1
            os.symlink(outside, sub)
        except OSError:
            pass
    if not os.path.exists(ready):
        open(ready, "w").close()
    time.sleep(0.0005)
    for sub in subs:
        try:
            os.unlink(sub)
            os.mkdir(sub)
            for i in range(3):
                open(os.path.join(sub, "f%d" % i), "wb").close()
        except OSError:
            pass
for sub in subs:  # leave no host symlink behind: Wine 8 cannot delete one
    if os.path.islink(sub):
        os.unlink(sub)
with open(done, "w") as f:
    f.write(str(parked))
"""


def _unix_path(path: Path) -> str:
    import ctypes

    fn = ctypes.WinDLL("kernel32").wine_get_unix_file_name
    fn.argtypes = [ctypes.c_wchar_p]
    fn.restype = ctypes.c_char_p  # leaks a small HeapAlloc'd string per call; test only
    value = fn(str(path))
    assert value
    return value.decode()


@pytest.mark.skipif(not ON_WINE, reason="drives Wine's handling of host (Unix) symlinks")
def test_remove_dir_all_host_symlink_attacker_under_wine(tmp_path: Path) -> None:
    # Wine 8 cannot create junctions, but a host process can swap directories
    # for Unix symlinks, which Wine lists as reparse points and *follows* even
    # with FILE_OPEN_REPARSE_POINT. The file-id check must keep the walk out.
    import _winapi

    host_python = Path("Z:/usr/bin/python3")
    if not host_python.exists():
        pytest.skip("no host python3 to play the attacker")
    outside, keep = _outside_dir(tmp_path)
    script = tmp_path / "attacker.py"
    script.write_text(_HOST_ATTACKER)
    swaps = 0
    for round_ in range(6):
        victim = tmp_path / f"victim{round_}"
        _victim_tree(victim)
        stop, done, ready = (tmp_path / f"{n}{round_}" for n in ("stop", "done", "ready"))
        args = [_unix_path(p) for p in (script, victim, outside)]
        args += [_unix_path(tmp_path) + f"/{p.name}" for p in (stop, done, ready)]
        # Wine starts a host binary detached: no process handle comes back.
        _winapi.CreateProcess(str(host_python), "python3 " + " ".join(args), None, None, False, 0,
                              None, None, None)
        deadline = time.monotonic() + 15
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.001)  # start removing only once the attacker is swapping
        try:
            _remove_while_attacked(victim)
        finally:
            stop.write_bytes(b"")
            deadline = time.monotonic() + 15
            while not done.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        assert done.exists(), "the host attacker did not finish"
        swaps += int(done.read_text())
        assert sorted(p.name for p in outside.iterdir()) == keep
        if os.path.lexists(victim):
            fs.remove_dir_all(victim)  # no attacker now: must succeed
        assert not os.path.lexists(victim)
    assert all((outside / name).read_bytes() == b"precious" for name in keep)
    assert swaps > 0, "the attacker never swapped a directory: the test proved nothing"
