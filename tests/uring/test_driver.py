"""The uring driver on real rings: events, errors, ownership, cancellation, deadlines, threads."""

from __future__ import annotations

import errno
import gc
import os
import socket
import time
import weakref
from pathlib import Path

import pytest
from _uringutil import errors_in_another_thread, fd_is_open, owned_file

from stdio2.io import Deadline, Error, ErrorKind, pipe
from stdio2.net import SocketAddr, TcpListener, TcpStream
from stdio2.os.fd import BorrowedFd, OwnedFd
from stdio2.os.linux import uring


class Buf(bytearray):
    """A bytearray that can be weakly referenced: proves when the driver lets go of it."""


def open_fds() -> set[int]:
    return {int(n) for n in os.listdir("/proc/self/fd")}


# -- basics ---------------------------------------------------------------------------


def test_nop_and_probe(ring: uring.Driver) -> None:
    sub = ring.submit(uring.Nop())
    assert sub.done()
    assert sub.wait() is None
    assert sub.wait() is None  # the outcome is kept
    assert ring.supports(uring.Read) and ring.supports(uring.Nop())
    assert not ring.supports(250)
    assert uring.OpenAt.opcode in ring.probe()


def test_read_write_file_at_offsets(ring: uring.Driver, tmp_path: Path) -> None:
    with owned_file(tmp_path / "f") as f:
        assert ring.submit(uring.Write(f, b"hello world", offset=0)).wait() == 11
        assert ring.submit(uring.Write(f, b"W", offset=6)).wait() == 1
        buf = bytearray(32)
        n = ring.submit(uring.Read(f, buf, offset=0)).wait()
        assert bytes(buf[:n]) == b"hello World"
        # offset None: the file position (still 0: positional writes do not move it)
        assert ring.submit(uring.Write(f, b"HE")).wait() == 2
        assert os.lseek(f.as_raw_fd(), 0, os.SEEK_CUR) == 2
        m = ring.submit(uring.Read(f, buf)).wait()
        assert bytes(buf[:m]) == b"llo World"


def test_vectored(ring: uring.Driver, tmp_path: Path) -> None:
    with owned_file(tmp_path / "v") as f:
        assert ring.submit(uring.WriteVectored(f, [b"ab", memoryview(b"cde"), b""], offset=0)).wait() == 5
        a, b = bytearray(2), bytearray(10)
        assert ring.submit(uring.ReadVectored(f, [a, b], offset=0)).wait() == 5
        assert (a, bytes(b[:3])) == (b"ab", b"cde")
    with pytest.raises(TypeError):
        uring.ReadVectored(BorrowedFd.borrow_raw(0), bytearray(3))


def test_openat_statx_fsync_close(ring: uring.Driver, tmp_path: Path) -> None:
    p = tmp_path / "o.txt"
    fd = ring.submit(uring.OpenAt(p, os.O_RDWR | os.O_CREAT, 0o600)).wait()
    assert isinstance(fd, OwnedFd)
    assert os.get_inheritable(fd.as_raw_fd()) is False  # O_CLOEXEC added
    ring.submit(uring.Write(fd, b"x" * 1234, offset=0)).wait()
    assert ring.submit(uring.Fsync(fd)).wait() is None
    assert ring.submit(uring.Fsync(fd, datasync=True)).wait() is None
    md = ring.submit(uring.Statx(p)).wait()
    assert md.len() == 1234 and md.is_file() and not md.is_dir()
    st = os.stat(p)
    assert md.stat_result().st_ino == st.st_ino
    assert md.stat_result().st_mtime_ns == st.st_mtime_ns
    assert oct(md.stat_result().st_mode) == oct(st.st_mode)
    # statx of the descriptor itself (AT_EMPTY_PATH)
    assert ring.submit(uring.Statx("", dir=fd)).wait().len() == 1234
    raw = fd.as_raw_fd()
    assert ring.submit(uring.Close(fd)).wait() is None
    assert fd.closed() and not fd_is_open(raw)
    # relative to a directory descriptor
    with OwnedFd.from_raw_fd(os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)) as d:
        g = ring.submit(uring.OpenAt("o.txt", os.O_RDONLY, dir=d)).wait()
        buf = bytearray(4)
        assert ring.submit(uring.Read(g, buf, 0)).wait() == 4
        g.close()
        assert ring.submit(uring.Statx("o.txt", dir=d)).wait().len() == 1234


