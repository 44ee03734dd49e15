"""stdio2.os.unix.fs: PermissionsExt, MetadataExt, FileExt, FileTypeExt and the Unix-only functions."""

from __future__ import annotations

import os
import pathlib
import stat

import pytest
from tests.fs.conftest import run_unprivileged, shared_tmp_dir

from stdio2 import fs, io
from stdio2.io import Error, ErrorKind
from stdio2.os.unix import fs as ufs


def test_permissions_ext() -> None:
    p = ufs.PermissionsExt.from_mode(0o644)
    assert ufs.PermissionsExt.mode(p) == 0o644 and not p.readonly()
    ufs.PermissionsExt.set_mode(p, 0o444)
    assert p.readonly()
    p.set_readonly(False)
    assert ufs.PermissionsExt.mode(p) == 0o666
    assert p == ufs.PermissionsExt.from_mode(0o666)
    with pytest.raises(TypeError):
        ufs.PermissionsExt.mode(0o644)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ufs.PermissionsExt.from_mode("644")  # type: ignore[arg-type]


def test_metadata_ext_matches_stat(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"abc")
    os.utime(p, ns=(1_600_000_000_123_456_789, 1_500_000_000_987_654_321))
    md = fs.metadata(p)
    st = os.stat(p)
    m = ufs.MetadataExt
    assert (m.dev(md), m.ino(md), m.mode(md), m.nlink(md)) == (st.st_dev, st.st_ino, st.st_mode, st.st_nlink)
    assert (m.uid(md), m.gid(md), m.rdev(md), m.size(md)) == (st.st_uid, st.st_gid, st.st_rdev, 3)
    assert (m.atime(md), m.atime_nsec(md)) == (1_600_000_000, 123_456_789)
    assert (m.mtime(md), m.mtime_nsec(md)) == (1_500_000_000, 987_654_321)
    assert m.ctime(md) * 10**9 + m.ctime_nsec(md) == st.st_ctime_ns
    assert m.blksize(md) == st.st_blksize and m.blocks(md) == st.st_blocks
    assert md.modified().timestamp() == pytest.approx(1_500_000_000.987654)


def test_file_ext_positional_io(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    with fs.File.create_new(p) as f:
        f.write_all(b"0123456789")
        assert ufs.FileExt.write_at(f, b"AB", 2) == 2
        buf = bytearray(4)
        assert ufs.FileExt.read_at(f, buf, 1) == 4 and buf == b"1AB4"
        assert f.stream_position() == 10  # untouched by positional calls
        ufs.FileExt.write_all_at(f, b"xyz", 20)  # leaves a hole
        assert f.metadata().len() == 23
        buf = bytearray(5)
        ufs.FileExt.read_exact_at(f, buf, 8)
        assert buf == b"89\0\0\0"
        with pytest.raises(Error) as ei:
            ufs.FileExt.read_exact_at(f, bytearray(10), 18)
        assert ei.value.kind is ErrorKind.UnexpectedEof and ei.value.progress == 5
        assert ufs.FileExt.read_at(f, bytearray(4), 100) == 0
        with pytest.raises(Error) as ei:
            ufs.FileExt.read_at(f, bytearray(1), -1)
        assert ei.value.kind is ErrorKind.InvalidInput
        with pytest.raises(TypeError):
            ufs.FileExt.read_at(f, b"ro", 0)  # type: ignore[arg-type]
    with pytest.raises(Error) as ei:
        ufs.FileExt.read_at(f, bytearray(1), 0)  # closed
    assert ei.value.kind is ErrorKind.InvalidInput


def test_file_type_ext_devices() -> None:
    ft = fs.metadata("/dev/null").file_type()
    assert ufs.FileTypeExt.is_char_device(ft) and not ufs.FileTypeExt.is_block_device(ft)
    assert not ufs.FileTypeExt.is_fifo(ft) and not ufs.FileTypeExt.is_socket(ft)


def test_symlink_mkfifo_chown(tmp_path: pathlib.Path) -> None:
    ufs.symlink("target", tmp_path / "l")
    assert os.readlink(tmp_path / "l") == "target"
    with pytest.raises(Error) as ei:
        ufs.symlink("target", tmp_path / "l")
    assert ei.value.kind is ErrorKind.AlreadyExists and ei.value.path2 == tmp_path / "l"
    ufs.mkfifo(tmp_path / "fifo", ufs.PermissionsExt.from_mode(0o600))
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode)
    (tmp_path / "f").write_bytes(b"")
    uid, gid = os.getuid(), os.getgid()
    ufs.chown(tmp_path / "f", uid, gid)
    ufs.chown(tmp_path / "f", None, None)
    ufs.lchown(tmp_path / "l", uid, None)
    with fs.File.open(tmp_path / "f") as f:
        ufs.fchown(f, uid, gid)
        ufs.fchown(f.as_fd(), None, gid)
    with pytest.raises(TypeError, match="borrow_raw"):
        ufs.fchown(0, uid, gid)
    with pytest.raises(Error) as ei:
        ufs.chown(tmp_path / "missing", uid, gid)
    assert ei.value.kind is ErrorKind.NotFound


def test_chown_and_chroot_refused_unprivileged() -> None:
    # In an unprivileged child: root may chown and chroot.
    d = shared_tmp_dir()
    try:
        f = os.path.join(d, "f")
        with open(f, "wb"):
            pass
        out = run_unprivileged(f"""
            for call in (lambda: ufs.chown({f!r}, 0, 0), lambda: ufs.chroot({d!r})):
                try:
                    call()
                except Error as e:
                    print(e.kind.name)
        """)
        assert out.split() == ["PermissionDenied", "PermissionDenied"]
    finally:
        fs.remove_dir_all(d)


def test_chroot_missing_directory(tmp_path: pathlib.Path) -> None:
    # Fails before any change of root (NotFound, or PermissionDenied when unprivileged).
    with pytest.raises(Error) as ei:
        ufs.chroot(tmp_path / "missing")
    assert ei.value.kind in (ErrorKind.NotFound, ErrorKind.PermissionDenied)


def test_open_options_ext_types() -> None:
    with pytest.raises(TypeError):
        ufs.OpenOptionsExt.mode(fs.OpenOptions(), "0o600")  # type: ignore[arg-type]
    opts = ufs.OpenOptionsExt.custom_flags(fs.OpenOptions(), os.O_RDWR | os.O_NOFOLLOW)
    from stdio2.fs._file import unix_open_flags

    flags = unix_open_flags(opts.read(True))
    # The access-mode bits of custom_flags are ignored, as Rust does.
    assert flags & os.O_ACCMODE == os.O_RDONLY and flags & os.O_NOFOLLOW
    _ = io


def test_positioned_io_with_strided_buffers(tmp_path: pathlib.Path) -> None:
    # The OS takes one run of memory. Data to write is copied out of a
    # strided view in order; a strided buffer to fill is refused by name
    # (it used to reach pread/pwrite and raise a raw BufferError).
    path = tmp_path / "strided"
    with fs.File.create(path) as f:
        assert ufs.FileExt.write_at(f, memoryview(b"aXbXcXdX")[::2], 3) == 4
    assert path.read_bytes() == b"\0\0\0abcd"
    with fs.File.open(path) as f:
        target = bytearray(8)
        with pytest.raises(TypeError, match=r"FileExt\.read_at: the buffer must be contiguous"):
            ufs.FileExt.read_at(f, memoryview(target)[::2], 0)
        assert target == bytearray(8)
