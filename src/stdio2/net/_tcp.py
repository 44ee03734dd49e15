"""TCP: `TcpStream`, `TcpListener` and its `Incoming` iterator (Rust's ``std::net``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from stdio2._sys import net as _sys
from stdio2.io._deadline import Deadline, current_instant
from stdio2.io._error import Error, ErrorKind
from stdio2.net._addr import SocketAddr, SocketAddrV4
from stdio2.net._resolve import ToSocketAddrs, to_socket_addrs
from stdio2.net._socket import _Socket, _Stream, deadline_instant

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Incoming", "TcpListener", "TcpStream"]

_T = TypeVar("_T")


def _family(addr: SocketAddr) -> int:
    return _sys.AF_INET if isinstance(addr, SocketAddrV4) else _sys.AF_INET6


def _each_addr(addrs: ToSocketAddrs, attempt: Callable[[SocketAddr], _T]) -> _T:
    """*attempt* on each address *addrs* resolves to, in turn: the first result, else the last `Error`.

    Rust's ``each_addr``. A TimedOut ends the search at once (the caller's
    `Deadline` has passed for every address alike).
    """
    found = to_socket_addrs(addrs)
    if not found:
        raise Error(ErrorKind.InvalidInput, "could not resolve to any addresses")
    last: Error | None = None
    for addr in found:
        try:
            return attempt(addr)
        except Error as e:
            if e.kind is ErrorKind.TimedOut:
                raise
            last = e
    assert last is not None
    raise last


class _IpSocket(_Socket):
    """What `TcpStream`, `TcpListener` and `UdpSocket` share: the local address and the IP TTL."""

    __slots__ = ()

    def local_addr(self) -> SocketAddr:
        """The local address (``getsockname``); after binding port 0 it carries the real port."""
        return SocketAddr.from_socket_tuple(self._raw_local())

    def set_ttl(self, ttl: int) -> None:
        """Set the IP time-to-live of outgoing packets (``setsockopt(IP_TTL)``).

        On a listener it applies to the connections it accepts.
        """
        _sys.set_int(self._sock, _sys.IPPROTO_IP, _sys.IP_TTL, _int_arg(ttl, "set_ttl"))

    def ttl(self) -> int:
        """The IP time-to-live (``getsockopt(IP_TTL)``)."""
        return _sys.get_int(self._sock, _sys.IPPROTO_IP, _sys.IP_TTL)


class TcpStream(_Stream, _IpSocket):
    """A TCP connection (Rust's ``TcpStream``): a `Read` and a `Write`, safe to share between threads.

    Made by `connect`, `connect_timeout` or `TcpListener.accept`; on Unix
    also ``TcpStream(owned_fd)`` (checks that the descriptor is a TCP
    socket) and ``TcpStream.from_raw_fd(n)``. `read` is one ``recv`` and
    `write` one ``send``; one thread may read while another writes.
    Closing is `close` (idempotent; deferred while a call on another thread
    is in flight — `shutdown` unblocks such a call).
    """

    __slots__ = ()
    _what = "TcpStream"
    _families: ClassVar[tuple[int, ...]] = (_sys.AF_INET, _sys.AF_INET6)
    _socktype: ClassVar[int] = _sys.SOCK_STREAM

    @classmethod
    def connect(cls, addrs: ToSocketAddrs) -> TcpStream:
        """Connect to the first address of *addrs* that accepts (``socket`` + ``connect``).

        Each resolved address is tried in turn; if all fail, the last
        error is raised (ConnectionRefused, HostUnreachable ...). Under a
        `Deadline` the whole call ends with TimedOut when it passes.
        """
        return _each_addr(addrs, lambda a: cls._connect_one(a, deadline_instant(), "TcpStream.connect"))

    @classmethod
    def connect_timeout(cls, addr: SocketAddr, timeout: float) -> TcpStream:
        """Connect to *addr*, giving up with TimedOut after *timeout* seconds (or an earlier `Deadline`).

        A non-blocking ``connect``, ``poll(POLLOUT)`` and
        ``getsockopt(SO_ERROR)``; the stream returned is blocking. A zero
        timeout is `Error` (InvalidInput), as in Rust; a negative one is ValueError.
        """
        if not isinstance(addr, SocketAddr):
            raise TypeError(
                "connect_timeout takes one SocketAddr (e.g. SocketAddr.parse('127.0.0.1:80')); "
                f"to resolve names use lookup_host first, got {type(addr).__name__}"
            )
        seconds = float(timeout)
        if seconds == 0:
            raise Error(ErrorKind.InvalidInput, "cannot set a 0 duration timeout")
        with Deadline.after(seconds):
            return cls._connect_one(addr, current_instant(), "TcpStream.connect_timeout")

    @classmethod
    def _connect_one(cls, addr: SocketAddr, instant: float | None, call: str) -> TcpStream:
        return cls._made(
            _family(addr),
            _sys.SOCK_STREAM,
            lambda view: _sys.connect(view, addr.to_socket_tuple(), instant, call),
        )

    def peer_addr(self) -> SocketAddr:
        """The remote address (``getpeername``); `Error` (NotConnected ...)."""
        return SocketAddr.from_socket_tuple(self._raw_peer())

    def set_nodelay(self, nodelay: bool) -> None:
        """Turn Nagle's algorithm off (True) or on (``setsockopt(TCP_NODELAY)``)."""
        _sys.set_bool(self._sock, _sys.IPPROTO_TCP, _sys.TCP_NODELAY, nodelay)

    def nodelay(self) -> bool:
        """Whether ``TCP_NODELAY`` is set (``getsockopt``)."""
        return _sys.get_bool(self._sock, _sys.IPPROTO_TCP, _sys.TCP_NODELAY)

    def set_linger(self, seconds: int | None) -> None:
        """``SO_LINGER``: None for the default close; 0 makes `close` reset the connection.

        With a positive value, `close` blocks up to that many seconds while
        unsent data drains (Rust's unstable ``set_linger``).
        """
        if seconds is not None:
            seconds = _int_arg(seconds, "set_linger")
        _sys.set_linger(self._sock, seconds)

    def linger(self) -> int | None:
        """The ``SO_LINGER`` time in seconds, or None when it is off."""
        return _sys.linger(self._sock)


class TcpListener(_IpSocket):
    """A listening TCP socket (Rust's ``TcpListener``): `accept` and `incoming`.

    `bind` sets ``SO_REUSEADDR`` on Unix (as Rust) and ``SO_EXCLUSIVEADDRUSE``
    on Windows, binds and listens with a backlog of 128. Several threads may
    `accept` at once.
    """

    __slots__ = ()
    _what = "TcpListener"
    _families: ClassVar[tuple[int, ...]] = (_sys.AF_INET, _sys.AF_INET6)
    _socktype: ClassVar[int] = _sys.SOCK_STREAM

    @classmethod
    def bind(cls, addrs: ToSocketAddrs) -> TcpListener:
        """Listen on the first address of *addrs* that can be bound (``bind`` + ``listen(128)``).

        Port 0 picks a free port (see `local_addr`). Raises the last
        `Error` (AddrInUse, AddrNotAvailable, PermissionDenied ...).
        """

        def listen_on(addr: SocketAddr) -> TcpListener:
            def setup(view: _sys.SockView) -> None:
                _sys.prepare_listener(view)
                _sys.bind(view, addr.to_socket_tuple())
                _sys.listen(view)

            return cls._made(_family(addr), _sys.SOCK_STREAM, setup)

        return _each_addr(addrs, listen_on)

    def accept(self) -> tuple[TcpStream, SocketAddr]:
        """Wait for a connection (``accept4(SOCK_CLOEXEC)``); return the stream and the peer's address.

        Under a `Deadline`, waits with ``poll(POLLIN)`` first and raises
        TimedOut when it passes. Raises `Error` (EMFILE, WouldBlock in
        non-blocking mode, InvalidInput once closed).
        """
        view, address = self._accept_view("TcpListener.accept")
        return TcpStream._from_view(view), SocketAddr.from_socket_tuple(address)

    def incoming(self) -> Incoming:
        """An endless iterator of accepted streams; an accept error is raised from ``__next__``."""
        return Incoming(self)



class Incoming:
    """The iterator `TcpListener.incoming` returns (Rust's ``Incoming``).

    Each ``next()`` is one `TcpListener.accept` and yields the stream (not
    the address). It never ends; an error is raised from ``__next__`` and
    the iterator stays usable, so a loop may catch it and continue.
    """

    __slots__ = ("_listener",)

    def __init__(self, listener: TcpListener) -> None:
        self._listener = listener

    def __iter__(self) -> Iterator[TcpStream]:
        return self

    def __next__(self) -> TcpStream:
        return self._listener.accept()[0]


def _int_arg(value: object, call: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{call} takes an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{call}: {value} is negative")
    return value