def test_statx_symlink(ring: uring.Driver, tmp_path: Path) -> None:
    (tmp_path / "t").write_bytes(b"abc")
    (tmp_path / "l").symlink_to(tmp_path / "t")
    assert ring.submit(uring.Statx(tmp_path / "l")).wait().is_file()
    assert ring.submit(uring.Statx(tmp_path / "l", follow_symlinks=False)).wait().is_symlink()


def test_errors_map_to_kinds(ring: uring.Driver, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(Error) as info:
        ring.submit(uring.OpenAt(missing, os.O_RDONLY)).wait()
    assert info.value.kind is ErrorKind.NotFound and info.value.path == missing
    assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(Error) as info:
        ring.submit(uring.Statx(missing)).wait()
    assert info.value.kind is ErrorKind.NotFound
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(Error) as info:
        ring.submit(uring.OpenAt(tmp_path / "f", os.O_CREAT | os.O_EXCL | os.O_WRONLY)).wait()
    assert info.value.kind is ErrorKind.AlreadyExists
    r, w = pipe()
    with r, w:
        with pytest.raises(Error) as info:
            ring.submit(uring.Read(w, bytearray(1))).wait()
        assert info.value.raw_os_error() == errno.EBADF
    with OwnedFd.from_raw_fd(os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)) as d:
        with pytest.raises(Error) as info:
            ring.submit(uring.Read(d, bytearray(1), offset=0)).wait()
        assert info.value.kind is ErrorKind.IsADirectory
    # the same error object again on a second wait
    sub = ring.submit(uring.Statx(missing))
    with pytest.raises(Error) as a:
        sub.wait()
    with pytest.raises(Error) as b:
        sub.wait()
    assert a.value is b.value


def test_wrong_argument_types(ring: uring.Driver) -> None:
    with pytest.raises(TypeError, match="borrow_raw"):
        uring.Read(0, bytearray(1))
    with pytest.raises(TypeError):
        uring.Close(BorrowedFd.borrow_raw(0))
    r, w = pipe()
    with r, w:
        with pytest.raises(TypeError, match="writable"):
            ring.submit(uring.Read(r, b"immutable"))
        with pytest.raises(TypeError):
            ring.submit_all([uring.Nop(), "not an event"])  # type: ignore[list-item]
        with pytest.raises(ValueError):
            uring.Read(r, bytearray(1), offset=-1)
        with pytest.raises(TypeError):
            uring.Connect(w, "127.0.0.1:1")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        uring.Timeout(-1)
    with pytest.raises(ValueError):
        uring.OpenAt("a\0b", os.O_RDONLY)
    assert ring.in_flight() == 0 and ring._pinned_count() == 0


def test_submit_on_closed_owner(ring: uring.Driver) -> None:
    r, w = pipe()
    ev = uring.Read(r, bytearray(4))
    r.close()
    w.close()
    with pytest.raises(Error) as info:
        ring.submit(ev)
    assert info.value.kind is ErrorKind.InvalidInput
    assert ring.in_flight() == 0


# -- sockets ---------------------------------------------------------------------------


def test_accept_connect_send_recv(ring: uring.Driver) -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        accept = ring.submit(uring.Accept(listener))
        assert not accept.done()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        client = OwnedFd.from_raw_fd(s.detach())
        ring.submit(uring.Connect(client, listener.local_addr())).wait()
        server, peer = accept.wait()
        assert isinstance(server, TcpStream) and isinstance(peer, SocketAddr)
        assert peer.ip() == listener.local_addr().ip()
        with server, client:
            assert ring.submit(uring.Send(client, b"ping")).wait() == 4
            buf = bytearray(16)
            n = ring.submit(uring.Recv(server, buf)).wait()
            assert bytes(buf[:n]) == b"ping"
            server.write(b"pong")
            assert ring.submit(uring.Recv(client, buf)).wait() == 4
            assert bytes(buf[:4]) == b"pong"


def test_connect_refused(ring: uring.Driver) -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        addr = listener.local_addr()
    with OwnedFd.from_raw_fd(socket.socket().detach()) as sock:
        with pytest.raises(Error) as info:
            ring.submit(uring.Connect(sock, addr)).wait()
        assert info.value.kind is ErrorKind.ConnectionRefused


def test_accept_ipv6_and_ownedfd_listener(ring: uring.Driver) -> None:
    try:
        lst = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        lst.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback")
    lst.listen()
    port = lst.getsockname()[1]
    listener = OwnedFd.from_raw_fd(lst.detach())
    with listener:
        sub = ring.submit(uring.Accept(listener))
        c = socket.create_connection(("::1", port))
        conn, peer = sub.wait()
        assert isinstance(conn, OwnedFd)
        assert str(peer.ip()) == "::1" and peer.port() == c.getsockname()[1]
        conn.close()
        c.close()


