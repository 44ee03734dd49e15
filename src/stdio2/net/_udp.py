"""UDP: `UdpSocket` (Rust's ``std::net::UdpSocket``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from stdio2._sys import net as _sys
from stdio2.io._deadline import scopes_open
from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import readable_view, writable_view
from stdio2.net._addr import Ipv4Addr, Ipv6Addr, SocketAddr
from stdio2.net._resolve import ToSocketAddrs, to_socket_addrs
from stdio2.net._socket import _closed_call, _Socket, deadline_instant
from stdio2.net._tcp import _each_addr, _family, _int_arg, _IpSocket

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = ["UdpSocket"]

_NOSIGNAL = _sys.NOSIGNAL


def _v4(value: object, call: str) -> Ipv4Addr:
    if not isinstance(value, Ipv4Addr):
        raise TypeError(f"{call} takes Ipv4Addr values, not {type(value).__name__}")
    return value


class UdpSocket(_IpSocket):
    """A UDP socket (Rust's ``UdpSocket``): whole datagrams, one per call.

    `bind` never sets ``SO_REUSEADDR``. Datagrams larger than the buffer
    given to `recv_from` / `recv` are truncated (silently on Unix, as in
    Rust). Every receive and send honours the effective `Deadline`.
    """

    # Cached C methods of the view (one call per datagram) and one-entry
    # address caches, each a single (key, value) tuple so that racing
    # threads can never pair a key with another thread's value.
    __slots__ = ("_from", "_recvfrom_into", "_sendto", "_to")
    _what = "UdpSocket"

    _recvfrom_into: Callable[..., tuple[int, Any]]
    _sendto: Callable[..., int]
    _from: tuple[Any, SocketAddr | None]
    _to: tuple[object, Any]

    def _set_view(self, view: _sys.SockView) -> None:
        _Socket._set_view(self, view)
        self._recvfrom_into = view.recvfrom_into
        self._sendto = view.sendto
        self._from = (None, None)
        self._to = (None, None)

    def _forget(self) -> None:
        _Socket._forget(self)
        closed = _closed_call(self._what)
        self._recvfrom_into = closed
        self._sendto = closed
    _families: ClassVar[tuple[int, ...]] = (_sys.AF_INET, _sys.AF_INET6)
    _socktype: ClassVar[int] = _sys.SOCK_DGRAM

    @classmethod
    def bind(cls, addrs: ToSocketAddrs) -> UdpSocket:
        """A socket bound to the first address of *addrs* that works (``socket`` + ``bind``).

        Raises the last `Error` (AddrInUse, AddrNotAvailable ...).
        """
        return _each_addr(
            addrs,
            lambda a: cls._made(_family(a), _sys.SOCK_DGRAM, lambda v: _sys.bind(v, a.to_socket_tuple())),
        )

    # -- datagrams ----------------------------------------------------------

    def recv_from(self, buf: Buffer, /) -> tuple[int, SocketAddr]:
        """Receive one datagram into *buf* (``recvfrom``); return its size and sender.

        Raises `Error` (TimedOut under a passed `Deadline`, WouldBlock in
        non-blocking mode, ConnectionRefused after an ICMP error on a
        connected socket) and ``TypeError`` for a non-writable *buf*.
        """
        if scopes_open:
            view = writable_view(buf, "UdpSocket.recv_from")
            n, address = _sys.recvfrom_by(self._sock, view, 0, deadline_instant(), "UdpSocket.recv_from")
        else:
            recvfrom_into = self._recvfrom_into
            try:
                n, address = recvfrom_into(buf)
            except OSError as e:
                err = Error.from_os_error(e)
                del recvfrom_into, buf
                raise err from None
            except TypeError:
                del recvfrom_into
                writable_view(buf, "UdpSocket.recv_from")
                raise
        cached = self._from
        if cached[0] == address and cached[1] is not None:
            return n, cached[1]
        sender = SocketAddr.from_socket_tuple(address)
        self._from = (address, sender)
        return n, sender

    def peek_from(self, buf: Buffer, /) -> tuple[int, SocketAddr]:
        """Like `recv_from`, but the datagram stays queued (``recvfrom(MSG_PEEK)``)."""
        view = writable_view(buf, "UdpSocket.peek_from")
        n, address = _sys.recvfrom_by(
            self._sock, view, _sys.PEEK, deadline_instant(), "UdpSocket.peek_from"
        )
        return n, SocketAddr.from_socket_tuple(address)

    def send_to(self, buf: Buffer, addrs: ToSocketAddrs) -> int:
        """Send *buf* as one datagram to the first address *addrs* resolves to (``sendto``).

        On an IPv6 socket an IPv4 destination is sent to as ``::ffff:a.b.c.d``
        (as the kernel treats Rust's ``sockaddr_in``). Raises `Error`
        (InvalidInput "no addresses to send data to" when *addrs* resolves
        to nothing, EMSGSIZE for an oversized datagram, EAFNOSUPPORT for an
        IPv6 destination on an IPv4 socket ...).
        """
        cached = self._to
        if cached[0] is addrs:
            address = cached[1]
        else:
            found = to_socket_addrs(addrs)
            if not found:
                raise Error(ErrorKind.InvalidInput, "no addresses to send data to")
            address = _sys.address_for(self._sock, found[0].to_socket_tuple())
            if isinstance(addrs, SocketAddr):
                self._to = (addrs, address)
        if scopes_open:
            data = readable_view(buf, "UdpSocket.send_to")
            return _sys.sendto_by(self._sock, data, address, deadline_instant(), "UdpSocket.send_to")
        sendto = self._sendto
        try:
            return sendto(buf, _NOSIGNAL, address)
        except OSError as e:
            err = Error.from_os_error(e)
        except TypeError:
            del sendto
            readable_view(buf, "UdpSocket.send_to")
            raise
        del sendto, buf
        raise err

    def connect(self, addrs: ToSocketAddrs) -> None:
        """Fix the peer (``connect``) for `send` / `recv` and filter incoming datagrams to it.

        Each address is tried in turn; the last error is raised. Families
        are matched as in `send_to` (EAFNOSUPPORT for IPv6 on an IPv4 socket).
        """
        sock = self._sock

        def connect(addr: SocketAddr) -> None:
            try:
                sock.connect(_sys.address_for(sock, addr.to_socket_tuple()))
            except OSError as e:
                raise Error.from_os_error(e) from None

        _each_addr(addrs, connect)

    def send(self, buf: Buffer, /) -> int:
        """Send one datagram to the connected peer (``send``); `Error` (NotConnected ...)."""
        return self._send_one(buf, "UdpSocket.send")

    def recv(self, buf: Buffer, /) -> int:
        """Receive one datagram from the connected peer (``recv``); return its size."""
        return self._recv(buf, 0, "UdpSocket.recv")

    def peek(self, buf: Buffer, /) -> int:
        """Like `recv`, but the datagram stays queued (``recv(MSG_PEEK)``)."""
        return self._recv(buf, _sys.PEEK, "UdpSocket.peek")

    # -- addresses and options -----------------------------------------------

    def peer_addr(self) -> SocketAddr:
        """The connected peer (``getpeername``); `Error` (NotConnected) if not connected."""
        return SocketAddr.from_socket_tuple(self._raw_peer())

    def set_broadcast(self, broadcast: bool) -> None:
        """Allow sending to broadcast addresses (``setsockopt(SO_BROADCAST)``)."""
        _sys.set_bool(self._sock, _sys.SOL_SOCKET, _sys.SO_BROADCAST, broadcast)

    def broadcast(self) -> bool:
        """Whether ``SO_BROADCAST`` is set."""
        return _sys.get_bool(self._sock, _sys.SOL_SOCKET, _sys.SO_BROADCAST)

    def set_multicast_loop_v4(self, enabled: bool) -> None:
        """Whether own IPv4 multicast datagrams loop back (``IP_MULTICAST_LOOP``)."""
        _sys.set_bool(self._sock, _sys.IPPROTO_IP, _sys.IP_MULTICAST_LOOP, enabled)

    def multicast_loop_v4(self) -> bool:
        """The ``IP_MULTICAST_LOOP`` setting."""
        return _sys.get_bool(self._sock, _sys.IPPROTO_IP, _sys.IP_MULTICAST_LOOP)

    def set_multicast_ttl_v4(self, ttl: int) -> None:
        """The time-to-live of outgoing IPv4 multicast datagrams (``IP_MULTICAST_TTL``; default 1)."""
        _sys.set_int(
            self._sock, _sys.IPPROTO_IP, _sys.IP_MULTICAST_TTL, _int_arg(ttl, "set_multicast_ttl_v4")
        )

    def multicast_ttl_v4(self) -> int:
        """The ``IP_MULTICAST_TTL`` setting."""
        return _sys.get_int(self._sock, _sys.IPPROTO_IP, _sys.IP_MULTICAST_TTL)

    def set_multicast_loop_v6(self, enabled: bool) -> None:
        """Whether own IPv6 multicast datagrams loop back (``IPV6_MULTICAST_LOOP``)."""
        _sys.set_bool(self._sock, _sys.IPPROTO_IPV6, _sys.IPV6_MULTICAST_LOOP, enabled)

    def multicast_loop_v6(self) -> bool:
        """The ``IPV6_MULTICAST_LOOP`` setting."""
        return _sys.get_bool(self._sock, _sys.IPPROTO_IPV6, _sys.IPV6_MULTICAST_LOOP)

    def join_multicast_v4(self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> None:
        """Join the IPv4 group *multiaddr* on the interface with address *interface* (``IP_ADD_MEMBERSHIP``).

        ``Ipv4Addr.UNSPECIFIED`` lets the kernel choose the interface.
        """
        group = _v4(multiaddr, "join_multicast_v4").octets()
        iface = _v4(interface, "join_multicast_v4").octets()
        _sys.set_buf(self._sock, _sys.IPPROTO_IP, _sys.IP_ADD_MEMBERSHIP, _sys.mreq_v4(group, iface))

    def leave_multicast_v4(self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> None:
        """Leave an IPv4 group joined with `join_multicast_v4` (``IP_DROP_MEMBERSHIP``)."""
        group = _v4(multiaddr, "leave_multicast_v4").octets()
        iface = _v4(interface, "leave_multicast_v4").octets()
        _sys.set_buf(self._sock, _sys.IPPROTO_IP, _sys.IP_DROP_MEMBERSHIP, _sys.mreq_v4(group, iface))

    def join_multicast_v6(self, multiaddr: Ipv6Addr, interface: int) -> None:
        """Join the IPv6 group *multiaddr* on interface index *interface* (0: any) (``IPV6_JOIN_GROUP``)."""
        group = self._v6_group(multiaddr, interface, "join_multicast_v6")
        _sys.set_buf(self._sock, _sys.IPPROTO_IPV6, _sys.IPV6_JOIN_GROUP, group)

    def leave_multicast_v6(self, multiaddr: Ipv6Addr, interface: int) -> None:
        """Leave an IPv6 group joined with `join_multicast_v6` (``IPV6_LEAVE_GROUP``)."""
        group = self._v6_group(multiaddr, interface, "leave_multicast_v6")
        _sys.set_buf(self._sock, _sys.IPPROTO_IPV6, _sys.IPV6_LEAVE_GROUP, group)

    @staticmethod
    def _v6_group(multiaddr: object, interface: object, call: str) -> bytes:
        if not isinstance(multiaddr, Ipv6Addr):
            raise TypeError(f"{call} takes an Ipv6Addr group, not {type(multiaddr).__name__}")
        return _sys.mreq_v6(multiaddr.octets(), _int_arg(interface, call))
