"""Unix-domain sockets (Rust's ``std::os::unix::net``) with descriptor passing.

`UnixStream` (a `Read` + `Write` like `stdio2.net.TcpStream`), `UnixListener`,
`UnixDatagram`, their address type `SocketAddr` (pathname, unnamed, and on
Linux abstract names through `stdio2.os.linux.net.SocketAddrExt`), peer
credentials (`UnixStream.peer_cred` -> `UCred`) and ``SCM_RIGHTS``
descriptor passing:

* ``send_with_fds(data, fds)`` sends bytes plus descriptors (any `AsFd`
  objects) in one ``sendmsg``;
* ``recv_with_fds(buf, max_fds)`` receives bytes plus up to *max_fds*
  descriptors, which arrive as close-on-exec `OwnedFd` objects, never bare
  numbers. If the sender sent more than fit (``MSG_CTRUNC``) it raises
  `AncillaryTruncatedError`: the descriptors that did arrive are closed
  (none leaks), and ``progress`` says how many data bytes were received
  into *buf*.

Every blocking call honours the effective `stdio2.io.Deadline`.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.os.unix is Unix-only")

import os
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final, Self, TypeAlias

import attrs

from stdio2._sys import net as _sys
from stdio2._sys.unix import net as _unix
from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import readable_view, writable_view
from stdio2.net._socket import _Socket, _Stream, deadline_instant
from stdio2.os.fd import OwnedFd, fd_of

if TYPE_CHECKING:
    from stdio2._typing import Buffer

_Path: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]

__all__ = [
    "AncillaryTruncatedError",
    "Incoming",
    "SocketAddr",
    "UCred",
    "UnixDatagram",
    "UnixListener",
    "UnixStream",
]

_PATHNAME: Final = "pathname"
_UNNAMED: Final = "unnamed"
_ABSTRACT: Final = "abstract"


class SocketAddr:
    """The address of a Unix-domain socket (Rust's ``std::os::unix::net::SocketAddr``).

    One of: a file-system *pathname* (`as_pathname`), *unnamed*
    (`is_unnamed`), or on Linux an *abstract* name
    (``SocketAddrExt.as_abstract_name`` in `stdio2.os.linux.net`). An
    immutable, hashable value; no method makes a system call.
    """

    __slots__ = ("_kind", "_name")

    _kind: str
    _name: bytes

    def __init__(self, *args: object) -> None:
        raise TypeError(
            "a Unix SocketAddr comes from SocketAddr.from_pathname(path), "
            "SocketAddrExt.from_abstract_name(name) or a socket's local_addr()/peer_addr()"
        )

    @classmethod
    def _make(cls, kind: str, name: bytes) -> SocketAddr:
        self = object.__new__(cls)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_name", name)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SocketAddr is immutable")

    @classmethod
    def from_pathname(cls, path: _Path) -> SocketAddr:
        """The address of the socket file *path* (no system call).

        Raises `Error` (InvalidInput) when *path* holds a NUL byte or does
        not fit in ``sun_path`` (107 bytes on Linux), and ``TypeError`` for
        a non-path.
        """
        try:
            raw = os.fsencode(path)
        except TypeError:
            raise TypeError(
                f"SocketAddr.from_pathname takes a path (str, bytes, os.PathLike), not {type(path).__name__}"
            ) from None
        if b"\0" in raw:
            raise Error(ErrorKind.InvalidInput, "paths must not contain interior null bytes")
        if len(raw) >= _unix.SUN_PATH_MAX:
            raise Error(ErrorKind.InvalidInput, "path must be shorter than SUN_LEN")
        if not raw:
            return cls._make(_UNNAMED, b"")
        return cls._make(_PATHNAME, raw)

    @classmethod
    def _from_abstract(cls, name: object) -> SocketAddr:
        if not sys.platform.startswith("linux"):
            raise Error(ErrorKind.Unsupported, "abstract socket names exist on Linux only")
        if not isinstance(name, (bytes, bytearray, memoryview)):
            raise TypeError(f"an abstract name is bytes, not {type(name).__name__}")
        raw = bytes(name)
        if len(raw) + 1 > _unix.SUN_PATH_MAX:
            raise Error(ErrorKind.InvalidInput, "abstract socket name must be shorter than SUN_LEN")
        return cls._make(_ABSTRACT, raw)

    @classmethod
    def _from_os(cls, address: Any) -> SocketAddr:
        # CPython's AF_UNIX addresses: '' (unnamed), str (pathname), bytes
        # starting with NUL (Linux abstract); bytes pathnames on some systems.
        if isinstance(address, str):
            return cls._make(_PATHNAME, os.fsencode(address)) if address else cls._make(_UNNAMED, b"")
        if isinstance(address, bytes):
            if address.startswith(b"\0"):
                return cls._make(_ABSTRACT, address[1:])
            name = address.split(b"\0", 1)[0]
            return cls._make(_PATHNAME, name) if name else cls._make(_UNNAMED, b"")
        return cls._make(_UNNAMED, b"")

    def _to_os(self, call: str) -> bytes:
        if self._kind == _UNNAMED:
            raise Error(ErrorKind.InvalidInput, f"{call}: an unnamed address cannot be used")
        return b"\0" + self._name if self._kind == _ABSTRACT else self._name

    def is_unnamed(self) -> bool:
        """Whether this is the address of an unbound socket."""
        return self._kind == _UNNAMED

    def as_pathname(self) -> Path | None:
        """The socket file's path, or None for unnamed and abstract addresses."""
        return Path(os.fsdecode(self._name)) if self._kind == _PATHNAME else None

    def _as_abstract(self) -> bytes | None:
        return self._name if self._kind == _ABSTRACT else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SocketAddr):
            return NotImplemented
        return (self._kind, self._name) == (other._kind, other._name)

    def __hash__(self) -> int:
        return hash((SocketAddr, self._kind, self._name))

    def __repr__(self) -> str:
        if self._kind == _UNNAMED:
            return "SocketAddr((unnamed))"
        if self._kind == _ABSTRACT:
            return f"SocketAddr({self._name!r} (abstract))"
        return f"SocketAddr({os.fsdecode(self._name)!r} (pathname))"

    def __str__(self) -> str:
        # Rust's Debug text: "(unnamed)", "/tmp/sock" (pathname), "name" (abstract).
        if self._kind == _UNNAMED:
            return "(unnamed)"
        if self._kind == _ABSTRACT:
            return f'"{self._name.decode("utf-8", "backslashreplace")}" (abstract)'
        return f'"{os.fsdecode(self._name)}" (pathname)'