def test_splice_file_to_pipe(ring: uring.Driver, tmp_path: Path) -> None:
    p = tmp_path / "s"
    p.write_bytes(b"0123456789" * 100)
    r, w = pipe()
    with owned_file(p, os.O_RDONLY) as f, r, w:
        assert ring.submit(uring.SpliceFile(f, w, 25, src_offset=10)).wait() == 25
        buf = bytearray(64)
        assert r.read(buf) == 25
        assert bytes(buf[:25]) == (b"0123456789" * 4)[10:35]


# -- ownership -------------------------------------------------------------------------


def test_buffer_pinned_until_completion(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        buf = bytearray(8)
        sub = ring.submit(uring.Read(r, buf))
        with pytest.raises(BufferError):
            buf.extend(b"more")
        with pytest.raises(BufferError):
            del buf[:2]
        assert ring._pinned_count() == 1
        w.write(b"data")
        assert sub.wait() == 4
        buf.extend(b"!")  # released
        assert bytes(buf[:4]) == b"data"
        assert ring._pinned_count() == 0


def test_dropped_submission_keeps_buffer_alive(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        buf = Buf(b"\xee" * 16)
        ref = weakref.ref(buf)
        ring.submit(uring.Read(r, buf))  # submission dropped at once
        del buf
        gc.collect()
        assert ref() is not None, "the driver must keep a buffer the kernel may write"
        w.write(b"late")
        ring.submit(uring.Nop()).wait()
        done = ref()
        # Reaped: the completion wrote into the live buffer, which is now free.
        assert done is None or bytes(done[:4]) == b"late"
        del done
        gc.collect()
        assert ref() is None
        assert ring.in_flight() == 0


def test_close_while_in_flight_is_deferred(ring: uring.Driver) -> None:
    r, w = pipe()
    raw = r.as_raw_fd()
    buf = bytearray(8)
    sub = ring.submit(uring.Read(r, buf))
    r.close()  # the owner is closed at once ...
    assert r.closed()
    assert fd_is_open(raw)  # ... but the number stays ours while the kernel reads it
    # A new descriptor cannot recycle the number.
    with open(os.devnull, "rb") as other:
        assert other.fileno() != raw
    w.write(b"xyz")
    assert sub.wait() == 3
    assert not fd_is_open(raw)  # released the moment the completion was reaped
    w.close()


def test_uring_close_waits_for_other_operations(ring: uring.Driver) -> None:
    r, w = pipe()
    raw = r.as_raw_fd()
    reading = ring.submit(uring.Read(r, bytearray(4)))
    close = ring.submit(uring.Close(r))  # the read still uses the number
    assert close.wait() is None and r.closed()
    assert fd_is_open(raw)
    w.write(b"ok")
    assert reading.wait() == 2
    assert not fd_is_open(raw)
    w.close()


def test_dropped_openat_closes_descriptor(ring: uring.Driver, tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"a")
    gc.collect()
    before = open_fds()
    for _ in range(5):
        ring.submit(uring.OpenAt(tmp_path / "a", os.O_RDONLY))  # dropped, completed
    gc.collect()
    ring.submit(uring.Nop()).wait()
    assert open_fds() == before
    # dropped before it was reaped
    subs = [ring.submit(uring.OpenAt(tmp_path / "a", os.O_RDONLY)) for _ in range(3)]
    del subs
    gc.collect()
    ring.submit(uring.Nop()).wait()
    assert open_fds() == before


def test_dropped_accept_closes_connection(ring: uring.Driver) -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        gc.collect()
        before = open_fds()
        ring.submit(uring.Accept(listener))
        gc.collect()
        c = socket.create_connection(listener.local_addr().to_socket_tuple())
        ring.submit(uring.Timeout(0.05)).wait()
        c.close()
        assert open_fds() == before


# -- cancellation, deadlines, linked timeouts ------------------------------------------


def test_cancel_is_idempotent_and_reports_ecanceled(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        buf = bytearray(4)
        sub = ring.submit(uring.Read(r, buf))
        assert sub.cancel() is None
        assert sub.cancel() is None
        with pytest.raises(Error) as info:
            sub.wait()
        e = info.value
        assert e.kind is ErrorKind.Uncategorized and e.raw_os_error() == errno.ECANCELED
        assert e.kind is not ErrorKind.Interrupted
        buf.extend(b"free")
        sub.cancel()  # after completion: nothing to do
        # the pipe is intact: a later read gets the data
        w.write(b"z")
        assert ring.submit(uring.Read(r, buf)).wait() == 1


def test_cancel_after_completion_returns_result(ring: uring.Driver) -> None:
    sub = ring.submit(uring.Nop())
    sub.cancel()
    assert sub.wait() is None


def test_deadline_on_silent_pipe(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        buf = bytearray(16)
        sub = ring.submit(uring.Read(r, buf))
        t0 = time.monotonic()
        with pytest.raises(Error) as info, Deadline.after(0.15):
            sub.wait()
        elapsed = time.monotonic() - t0
        assert info.value.kind is ErrorKind.TimedOut
        assert 0.1 <= elapsed < 5
        assert sub.done()
        assert ring._pinned_count() == 0 and ring.in_flight() == 0
        buf.extend(b"unpinned")


def test_deadline_already_passed_nothing_lost(ring: uring.Driver) -> None:
    # Data arrives before the deadline check: either the read returns it or,
    # if the kernel cancelled it first, the bytes are still in the pipe.
    r, w = pipe()
    with r, w:
        for _ in range(20):
            buf = bytearray(8)
            sub = ring.submit(uring.Read(r, buf))
            w.write(b"abc")
            try:
                with Deadline.after(0):
                    n = sub.wait()
            except Error as e:
                assert e.kind is ErrorKind.TimedOut
                assert r.read(buf) == 3
                n = 3
            assert bytes(buf[:n]) == b"abc"


def test_linked_timeout(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        t0 = time.monotonic()
        with pytest.raises(Error) as info:
            ring.submit(uring.Read(r, bytearray(4)), timeout=0.1).wait()
        assert info.value.kind is ErrorKind.TimedOut
        assert time.monotonic() - t0 >= 0.09
        # completes in time: the result, and the timer is gone
        w.write(b"hi")
        assert ring.submit(uring.Read(r, bytearray(4)), timeout=5).wait() == 2
        ring.submit(uring.Nop()).wait()
        assert ring.in_flight() == 0 and not ring._inflight
        # a batch with linked timeouts, more entries than the ring has
        subs = ring.submit_all([uring.Nop() for _ in range(300)], timeout=5)
        assert [s.wait() for s in subs] == [None] * 300
        # explicit cancel of a linked op is ECANCELED, not TimedOut
        sub = ring.submit(uring.Read(r, bytearray(1)), timeout=5)
        sub.cancel()
        with pytest.raises(Error) as info:
            sub.wait()
        assert info.value.raw_os_error() == errno.ECANCELED


def test_timeout_event(ring: uring.Driver) -> None:
    t0 = time.monotonic()
    assert ring.submit(uring.Timeout(0.05)).wait() is None
    assert time.monotonic() - t0 >= 0.04
    sub = ring.submit(uring.Timeout(10))
    sub.cancel()
    with pytest.raises(Error) as info:
        sub.wait()
    assert info.value.raw_os_error() == errno.ECANCELED


# -- batching -----------------------------------------------------------------------------


def test_submit_all_overflows_small_ring(tmp_path: Path) -> None:
    with uring.Driver(4) as small:
        subs = small.submit_all(uring.Nop() for _ in range(1000))
        assert len(subs) == 1000 and all(s.wait() is None for s in subs)
    # more reads pending than the completion queue holds (CQ of 8)
    pipes = [pipe() for _ in range(40)]
    with uring.Driver(4) as small:
        bufs = [bytearray(8) for _ in pipes]
        subs = small.submit_all(uring.Read(r, b) for (r, _), b in zip(pipes, bufs, strict=False))
        for i, (_, w) in enumerate(pipes):
            w.write(b"p%d" % i)
        for i, s in enumerate(subs):
            n = s.wait()
            assert bytes(bufs[i][:n]) == b"p%d" % i
    for r, w in pipes:
        r.close()
        w.close()


def test_submit_all_withdraws_on_prepare_error(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        bufs = [bytearray(4) for _ in range(3)]
        with pytest.raises(TypeError):
            ring.submit_all([uring.Read(r, bufs[0]), uring.Read(r, bufs[1]), uring.Read(r, b"ro")])
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
        for b in bufs:
            b.extend(b"ok")
        assert ring.submit_all([]) == []


# -- user-defined events ----------------------------------------------------------------------


class MyNop(uring.Event):
    def prepare(self, sqe: uring.SQE) -> None:
        sqe.prep(0)

    def complete(self, result: int) -> str:
        return f"done {result}"


class Forgetful(uring.Event):
    def prepare(self, sqe: uring.SQE) -> None:
        pass


class Linker(uring.Event):
    def prepare(self, sqe: uring.SQE) -> None:
        sqe.prep(0, flags=4)


class MyRead(uring.Event):
    """A user-written pread, using the SQE API for its resources."""

    def __init__(self, fd: object, buf: bytearray) -> None:
        self.fd, self.buf = fd, buf

    def prepare(self, sqe: uring.SQE) -> None:
        fd = sqe.use_fd(self.fd, "MyRead")
        addr, n = sqe.pin(self.buf, writable=True)
        sqe.prep(22, fd, addr, n, 0)


def test_user_events(ring: uring.Driver, tmp_path: Path) -> None:
    assert ring.submit(MyNop()).wait() == "done 0"
    with pytest.raises(ValueError, match="prep"):
        ring.submit(Forgetful())
    with pytest.raises(ValueError, match="IO_DRAIN"):
        ring.submit(Linker())
    (tmp_path / "u").write_bytes(b"user")
    with owned_file(tmp_path / "u", os.O_RDONLY) as f:
        buf = bytearray(8)
        assert ring.submit(MyRead(f, buf)).wait() == 4 and buf[:4] == b"user"
    assert ring.in_flight() == 0


# -- driver life cycle ---------------------------------------------------------------------------


def test_close_cancels_and_reaps_everything() -> None:
    r, w = pipe()
    with r, w:
        ring = uring.Driver(16)
        bufs = [Buf(8) for _ in range(50)]
        subs = [ring.submit(uring.Read(r, b)) for b in bufs]
        timer = ring.submit(uring.Timeout(100))
        assert ring.in_flight() == 51
        t0 = time.monotonic()
        ring.close()
        assert time.monotonic() - t0 < 2
        ring.close()  # idempotent
        for s in subs:
            with pytest.raises(Error) as info:
                s.wait()
            assert info.value.raw_os_error() == errno.ECANCELED
        with pytest.raises(Error):
            timer.wait()
        for b in bufs:
            b.extend(b"free")
        with pytest.raises(Error) as info2:
            ring.submit(uring.Nop())
        assert info2.value.kind is ErrorKind.InvalidInput
        assert "closed" in repr(ring)


def test_other_thread_is_refused(ring: uring.Driver) -> None:
    sub = ring.submit(uring.Timeout(0.01))
    errors = errors_in_another_thread(lambda: ring.submit(uring.Nop()), sub.wait, ring.close)
    assert len(errors) == 3
    assert all(e.kind is ErrorKind.Unsupported and "thread" in str(e) for e in errors)
    assert sub.wait() is None


def test_unclosed_driver_warns() -> None:
    ring = uring.Driver(2)
    with pytest.warns(ResourceWarning, match="unclosed uring.Driver"):
        del ring
        gc.collect()


def test_driver_arguments() -> None:
    with pytest.raises(TypeError):
        uring.Driver("8")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        uring.Driver(0)
    with uring.Driver(3) as d:  # rounded up to a power of two
        assert repr(d).startswith("Driver(entries=4")
        assert d.features()["ext_arg"]
    with uring.Driver(8, flags=0) as plain:  # no DEFER_TASKRUN: completions without entering
        assert not plain.features()["defer_taskrun"]
        r, w = pipe()
        with r, w:
            sub = plain.submit(uring.Read(r, bytearray(2)))
            w.write(b"q")
            assert sub.wait() == 1


def test_wait_any(ring: uring.Driver) -> None:
    pipes = [pipe() for _ in range(3)]
    try:
        subs = [ring.submit(uring.Read(r, bytearray(4))) for r, _ in pipes]
        assert ring.wait_any([]) == []
        pipes[1][1].write(b"b")
        assert ring.wait_any(subs) == [subs[1]]
        with pytest.raises(Error) as info, Deadline.after(0.05):
            ring.wait_any([subs[0], subs[2]])
        assert info.value.kind is ErrorKind.TimedOut
        assert ring.in_flight() == 2  # nothing was cancelled
        pipes[0][1].write(b"a")
        pipes[2][1].write(b"c")
        done: set[uring.Submission] = set()
        while len(done) < 2:
            done.update(ring.wait_any([subs[0], subs[2]]))
        assert [s.wait() for s in subs] == [1, 1, 1]
    finally:
        for r, w in pipes:
            r.close()
            w.close()
