"""The owner every stdio2 socket type is built on, and the stream `Read`/`Write` they share.

A socket owner holds the socket's `Cell` (the one thing that closes it) and a
`SockView` over it: a non-owning ``socket.socket`` whose C methods make the
system calls. Streams cache the view's bound ``recv_into`` and ``send``, so
`read` and `write` are one C call each when no `Deadline` is active; the
cached method references the view, which references the cell, which is
what keeps a descriptor open while a call on another thread is in flight
(`stdio2._sys._owner`).

On Unix the base is `stdio2.os.fd.FdOwner` (``as_fd``, ``as_raw_fd``,
``into_raw_fd``, ``from_raw_fd``, ``OwnedFd(stream)``, ``TcpStream(owned_fd)``);
on Windows it is an owner of a Winsock socket (``as_socket``,
``as_raw_socket``, ``into_raw_socket``, ``from_raw_socket``,
``OwnedSocket(stream)``, ``TcpStream(owned_socket)``).
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, Self, TypeVar, cast

from stdio2._sys import net as _sys
from stdio2._sys._owner import Cell, Owner, closed_error
from stdio2.io._deadline import current_instant, scopes_open
from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import Read, Write, readable_view, writable_view

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = ["Shutdown"]

_S = TypeVar("_S", bound="_Socket")

_NOSIGNAL = _sys.NOSIGNAL
_PEEK = _sys.PEEK


class Shutdown(enum.Enum):
    """Which half of a connection `shutdown` closes (Rust's ``std::net::Shutdown``)."""

    Read = "read"
    """No more reads: later reads return 0 (``SHUT_RD``)."""
    Write = "write"
    """No more writes: the peer reads end of stream (``SHUT_WR``, sends FIN)."""
    Both = "both"
    """Both halves (``SHUT_RDWR``)."""

    def __repr__(self) -> str:
        return f"Shutdown.{self.name}"


class _ClosedView:
    """Stands in for the view of a closed owner: every use raises `Error` (InvalidInput)."""

    __slots__ = ("_what",)

    def __init__(self, what: str) -> None:
        self._what = what

    def __getattr__(self, name: str) -> NoReturn:
        raise closed_error(f"this {self._what}")


def _closed_call(what: str) -> Callable[..., NoReturn]:
    def closed(*args: object) -> NoReturn:
        raise closed_error(f"this {what}")

    return closed


if sys.platform == "win32":
    from stdio2.os.windows.io import BorrowedSocket, IntoRawSocket, _socket_arg, _SocketCell

    class _OwnerBase(Owner[int]):
        """Windows: an owner of one Winsock socket (``closesocket`` once)."""

        __slots__ = ()

        def __init__(self, source: object, /) -> None:
            name = type(self).__name__
            if isinstance(source, int):
                raise TypeError(
                    f"{name}(...) takes ownership from another owner (OwnedSocket ...); "
                    f"to adopt a raw socket use {name}.from_raw_socket(raw)"
                )
            if isinstance(source, Owner):
                cell = source._live()
                if not isinstance(cell, _SocketCell):
                    raise TypeError(f"{name}({type(source).__name__}): it does not own a socket")
                self._check_kind(_sys.view_of(cell))
                self._init_cell(source._take())
                return
            if isinstance(source, IntoRawSocket):
                raw = _socket_arg(source.into_raw_socket(), f"{name}(...)")
                self._init_cell(_sys.socket_cell(raw))
                return
            raise TypeError(f"{name}(...) takes an owner of a socket, got {type(source).__name__}")

        def _init_cell(self, cell: Cell[int]) -> None:
            Owner.__init__(self, cell)

        def _check_kind(self, view: _sys.SockView) -> None:
            raise NotImplementedError

        @classmethod
        def _adopt(cls, cell: Cell[int]) -> Self:
            self = cls.__new__(cls)
            try:
                self._init_cell(cell)
            except BaseException:
                cell.release_now()
                raise
            return self

        @classmethod
        def from_raw_socket(cls, raw: int, /) -> Self:
            """Take ownership of the open socket *raw*; the caller promises nobody else closes it."""
            return cls._adopt(_sys.socket_cell(_socket_arg(raw, f"{cls.__name__}.from_raw_socket")))

        def as_socket(self) -> BorrowedSocket:
            """Borrow the socket; the borrow is checked against this owner on every use."""
            self._live()
            return BorrowedSocket._of(self)

        def as_raw_socket(self) -> int:
            """The raw ``SOCKET`` value (no system call); `Error` (InvalidInput) once closed."""
            raw = self._live().raw
            if raw is None:
                raise closed_error(f"this {self._what}")
            return raw

        def into_raw_socket(self) -> int:
            """Give up ownership and return the raw socket, which the caller must now close."""
            raw = self._take().detach()
            if raw is None:
                raise closed_error(f"this {self._what}")
            return raw

        def __repr__(self) -> str:
            cell = self._cell
            raw = None if cell is None else cell.raw
            return f"{type(self).__name__}({'closed' if raw is None else f'socket={raw:#x}'})"

else:
    from stdio2.os.fd import FdOwner

    class _OwnerBase(FdOwner):
        """Unix: a descriptor owner that checks it is given a socket of the right kind."""

        __slots__ = ()

        def __init__(self, source: object, /) -> None:
            if isinstance(source, FdOwner):
                # Check before moving: a wrong kind must not consume the source.
                self._check_kind(_sys.view_of(source._live()))
            FdOwner.__init__(self, source)

        def _check_kind(self, view: _sys.SockView) -> None:
            raise NotImplementedError


class _Socket(_OwnerBase):
    """Shared behaviour of `TcpStream`, `TcpListener`, `UdpSocket` and the Unix sockets."""

    __slots__ = ("_sock",)

    _sock: _sys.SockView
    _families: ClassVar[tuple[int, ...]] = ()
    _socktype: ClassVar[int] = 0

    def _check_kind(self, view: _sys.SockView) -> None:
        if view.family not in self._families or view.type != self._socktype:
            name = type(self).__name__
            raise Error(
                ErrorKind.InvalidInput,
                f"{name}(...): the descriptor is not a {name} socket "
                f"(family {int(view.family)}, type {int(view.type)})",
            )

    def _init_cell(self, cell: Cell[int]) -> None:
        # The generic adoption path (from_raw_*, Type(owner)): ask the kernel
        # what the socket is.
        self._sock = cast(_sys.SockView, _ClosedView(self._what))
        view = _sys.view_of(cell)
        self._check_kind(view)
        self._set_view(view)

    def _set_view(self, view: _sys.SockView) -> None:
        Owner.__init__(self, view.cell)
        self._sock = view

    @classmethod
    def _made(cls, family: int, socktype: int, setup: Callable[[_sys.SockView], object]) -> Self:
        """A new socket (``socket(family, socktype | SOCK_CLOEXEC)``) once *setup* (bind, connect ...) ran.

        If *setup* raises, the socket is closed and the error propagates.
        """
        view = _sys.new_socket(family, socktype)
        try:
            setup(view)
        except BaseException:
            view.cell.release_now()
            raise
        return cls._from_view(view)

    @classmethod
    def _from_view(cls: type[_S], view: _sys.SockView) -> _S:
        self = cls.__new__(cls)
        try:
            self._set_view(view)
        except BaseException:
            view.cell.release_now()
            raise
        return self

    def _forget(self) -> None:
        self._sock = cast(_sys.SockView, _ClosedView(self._what))

    def try_clone(self: _S) -> _S:
        """A second owner of the same socket (``fcntl(F_DUPFD_CLOEXEC)`` / ``WSADuplicateSocketW``).

        Both share the socket: data, options and the non-blocking flag.
        Raises `Error` (EMFILE ..., InvalidInput once closed).
        """
        sock = self._sock
        cell = _sys.socket_cell(_sys.dup_socket(sock))
        try:
            view = _sys.view_of(cell, sock.family, sock.type, sock.proto)
        except BaseException:
            cell.release_now()
            raise
        return type(self)._from_view(view)

    def take_error(self) -> Error | None:
        """The pending socket error, cleared by this read (``getsockopt(SO_ERROR)``), or None."""
        return _sys.take_error(self._sock)

    def set_nonblocking(self, nonblocking: bool) -> None:
        """Switch non-blocking mode (``ioctl(FIONBIO)``); shared by every clone of the socket.

        In non-blocking mode a call that would wait raises `Error` of kind
        ``WouldBlock`` instead.
        """
        _sys.set_nonblocking(self._sock, bool(nonblocking))

    def _recv(self, buf: Buffer, flags: int, call: str) -> int:
        # One datagram (UDP, Unix datagram): one recv_into, or a deadline wait first.
        view = writable_view(buf, call)
        instant = deadline_instant()
        sock = self._sock
        if instant is None:
            try:
                return sock.recv_into(view, 0, flags)
            except OSError as e:
                raise Error.from_os_error(e) from None
        return _sys.recv_by(sock, view, flags, instant, call)

    def _send_one(self, buf: Buffer, call: str) -> int:
        # One datagram to the connected peer: one send, or a deadline wait first.
        data = readable_view(buf, call)
        instant = deadline_instant()
        sock = self._sock
        if instant is None:
            try:
                return sock.send(data, _NOSIGNAL)
            except OSError as e:
                raise Error.from_os_error(e) from None
        return _sys.send_by(sock, data, _NOSIGNAL, instant, call)

    def _accept_view(self, call: str) -> tuple[_sys.SockView, Any]:
        # A listener's accept: the new connection (same family and type) and the peer's OS address.
        sock = self._sock
        raw, address = _sys.accept(sock, deadline_instant(), call)
        cell = _sys.socket_cell(raw)
        try:
            view = _sys.view_of(cell, sock.family, sock.type, sock.proto)
        except BaseException:
            cell.release_now()
            raise
        return view, address

    def _raw_local(self) -> Any:
        try:
            return self._sock.getsockname()
        except OSError as e:
            raise Error.from_os_error(e) from None

    def _raw_peer(self) -> Any:
        try:
            return self._sock.getpeername()
        except OSError as e:
            raise Error.from_os_error(e) from None


class _Stream(_Socket, Read, Write):
    """A connected byte stream (TCP or Unix): one ``recv``/``send`` per `read`/`write`."""

    __slots__ = ("_recv_into", "_send")

    _recv_into: Callable[..., int]
    _send: Callable[..., int]

    def _set_view(self, view: _sys.SockView) -> None:
        _Socket._set_view(self, view)
        self._recv_into = view.recv_into
        self._send = view.send

    def _forget(self) -> None:
        _Socket._forget(self)
        closed = _closed_call(self._what)
        self._recv_into = closed
        self._send = closed

    def read(self, buf: Buffer, /) -> int:
        """Read once (``recv``) into the writable buffer *buf*; return the count (0: end of stream).

        Under an active `Deadline` it waits with ``poll(POLLIN)`` first.
        Raises `Error` (ConnectionReset, TimedOut, WouldBlock in
        non-blocking mode, InvalidInput once closed) and ``TypeError`` for a
        non-writable *buf*.
        """
        if scopes_open:
            return self._read_by(buf, 0, "read")
        recv_into = self._recv_into
        try:
            return recv_into(buf)
        except OSError as e:
            err = Error.from_os_error(e)
        except TypeError:
            del recv_into
            writable_view(buf, f"{type(self).__name__}.read")
            raise
        # Raised outside the handler, so the error has no __context__ whose
        # traceback would keep this frame (the cell, a view of buf) alive.
        del recv_into, buf
        raise err

    def peek(self, buf: Buffer, /) -> int:
        """Like `read`, but the bytes stay queued for the next read (``recv(MSG_PEEK)``)."""
        return self._read_by(buf, _PEEK, "peek")

    def _read_by(self, buf: Buffer, flags: int, what: str) -> int:
        call = f"{type(self).__name__}.{what}"
        view = writable_view(buf, call)
        instant = current_instant()
        sock = self._sock
        if instant is None:
            try:
                return sock.recv_into(view, 0, flags)
            except OSError as e:
                err = Error.from_os_error(e)
            del sock, view, buf
            raise err
        if not len(view):
            return 0
        return _sys.recv_by(sock, view, flags, instant, call)

    def write(self, buf: Buffer, /) -> int:
        """Write once (``send`` with ``MSG_NOSIGNAL``); return how many bytes the kernel took.

        Under an active `Deadline` it waits with ``poll(POLLOUT)`` and then
        sends only what fits without sleeping (``MSG_DONTWAIT``). Raises
        `Error` (BrokenPipe / ConnectionReset once the peer is gone,
        TimedOut, WouldBlock, InvalidInput once closed) and ``TypeError``
        for ``str`` or non-buffers.
        """
        if scopes_open:
            return self._write_by(buf)
        send = self._send
        try:
            return send(buf, _NOSIGNAL)
        except OSError as e:
            err = Error.from_os_error(e)
        except TypeError:
            del send
            readable_view(buf, f"{type(self).__name__}.write")
            raise
        del send, buf
        raise err

    def _write_by(self, buf: Buffer) -> int:
        call = f"{type(self).__name__}.write"
        view = readable_view(buf, call)
        instant = current_instant()
        sock = self._sock
        if instant is None:
            try:
                return sock.send(view, _NOSIGNAL)
            except OSError as e:
                err = Error.from_os_error(e)
            del sock, view, buf
            raise err
        if not len(view):
            return 0
        return _sys.send_by(sock, view, _NOSIGNAL, instant, call)

    def write_all(self, buf: Buffer, /) -> None:
        """Write all of *buf* (``send`` until done); on failure ``progress`` says how much went out.

        Under a `Deadline` each `write` waits at most until it passes.
        """
        if scopes_open:
            return Write.write_all(self, buf)
        send = self._send
        written = 0
        if type(buf) is bytes or type(buf) is bytearray:
            # A blocking send usually takes everything in one call. Handing it
            # the caller's object (no memoryview, no loop) keeps the common
            # case as cheap as ``socket.sendall``: measured 1.03x against
            # 1.10x for the same single send through a fresh memoryview.
            try:
                written = send(buf, _NOSIGNAL)
            except OSError as e:
                err = Error.from_os_error(e).with_progress(0)
                del send, buf
                raise err from None
            if written == len(buf):
                return None
        view = readable_view(buf, "write_all")
        with view:
            total = len(view)
            while written < total:
                try:
                    n = send(view[written:] if written else view, _NOSIGNAL)
                except OSError as e:
                    err = Error.from_os_error(e).with_progress(written)
                    break
                if not n:  # pragma: no cover - a blocking stream send never returns 0
                    raise Error(ErrorKind.WriteZero, "failed to write whole buffer").with_progress(
                        written
                    )
                written += n
            else:
                return None
        del send, view, buf
        raise err

    def flush(self) -> None:
        """Nothing to do: a socket has no user-space buffer. No system call."""

    def shutdown(self, how: Shutdown) -> None:
        """Shut down the read half, the write half or both (``shutdown(2)``).

        Unblocks a ``read`` waiting on another thread (it returns 0). Raises
        `Error` (NotConnected ...) and ``TypeError`` unless *how* is a `Shutdown`.
        """
        if not isinstance(how, Shutdown):
            raise TypeError(
                f"shutdown takes Shutdown.Read, Shutdown.Write or Shutdown.Both, not {how!r}"
            )
        _sys.shutdown(self._sock, how.value)


def deadline_instant() -> float | None:
    """The effective deadline's instant for a blocking call (None when no scope is open)."""
    return current_instant() if scopes_open else None