def _address(path: _Path | SocketAddr, call: str) -> bytes:
    if isinstance(path, SocketAddr):
        return path._to_os(call)
    return SocketAddr.from_pathname(path)._to_os(call)


@attrs.frozen
class UCred:
    """Credentials of a Unix socket's peer (Rust's ``UCred``): ``pid`` (or None), ``uid``, ``gid``."""

    uid: int
    gid: int
    pid: int | None


class AncillaryTruncatedError(Error):
    """`recv_with_fds`: more descriptors were sent than the receiver had room for (``MSG_CTRUNC``).

    Kind ``InvalidData``. ``progress`` is the number of data bytes received
    into the buffer (they are valid and were consumed); ``fds_closed`` is the
    number of descriptors that arrived and were closed so none leaks (the
    kernel closed the ones that did not fit).
    """

    fds_closed: int


def _check_addr(addr: object, call: str) -> None:
    if not isinstance(addr, SocketAddr):
        raise TypeError(f"{call} takes a Unix SocketAddr, not {type(addr).__name__}")


class _FdPassing(_Socket):
    """``send_with_fds`` / ``recv_with_fds`` and ``pair``, shared by `UnixStream` and `UnixDatagram`."""

    __slots__ = ()

    @classmethod
    def _pair(cls, socktype: int) -> tuple[Self, Self]:
        # socketpair(AF_UNIX, socktype | SOCK_CLOEXEC), both ends owned at once.
        a, b = _unix.socketpair(socktype)
        try:
            first = cls._from_view(a)
        except BaseException:
            b.cell.release_now()
            raise
        return first, cls._from_view(b)

    def send_with_fds(self, data: Buffer, fds: Iterable[object], /) -> int:
        """Send *data* together with the descriptors of *fds* (``sendmsg`` + ``SCM_RIGHTS``).

        *fds* holds `AsFd` objects (files, pipes, sockets, `OwnedFd`,
        `BorrowedFd`); they stay owned by the caller, and the receiver gets
        duplicates. Returns the number of data bytes sent. On a stream,
        *data* must not be empty (``ValueError``): the descriptors travel with
        the bytes. Raises `Error` (InvalidInput for more than 253
        descriptors, BrokenPipe, TimedOut ...).
        """
        call = f"{type(self).__name__}.send_with_fds"
        view = readable_view(data, call)
        cells = [fd_of(obj, call) for obj in fds]  # held: each stays open during the call
        numbers = [c.raw for c in cells if c.raw is not None]
        if numbers and not len(view) and self._socktype == socket.SOCK_STREAM:
            raise ValueError(f"{call}: descriptors travel with data; send at least one byte")
        return _unix.send_fds(self._sock, view, numbers, None, deadline_instant())

    def recv_with_fds(self, buf: Buffer, max_fds: int, /) -> tuple[int, list[OwnedFd]]:
        """Receive data into *buf* and up to *max_fds* descriptors (``recvmsg`` with ``MSG_CMSG_CLOEXEC``).

        Returns ``(nbytes, fds)``; each descriptor is a close-on-exec `OwnedFd`
        the caller now owns. Raises `AncillaryTruncatedError` when more
        descriptors were sent than *max_fds* (none leaks), and `Error`
        (TimedOut, WouldBlock ...).
        """
        call = f"{type(self).__name__}.recv_with_fds"
        view = writable_view(buf, call)
        if isinstance(max_fds, bool) or not isinstance(max_fds, int) or max_fds < 0:
            raise TypeError(f"{call}: max_fds must be an int >= 0, got {max_fds!r}")
        n, cells, truncated, _ = _unix.recv_fds(self._sock, view, max_fds, deadline_instant())
        # The control buffer is rounded up to a multiple of 8 bytes, so the
        # kernel may deliver one more descriptor than asked for without
        # MSG_CTRUNC: that is a truncation of the caller's limit all the same.
        if truncated or len(cells) > max_fds:
            for cell in cells:
                cell.release_now()
            err = AncillaryTruncatedError(
                ErrorKind.InvalidData,
                f"{call}: the control message was truncated (room for {max_fds} descriptors); "
                f"{len(cells)} that arrived were closed",
            )
            err.progress = n
            err.fds_closed = len(cells)
            raise err
        return n, [OwnedFd._adopt(cell) for cell in cells]

    def local_addr(self) -> SocketAddr:
        """This socket's address (``getsockname``)."""
        return SocketAddr._from_os(self._raw_local())

    def peer_addr(self) -> SocketAddr:
        """The connected peer's address (``getpeername``); `Error` (NotConnected)."""
        return SocketAddr._from_os(self._raw_peer())


