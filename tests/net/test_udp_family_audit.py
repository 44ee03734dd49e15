"""Audit of issue 6: `UdpSocket.send_to` / `connect` with a destination of the other family.

Rust passes a ``sockaddr_in`` to ``sendto``/``connect`` whatever the socket's
family; Linux treats it on an ``AF_INET6`` socket as the IPv4-mapped address
(so a dual-stack ``[::]`` socket reaches ``127.0.0.1``) and refuses a
``sockaddr_in6`` on an ``AF_INET`` socket with EAFNOSUPPORT. Checked against
a Rust program on this machine. The old code let CPython parse the tuple by
the socket's family: "os error -9" (a getaddrinfo code passed off as an
errno) for the first, a raw TypeError for the second.
"""

from __future__ import annotations

import errno

import pytest
from _netutil import needs_ipv6

from stdio2.io import Deadline, Error
from stdio2.net import SocketAddrV6, UdpSocket


@needs_ipv6
@pytest.mark.parametrize("deadline", [False, True])
def test_dual_stack_socket_sends_to_an_ipv4_address(deadline: bool) -> None:
    with UdpSocket.bind("[::]:0") as six, UdpSocket.bind("127.0.0.1:0") as four:
        buf = bytearray(8)
        if deadline:
            with Deadline.after(5):
                assert six.send_to(b"mapped", four.local_addr()) == 6
                n, sender = four.recv_from(buf)
        else:
            assert six.send_to(b"mapped", four.local_addr()) == 6
            n, sender = four.recv_from(buf)
        assert buf[:n] == b"mapped"
        assert str(sender.ip()) == "127.0.0.1" and sender.port() == six.local_addr().port()
        # Same through connect + send, and the reply comes back IPv4-mapped.
        six.connect(four.local_addr())
        target = four.local_addr()
        assert six.peer_addr() == SocketAddrV6(target.ip().to_ipv6_mapped(), target.port())
        assert six.send(b"again") == 5
        assert four.recv_from(buf)[0] == 5
        four.send_to(b"back", sender)
        n, from_four = six.recv_from(buf)
        assert buf[:n] == b"back" and str(from_four) == f"[::ffff:127.0.0.1]:{four.local_addr().port()}"


@needs_ipv6
def test_ipv6_loopback_socket_to_ipv4_is_a_typed_os_error() -> None:
    # A socket bound to ::1 cannot reach 127.0.0.1: the kernel says so
    # (ENETUNREACH here; Rust gets the same), not the resolver.
    with UdpSocket.bind("[::1]:0") as six, UdpSocket.bind("127.0.0.1:0") as four:
        with pytest.raises(Error) as info:
            six.send_to(b"x", four.local_addr())
        assert info.value.errno is not None and info.value.errno > 0


@needs_ipv6
def test_ipv4_socket_to_ipv6_is_eafnosupport() -> None:
    with UdpSocket.bind("127.0.0.1:0") as four, UdpSocket.bind("[::1]:0") as six:
        for call in (lambda: four.send_to(b"x", six.local_addr()), lambda: four.connect(six.local_addr())):
            with pytest.raises(Error) as info:
                call()
            assert info.value.errno == errno.EAFNOSUPPORT
        with Deadline.after(5), pytest.raises(Error) as info:
            four.send_to(b"x", six.local_addr())
        assert info.value.errno == errno.EAFNOSUPPORT
