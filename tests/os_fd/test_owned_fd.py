"""OwnedFd / BorrowedFd rules on real descriptors."""

from __future__ import annotations

import fcntl
import gc
import os
import subprocess
import sys
import threading
import time

import pytest

from stdio2.io import Error, ErrorKind, PipeReader, PipeWriter, pipe
from stdio2.os.fd import (
    AsFd,
    AsRawFd,
    BorrowedFd,
    FromRawFd,
    IntoRawFd,
    OwnedFd,
    RawFd,
    fd_of,
)
from stdio2.os.unix import io as unix_io


def is_open(fd: int) -> bool:
    try:
        fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError:
        return False
    return True


def open_null() -> OwnedFd:
    return OwnedFd.from_raw_fd(os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC))


def test_names_and_protocols() -> None:
    assert RawFd is int
    assert unix_io.OwnedFd is OwnedFd and unix_io.BorrowedFd is BorrowedFd
    with open_null() as o:
        assert isinstance(o, AsFd) and isinstance(o, AsRawFd) and isinstance(o, IntoRawFd)
        assert isinstance(o.as_fd(), AsFd) and isinstance(o.as_fd(), AsRawFd)
        assert not isinstance(o.as_fd(), IntoRawFd)
    assert isinstance(OwnedFd, FromRawFd)


@pytest.mark.parametrize("bad", ["3", 3.0, None, b"3"])
def test_from_raw_fd_rejects_non_int(bad: object) -> None:
    with pytest.raises(TypeError, match="from_raw_fd"):
        OwnedFd.from_raw_fd(bad)  # type: ignore[arg-type]


def test_from_raw_fd_rejects_bool_and_negative() -> None:
    with pytest.raises(TypeError):
        OwnedFd.from_raw_fd(True)
    with pytest.raises(ValueError, match="-1"):
        OwnedFd.from_raw_fd(-1)


def test_from_raw_fd_rejects_closed_number() -> None:
    fd = os.open(os.devnull, os.O_RDONLY)
    os.close(fd)
    with pytest.raises(Error) as info:
        OwnedFd.from_raw_fd(fd)
    assert info.value.kind is ErrorKind.InvalidInput
    assert not is_open(fd)


def test_from_raw_fd_refuses_a_second_owner() -> None:
    with open_null() as o:
        fd = o.as_raw_fd()
        with pytest.raises(Error) as info:
            OwnedFd.from_raw_fd(fd)
        assert info.value.kind is ErrorKind.InvalidInput
        assert "already owned" in str(info.value)
        assert is_open(fd)


def test_close_is_idempotent_and_closes() -> None:
    o = open_null()
    fd = o.as_raw_fd()
    o.close()
    assert o.closed() and not is_open(fd)
    o.close()
    with pytest.raises(Error) as info:
        o.as_raw_fd()
    assert info.value.kind is ErrorKind.InvalidInput
    assert repr(o) == "OwnedFd(closed)"


def test_into_raw_fd_releases_without_closing_and_can_be_adopted_again() -> None:
    o = open_null()
    fd = o.into_raw_fd()
    assert o.closed() and is_open(fd)
    o.close()  # nothing to do: the number is not ours any more
    assert is_open(fd)
    with pytest.raises(Error):
        o.into_raw_fd()
    again = OwnedFd.from_raw_fd(fd)
    again.close()
    assert not is_open(fd)


