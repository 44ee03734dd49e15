"""stdio2.fs.File: opening rules, single-call Read/Write/Seek, metadata, locks, ownership, faults."""

from __future__ import annotations

import datetime as dt
import errno
import os
import pathlib
import stat
import subprocess
import sys
import textwrap
import threading

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from tests.fs.conftest import Opened, fd_count, run_unprivileged, shared_tmp_dir

from stdio2 import fs
from stdio2.io import Error, ErrorKind, Read, Seek, SeekFrom, Write
from stdio2.os.fd import BorrowedFd, OwnedFd
from stdio2.os.unix.fs import OpenOptionsExt, PermissionsExt
from stdio2.testing import check_read, check_seek, check_write


def test_open_create_create_new(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    with pytest.raises(Error) as ei:
        fs.File.open(p)
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == p
    assert isinstance(ei.value, FileNotFoundError)
    with fs.File.create(p) as f:
        assert isinstance(f, (Read, Write, Seek))
        assert f.write(b"abc") == 3
        # create opens write-only: reading is refused by the kernel (EBADF).
        with pytest.raises(Error) as ei:
            f.read(bytearray(1))
        assert ei.value.raw_os_error() == errno.EBADF and ei.value.path == p
    with pytest.raises(Error) as ei:
        fs.File.create_new(p)
    assert ei.value.kind is ErrorKind.AlreadyExists and isinstance(ei.value, FileExistsError)
    with fs.File.open(p) as f:
        assert f.read_to_string() == "abc"
        with pytest.raises(Error):
            f.write(b"x")
    with fs.File.create(p):
        pass
    assert p.read_bytes() == b""  # create truncates
    q = tmp_path / "new"
    with fs.File.create_new(q) as f:
        f.write_all(b"xyz")
        f.rewind()
        assert f.read_to_string() == "xyz"  # create_new opens read-write


def test_create_new_does_not_follow_symlink(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "target"
    link = tmp_path / "link"
    os.symlink(target, link)
    with pytest.raises(Error) as ei:
        fs.File.create_new(link)
    assert ei.value.kind is ErrorKind.AlreadyExists
    assert not target.exists()


def test_open_options_rules_fail_before_any_call(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "missing-dir" / "f"
    cases = [
        fs.OpenOptions(),
        fs.OpenOptions().read(True).create(True),
        fs.OpenOptions().read(True).truncate(True),
        fs.OpenOptions().append(True).truncate(True),
        fs.OpenOptions().read(True).create_new(True),
    ]
    for options in cases:
        with pytest.raises(Error) as ei:
            options.open(missing)
        # InvalidInput, not NotFound: the rules ran before open(2).
        assert ei.value.kind is ErrorKind.InvalidInput, options
    assert fs.File.options() is not fs.File.options()
    with pytest.raises(TypeError):
        fs.OpenOptions().read(1)  # type: ignore[arg-type]


def test_append_and_mode(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "log"
    opts = fs.OpenOptions().append(True).create(True)
    OpenOptionsExt.mode(opts, 0o600)
    with opts.open(p) as f:
        f.write_all(b"one\n")
    with opts.open(p) as f:
        f.write_all(b"two\n")
    assert p.read_bytes() == b"one\ntwo\n"
    assert stat.S_IMODE(p.stat().st_mode) == 0o600 & ~_umask()
    with fs.OpenOptions().read(True).append(True).open(p) as f:
        f.write_all(b"3\n")
        f.rewind()
        assert f.read_to_string() == "one\ntwo\n3\n"


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def test_custom_flags_nofollow(tmp_path: pathlib.Path) -> None:
    (tmp_path / "real").write_bytes(b"x")
    os.symlink(tmp_path / "real", tmp_path / "link")
    opts = OpenOptionsExt.custom_flags(fs.OpenOptions().read(True), os.O_NOFOLLOW)
    with pytest.raises(Error) as ei:
        opts.open(tmp_path / "link")
    assert ei.value.kind is ErrorKind.FilesystemLoop


def test_read_is_one_call_into_caller_buffer(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "data"
    p.write_bytes(bytes(range(256)) * 4)
    with fs.File.open(p) as f:
        buf = bytearray(10)
        assert f.read(buf) == 10 and buf == bytes(range(10))
        view = memoryview(bytearray(20))[5:15]
        assert f.read(view) == 10 and bytes(view) == bytes(range(10, 20))
        assert f.read(bytearray()) == 0
        with pytest.raises(TypeError, match="bytearray"):
            f.read(10)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="read-only"):
            f.read(b"abc")  # type: ignore[arg-type]
        assert f.seek(SeekFrom.End(-6)) == 1018
        big = bytearray(100)
        assert f.read(big) == 6
        assert f.read(big) == 0
        with pytest.raises(TypeError, match="SeekFrom"):
            f.seek(3)  # type: ignore[arg-type]
        with pytest.raises(Error) as ei:
            f.seek(SeekFrom.Current(-5000))
        assert ei.value.kind is ErrorKind.InvalidInput
        assert f.stream_position() == 1024
        assert f.stream_len() == 1024


def test_write_type_errors_and_flush(tmp_path: pathlib.Path) -> None:
    with fs.File.create(tmp_path / "w") as f:
        with pytest.raises(TypeError, match="encode"):
            f.write("text")  # type: ignore[arg-type]
        f.write_fmt("{}-{}", 1, 2)
        f.flush()
    assert (tmp_path / "w").read_bytes() == b"1-2"


def test_read_to_end_appends_and_uses_size_hint(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "big"
    data = os.urandom(300_000)
    p.write_bytes(data)
    with fs.File.open(p) as f:
        f.seek(SeekFrom.Start(1000))
        buf = bytearray(b"prefix")
        assert f.read_to_end(buf) == len(data) - 1000
        assert buf == b"prefix" + data[1000:]
        with pytest.raises(TypeError):
            f.read_to_end(b"")  # type: ignore[arg-type]


def test_set_len_sync_metadata(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    with fs.File.create_new(p) as f:
        f.write_all(b"hello")
        f.set_len(2)
        assert f.stream_position() == 5  # set_len does not move the position
        f.set_len(10)
        f.sync_all()
        f.sync_data()
        md = f.metadata()
        assert md.len() == 10 and md.is_file() and not md.is_dir() and not md.is_symlink()
        with pytest.raises(Error) as ei:
            f.set_len(-1)
        assert ei.value.kind is ErrorKind.InvalidInput
        with pytest.raises(TypeError):
            f.set_len(1.5)  # type: ignore[arg-type]
    assert p.read_bytes() == b"he" + bytes(8)
    with fs.File.open(p) as f, pytest.raises(Error) as ei:
        f.set_len(0)  # read-only descriptor
    assert ei.value.kind is ErrorKind.InvalidInput and ei.value.path == p


def test_created_time_is_value_or_unsupported(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"")
    md = fs.metadata(p)
    try:
        born = md.created()
    except Error as e:
        assert e.kind is ErrorKind.Unsupported
    else:
        assert born.tzinfo is not None
        assert abs((born - md.modified()).total_seconds()) < 60


def test_permissions_and_times(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    with fs.File.create(p) as f:
        perm = f.metadata().permissions()
        perm.set_readonly(True)
        f.set_permissions(perm)
        assert stat.S_IMODE(p.stat().st_mode) & 0o222 == 0
        assert f.metadata().permissions().readonly()
        f.set_permissions(PermissionsExt.from_mode(0o640))
        assert stat.S_IMODE(p.stat().st_mode) == 0o640
        with pytest.raises(TypeError):
            f.set_permissions(0o644)  # type: ignore[arg-type]
        when = dt.datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=dt.UTC)
        before = os.stat(p).st_atime_ns
        f.set_modified(when)
        st_ = os.stat(p)
        assert st_.st_mtime_ns == 981173106_789000000
        assert st_.st_atime_ns == before  # UTIME_OMIT left the access time alone
        f.set_times(fs.FileTimes().set_accessed(when))
        assert os.stat(p).st_atime_ns == 981173106_789000000
        assert f.metadata().modified() == when
        with pytest.raises(ValueError):
            fs.FileTimes().set_modified(dt.datetime(2001, 1, 1))  # naive


def test_locks(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "lock"
    p.write_bytes(b"")
    with fs.File.open(p) as a, fs.File.open(p) as b:
        a.lock()
        for attempt in (b.try_lock, b.try_lock_shared):
            with pytest.raises(Error) as ei:
                attempt()
            assert ei.value.kind is ErrorKind.WouldBlock
        # A duplicate shares the open file description, hence the lock.
        with a.try_clone() as clone:
            clone.try_lock()
        a.unlock()
        b.try_lock()
        b.unlock()
        a.lock_shared()
        b.try_lock_shared()
        with pytest.raises(Error):
            b.try_lock()  # a holds a shared lock
        a.unlock()
        b.unlock()


def test_lock_waits_for_release(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "lock"
    p.write_bytes(b"")
    events: list[str] = []
    with fs.File.open(p) as a, fs.File.open(p) as b:
        a.lock()

        def waiter() -> None:
            b.lock()
            events.append("b locked")
            b.unlock()

        t = threading.Thread(target=waiter)
        t.start()
        t.join(0.2)
        events.append("a unlocks")
        a.unlock()
        t.join(10)
    assert events == ["a unlocks", "b locked"]


def test_ownership_moves_and_closed_use(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"hello")
    before = fd_count()
    f = fs.File.open(p)
    raw = f.as_raw_fd()
    assert isinstance(f.as_fd(), BorrowedFd) and not f.is_terminal()
    owned = OwnedFd(f)
    assert f.closed() and owned.as_raw_fd() == raw
    with pytest.raises(Error) as ei:
        f.read(bytearray(1))
    assert ei.value.kind is ErrorKind.InvalidInput
    with pytest.raises(Error):
        f.metadata()
    g = fs.File(owned)
    assert owned.closed() and g.as_raw_fd() == raw
    with pytest.raises(TypeError, match="from_raw_fd"):
        fs.File(raw)
    clone = g.try_clone()
    assert isinstance(clone, fs.File) and clone.as_raw_fd() != raw
    buf = bytearray(2)
    g.read(buf)
    assert clone.stream_position() == 2  # shared position
    clone.close()
    g.close()
    g.close()  # idempotent
    assert fd_count() == before
    assert "closed" in repr(g)


def test_directory_can_be_opened_but_not_read(tmp_path: pathlib.Path) -> None:
    with fs.File.open(tmp_path) as d:
        assert d.metadata().is_dir()
        with pytest.raises(Error) as ei:
            d.read(bytearray(10))
        assert ei.value.kind is ErrorKind.IsADirectory
        d.sync_all()
    with pytest.raises(Error) as ei:
        fs.File.create(tmp_path)
    assert ei.value.kind is ErrorKind.IsADirectory


def test_close_while_reading_in_other_thread_is_deferred(tmp_path: pathlib.Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    w_fd = os.open(fifo, os.O_RDWR)  # keeps the FIFO open so opening for read does not block
    try:
        f = fs.File.open(fifo)
        raw = f.as_raw_fd()
        got: list[object] = []

        def reader() -> None:
            buf = bytearray(4)
            got.append(f.read(buf))

        t = threading.Thread(target=reader)
        t.start()
        t.join(0.2)
        f.close()  # the read is in flight: the real close waits for it
        assert os.fstat(raw)  # still open
        os.write(w_fd, b"ok")
        t.join(10)
        assert got == [2]
    finally:
        os.close(w_fd)


def test_conformance_kit(tmp_path: pathlib.Path, opened: Opened) -> None:
    counter = iter(range(10_000))

    def reader(data: bytes) -> fs.File:
        p = tmp_path / f"r{next(counter)}"
        p.write_bytes(data)
        return opened.add(fs.File.open(p))

    def writer(data: bytes) -> tuple[fs.File, object]:
        p = tmp_path / f"w{next(counter)}"
        return opened.add(fs.File.create(p)), p.read_bytes

    check_read(reader)
    check_seek(reader)
    check_write(writer)


class FileModel(RuleBasedStateMachine):
    """File (write/seek/read/set_len) against a bytearray and a position."""

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.dir = tempfile.mkdtemp(prefix="stdio2-fs-model-")
        self.path = os.path.join(self.dir, "f")
        self.file = fs.File.create_new(self.path)
        self.model = bytearray()
        self.pos = 0

    @rule(data=st.binary(max_size=64))
    def write(self, data: bytes) -> None:
        n = self.file.write(data)
        assert n == len(data)
        end = self.pos + n
        if n and end > len(self.model):  # an empty write does not extend the file
            self.model.extend(bytes(end - len(self.model)))
        self.model[self.pos : end] = data
        self.pos = end

    @rule(size=st.integers(0, 80))
    def read(self, size: int) -> None:
        buf = bytearray(size)
        n = self.file.read(buf)
        want = self.model[self.pos : self.pos + size]
        assert bytes(buf[:n]) == bytes(want)
        self.pos += n

    @rule(kind=st.sampled_from(["start", "end", "current"]), offset=st.integers(-100, 100))
    def seek(self, kind: str, offset: int) -> None:
        pos = {"start": SeekFrom.Start, "end": SeekFrom.End, "current": SeekFrom.Current}
        base = {"start": 0, "end": len(self.model), "current": self.pos}[kind]
        if kind == "start" and offset < 0:
            return
        target = base + offset
        if target < 0:
            with pytest.raises(Error) as ei:
                self.file.seek(pos[kind](offset))
            assert ei.value.kind is ErrorKind.InvalidInput
        else:
            assert self.file.seek(pos[kind](offset)) == target
            self.pos = target

    @rule(size=st.integers(0, 150))
    def set_len(self, size: int) -> None:
        self.file.set_len(size)
        if size < len(self.model):
            del self.model[size:]
        else:
            self.model.extend(bytes(size - len(self.model)))

    @invariant()
    def length_matches(self) -> None:
        assert self.file.metadata().len() == len(self.model)

    def teardown(self) -> None:
        self.file.close()
        with open(self.path, "rb") as f:
            assert f.read() == bytes(self.model)
        os.unlink(self.path)
        os.rmdir(self.dir)


TestFileModel = FileModel.TestCase
TestFileModel.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


_FSIZE_CHILD = textwrap.dedent(
    """
    import resource, sys
    from stdio2 import fs
    from stdio2.io import Error, ErrorKind
    resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))
    path = sys.argv[1]
    with fs.File.create(path) as f:
        try:
            f.write_all(b"x" * 25_000)
        except Error as e:
            print("write_all", e.kind.name, e.progress, e.path == path)
        try:
            f.write(b"more")
        except Error as e:
            print("write", e.kind.name, e.raw_os_error())
    try:
        fs.write(path, b"y" * 20_000)
    except Error as e:
        print("fs.write", e.kind.name, e.progress)
    try:
        fs.write_atomic(path, b"z" * 20_000)
    except Error as e:
        print("write_atomic", e.kind.name)
    print("content", fs.read(path)[:1].decode(), len(fs.read(path)))
    """
)


def test_rlimit_fsize_gives_file_too_large_with_progress(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "limited"
    out = subprocess.run(
        [sys.executable, "-c", _FSIZE_CHILD, str(p)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split("\n")
    assert out[0] == "write_all FileTooLarge 10000 True"
    assert out[1] == f"write FileTooLarge {errno.EFBIG}"
    assert out[2] == "fs.write FileTooLarge 10000"
    assert out[3] == "write_atomic FileTooLarge"
    # The failed atomic write left the previous contents in place.
    assert out[4] == "content y 10000"
    assert [n for n in os.listdir(tmp_path)] == ["limited"]


def test_permission_denied_has_kind_and_path() -> None:
    # In an unprivileged child: root would bypass the permission bits.
    d = shared_tmp_dir()
    try:
        p = os.path.join(d, "secret")
        with open(p, "wb"):
            pass
        os.chmod(p, 0)
        out = run_unprivileged(f"""
            try:
                fs.File.open({p!r})
            except Error as e:
                print(e.kind.name, e.path == {p!r}, e.raw_os_error())
        """)
        assert out.split() == ["PermissionDenied", "True", str(errno.EACCES)]
    finally:
        fs.remove_dir_all(d)