class UnixStream(_Stream, _FdPassing):
    """A connected Unix stream socket (Rust's ``UnixStream``): a `Read` and a `Write`.

    Made by `connect`, `pair` or `UnixListener.accept` (also
    ``UnixStream(owned_fd)``, ``from_raw_fd``). Reads and writes are one
    system call each; see the module docs for descriptor passing.
    """

    __slots__ = ()
    _what = "UnixStream"
    _families: ClassVar[tuple[int, ...]] = (socket.AF_UNIX,)
    _socktype: ClassVar[int] = socket.SOCK_STREAM

    @classmethod
    def connect(cls, path: _Path | SocketAddr) -> UnixStream:
        """Connect to the socket at *path* (or a `SocketAddr`) (``socket`` + ``connect``).

        Raises `Error` (NotFound, ConnectionRefused, PermissionDenied,
        InvalidInput for a too-long path, TimedOut under a `Deadline`).
        """
        address = _address(path, "UnixStream.connect")
        instant = deadline_instant()
        return cls._made(
            socket.AF_UNIX,
            socket.SOCK_STREAM,
            lambda view: _sys.connect(view, address, instant, "UnixStream.connect"),
        )

    @classmethod
    def connect_addr(cls, addr: SocketAddr) -> UnixStream:
        """Connect to the socket named by *addr* (Rust's ``connect_addr``)."""
        _check_addr(addr, "connect_addr")
        return cls.connect(addr)

    @classmethod
    def pair(cls) -> tuple[UnixStream, UnixStream]:
        """Two connected, unnamed streams (``socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC)``)."""
        return cls._pair(socket.SOCK_STREAM)

    def peer_cred(self) -> UCred:
        """The peer process's credentials at connect time (``getsockopt(SO_PEERCRED)``; Linux)."""
        pid, uid, gid = _unix.peer_cred(self._sock)
        return UCred(uid=uid, gid=gid, pid=pid)


