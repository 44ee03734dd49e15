"""UdpSocket over loopback. Multicast groups are joined and left, never sent to."""

from __future__ import annotations

import fcntl
import os
import socket

import pytest
from _netutil import needs_ipv6
from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2.io import Error, ErrorKind
from stdio2.net import Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6, UdpSocket
from stdio2.os.fd import OwnedFd


def test_send_to_recv_from_and_peek_from() -> None:
    with UdpSocket.bind("127.0.0.1:0") as a, UdpSocket.bind(("127.0.0.1", 0)) as b:
        addr = a.local_addr()
        assert isinstance(addr, SocketAddrV4) and addr.port() > 0
        assert fcntl.fcntl(a.as_raw_fd(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        assert b.send_to(b"one", addr) == 3
        assert b.send_to(b"two!", f"127.0.0.1:{addr.port()}") == 4
        buf = bytearray(16)
        assert a.peek_from(buf) == (3, b.local_addr())
        assert a.recv_from(buf) == (3, b.local_addr()) and buf[:3] == b"one"
        # A datagram larger than the buffer is truncated (silently on Unix, as in Rust).
        small = bytearray(2)
        assert a.recv_from(small) == (2, b.local_addr()) and small == b"tw"
        with pytest.raises(Error) as info:
            b.send_to(b"x", [])
        assert info.value.kind is ErrorKind.InvalidInput


def test_no_reuseaddr_by_default() -> None:
    with UdpSocket.bind("127.0.0.1:0") as a:
        with socket.socket(fileno=os.dup(a.as_raw_fd())) as raw:
            assert raw.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 0
        with pytest.raises(Error) as info:
            UdpSocket.bind(a.local_addr())
        assert info.value.kind is ErrorKind.AddrInUse


def test_connected_send_recv_peek() -> None:
    with UdpSocket.bind("127.0.0.1:0") as a, UdpSocket.bind("127.0.0.1:0") as b:
        with pytest.raises(Error) as info:
            a.peer_addr()
        assert info.value.kind is ErrorKind.NotConnected
        a.connect(b.local_addr())
        b.connect(a.local_addr())
        assert a.peer_addr() == b.local_addr()
        assert a.send(b"hello") == 5
        buf = bytearray(8)
        assert b.peek(buf) == 5
        assert b.recv(buf) == 5 and buf[:5] == b"hello"
        # Datagrams from elsewhere are filtered out by connect.
        with UdpSocket.bind("127.0.0.1:0") as stranger:
            stranger.send_to(b"noise", b.local_addr())
        a.send(b"real")
        assert b.recv(buf) == 4 and buf[:4] == b"real"


@needs_ipv6
def test_ipv6() -> None:
    with UdpSocket.bind("[::1]:0") as a, UdpSocket.bind("[::1]:0") as b:
        assert isinstance(a.local_addr(), SocketAddrV6)
        b.send_to(b"v6", a.local_addr())
        buf = bytearray(4)
        n, sender = a.recv_from(buf)
        assert n == 2 and sender == b.local_addr()
        a.set_multicast_loop_v6(False)
        assert a.multicast_loop_v6() is False
        group = Ipv6Addr.parse("ff02::1:3")
        try:
            a.join_multicast_v6(group, 0)
        except Error as e:  # no IPv6 multicast route on this machine
            pytest.skip(f"cannot join an IPv6 group here: {e}")
        a.leave_multicast_v6(group, 0)


def test_options_and_multicast_membership_without_sending() -> None:
    with UdpSocket.bind("127.0.0.1:0") as a:
        assert a.broadcast() is False
        a.set_broadcast(True)
        assert a.broadcast() is True
        a.set_ttl(17)
        assert a.ttl() == 17
        a.set_multicast_ttl_v4(3)
        assert a.multicast_ttl_v4() == 3
        a.set_multicast_loop_v4(False)
        assert a.multicast_loop_v4() is False
        group = Ipv4Addr(239, 255, 77, 77)
        try:
            a.join_multicast_v4(group, Ipv4Addr.LOCALHOST)
        except Error as e:
            pytest.skip(f"cannot join an IPv4 group on loopback here: {e}")
        with pytest.raises(Error):
            a.join_multicast_v4(group, Ipv4Addr.LOCALHOST)  # already a member: EADDRINUSE
        a.leave_multicast_v4(group, Ipv4Addr.LOCALHOST)
        with pytest.raises(TypeError):
            a.join_multicast_v4("239.1.1.1", Ipv4Addr.LOCALHOST)  # type: ignore[arg-type]
        assert a.take_error() is None


def test_nonblocking_try_clone_and_ownership() -> None:
    with UdpSocket.bind("127.0.0.1:0") as a:
        a.set_nonblocking(True)
        with pytest.raises(Error) as info:
            a.recv_from(bytearray(4))
        assert info.value.kind is ErrorKind.WouldBlock
        with a.try_clone() as clone:
            assert clone.local_addr() == a.local_addr()
            with pytest.raises(Error) as info:
                clone.recv(bytearray(4))  # the clone shares the non-blocking flag
            assert info.value.kind is ErrorKind.WouldBlock
        owned = OwnedFd(a)
        back = UdpSocket(owned)
        assert back.local_addr().port() > 0
        back.close()


def test_closed_socket_raises_invalid_input() -> None:
    a = UdpSocket.bind("127.0.0.1:0")
    a.close()
    with pytest.raises(Error) as info:
        a.send_to(b"x", "127.0.0.1:9")
    assert info.value.kind is ErrorKind.InvalidInput


@settings(max_examples=50)
@given(st.lists(st.binary(min_size=0, max_size=2000), min_size=1, max_size=15))
def test_datagram_boundaries_are_kept(datagrams: list[bytes]) -> None:
    with UdpSocket.bind("127.0.0.1:0") as a, UdpSocket.bind("127.0.0.1:0") as b:
        for d in datagrams:
            assert b.send_to(d, a.local_addr()) == len(d)
        buf = bytearray(4096)
        for d in datagrams:
            n, _ = a.recv_from(buf)
            assert buf[:n] == d
