"""fs.copy and the kernel copy paths (copy_file_range -> sendfile -> splice -> read/write)."""

from __future__ import annotations

import os
import pathlib
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

from stdio2 import fs, io
from stdio2.fs._copy import kernel_copy_objects
from stdio2.io import Deadline, Error, ErrorKind
from stdio2.os.unix.fs import OpenOptionsExt

LINUX = sys.platform.startswith("linux")


def test_copy_contents_permissions_and_method(tmp_path: pathlib.Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    data = os.urandom(3 * 1024 * 1024 + 17)
    src.write_bytes(data)
    src.chmod(0o751)
    assert fs.copy(src, dst) == len(data)
    assert dst.read_bytes() == data
    assert stat.S_IMODE(dst.stat().st_mode) == 0o751
    if LINUX:
        assert fs.last_copy_method() == "copy_file_range"
    # An existing destination is truncated and gets the source's permissions.
    dst.chmod(0o600)
    src.write_bytes(b"short")
    assert fs.copy(src, dst) == 5
    assert dst.read_bytes() == b"short"
    assert stat.S_IMODE(dst.stat().st_mode) == 0o751


def test_copy_onto_itself_is_refused_without_data_loss(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"precious")
    os.link(src, tmp_path / "hard")
    os.symlink(src, tmp_path / "soft")
    for same in (src, tmp_path / "hard", tmp_path / "soft"):
        with pytest.raises(Error) as ei:
            fs.copy(src, same)
        assert ei.value.kind is ErrorKind.InvalidInput and ei.value.path2 == same
    assert src.read_bytes() == b"precious"


def test_copy_to_a_device(tmp_path: pathlib.Path) -> None:
    (tmp_path / "src").write_bytes(b"abc")
    assert fs.copy(tmp_path / "src", "/dev/null") == 3


def test_copy_empty_file(tmp_path: pathlib.Path) -> None:
    (tmp_path / "e").write_bytes(b"")
    assert fs.copy(tmp_path / "e", tmp_path / "e2") == 0
    assert (tmp_path / "e2").read_bytes() == b""


def test_copy_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(Error) as ei:
        fs.copy(tmp_path / "missing", tmp_path / "x")
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == tmp_path / "missing"
    with pytest.raises(Error) as ei:
        fs.copy(tmp_path, tmp_path / "x")
    assert ei.value.kind is ErrorKind.InvalidInput
    assert ei.value.path == tmp_path and ei.value.path2 == tmp_path / "x"
    os.mkfifo(tmp_path / "fifo")
    w = os.open(tmp_path / "fifo", os.O_RDWR)
    try:
        with pytest.raises(Error) as ei:
            fs.copy(tmp_path / "fifo", tmp_path / "x")
        assert ei.value.kind is ErrorKind.InvalidInput
    finally:
        os.close(w)
    (tmp_path / "f").write_bytes(b"x")
    with pytest.raises(Error) as ei:
        fs.copy(tmp_path / "f", tmp_path / "no-dir" / "x")
    assert ei.value.kind is ErrorKind.NotFound and ei.value.path == tmp_path / "no-dir" / "x"
    assert not (tmp_path / "x").exists()


@pytest.mark.skipif(not LINUX, reason="/proc files are Linux's")
def test_copy_from_proc_falls_back_when_copy_file_range_returns_zero(tmp_path: pathlib.Path) -> None:
    # /proc files report size 0 (or a fake size) and copy_file_range copies
    # nothing: the copy must still contain the real text.
    n = fs.copy("/proc/self/status", tmp_path / "status")
    assert n > 0 and b"Name:" in (tmp_path / "status").read_bytes()
    assert fs.last_copy_method() in ("sendfile", "read_write")


@pytest.mark.skipif(not LINUX, reason="Linux kernel copy paths")
def test_io_copy_fast_path_between_files_and_pipes(tmp_path: pathlib.Path) -> None:
    data = os.urandom(200_000)
    (tmp_path / "src").write_bytes(data)
    # File -> File: copy_file_range, from the current positions.
    with fs.File.open(tmp_path / "src") as r, fs.File.create(tmp_path / "dst") as w:
        r.seek(io.SeekFrom.Start(1000))
        w.write_all(b"head")
        assert kernel_copy_objects(r, w) == len(data) - 1000
        assert fs.last_copy_method() == "copy_file_range"
    assert (tmp_path / "dst").read_bytes() == b"head" + data[1000:]
    # O_APPEND destination: copy_file_range refuses (EBADF), so does sendfile
    # (EINVAL): the hook declines and io.copy loops in user space.
    opts = fs.OpenOptions().append(True)
    with fs.File.open(tmp_path / "src") as r, opts.open(tmp_path / "dst") as w:
        assert kernel_copy_objects(r, w) is None
        assert fs.last_copy_method() == "read_write"
        assert r.stream_position() == 0  # nothing was consumed
        assert io.copy(r, w) == len(data)
    assert (tmp_path / "dst").read_bytes() == b"head" + data[1000:] + data
    # File -> pipe: sendfile; pipe -> File: splice. A thread drains/feeds.
    r_pipe, w_pipe = io.pipe()
    got = bytearray()

    def drain() -> None:
        with r_pipe:
            r_pipe.read_to_end(got)

    t = threading.Thread(target=drain)
    t.start()
    with fs.File.open(tmp_path / "src") as r, w_pipe:
        assert kernel_copy_objects(r, w_pipe) == len(data)
        assert fs.last_copy_method() == "sendfile"
    t.join(10)
    assert got == data
    r_pipe, w_pipe = io.pipe()

    def feed() -> None:
        with w_pipe:
            w_pipe.write_all(data)

    t = threading.Thread(target=feed)
    t.start()
    with r_pipe, fs.File.create(tmp_path / "from-pipe") as w:
        assert kernel_copy_objects(r_pipe, w) == len(data)
        assert fs.last_copy_method() == "splice"
    t.join(10)
    assert (tmp_path / "from-pipe").read_bytes() == data


def test_fast_path_declines_what_it_must_not_touch(tmp_path: pathlib.Path) -> None:
    (tmp_path / "src").write_bytes(b"abc")
    with fs.File.open(tmp_path / "src") as r, fs.File.create(tmp_path / "dst") as w:
        # Buffered wrappers and other readers may hold bytes the descriptor has not.
        assert kernel_copy_objects(io.BufReader(r), w) is None
        assert kernel_copy_objects(io.Cursor(b"x"), w) is None
    r_pipe, w_pipe = io.pipe()
    with r_pipe, w_pipe, fs.File.open(tmp_path / "src") as r, Deadline.after(5):
        # Under a deadline a pipe copy must stay interruptible: the portable loop runs.
        assert kernel_copy_objects(r, w_pipe) is None
        assert fs.last_copy_method() == "read_write"
    # io.copy works whichever path it takes.
    with fs.File.open(tmp_path / "src") as r, fs.File.create(tmp_path / "dst") as w:
        assert io.copy(r, w) == 3
    assert (tmp_path / "dst").read_bytes() == b"abc"


_COPY_LIMIT_CHILD = textwrap.dedent(
    """
    import resource, sys
    from stdio2 import fs
    from stdio2.io import Error
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
    try:
        fs.copy(sys.argv[1], sys.argv[2])
    except Error as e:
        print(e.kind.name, e.progress, e.path == sys.argv[1], e.path2 == sys.argv[2])
    """
)


def test_copy_reports_progress_on_failure(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "big"
    src.write_bytes(os.urandom(200_000))
    out = subprocess.run(
        [sys.executable, "-c", _COPY_LIMIT_CHILD, str(src), str(tmp_path / "dst")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out == ["FileTooLarge", "65536", "True", "True"]
    assert (tmp_path / "dst").stat().st_size == 65536


def test_open_options_mode_for_copy_target(tmp_path: pathlib.Path) -> None:
    opts = OpenOptionsExt.mode(fs.OpenOptions().write(True).create_new(True), 0o640)
    with opts.open(tmp_path / "m") as f:
        f.write_all(b"x")
    assert stat.S_IMODE((tmp_path / "m").stat().st_mode) == 0o640 & ~_umask()


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old