class UnixListener(_Socket):
    """A listening Unix stream socket (Rust's ``UnixListener``)."""

    __slots__ = ()
    _what = "UnixListener"
    _families: ClassVar[tuple[int, ...]] = (socket.AF_UNIX,)
    _socktype: ClassVar[int] = socket.SOCK_STREAM

    @classmethod
    def bind(cls, path: _Path | SocketAddr) -> UnixListener:
        """Create the socket file *path* (or bind a `SocketAddr`) and listen (``bind`` + ``listen``).

        The backlog is Rust's: the system's maximum on Linux, macOS and the
        BSDs (Rust's ``listen(fd, -1)``), 128 elsewhere.

        The file stays after the listener closes; remove it yourself. Raises
        `Error` (AddrInUse when *path* exists, NotFound, PermissionDenied, InvalidInput).
        """
        address = _address(path, "UnixListener.bind")

        def setup(view: _sys.SockView) -> None:
            _sys.bind(view, address)
            _sys.listen(view, _unix.LISTEN_BACKLOG)

        return cls._made(socket.AF_UNIX, socket.SOCK_STREAM, setup)

    @classmethod
    def bind_addr(cls, addr: SocketAddr) -> UnixListener:
        """Listen on *addr* (Rust's ``bind_addr``; e.g. an abstract name)."""
        _check_addr(addr, "bind_addr")
        return cls.bind(addr)

    def accept(self) -> tuple[UnixStream, SocketAddr]:
        """Wait for a connection (``accept4(SOCK_CLOEXEC)``); the stream and the client's address.

        Under a `Deadline`, ``poll(POLLIN)`` first, then TimedOut when it passes.
        """
        view, address = self._accept_view("UnixListener.accept")
        return UnixStream._from_view(view), SocketAddr._from_os(address)

    def incoming(self) -> Incoming:
        """An endless iterator of accepted streams; errors are raised from ``__next__``."""
        return Incoming(self)

    def local_addr(self) -> SocketAddr:
        """The address listened on (``getsockname``)."""
        return SocketAddr._from_os(self._raw_local())


class Incoming:
    """The iterator `UnixListener.incoming` returns; each ``next()`` is one `UnixListener.accept`."""

    __slots__ = ("_listener",)

    def __init__(self, listener: UnixListener) -> None:
        self._listener = listener

    def __iter__(self) -> Incoming:
        return self

    def __next__(self) -> UnixStream:
        return self._listener.accept()[0]


