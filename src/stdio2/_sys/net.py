"""Sockets: the OS facts `stdio2.net` is built on (portable part: Unix and Windows).

What a socket is to the kernel
------------------------------
A socket is a kernel object reached through a descriptor (Unix) or a
``SOCKET`` handle (Windows). For TCP it holds a connection's state machine
and two byte queues: the *receive buffer* (bytes that arrived and wait for
``recv``) and the *send buffer* (bytes ``send`` accepted that the peer has
not acknowledged yet). ``send`` returning ``n`` only means ``n`` bytes were
copied into the send buffer; ``recv`` returning 0 means the peer shut down
its writing side (end of stream). A UDP socket holds a queue of whole
datagrams: each ``recvfrom`` takes exactly one (truncating it to the buffer,
silently on Unix), each ``sendto`` makes exactly one.

Blocking versus readiness
-------------------------
A *blocking* socket sleeps in ``recv``/``send``/``accept``/``connect`` until
the call can make progress. ``poll(2)`` (``select`` on Windows) reports
*readiness* instead: ``POLLIN`` means a ``recv`` or ``accept`` will not
sleep, ``POLLOUT`` that ``send`` can queue at least some bytes (on Linux,
that a third of the send buffer is free). Readiness is a snapshot: another
thread reading the same socket may take the data between the poll and the
call. stdio2 therefore keeps sockets in blocking mode, makes one plain call
when no `Deadline` is active (the fast path), and under a deadline polls
first and then calls with ``MSG_DONTWAIT`` — a per-call "do not sleep" flag
(Linux, the BSDs, macOS) that leaves the socket's own blocking mode alone. If
the other thread won the race the call reports ``EAGAIN`` and stdio2 polls
again, so a deadline is never overslept. A socket the user switched to
non-blocking mode (``set_nonblocking``) skips the wait: its call is made at
once and raises ``WouldBlock``, deadline or not, as Rust's timeouts apply
only to blocking sockets. Python's per-socket timeouts
(``settimeout``) are never used: they switch the descriptor shared by every
clone to non-blocking mode and turn each call into poll + call.

A ``connect`` under a deadline is the one place where a socket goes
non-blocking: the socket was created by this very call, so no one else can
observe the flag. ``connect`` then returns ``EINPROGRESS`` (``WSAEWOULDBLOCK``
on Windows), the handshake runs in the kernel, ``POLLOUT`` signals its end
and ``getsockopt(SO_ERROR)`` tells whether it succeeded; the socket is then
switched back to blocking before anybody sees it.

Python's socket objects are used as *views*
-------------------------------------------
CPython's ``socket`` methods are thin C wrappers (one system call with the
GIL released), so stdio2 calls them, but never lets a Python socket own a
number: `SockView` is a ``socket.socket`` created over a descriptor a stdio2
`Cell` owns, and its finaliser detaches instead of closing. The view holds
the cell (``view.cell``), so a bound ``view.recv_into`` cached on an owner
keeps the descriptor open for exactly as long as a call through it runs (the
in-flight rule of `stdio2._sys._owner`).

SO_REUSEADDR and TIME_WAIT
--------------------------
The side that closes a TCP connection first keeps a ``TIME_WAIT`` entry for
twice the maximum segment lifetime (60 s on Linux), so late packets of the
old connection cannot be mistaken for a new one. On Unix, without
``SO_REUSEADDR`` a restarted server could not ``bind`` its port until those
entries expire; with it, binding succeeds while a *listening* socket on the
same address still fails with ``EADDRINUSE``. Rust sets it on every Unix
``TcpListener``, and so does stdio2. On Windows ``SO_REUSEADDR`` means
something else entirely (steal a port somebody is listening on), so stdio2
sets ``SO_EXCLUSIVEADDRUSE`` there instead, as anyio and .NET do. UDP sockets
get neither: two processes sharing a UDP port silently split its datagrams.

EINTR and PEP 475
-----------------
A signal arriving while a thread sleeps in a system call makes the call fail
with ``EINTR``. Since Python 3.5 the ``socket`` module runs the signal
handlers and retries the call itself (PEP 475), so stdio2 never sees EINTR
from a socket. One subtlety: a *blocking* ``connect`` interrupted by a signal
keeps connecting in the kernel; CPython then waits for it with ``poll`` and
reads ``SO_ERROR`` — which is why views keep CPython's "blocking" mode
(timeout ``None``).

SIGPIPE and MSG_NOSIGNAL
------------------------
Writing to a TCP connection the peer has reset raises ``SIGPIPE``, whose
default action kills the process. CPython ignores SIGPIPE at start-up, so
the write fails with ``EPIPE`` (`ErrorKind.BrokenPipe`) instead. An embedding
application may not ignore it, so every ``send`` also passes
``MSG_NOSIGNAL`` (Linux, BSDs); macOS lacks the flag and gets the socket
option ``SO_NOSIGPIPE`` at creation instead, as Rust does.

SO_LINGER 0 resets
------------------
``close`` normally sends the unsent bytes and a FIN. With ``SO_LINGER`` on
and a linger time of 0, ``close`` discards the send buffer and sends a RST:
the peer's next ``recv`` fails with ``ECONNRESET`` (after everything that
arrived before the RST was delivered). Tests use it to make a real reset.

Close-on-exec
-------------
Sockets are created with ``SOCK_CLOEXEC`` and accepted with
``accept4(SOCK_CLOEXEC)`` (CPython does both atomically where the OS has
them, PEP 446); on Windows they are created non-inheritable.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import struct
import sys
import time
from typing import TYPE_CHECKING, Any, Final

from stdio2._sys._owner import Cell, closed_error
from stdio2.io._deadline import wait_ms
from stdio2.io._error import Error, ErrorKind

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = [
    "AF_INET",
    "AF_INET6",
    "DONTWAIT",
    "NOSIGNAL",
    "SOCK_DGRAM",
    "SOCK_STREAM",
    "SockView",
    "accept",
    "address_for",
    "bind",
    "connect",
    "dup_socket",
    "get_bool",
    "get_int",
    "linger",
    "listen",
    "new_socket",
    "nonblocking",
    "prepare_listener",
    "recv_by",
    "recvfrom_by",
    "send_by",
    "sendto_by",
    "set_bool",
    "set_int",
    "set_linger",
    "set_nonblocking",
    "shutdown",
    "socket_cell",
    "take_error",
    "timed_out",
    "view_of",
    "wait_readable",
    "wait_writable",
]

AF_INET: Final = socket.AF_INET
AF_INET6: Final = socket.AF_INET6
SOCK_STREAM: Final = socket.SOCK_STREAM
SOCK_DGRAM: Final = socket.SOCK_DGRAM

#: Per-call flags: don't raise SIGPIPE; don't sleep (0 where the OS lacks them).
NOSIGNAL: Final[int] = getattr(socket, "MSG_NOSIGNAL", 0)
DONTWAIT: Final[int] = getattr(socket, "MSG_DONTWAIT", 0)
PEEK: Final[int] = socket.MSG_PEEK

_WIN: Final = sys.platform == "win32"

# connect() results meaning "the handshake is running".
_IN_PROGRESS: Final = frozenset(
    code
    for code in (
        errno.EINPROGRESS,
        errno.EWOULDBLOCK,
        errno.EINTR,
        errno.EALREADY,
        getattr(errno, "WSAEWOULDBLOCK", None),
        getattr(errno, "WSAEINPROGRESS", None),
    )
    if code is not None
)
_EAGAIN: Final = frozenset((errno.EAGAIN, errno.EWOULDBLOCK, getattr(errno, "WSAEWOULDBLOCK", -1)))

# The SO_REUSEADDR equivalent for listeners (see the module essay).
_LISTENER_OPT: Final[int | None] = (
    getattr(socket, "SO_EXCLUSIVEADDRUSE", None) if _WIN else socket.SO_REUSEADDR
)

# Rust's listen() backlog.
BACKLOG: Final = 128

# Windows declares struct linger with two u_short fields; Unix with two ints.
_LINGER: Final = struct.Struct("HH" if _WIN else "ii")

_SHUT: Final = {"read": socket.SHUT_RD, "write": socket.SHUT_WR, "both": socket.SHUT_RDWR}


class SockView(socket.SocketType):
    """A ``socket.socket`` over a descriptor a stdio2 `Cell` owns; it never closes it.

    ``cell`` is the owning cell: every bound method of the view keeps it
    alive. The finaliser detaches the number, so collecting the view leaves
    the descriptor to the cell.
    """

    __slots__ = ("cell",)

    cell: Cell[int]

    def __del__(self) -> None:
        self.detach()


def timed_out(call: str) -> Error:
    """The error every blocking call raises when the effective deadline passes."""
    return Error(ErrorKind.TimedOut, f"{call}: the deadline passed")


def socket_cell(raw: int) -> Cell[int]:
    """The one cell owning the socket *raw* (``close`` / ``closesocket`` on release)."""
    if sys.platform == "win32":
        from stdio2._sys.windows import handle as _h
        from stdio2.os.windows.io import _SocketCell

        return _SocketCell(raw, _h.WINSOCK)
    from stdio2._sys.unix import fd as _fd

    return _fd.new_cell(raw)


def _fix_default_timeout(view: SockView, blocking: bool) -> None:
    # socket.setdefaulttimeout() makes every new Python socket non-blocking
    # with a timeout; a view must keep CPython's "one call" mode instead.
    if view.gettimeout() is not None:
        view.setblocking(blocking)


def new_socket(family: int, type: int) -> SockView:
    """``socket(family, type | SOCK_CLOEXEC, 0)``: a fresh blocking socket and its owning cell.

    The view's ``cell`` owns the descriptor. Raises `Error` (EMFILE,
    EAFNOSUPPORT ...).
    """
    try:
        view = SockView(family, type, 0)
    except OSError as e:
        raise Error.from_os_error(e) from None
    try:
        view.cell = socket_cell(view.fileno())
    except BaseException:
        view.close()
        raise
    try:
        _fix_default_timeout(view, True)
        if hasattr(socket, "SO_NOSIGPIPE"):  # macOS: no MSG_NOSIGNAL there
            view.setsockopt(socket.SOL_SOCKET, socket.SO_NOSIGPIPE, 1)
    except OSError as e:
        raise Error.from_os_error(e) from None
    return view


def view_of(cell: Cell[int], family: int = -1, type: int = -1, proto: int = -1) -> SockView:
    """A `SockView` over the socket *cell* owns (no system call when family and type are known).

    With ``-1`` CPython asks the kernel (``getsockopt(SO_DOMAIN/SO_TYPE/
    SO_PROTOCOL)`` or ``getsockname``). Raises `Error` (ENOTSOCK for a
    descriptor that is not a socket, InvalidInput for a released cell).
    """
    raw = cell.raw
    if raw is None:
        raise closed_error("this socket")
    default = socket.getdefaulttimeout()
    blocking = True
    if default is not None and sys.platform != "win32":
        blocking = os.get_blocking(raw)
    try:
        view = SockView(family, type, proto, raw)
        view.cell = cell
        if default is not None:
            _fix_default_timeout(view, blocking)
    except OSError as e:
        raise Error.from_os_error(e) from None
    return view


# -- waiting for readiness -------------------------------------------------------

# A far instant (Deadline.after(30 days), an infinite one) is waited for a day
# at a time: poll() and select() cannot express more (see io._deadline.wait_ms).

if sys.platform == "win32":

    def _select_wait(view: SockView, read: bool, instant: float) -> bool:
        while True:
            ms = wait_ms(instant)
            try:
                r, w, x = select.select(
                    [view] if read else [],
                    [] if read else [view],
                    [view],
                    ms / 1000,
                )
            except OSError as e:
                raise Error.from_os_error(e) from None
            if r or w or x:
                return True
            if ms == 0:
                return False

    def wait_readable(view: SockView, instant: float) -> bool:
        """``select`` until *view* is readable (True) or the monotonic *instant* passes (False)."""
        return _select_wait(view, True, instant)

    def wait_writable(view: SockView, instant: float) -> bool:
        """``select`` until *view* is writable (or failed) (True) or *instant* passes (False)."""
        return _select_wait(view, False, instant)

else:
    from stdio2._sys.unix import fd as _fd

    def wait_readable(view: SockView, instant: float) -> bool:
        """``poll(POLLIN)`` until *view* is readable (True) or the monotonic *instant* passes (False)."""
        return _fd.wait_readable(view.fileno(), instant)

    def wait_writable(view: SockView, instant: float) -> bool:
        """``poll(POLLOUT)`` until *view* is writable (True) or *instant* passes (False)."""
        return _fd.wait_writable(view.fileno(), instant)


# -- the deadline paths of the data calls -------------------------------------------
#
# Each waits for readiness, then makes one call with MSG_DONTWAIT; EAGAIN (a
# racing thread took the data or the room) goes back to waiting. Windows has
# no MSG_DONTWAIT: there the call after select is a plain one, and a send is
# cut to _WIN_CHUNK bytes, which a writable socket's buffer takes at once.

_WIN_CHUNK: Final = 16 * 1024


def nonblocking(view: SockView) -> bool:
    """Whether the socket is in non-blocking mode (``fcntl(F_GETFL)``; on Windows the view's own flag).

    A non-blocking socket keeps its meaning under a deadline: the call is
    made at once and raises WouldBlock instead of waiting (as Rust's
    timeouts apply only to blocking sockets). The flag is shared by every
    clone, so it is asked for, not remembered.
    """
    if sys.platform == "win32":
        return view.gettimeout() == 0.0
    try:
        return not os.get_blocking(view.fileno())
    except OSError as e:
        raise Error.from_os_error(e) from None



def recv_by(view: SockView, buf: memoryview, flags: int, instant: float, call: str) -> int:
    """Under a deadline: wait readable, then ``recv(buf, flags | MSG_DONTWAIT)``; TimedOut at *instant*."""
    if nonblocking(view):
        try:
            return view.recv_into(buf, 0, flags)
        except OSError as e:
            err = Error.from_os_error(e)
        del buf
        raise err
    while True:
        if not wait_readable(view, instant):
            raise timed_out(call)
        try:
            return view.recv_into(buf, 0, flags | DONTWAIT)
        except OSError as e:
            if e.errno not in _EAGAIN:
                err = Error.from_os_error(e)
                break
    # Raised outside the handler: no __context__ traceback keeps a view of buf.
    del buf
    raise err


def send_by(view: SockView, data: memoryview, flags: int, instant: float, call: str) -> int:
    """Under a deadline: wait writable, then one ``send(data, flags | MSG_DONTWAIT)``."""
    if nonblocking(view):
        try:
            return view.send(data, flags)
        except OSError as e:
            err = Error.from_os_error(e)
        del data
        raise err
    if _WIN:
        data = data[:_WIN_CHUNK]
    while True:
        if not wait_writable(view, instant):
            raise timed_out(call)
        try:
            return view.send(data, flags | DONTWAIT)
        except OSError as e:
            if e.errno not in _EAGAIN:
                err = Error.from_os_error(e)
                break
    del data
    raise err


def recvfrom_by(
    view: SockView, buf: Buffer, flags: int, instant: float | None, call: str
) -> tuple[int, Any]:
    """One ``recvfrom`` into *buf*; under a deadline (*instant*) wait readable first."""
    if instant is not None and nonblocking(view):
        instant = None
    while True:
        if instant is not None:
            if not wait_readable(view, instant):
                raise timed_out(call)
            flags |= DONTWAIT
        try:
            return view.recvfrom_into(buf, 0, flags)
        except OSError as e:
            if instant is None or e.errno not in _EAGAIN:
                err = Error.from_os_error(e)
                break
    del buf
    raise err


def sendto_by(view: SockView, data: Buffer, address: Any, instant: float | None, call: str) -> int:
    """One ``sendto(data, address)``; under a deadline (*instant*) wait writable first."""
    if instant is not None and nonblocking(view):
        instant = None
    flags = NOSIGNAL
    while True:
        if instant is not None:
            if not wait_writable(view, instant):
                raise timed_out(call)
            flags |= DONTWAIT
        try:
            return view.sendto(data, flags, address)
        except OSError as e:
            if instant is None or e.errno not in _EAGAIN:
                err = Error.from_os_error(e)
                break
    del data
    raise err


# -- connection set-up ------------------------------------------------------------


if sys.platform == "win32":
    _EAFNOSUPPORT: Final[int] = errno.WSAEAFNOSUPPORT
else:
    _EAFNOSUPPORT: Final[int] = errno.EAFNOSUPPORT


def address_for(view: SockView, address: tuple[Any, ...]) -> tuple[Any, ...]:
    """The Python address tuple for a ``sendto`` / ``connect`` on *view*, matched to its family.

    CPython parses an address tuple by the socket's family, so an IPv4 pair
    given to an ``AF_INET6`` socket would reach ``getaddrinfo`` and fail
    with a resolver code, and a 4-tuple given to an ``AF_INET`` socket is a
    ``TypeError``. The kernel (and Rust, which passes a ``sockaddr_in``)
    treats an IPv4 destination on an IPv6 socket as the IPv4-mapped address
    ``::ffff:a.b.c.d``, so it is converted to that; an IPv6 destination on
    an IPv4 socket is `Error` EAFNOSUPPORT, as the kernel reports to Rust.
    """
    family = view.family
    if family == AF_INET6 and len(address) == 2:
        return "::ffff:" + address[0], address[1], 0, 0
    if family == AF_INET and len(address) == 4:
        raise Error.from_raw_os_error(_EAFNOSUPPORT)
    return address



def connect(view: SockView, address: Any, instant: float | None, call: str) -> None:
    """``connect(address)``; under a deadline a non-blocking connect + poll + ``SO_ERROR``.

    Only for sockets this process just created (the blocking mode is
    switched for the duration). Raises `Error` (ConnectionRefused, TimedOut ...).
    """
    if instant is None:
        try:
            view.connect(address)
        except OSError as e:
            raise Error.from_os_error(e) from None
        return
    unix = view.family == getattr(socket, "AF_UNIX", None)
    pause = 0.001
    try:
        view.setblocking(False)
        while True:
            code = view.connect_ex(address)
            if code == 0:
                break
            if unix and code in _EAGAIN:
                # A Unix listener's backlog is full: nothing is in progress,
                # the connect must be retried (see stdio2._sys.unix.net).
                remaining = instant - time.monotonic()
                if remaining <= 0:
                    raise timed_out(call)
                time.sleep(min(pause, remaining))
                pause = min(pause * 2, 0.05)
                continue
            if code not in _IN_PROGRESS:
                raise Error.from_raw_os_error(code)
            if not wait_writable(view, instant):
                raise timed_out(call)
            code = view.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise Error.from_raw_os_error(code)
            break
        view.setblocking(True)
    except OSError as e:
        raise Error.from_os_error(e) from None


def bind(view: SockView, address: Any) -> None:
    """``bind(address)``; raises `Error` (AddrInUse, AddrNotAvailable, PermissionDenied ...)."""
    try:
        view.bind(address)
    except OSError as e:
        raise Error.from_os_error(e) from None


def prepare_listener(view: SockView) -> None:
    """Before `bind`: ``SO_REUSEADDR`` on Unix, ``SO_EXCLUSIVEADDRUSE`` on Windows (see the essay)."""
    if _LISTENER_OPT is not None:
        try:
            view.setsockopt(socket.SOL_SOCKET, _LISTENER_OPT, 1)
        except OSError as e:
            raise Error.from_os_error(e) from None


def listen(view: SockView, backlog: int = BACKLOG) -> None:
    """``listen(fd, backlog)`` (128 by default, Rust's TCP backlog); raises `Error`."""
    try:
        view.listen(backlog)
    except OSError as e:
        raise Error.from_os_error(e) from None


def accept(view: SockView, instant: float | None, call: str) -> tuple[int, Any]:
    """``accept4(fd, SOCK_CLOEXEC)``: the new socket's raw number and the peer's address.

    Under a deadline, first waits with ``poll(POLLIN)``. The raw number must
    be put into a cell at once. Raises `Error`.
    """
    if instant is not None and not nonblocking(view) and not wait_readable(view, instant):
        raise timed_out(call)
    try:
        accepted: tuple[int, Any] = view._accept()  # type: ignore[attr-defined]
        return accepted
    except OSError as e:
        raise Error.from_os_error(e) from None


def shutdown(view: SockView, how: str) -> None:
    """``shutdown(fd, SHUT_RD / SHUT_WR / SHUT_RDWR)`` for *how* in read/write/both; raises `Error`."""
    try:
        view.shutdown(_SHUT[how])
    except OSError as e:
        raise Error.from_os_error(e) from None


def dup_socket(view: SockView) -> int:
    """A new, close-on-exec / non-inheritable number for the same socket.

    ``fcntl(F_DUPFD_CLOEXEC, 3)`` on Unix, ``WSADuplicateSocketW`` +
    ``WSASocketW`` on Windows. Raises `Error` (EMFILE ...).
    """
    if sys.platform == "win32":
        from stdio2._sys.windows import handle as _h

        return _h.WINSOCK.duplicate(view.fileno())
    from stdio2._sys.unix import fd as _unix_fd

    return _unix_fd.dup_cloexec(view.fileno())


def set_nonblocking(view: SockView, nonblocking: bool) -> None:
    """``ioctl(FIONBIO)`` (``ioctlsocket`` on Windows); affects every clone of the socket."""
    try:
        view.setblocking(not nonblocking)
    except OSError as e:
        raise Error.from_os_error(e) from None


# -- options -------------------------------------------------------------------------


def get_int(view: SockView, level: int, option: int) -> int:
    """``getsockopt(level, option)`` as an int; raises `Error`."""
    try:
        return view.getsockopt(level, option)
    except OSError as e:
        raise Error.from_os_error(e) from None


def set_int(view: SockView, level: int, option: int, value: int) -> None:
    """``setsockopt(level, option, value)``; raises `Error`."""
    try:
        view.setsockopt(level, option, value)
    except OSError as e:
        raise Error.from_os_error(e) from None


def get_bool(view: SockView, level: int, option: int) -> bool:
    """A boolean socket option (``getsockopt`` != 0)."""
    return get_int(view, level, option) != 0


def set_bool(view: SockView, level: int, option: int, value: bool) -> None:
    """Set a boolean socket option to 1 or 0."""
    set_int(view, level, option, 1 if value else 0)


def set_buf(view: SockView, level: int, option: int, value: bytes) -> None:
    """``setsockopt`` with a struct argument (multicast membership ...); raises `Error`."""
    try:
        view.setsockopt(level, option, value)
    except OSError as e:
        raise Error.from_os_error(e) from None


def take_error(view: SockView) -> Error | None:
    """``getsockopt(SO_ERROR)``: the pending error (which the read clears), or None."""
    code = get_int(view, socket.SOL_SOCKET, socket.SO_ERROR)
    return Error.from_raw_os_error(code) if code else None


def set_linger(view: SockView, seconds: int | None) -> None:
    """``SO_LINGER``: None turns it off; 0 makes ``close`` send a reset (see the essay)."""
    packed = _LINGER.pack(0, 0) if seconds is None else _LINGER.pack(1, seconds)
    set_buf(view, socket.SOL_SOCKET, socket.SO_LINGER, packed)


def linger(view: SockView) -> int | None:
    """``getsockopt(SO_LINGER)``: the linger time in seconds, or None when off."""
    try:
        raw = view.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER.size)
    except OSError as e:
        raise Error.from_os_error(e) from None
    onoff, secs = _LINGER.unpack(raw)
    return int(secs) if onoff else None


def mreq_v4(group: bytes, interface: bytes) -> bytes:
    """``struct ip_mreq``: the group's and the interface's IPv4 addresses (network order)."""
    return group + interface


def mreq_v6(group: bytes, interface: int) -> bytes:
    """``struct ipv6_mreq``: the group's address and an interface index."""
    return group + struct.pack("@I", interface)


IPPROTO_TCP: Final = socket.IPPROTO_TCP
IPPROTO_IP: Final = socket.IPPROTO_IP
IPPROTO_IPV6: Final = socket.IPPROTO_IPV6
SOL_SOCKET: Final = socket.SOL_SOCKET
TCP_NODELAY: Final = socket.TCP_NODELAY
IP_TTL: Final = socket.IP_TTL
SO_BROADCAST: Final = socket.SO_BROADCAST
IP_MULTICAST_LOOP: Final = socket.IP_MULTICAST_LOOP
IP_MULTICAST_TTL: Final = socket.IP_MULTICAST_TTL
IPV6_MULTICAST_LOOP: Final = socket.IPV6_MULTICAST_LOOP
IPV6_V6ONLY: Final = socket.IPV6_V6ONLY
IP_ADD_MEMBERSHIP: Final = socket.IP_ADD_MEMBERSHIP
IP_DROP_MEMBERSHIP: Final = socket.IP_DROP_MEMBERSHIP
IPV6_JOIN_GROUP: Final = socket.IPV6_JOIN_GROUP
IPV6_LEAVE_GROUP: Final = socket.IPV6_LEAVE_GROUP
