"""read_dir / ReadDir / DirEntry: d_type without system calls, descriptor lifetime, errors."""

from __future__ import annotations

import gc
import os
import pathlib
import socket
import subprocess
import sys

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
    it = iter(fs.read_dir(tmp_path))
    del it  # an iterator taken but never advanced (no ResourceWarning either)
    gc.collect()
    assert fd_count() == before


# A real failure in the middle of a listing. /proc/PID/map_files (one entry
# per memory mapping) checks ptrace access on every getdents64, not only at
# open: once the target makes itself non-dumpable, the next getdents64 of an
# unprivileged reader fails with EACCES. glibc reads records 32 KiB at a time
# (a few hundred names here), so after one `next` the entries of the first
# buffer are already read; the listing must yield every one of them, in
# batches, then raise. os.scandir, advanced the same way on the same
# directory, is the reference for how many that is.
# The reader must not be root (CAP_SYS_PTRACE passes every check), so the
# scenario runs in a child that imports what it needs, then drops to "nobody".
_MID_LISTING_FAILURE = """
import ctypes, mmap, os
from stdio2 import fs
from stdio2.fs import _dir
from stdio2.io import Error, ErrorKind
libc = ctypes.CDLL(None, use_errno=True)
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
PR_SET_DUMPABLE = 4
libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # setuid made us non-dumpable; the child inherits this
to_child_r, to_child_w = os.pipe()
to_parent_r, to_parent_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(to_child_w)  # so that our reads see EOF if the parent dies
    # Alternating protections keep the kernel from merging the mappings.
    maps = [mmap.mmap(-1, 4096, prot=mmap.PROT_READ | (mmap.PROT_WRITE * (i % 2))) for i in range(3000)]
    os.write(to_parent_w, b"r")
    os.read(to_child_r, 1)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    os.write(to_parent_w, b"d")
    os.read(to_child_r, 1)
    os._exit(0)
os.close(to_child_r)
try:
    os.read(to_parent_r, 1)
    d = f"/proc/{pid}/map_files"
    fds_before = len(os.listdir("/proc/self/fd"))
    ref = os.scandir(d)
    rd = fs.read_dir(d)
    ref_names = [next(ref).name]
    names = [next(rd).file_name()]
    os.write(to_child_w, b"x")
    os.read(to_parent_r, 1)  # the target is no longer dumpable
    try:
        ref_names.extend(e.name for e in ref)
        print("skip: os.scandir saw no failure")
    except PermissionError:
        err = None
        try:
            for e in rd:
                names.append(e.file_name())
        except Error as exc:
            err = exc
        assert err is not None, "read_dir saw no failure"
        assert err.kind is ErrorKind.PermissionDenied and err.path == d, (err.kind, err.path)
        assert len(ref_names) > _dir._BATCH, len(ref_names)  # several batches, then a partial one
        assert [str(n) for n in names] == ref_names, (len(names), len(ref_names))
        assert next(rd, None) is None  # usable afterwards, and at its end
        assert len(os.listdir("/proc/self/fd")) == fds_before  # both listings closed their descriptor
        print("ok", len(names))
finally:
    os.close(to_child_w)  # releases the target
    os.waitpid(pid, 0)
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/map_files"), reason="needs Linux /proc/PID/map_files")
def test_failure_mid_listing_yields_every_entry_read_before_it() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _MID_LISTING_FAILURE], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    if out.startswith("skip"):
        pytest.skip(out.strip())
    assert out.startswith("ok ")


def test_close_drops_the_entries_read_ahead(tmp_path: pathlib.Path) -> None:
    # More entries than one batch: close() in the middle of a batch ends the
    # listing at once, even though the rest of the batch was already read.
    from stdio2.fs import _dir

    for i in range(_dir._BATCH + 10):
        (tmp_path / f"f{i}").write_bytes(b"")
    before = fd_count()
    rd = fs.read_dir(tmp_path)
    it = iter(rd)
    seen = [next(it) for _ in range(3)]
    rd.close()
    assert fd_count() == before
    assert list(it) == [] and next(rd, None) is None and len(seen) == 3
    # A full listing crosses batch boundaries without losing or repeating a name.
    assert sorted(str(e.file_name()) for e in fs.read_dir(tmp_path)) == sorted(
        f"f{i}" for i in range(_dir._BATCH + 10)
    )


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