class UnixDatagram(_FdPassing):
    """A Unix datagram socket (Rust's ``UnixDatagram``): whole messages, reliable and ordered."""

    __slots__ = ()
    _what = "UnixDatagram"
    _families: ClassVar[tuple[int, ...]] = (socket.AF_UNIX,)
    _socktype: ClassVar[int] = socket.SOCK_DGRAM

    @classmethod
    def bind(cls, path: _Path | SocketAddr) -> UnixDatagram:
        """A datagram socket bound to *path* (creates the socket file) (``bind``)."""
        address = _address(path, "UnixDatagram.bind")
        return cls._made(socket.AF_UNIX, socket.SOCK_DGRAM, lambda view: _sys.bind(view, address))

    @classmethod
    def bind_addr(cls, addr: SocketAddr) -> UnixDatagram:
        """A datagram socket bound to *addr* (Rust's ``bind_addr``)."""
        _check_addr(addr, "bind_addr")
        return cls.bind(addr)

    @classmethod
    def unbound(cls) -> UnixDatagram:
        """An unnamed datagram socket (``socket(AF_UNIX, SOCK_DGRAM)``)."""
        return cls._from_view(_sys.new_socket(socket.AF_UNIX, socket.SOCK_DGRAM))

    @classmethod
    def pair(cls) -> tuple[UnixDatagram, UnixDatagram]:
        """Two connected, unnamed datagram sockets (``socketpair``)."""
        return cls._pair(socket.SOCK_DGRAM)

    def connect(self, path: _Path | SocketAddr) -> None:
        """Fix the peer for `send` / `recv` (``connect``)."""
        address = _address(path, "UnixDatagram.connect")
        try:
            self._sock.connect(address)
        except OSError as e:
            raise Error.from_os_error(e) from None

    def connect_addr(self, addr: SocketAddr) -> None:
        """Fix the peer to *addr* (Rust's ``connect_addr``)."""
        self.connect(addr)

    def send(self, buf: Buffer, /) -> int:
        """Send one datagram to the connected peer (``send``)."""
        return self._send_one(buf, "UnixDatagram.send")

    def send_to(self, buf: Buffer, path: _Path | SocketAddr) -> int:
        """Send one datagram to the socket at *path* (``sendto``)."""
        data = readable_view(buf, "UnixDatagram.send_to")
        address = _address(path, "UnixDatagram.send_to")
        return _sys.sendto_by(self._sock, data, address, deadline_instant(), "UnixDatagram.send_to")

    def send_to_addr(self, buf: Buffer, addr: SocketAddr) -> int:
        """Send one datagram to *addr* (Rust's ``send_to_addr``)."""
        return self.send_to(buf, addr)

    def recv(self, buf: Buffer, /) -> int:
        """Receive one datagram (``recv``); return its size (truncated to *buf*)."""
        return self._recv(buf, 0, "UnixDatagram.recv")

    def peek(self, buf: Buffer, /) -> int:
        """Like `recv`, but the datagram stays queued (``MSG_PEEK``)."""
        return self._recv(buf, _sys.PEEK, "UnixDatagram.peek")

    def recv_from(self, buf: Buffer, /) -> tuple[int, SocketAddr]:
        """Receive one datagram and its sender's address (``recvfrom``)."""
        view = writable_view(buf, "UnixDatagram.recv_from")
        n, address = _sys.recvfrom_by(self._sock, view, 0, deadline_instant(), "UnixDatagram.recv_from")
        return n, SocketAddr._from_os(address)

    def peek_from(self, buf: Buffer, /) -> tuple[int, SocketAddr]:
        """Like `recv_from`, but the datagram stays queued (``MSG_PEEK``)."""
        view = writable_view(buf, "UnixDatagram.peek_from")
        n, address = _sys.recvfrom_by(
            self._sock, view, _sys.PEEK, deadline_instant(), "UnixDatagram.peek_from"
        )
        return n, SocketAddr._from_os(address)

    def shutdown(self, how: object) -> None:
        """Shut down reading, writing or both (``shutdown(2)``); *how* is a `stdio2.net.Shutdown`."""
        from stdio2.net._socket import Shutdown

        if not isinstance(how, Shutdown):
            raise TypeError(f"shutdown takes Shutdown.Read, Shutdown.Write or Shutdown.Both, not {how!r}")
        _sys.shutdown(self._sock, how.value)
