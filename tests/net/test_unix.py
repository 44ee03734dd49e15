"""Unix-domain sockets: paths, abstract names, credentials, SCM_RIGHTS, and a stateful model."""

from __future__ import annotations

import fcntl
import os
import socket
import sys
import uuid
from collections import deque
from pathlib import Path

import pytest
from _netutil import child, fd_is_open
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from stdio2.io import Deadline, Error, ErrorKind, pipe
from stdio2.net import Shutdown
from stdio2.os.fd import OwnedFd
from stdio2.os.unix.net import (
    AncillaryTruncatedError,
    SocketAddr,
    UCred,
    UnixDatagram,
    UnixListener,
    UnixStream,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux-only feature")


def _open_fds() -> set[int]:
    return {int(n) for n in os.listdir("/proc/self/fd") if fd_is_open(int(n))}


def test_pathname_listener_stream_and_addresses(tmp_path: Path) -> None:
    path = tmp_path / "srv.sock"
    with UnixListener.bind(path) as listener:
        assert listener.local_addr() == SocketAddr.from_pathname(path)
        assert listener.local_addr().as_pathname() == path
        with UnixStream.connect(str(path)) as client:
            server, peer = listener.accept()
            with server:
                assert peer.is_unnamed() and peer.as_pathname() is None
                assert client.peer_addr().as_pathname() == path
                assert fcntl.fcntl(server.as_raw_fd(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
                client.write_all(b"ping")
                buf = bytearray(4)
                server.read_exact(buf)
                assert buf == b"ping"
        assert path.exists()  # the socket file outlives the listener, as in Rust
    with pytest.raises(Error) as info:
        UnixStream.connect(path)
    assert info.value.kind is ErrorKind.ConnectionRefused
    with pytest.raises(Error) as info:
        UnixListener.bind(path)
    assert info.value.kind is ErrorKind.AddrInUse
    with pytest.raises(Error) as info:
        UnixStream.connect(tmp_path / "missing")
    assert info.value.kind is ErrorKind.NotFound


@linux_only
def test_listener_backlog_is_the_systems_maximum(tmp_path: Path) -> None:
    # Rust listens with -1 on Linux ("as many as somaxconn allows"); with a
    # backlog of 128 the 130th non-blocking connect fails with EAGAIN.
    somaxconn = int(Path("/proc/sys/net/core/somaxconn").read_text())
    if somaxconn < 300:
        pytest.skip(f"somaxconn is {somaxconn}")
    path = tmp_path / "busy.sock"
    clients: list[socket.socket] = []
    with UnixListener.bind(path):
        try:
            for _ in range(300):
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                clients.append(c)
                c.setblocking(False)
                c.connect(os.fsencode(path))
        finally:
            for c in clients:
                c.close()
    assert len(clients) == 300


def test_socket_addr_values() -> None:
    a = SocketAddr.from_pathname("/tmp/x.sock")
    assert a == SocketAddr.from_pathname(b"/tmp/x.sock")
    assert hash(a) == hash(SocketAddr.from_pathname("/tmp/x.sock"))
    assert str(a) == '"/tmp/x.sock" (pathname)'
    assert SocketAddr.from_pathname("").is_unnamed()
    with pytest.raises(Error) as info:
        SocketAddr.from_pathname("/tmp/" + "x" * 200)
    assert info.value.kind is ErrorKind.InvalidInput
    with pytest.raises(Error):
        SocketAddr.from_pathname("a\0b")
    with pytest.raises(TypeError):
        SocketAddr.from_pathname(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        SocketAddr()
    with pytest.raises(AttributeError):
        a._kind = "x"  # type: ignore[misc]


@linux_only
def test_abstract_names() -> None:
    from stdio2.os.linux.net import SocketAddrExt

    name = f"stdio2-test-{uuid.uuid4().hex}".encode()
    addr = SocketAddrExt.from_abstract_name(name)
    assert SocketAddrExt.as_abstract_name(addr) == name and addr.as_pathname() is None
    with UnixListener.bind_addr(addr) as listener:
        assert SocketAddrExt.as_abstract_name(listener.local_addr()) == name
        with UnixStream.connect_addr(addr) as c, listener.accept()[0] as s:
            assert SocketAddrExt.as_abstract_name(c.peer_addr()) == name
            c.write_all(b"abstract")
            assert s.read(bytearray(8)) == 8
    # Gone with the socket: no file left behind.
    with pytest.raises(Error) as info:
        UnixStream.connect_addr(addr)
    assert info.value.kind is ErrorKind.ConnectionRefused
    with pytest.raises(Error):
        SocketAddrExt.from_abstract_name(b"x" * 200)


def test_pair_and_peer_credentials() -> None:
    a, b = UnixStream.pair()
    with a, b:
        cred = a.peer_cred()
        assert isinstance(cred, UCred)
        assert (cred.uid, cred.gid) == (os.getuid(), os.getgid())
        if sys.platform.startswith("linux"):
            assert cred.pid == os.getpid()
        b.write_all(b"x")
        assert a.read(bytearray(1)) == 1
        b.shutdown(Shutdown.Write)
        assert a.read(bytearray(1)) == 0


def test_peer_credentials_of_a_child(tmp_path: Path) -> None:
    path = tmp_path / "cred.sock"
    code = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])\n"
        "s.recv(1)\n"
    )
    with UnixListener.bind(path) as listener, child(code, str(path)) as proc:
        server, _ = listener.accept()
        with server:
            if sys.platform.startswith("linux"):
                assert server.peer_cred().pid == proc.pid
            server.write_all(b"q")


def test_passing_descriptors_arrive_as_owned_cloexec_fds() -> None:
    a, b = UnixStream.pair()
    r, w = pipe()
    with a, b, r, w:
        assert a.send_with_fds(b"fds", [r, w.as_fd()]) == 3
        buf = bytearray(8)
        n, fds = b.recv_with_fds(buf, 4)
        assert n == 3 and buf[:3] == b"fds" and len(fds) == 2
        for fd in fds:
            assert isinstance(fd, OwnedFd)
            assert fcntl.fcntl(fd.as_raw_fd(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        got_r, got_w = fds
        with got_r, got_w:
            os.write(got_w.as_raw_fd(), b"through the passed pipe")
            assert os.read(r.as_raw_fd(), 100) == b"through the passed pipe"
        # Plain data without descriptors.
        a.write_all(b"plain")
        n, fds = b.recv_with_fds(buf, 4)
        assert (n, fds) == (5, [])
        with pytest.raises(TypeError):
            a.send_with_fds(b"x", [r.as_raw_fd()])  # bare ints are refused
        with pytest.raises(ValueError):
            a.send_with_fds(b"", [r])


def test_truncated_control_message_is_typed_and_leaks_nothing() -> None:
    a, b = UnixStream.pair()
    files = [pipe() for _ in range(4)]
    try:
        before = _open_fds()
        ends = [end for pair in files for end in pair]
        a.send_with_fds(b"data", ends)  # 8 descriptors
        buf = bytearray(8)
        with pytest.raises(AncillaryTruncatedError) as info:
            b.recv_with_fds(buf, 1)
        err = info.value
        assert isinstance(err, Error) and err.kind is ErrorKind.InvalidData
        assert err.progress == 4 and buf[:4] == b"data"  # the bytes are not lost
        assert err.fds_closed >= 1
        assert _open_fds() == before  # what arrived was closed; the kernel closed the rest
        # max_fds=0: every descriptor is discarded, still typed.
        a.send_with_fds(b"more", ends[:2])
        with pytest.raises(AncillaryTruncatedError) as info:
            b.recv_with_fds(buf, 0)
        assert info.value.fds_closed == 0
        assert _open_fds() == before
    finally:
        for r, w in files:
            r.close()
            w.close()
        a.close()
        b.close()


def test_datagram_sockets(tmp_path: Path) -> None:
    p1, p2 = tmp_path / "d1", tmp_path / "d2"
    with UnixDatagram.bind(p1) as d1, UnixDatagram.bind(p2) as d2, UnixDatagram.unbound() as d3:
        assert d1.send_to(b"to d2", p2) == 5
        buf = bytearray(16)
        assert d2.peek_from(buf)[0] == 5
        n, sender = d2.recv_from(buf)
        assert (n, sender.as_pathname()) == (5, p1)
        d3.send_to_addr(b"anon", SocketAddr.from_pathname(p2))
        n, sender = d2.recv_from(buf)
        assert n == 4 and sender.is_unnamed()
        d1.connect(p2)
        d1.send(b"conn")
        assert d2.recv(buf) == 4 and d1.peer_addr().as_pathname() == p2
        with pytest.raises(Error) as info, Deadline.after(0.05):
            d2.recv(buf)
        assert info.value.kind is ErrorKind.TimedOut
    a, b = UnixDatagram.pair()
    r, w = pipe()
    with a, b, r, w:
        a.send_with_fds(b"", [r])  # datagrams may carry descriptors alone
        n, fds = b.recv_with_fds(bytearray(4), 2)
        assert n == 0 and len(fds) == 1
        fds[0].close()
        a.shutdown(Shutdown.Write)
        with pytest.raises(Error):
            a.send(b"x")


def test_try_clone_and_conversions() -> None:
    a, b = UnixStream.pair()
    with a, b:
        c = a.try_clone()
        with c:
            c.write_all(b"c")
        assert b.read(bytearray(1)) == 1
        owned = OwnedFd(a)
        a2 = UnixStream(owned)
        a2.write_all(b"!")
        assert b.read(bytearray(1)) == 1
        a2.close()
        with OwnedFd(b.try_clone()) as stream_fd:
            with pytest.raises(Error) as info:
                UnixDatagram(stream_fd)
            assert info.value.kind is ErrorKind.InvalidInput
            assert not stream_fd.closed()  # a refused conversion does not consume its source


class StreamPairModel(RuleBasedStateMachine):
    """A UnixStream pair against two byte queues: every read returns a prefix of what is queued."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = UnixStream.pair()
        self.queued = {"a": deque[int](), "b": deque[int]()}  # bytes waiting to be read at that end
        self.write_closed = {"a": False, "b": False}

    def _ends(self, name: str) -> tuple[UnixStream, UnixStream, str]:
        return (self.a, self.b, "b") if name == "a" else (self.b, self.a, "a")

    @rule(name=st.sampled_from("ab"), data=st.binary(min_size=1, max_size=300))
    def write(self, name: str, data: bytes) -> None:
        me, _, other = self._ends(name)
        if self.write_closed[name]:
            with pytest.raises(Error) as info:
                me.write(data)
            assert info.value.kind is ErrorKind.BrokenPipe
            return
        me.write_all(data)
        self.queued[other].extend(data)

    @rule(name=st.sampled_from("ab"), size=st.integers(1, 500), peek=st.booleans())
    def read(self, name: str, size: int, peek: bool) -> None:
        me, _, other = self._ends(name)
        q = self.queued[name]
        buf = bytearray(size)
        if not q:
            if self.write_closed[other]:
                assert me.read(buf) == 0
                return
            with pytest.raises(Error) as info, Deadline.after(0):
                me.read(buf)
            assert info.value.kind is ErrorKind.TimedOut
            return
        n = (me.peek if peek else me.read)(buf)
        expected = bytes(list(q)[:n])
        assert 1 <= n <= min(size, len(q)) and bytes(buf[:n]) == expected
        if not peek:
            for _ in range(n):
                q.popleft()

    @rule(name=st.sampled_from("ab"))
    def shutdown_write(self, name: str) -> None:
        me, _, _ = self._ends(name)
        me.shutdown(Shutdown.Write)
        self.write_closed[name] = True

    @invariant()
    def still_open(self) -> None:
        assert not self.a.closed() and not self.b.closed()

    def teardown(self) -> None:
        self.a.close()
        self.b.close()


TestStreamPairModel = StreamPairModel.TestCase
TestStreamPairModel.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