def test_try_clone_is_cloexec_shares_offset_and_avoids_std_numbers(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "f")
    with open(path, "wb") as f:
        f.write(b"0123456789")
    o = OwnedFd.from_raw_fd(os.open(path, os.O_RDONLY | os.O_CLOEXEC))
    with o, o.try_clone() as c:
        assert isinstance(c, OwnedFd)
        assert c.as_raw_fd() >= 3 and c.as_raw_fd() != o.as_raw_fd()
        assert fcntl.fcntl(c.as_raw_fd(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        os.read(o.as_raw_fd(), 4)
        assert os.read(c.as_raw_fd(), 2) == b"45"
        b = o.as_fd().try_clone_to_owned()
        with b:
            assert fcntl.fcntl(b.as_raw_fd(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
            assert os.read(b.as_raw_fd(), 1) == b"6"


def test_borrow_follows_owner() -> None:
    o = open_null()
    b = o.as_fd()
    assert b.as_fd() is b
    assert b.as_raw_fd() == o.as_raw_fd()
    assert repr(b) == f"BorrowedFd(fd={o.as_raw_fd()})"
    o.close()
    for use in (b.as_raw_fd, b.try_clone_to_owned, b.is_terminal):
        with pytest.raises(Error) as info:
            use()
        assert info.value.kind is ErrorKind.InvalidInput
    assert repr(b) == "BorrowedFd(closed owner)"
    with pytest.raises(Error):
        o.as_fd()


def test_borrow_after_into_raw_fd_is_dead() -> None:
    o = open_null()
    b = o.as_fd()
    fd = o.into_raw_fd()
    try:
        with pytest.raises(Error) as info:
            b.as_raw_fd()
        assert info.value.kind is ErrorKind.InvalidInput
    finally:
        os.close(fd)


def test_recycled_number_is_never_touched(tmp_path: object) -> None:
    # The owner closes 7 (say); a new, unrelated file gets 7; the stale
    # borrow must fail instead of writing into the new file.
    path_a = os.path.join(str(tmp_path), "a")
    path_b = os.path.join(str(tmp_path), "b")
    a = OwnedFd.from_raw_fd(os.open(path_a, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
    stale = a.as_fd()
    number = a.as_raw_fd()
    a.close()
    new = os.open(path_b, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        assert new == number, "the kernel reuses the lowest free number"
        os.write(new, b"precious")
        os.lseek(new, 3, os.SEEK_SET)
        with pytest.raises(Error) as info:
            stale.as_raw_fd()
        assert info.value.kind is ErrorKind.InvalidInput
        with pytest.raises(Error):
            stale.try_clone_to_owned()
        with pytest.raises(Error):
            fd_of(stale, "test")
        with pytest.raises(Error):
            PipeWriter(OwnedFd(a))  # moving out of a closed owner
        # The new file is untouched: content, offset, flags.
        assert os.lseek(new, 0, os.SEEK_CUR) == 3
        assert fcntl.fcntl(new, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        os.lseek(new, 0, os.SEEK_SET)
        assert os.read(new, 100) == b"precious"
    finally:
        os.close(new)
    with open(path_a, "rb") as f:
        assert f.read() == b""


def test_borrow_raw() -> None:
    fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    try:
        b = BorrowedFd.borrow_raw(fd)
        assert b.as_raw_fd() == fd
        del b
        gc.collect()
        assert is_open(fd), "a raw borrow never closes"
    finally:
        os.close(fd)
    with pytest.raises(Error) as info:
        BorrowedFd.borrow_raw(fd)
    assert info.value.kind is ErrorKind.InvalidInput
    with pytest.raises(ValueError):
        BorrowedFd.borrow_raw(-1)
    with pytest.raises(TypeError):
        BorrowedFd.borrow_raw("0")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="borrow_raw"):
        BorrowedFd(fd)


def test_ownedfd_constructor_moves_ownership() -> None:
    r, w = pipe()
    rfd = r.as_raw_fd()
    borrow = r.as_fd()
    o = OwnedFd(r)
    assert r.closed() and o.as_raw_fd() == rfd and is_open(rfd)
    with pytest.raises(Error):
        borrow.as_raw_fd()  # the borrow was of the moved-from owner
    back = PipeReader(o)
    assert o.closed() and back.as_raw_fd() == rfd
    w.write(b"x")
    buf = bytearray(1)
    assert back.read(buf) == 1
    back.close()
    w.close()
    assert not is_open(rfd)


def test_ownedfd_constructor_type_errors() -> None:
    with pytest.raises(TypeError, match=r"OwnedFd.from_raw_fd\(n\)"):
        OwnedFd(3)
    with open_null() as o, pytest.raises(TypeError, match="try_clone_to_owned"):
        OwnedFd(o.as_fd())
    with pytest.raises(TypeError):
        OwnedFd("x")


def test_ownedfd_from_foreign_into_raw_fd() -> None:
    class Foreign:
        def __init__(self) -> None:
            self.fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)

        def into_raw_fd(self) -> int:
            fd, self.fd = self.fd, -1
            return fd

    f = Foreign()
    fd = f.fd
    with OwnedFd(f) as o:
        assert o.as_raw_fd() == fd
    assert not is_open(fd)


def test_fd_of_accepts_asfd_and_names_the_raw_constructors() -> None:
    class Mine:
        def __init__(self, owner: OwnedFd) -> None:
            self.owner = owner

        def as_fd(self) -> BorrowedFd:
            return self.owner.as_fd()

    with open_null() as o:
        fd = o.as_raw_fd()
        assert fd_of(o, "t").raw == fd
        assert fd_of(o.as_fd(), "t").raw == fd
        assert fd_of(Mine(o), "t").raw == fd
        with pytest.raises(TypeError) as info:
            fd_of(fd, "copy")
        assert "BorrowedFd.borrow_raw" in str(info.value)
        assert "OwnedFd.from_raw_fd" in str(info.value)
        with pytest.raises(TypeError, match="fileno"):
            fd_of(sys.stderr, "copy")
    with pytest.raises(Error):
        fd_of(Mine(o), "t")


def test_gc_of_open_owner_closes_and_warns() -> None:
    o = open_null()
    fd = o.as_raw_fd()
    with pytest.warns(ResourceWarning, match="unclosed OwnedFd"):
        del o
        gc.collect()
    assert not is_open(fd)


def test_descriptors_made_by_stdio2_are_not_inherited() -> None:
    r, w = pipe()
    with r, w:
        code = "import os,sys; os.fstat(int(sys.argv[1]))"
        for fd in (r.as_raw_fd(), w.as_raw_fd()):
            res = subprocess.run(
                [sys.executable, "-c", code, str(fd)],
                close_fds=False,
                capture_output=True,
                check=False,
            )
            assert res.returncode != 0 and b"Bad file descriptor" in res.stderr


def _thread_state(native_id: int) -> str:
    with open(f"/proc/self/task/{native_id}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def test_close_during_read_defers_the_release() -> None:
    r, w = pipe()
    fd = r.as_raw_fd()
    out: dict[str, object] = {}

    def reader() -> None:
        buf = bytearray(16)
        try:
            n = r.read(buf)
            out["data"] = bytes(buf[:n])
        except BaseException as e:  # pragma: no cover - reported below
            out["error"] = e

    t = threading.Thread(target=reader)
    t.start()
    assert t.native_id is not None
    deadline = time.monotonic() + 5
    while _thread_state(t.native_id) != "S" and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(0.02)  # well inside read(2) now
    r.close()
    assert r.closed()
    # The close is deferred: the number still names our pipe, so no new
    # descriptor can take it while read(2) runs on it.
    assert is_open(fd)
    probe = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    assert probe != fd
    os.close(probe)
    with pytest.raises(Error) as info:
        r.read(bytearray(1))
    assert info.value.kind is ErrorKind.InvalidInput
    w.write(b"wake")
    t.join(5)
    assert out == {"data": b"wake"}
    assert not is_open(fd), "the last in-flight call released the descriptor"
    w.close()


def test_close_without_activity_is_immediate() -> None:
    r, w = pipe()
    fds = (r.as_raw_fd(), w.as_raw_fd())
    buf = bytearray(4)
    w.write(b"ab")
    r.read(buf)
    r.close()
    w.close()
    assert not any(is_open(fd) for fd in fds)
