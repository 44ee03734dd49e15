"""Owned and borrowed Windows handles and sockets (Rust's ``std::os::windows::io``).

A raw `RawHandle` or `RawSocket` is just an ``int``: like a raw pointer it can
dangle (its object was closed and the value reused) or be forged (someone
typed a number). The safe forms are:

- `OwnedHandle` / `OwnedSocket`: the one object that closes the resource
  (``CloseHandle`` / ``closesocket``), exactly once, on `close`, at the end
  of a ``with`` block, or, as a last resort, when garbage-collected (with a
  `ResourceWarning`).
- `BorrowedHandle` / `BorrowedSocket`: a view tied to its owner. It is
  checked on every use: once the owner is closed or has given its resource
  away, the borrow raises ``Error(InvalidInput)`` instead of handing out a
  value that may by now name another object.
- `HandleOrNull` / `HandleOrInvalid`: the result of an API that reports
  failure with NULL (``OpenProcess``) or with INVALID_HANDLE_VALUE
  (``CreateFileW``). `OwnedHandle.try_from` turns them into an owner or
  raises `NullHandleError` / `InvalidHandleError`; nothing is closed either
  way.

The value rules (which the backend module `stdio2._sys.windows.handle`
explains): a raw handle is canonicalised to its unsigned pointer-sized form
(``-1`` and ``0xFFFF_FFFF_FFFF_FFFF`` are the same handle); owned handles
are never NULL; -1 in an owner or borrow is the current-process pseudo
handle, never INVALID_HANDLE_VALUE; pseudo handles (high bit set) are
representable but never closed; a borrowed *standard* handle may be NULL
when the process has no console (the one exception, Rust's).

This module is importable everywhere. Values that need no system call
(pseudo handles, the NULL/INVALID conversions) work on every platform; the
calls (``CloseHandle``, ``DuplicateHandle``, ``GetHandleInformation``,
``closesocket``, ``WSADuplicateSocketW``) happen only on Windows and raise
``Error(Unsupported)`` elsewhere.
"""

from __future__ import annotations

from typing import Any, NoReturn, Protocol, Self, runtime_checkable

# stdio2.io first: its package initialisation imports the owner machinery,
# which in turn needs stdio2.io._error, so this order works from a cold start.
from stdio2.io._error import Error, ErrorKind

# isort: split
from stdio2._sys._owner import Cell, Owner, closed_error, raw_of
from stdio2._sys.windows import handle as _h

__all__ = [
    "AsHandle",
    "AsRawHandle",
    "AsRawSocket",
    "AsSocket",
    "BorrowedHandle",
    "BorrowedSocket",
    "FromRawHandle",
    "FromRawSocket",
    "HandleOrInvalid",
    "HandleOrNull",
    "IntoRawHandle",
    "IntoRawSocket",
    "InvalidHandleError",
    "NullHandleError",
    "OwnedHandle",
    "OwnedSocket",
    "RawHandle",
    "RawSocket",
]

RawHandle = int
"""A raw ``HANDLE``: a pointer-sized int, canonically unsigned. Using one is the caller's risk."""

RawSocket = int
"""A raw Winsock ``SOCKET`` (``UINT_PTR``). Using one is the caller's risk."""


# -- errors --------------------------------------------------------------------


class NullHandleError(ValueError):
    """A NULL value where a handle is required (`OwnedHandle.try_from` of a NULL `HandleOrNull`)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or "A HandleOrNull could not be converted to a handle because it was null"
        )


class InvalidHandleError(ValueError):
    """INVALID_HANDLE_VALUE in a `HandleOrInvalid` (`OwnedHandle.try_from` of a failed call)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "A HandleOrInvalid could not be converted to a handle because it was INVALID_HANDLE_VALUE"
        )


# -- protocols -----------------------------------------------------------------


@runtime_checkable
class AsHandle(Protocol):
    """Objects that can lend their handle: ``as_handle() -> BorrowedHandle``."""

    def as_handle(self) -> BorrowedHandle:
        """Borrow the handle (checked against its owner on every use)."""
        ...


@runtime_checkable
class AsRawHandle(Protocol):
    """Objects that expose their raw handle value: ``as_raw_handle() -> RawHandle``."""

    def as_raw_handle(self) -> RawHandle:
        """The handle value itself (no system call)."""
        ...


@runtime_checkable
class FromRawHandle(Protocol):
    """Types that can adopt a raw handle: ``from_raw_handle(raw)`` (a classmethod)."""

    @classmethod
    def from_raw_handle(cls, raw: RawHandle) -> Any:
        """Take ownership of *raw*; the caller promises nothing else closes it."""
        ...


@runtime_checkable
class IntoRawHandle(Protocol):
    """Objects that can give up their handle: ``into_raw_handle() -> RawHandle``."""

    def into_raw_handle(self) -> RawHandle:
        """Give up ownership and return the value; the caller must close it."""
        ...


@runtime_checkable
class AsSocket(Protocol):
    """Objects that can lend their socket: ``as_socket() -> BorrowedSocket``."""

    def as_socket(self) -> BorrowedSocket:
        """Borrow the socket (checked against its owner on every use)."""
        ...


@runtime_checkable
class AsRawSocket(Protocol):
    """Objects that expose their raw socket value: ``as_raw_socket() -> RawSocket``."""

    def as_raw_socket(self) -> RawSocket:
        """The socket value itself (no system call)."""
        ...


@runtime_checkable
class FromRawSocket(Protocol):
    """Types that can adopt a raw socket: ``from_raw_socket(raw)`` (a classmethod)."""

    @classmethod
    def from_raw_socket(cls, raw: RawSocket) -> Any:
        """Take ownership of *raw*; the caller promises nothing else closes it."""
        ...


@runtime_checkable
class IntoRawSocket(Protocol):
    """Objects that can give up their socket: ``into_raw_socket() -> RawSocket``."""

    def into_raw_socket(self) -> RawSocket:
        """Give up ownership and return the value; the caller must `closesocket` it."""
        ...


# -- cells: the resource plus the calls that manage it ---------------------------


def _keep(raw: int) -> None:
    """The release of values that name no table entry (NULL, pseudo handles): nothing."""


class _HandleCell(Cell[int]):
    """A handle and the `HandleOps` that close and duplicate it.

    NULL and pseudo handles get a no-op release: ``CloseHandle`` is never
    called on them, whatever happens to the owner.
    """

    __slots__ = ("ops",)

    def __init__(self, raw: int, ops: _h.HandleOps) -> None:
        super().__init__(raw, ops.close if _h.is_closable(raw) else _keep)
        self.ops = ops


class _SocketCell(Cell[int]):
    """A socket and the `HandleOps` (Winsock) that close and duplicate it."""

    __slots__ = ("ops",)

    def __init__(self, raw: int, ops: _h.HandleOps) -> None:
        super().__init__(raw, ops.close)
        self.ops = ops


def _duplicate(
    cell: Cell[int], cell_type: type[_HandleCell] | type[_SocketCell], default_ops: _h.HandleOps, what: str
) -> tuple[int, _h.HandleOps]:
    """Duplicate the value *cell* holds (``DuplicateHandle`` / ``WSADuplicateSocketW``): ``(raw, ops)``.

    The cell is held for the call, so a concurrent ``close()`` waits for it;
    it is dropped before an error leaves, so a caller that keeps the error
    (and its traceback's frames) does not keep the value open.
    """
    try:
        ops = cell.ops if isinstance(cell, cell_type) else default_ops
        return ops.duplicate(raw_of(cell, what)), ops
    finally:
        del cell


def _handle_arg(value: object, callname: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(
            f"{callname} takes a raw handle (an int), not {type(value).__name__}; "
            "to take ownership from another owner use OwnedHandle(obj)"
        )
    return _h.normalize_handle(value)


def _socket_arg(value: object, callname: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(
            f"{callname} takes a raw socket (an int), not {type(value).__name__}; "
            "to take ownership from another owner use OwnedSocket(obj)"
        )
    raw = _h.normalize_socket(value)
    if raw == _h.INVALID_SOCKET:
        raise ValueError(f"{callname}: INVALID_SOCKET is not a socket (did the call that made it fail?)")
    return raw


def _no_copy(self: object, *args: object) -> NoReturn:
    raise TypeError(
        f"{type(self).__name__} cannot be copied or pickled: it is the only owner of its "
        "resource; use try_clone() for a second handle to the same object"
    )


class _HandleOwner(Owner[int]):
    """Shared behaviour of the objects that hold a handle cell."""

    __slots__ = ()

    @classmethod
    def _wrap(cls, cell: Cell[int]) -> Self:
        self = cls.__new__(cls)
        Owner.__init__(self, cell)
        return self

    def __repr__(self) -> str:
        cell = self._cell
        raw = None if cell is None else cell.raw
        shown = "closed" if raw is None else _h.describe_handle(raw)
        return f"{type(self).__name__}({shown})"

    def __del__(self) -> None:
        cell = getattr(self, "_cell", None)
        if cell is not None and cell.raw is not None and not _h.is_closable(cell.raw):
            # NULL or a pseudo handle: nothing leaks, so nothing to warn about.
            self._cell = None
            return
        super().__del__()

    __copy__ = __deepcopy__ = __reduce__ = __reduce_ex__ = _no_copy


# -- handles -------------------------------------------------------------------


class OwnedHandle(_HandleOwner):
    """An owned Windows handle, closed once with ``CloseHandle``.

    ``OwnedHandle(obj)`` takes ownership from another owner of a handle
    (Rust's ``From``): another `OwnedHandle`, a stdio2 object that holds a
    handle (``File`` ...), or any object with ``into_raw_handle()``; *obj* is
    left closed. Adopting a raw value is `from_raw_handle`; converting the
    result of a failing-with-a-sentinel API is `try_from`.

    The value is never NULL. It may be -1, which in an owner is always the
    current-process pseudo handle, never INVALID_HANDLE_VALUE; pseudo
    handles are never passed to ``CloseHandle``. Must not hold registry
    keys (those need ``RegCloseKey``) or sockets (use `OwnedSocket`).
    """

    __slots__ = ()
    _what = "OwnedHandle"

    def __init__(self, obj: object) -> None:
        if isinstance(obj, (HandleOrNull, HandleOrInvalid)):
            raise TypeError(
                f"OwnedHandle({type(obj).__name__}) is not a conversion that can't fail: "
                f"use OwnedHandle.try_from({type(obj).__name__.lower()})"
            )
        if isinstance(obj, Owner):
            cell = obj._cell
            if cell is None:
                raise closed_error(f"the {type(obj).__name__} to take ownership from")
            if not isinstance(cell, _HandleCell):
                raise TypeError(f"OwnedHandle({type(obj).__name__}): it does not own a handle")
            super().__init__(obj._take())
            return
        if isinstance(obj, int):
            raise TypeError(
                "OwnedHandle(obj) takes ownership from an owner; "
                "to adopt a raw handle value use OwnedHandle.from_raw_handle(raw)"
            )
        if isinstance(obj, IntoRawHandle):
            raw = _handle_arg(obj.into_raw_handle(), f"{type(obj).__name__}.into_raw_handle")
            if raw == _h.NULL:
                raise NullHandleError(f"{type(obj).__name__}.into_raw_handle() returned NULL")
            super().__init__(_HandleCell(raw, _h.KERNEL32))
            return
        raise TypeError(
            f"OwnedHandle() takes an owner of a handle (OwnedHandle, File, or an object with "
            f"into_raw_handle()), not {type(obj).__name__}"
        )

    @classmethod
    def from_raw_handle(cls, raw: RawHandle) -> OwnedHandle:
        """Adopt *raw*: the new owner closes it (``CloseHandle``) when closed.

        The caller promises that *raw* is open, owned by nobody else, and a
        handle closed with ``CloseHandle`` (not a socket, registry key or
        GDI object). stdio2 checks what it can: NULL raises
        `NullHandleError`; on Windows a value that names no open handle
        raises the ``Error`` of ``GetHandleInformation`` (ERROR_INVALID_HANDLE).
        Pseudo handles (-1 the current process ...) are accepted without any
        call and never closed. Off Windows any other value raises
        ``Error(Unsupported)``.
        """
        value = _handle_arg(raw, "OwnedHandle.from_raw_handle")
        if value == _h.NULL:
            raise NullHandleError("OwnedHandle.from_raw_handle: NULL is not a handle")
        return cls._adopt(value, _h.KERNEL32)

    @classmethod
    def _adopt(cls, raw: int, ops: _h.HandleOps) -> OwnedHandle:
        # The one place a raw value becomes owned; `ops` is injectable so the
        # ownership rules can be exercised where kernel32 does not exist.
        if raw == _h.NULL:
            raise NullHandleError("an owned handle is never NULL")
        if _h.is_closable(raw):
            ops.check(raw)
        return cls._wrap(_HandleCell(raw, ops))

    @classmethod
    def try_from(cls, value: HandleOrNull | HandleOrInvalid) -> OwnedHandle:
        """Convert an API result into an owner (Rust's ``TryFrom``); *value* is consumed.

        Raises `NullHandleError` for a NULL `HandleOrNull` and
        `InvalidHandleError` for an INVALID_HANDLE_VALUE `HandleOrInvalid`,
        without closing anything (a sentinel names no object). No system
        call. Converting the same *value* twice raises ``Error(InvalidInput)``.
        """
        if isinstance(value, HandleOrNull):
            cell = value._take()
            if cell.raw == _h.NULL:
                raise NullHandleError()
        elif isinstance(value, HandleOrInvalid):
            cell = value._take()
            if cell.raw == _h.INVALID_HANDLE_VALUE:
                raise InvalidHandleError()
        else:
            raise TypeError(
                "OwnedHandle.try_from takes a HandleOrNull or HandleOrInvalid, not "
                f"{type(value).__name__}; for an owner use OwnedHandle(obj), for a raw "
                "value OwnedHandle.from_raw_handle(raw)"
            )
        return cls._wrap(cell)

    def as_handle(self) -> BorrowedHandle:
        """A borrow checked against this owner on every use. No system call.

        Raises ``Error(InvalidInput)`` if this owner is already closed.
        """
        self._live()
        return BorrowedHandle._of(self)

    def as_raw_handle(self) -> RawHandle:
        """The raw value, still owned by this object. Raises ``Error(InvalidInput)`` once closed."""
        return raw_of(self._live(), "this OwnedHandle")

    def into_raw_handle(self) -> RawHandle:
        """Give up ownership: return the raw value, which the caller must now close.

        The owner is left closed and its borrows stop working. No system
        call. Raises ``Error(InvalidInput)`` if already closed.
        """
        raw = self._take().detach()
        if raw is None:
            raise closed_error("this OwnedHandle")
        return raw

    def try_clone(self) -> OwnedHandle:
        """A new owner of a new handle to the same object (``DuplicateHandle``).

        The copy has the same access rights and is not inheritable. For the
        current-process and current-thread pseudo handles the copy is a real
        handle. Raises the ``Error`` of ``DuplicateHandle``, or
        ``Error(InvalidInput)`` if this owner is closed.
        """
        raw, ops = _duplicate(self._live(), _HandleCell, _h.KERNEL32, "this OwnedHandle")
        return OwnedHandle._adopt_new(raw, ops)

    @classmethod
    def _adopt_new(cls, raw: int, ops: _h.HandleOps) -> OwnedHandle:
        # A value fresh from DuplicateHandle needs no validity check.
        return cls._wrap(_HandleCell(raw, ops))


class HandleOrNull(_HandleOwner):
    """The result of an API that fails with NULL (``OpenProcess``, ``CreateThread``, ``CreateEventW``).

    Holds the value until `OwnedHandle.try_from` takes it. If dropped
    unconverted while holding a real handle it closes it (with a
    `ResourceWarning`), as an owner would.
    """

    __slots__ = ()
    _what = "HandleOrNull"

    def __init__(self, *args: object) -> None:
        raise TypeError("use HandleOrNull.from_raw_handle(raw) with the value the API returned")

    @classmethod
    def from_raw_handle(cls, raw: RawHandle) -> HandleOrNull:
        """Wrap the value an API returned: an owned handle, or NULL for failure.

        On Windows a value other than NULL and pseudo handles is checked
        with ``GetHandleInformation`` (raising its ``Error``); off Windows
        such values raise ``Error(Unsupported)``.
        """
        return cls._adopt(_handle_arg(raw, "HandleOrNull.from_raw_handle"), _h.KERNEL32)

    @classmethod
    def _adopt(cls, raw: int, ops: _h.HandleOps) -> HandleOrNull:
        if _h.is_closable(raw):
            ops.check(raw)
        return cls._wrap(_HandleCell(raw, ops))


class HandleOrInvalid(_HandleOwner):
    """The result of an API that fails with INVALID_HANDLE_VALUE (``CreateFileW``, ``CreateNamedPipeW``).

    Holds the value until `OwnedHandle.try_from` takes it; here -1 means
    failure, not the current process. NULL is refused at construction
    (`NullHandleError`): such APIs never return it, and owners are never
    NULL.
    """

    __slots__ = ()
    _what = "HandleOrInvalid"

    def __init__(self, *args: object) -> None:
        raise TypeError("use HandleOrInvalid.from_raw_handle(raw) with the value the API returned")

    @classmethod
    def from_raw_handle(cls, raw: RawHandle) -> HandleOrInvalid:
        """Wrap the value an API returned: an owned handle, or INVALID_HANDLE_VALUE for failure.

        Raises `NullHandleError` for NULL. On Windows other values (except
        pseudo handles) are checked with ``GetHandleInformation``; off
        Windows they raise ``Error(Unsupported)``.
        """
        return cls._adopt(_handle_arg(raw, "HandleOrInvalid.from_raw_handle"), _h.KERNEL32)

    @classmethod
    def _adopt(cls, raw: int, ops: _h.HandleOps) -> HandleOrInvalid:
        if raw == _h.NULL:
            raise NullHandleError(
                "HandleOrInvalid.from_raw_handle: NULL is neither a handle nor "
                "INVALID_HANDLE_VALUE (does this API report failure with NULL? use HandleOrNull)"
            )
        if _h.is_closable(raw):
            ops.check(raw)
        return cls._wrap(_HandleCell(raw, ops))


class BorrowedHandle:
    """A borrowed handle: usable while its owner is open, never closed through the borrow.

    Made by ``owner.as_handle()`` (checked against the owner on every use:
    after the owner is closed or moved, every method raises
    ``Error(InvalidInput)``) or by `borrow_raw` (unchecked; the caller
    promises the value stays open). It is never NULL, except for the
    borrow of an absent standard handle (``Stdout.as_handle()`` with no
    console), Rust's one documented exception. -1 is the current-process
    pseudo handle.
    """

    __slots__ = ("_owner", "_raw")

    _owner: Owner[int] | None
    _raw: int

    def __init__(self, *args: object) -> None:
        raise TypeError(
            "a BorrowedHandle comes from owner.as_handle() or BorrowedHandle.borrow_raw(raw)"
        )

    @classmethod
    def _of(cls, owner: Owner[int]) -> BorrowedHandle:
        """The borrow of *owner* (any stdio2 owner holding a handle cell)."""
        self = object.__new__(cls)
        self._owner = owner
        self._raw = _h.NULL
        return self

    @classmethod
    def _unchecked(cls, raw: int) -> BorrowedHandle:
        self = object.__new__(cls)
        self._owner = None
        self._raw = raw
        return self

    @classmethod
    def _std(cls, raw: int) -> BorrowedHandle:
        """The borrow of a standard handle as ``GetStdHandle`` returned it.

        No check (the value belongs to the process). An absent handle, NULL
        or INVALID_HANDLE_VALUE, is presented as NULL, as Rust does
        (rust-lang/rust#93263): -1 in a borrow means the current process.
        """
        raw = _h.normalize_handle(raw)
        return cls._unchecked(_h.NULL if raw == _h.INVALID_HANDLE_VALUE else raw)

    @classmethod
    def borrow_raw(cls, raw: RawHandle) -> BorrowedHandle:
        """Borrow *raw*, which the caller promises stays open while the borrow is used.

        NULL raises `NullHandleError`. On Windows other values (except pseudo
        handles) are checked once with ``GetHandleInformation``, raising its
        ``Error``; off Windows they raise ``Error(Unsupported)``.
        """
        value = _handle_arg(raw, "BorrowedHandle.borrow_raw")
        if value == _h.NULL:
            raise NullHandleError("BorrowedHandle.borrow_raw: NULL is not a handle")
        if _h.is_closable(value):
            _h.KERNEL32.check(value)
        return cls._unchecked(value)

    def _owner_cell(self) -> Cell[int]:
        owner = self._owner
        assert owner is not None
        cell = owner._cell
        if cell is None:
            raise closed_error(f"the {type(owner).__name__} this BorrowedHandle borrows from")
        return cell

    def as_handle(self) -> BorrowedHandle:
        """This borrow itself."""
        return self

    def as_raw_handle(self) -> RawHandle:
        """The raw value; raises ``Error(InvalidInput)`` if the owner was closed. No system call."""
        if self._owner is None:
            return self._raw
        return raw_of(self._owner_cell(), "the borrowed handle")

    def try_clone_to_owned(self) -> OwnedHandle:
        """A new owner of a new handle to the same object (``DuplicateHandle``, same access, not inheritable).

        Raises ``Error(InvalidInput)`` if the owner was closed or the borrow is
        NULL (an absent standard handle), else the ``Error`` of
        ``DuplicateHandle``.
        """
        if self._owner is None:
            raw = self._raw
            if raw == _h.NULL:
                raise Error(
                    ErrorKind.InvalidInput,
                    "cannot duplicate a NULL handle (the standard handle is absent)",
                )
            return OwnedHandle._adopt_new(_h.KERNEL32.duplicate(raw), _h.KERNEL32)
        raw, ops = _duplicate(self._owner_cell(), _HandleCell, _h.KERNEL32, "the borrowed handle")
        return OwnedHandle._adopt_new(raw, ops)

    def __repr__(self) -> str:
        if self._owner is None:
            return f"BorrowedHandle({_h.describe_handle(self._raw)})"
        cell = self._owner._cell
        if cell is None or cell.raw is None:
            return "BorrowedHandle(<owner closed>)"
        return f"BorrowedHandle({_h.describe_handle(cell.raw)})"

    __copy__ = __deepcopy__ = __reduce__ = __reduce_ex__ = _no_copy


# -- sockets -------------------------------------------------------------------


class OwnedSocket(Owner[int]):
    """An owned Winsock socket, closed once with ``closesocket``.

    ``OwnedSocket(obj)`` takes ownership from another socket owner
    (`OwnedSocket`, a stdio2 ``TcpStream`` ..., or any object with
    ``into_raw_socket()``); `from_raw_socket` adopts a raw value. The value
    is never INVALID_SOCKET.
    """

    __slots__ = ()
    _what = "OwnedSocket"

    def __init__(self, obj: object) -> None:
        if isinstance(obj, Owner):
            cell = obj._cell
            if cell is None:
                raise closed_error(f"the {type(obj).__name__} to take ownership from")
            if not isinstance(cell, _SocketCell):
                raise TypeError(f"OwnedSocket({type(obj).__name__}): it does not own a socket")
            super().__init__(obj._take())
            return
        if isinstance(obj, int):
            raise TypeError(
                "OwnedSocket(obj) takes ownership from an owner; "
                "to adopt a raw socket value use OwnedSocket.from_raw_socket(raw)"
            )
        if isinstance(obj, IntoRawSocket):
            raw = _socket_arg(obj.into_raw_socket(), f"{type(obj).__name__}.into_raw_socket")
            super().__init__(_SocketCell(raw, _h.WINSOCK))
            return
        raise TypeError(
            "OwnedSocket() takes an owner of a socket (OwnedSocket, TcpStream, or an object "
            f"with into_raw_socket()), not {type(obj).__name__}"
        )

    @classmethod
    def _wrap(cls, cell: Cell[int]) -> OwnedSocket:
        self = cls.__new__(cls)
        Owner.__init__(self, cell)
        return self

    @classmethod
    def from_raw_socket(cls, raw: RawSocket) -> OwnedSocket:
        """Adopt *raw*: the new owner closes it (``closesocket``) when closed.

        The caller promises *raw* is an open socket owned by nobody else.
        INVALID_SOCKET raises `ValueError`; on Windows a value that is not a
        socket raises the ``Error`` of ``getsockopt(SO_TYPE)`` (WSAENOTSOCK);
        off Windows every value raises ``Error(Unsupported)``.
        """
        return cls._adopt(_socket_arg(raw, "OwnedSocket.from_raw_socket"), _h.WINSOCK)

    @classmethod
    def _adopt(cls, raw: int, ops: _h.HandleOps) -> OwnedSocket:
        if raw == _h.INVALID_SOCKET:
            raise ValueError("an owned socket is never INVALID_SOCKET")
        ops.check(raw)
        return cls._wrap(_SocketCell(raw, ops))

    def as_socket(self) -> BorrowedSocket:
        """A borrow checked against this owner on every use. Raises ``Error(InvalidInput)`` once closed."""
        self._live()
        return BorrowedSocket._of(self)

    def as_raw_socket(self) -> RawSocket:
        """The raw value, still owned by this object. Raises ``Error(InvalidInput)`` once closed."""
        return raw_of(self._live(), "this OwnedSocket")

    def into_raw_socket(self) -> RawSocket:
        """Give up ownership and return the raw socket, which the caller must now close."""
        raw = self._take().detach()
        if raw is None:
            raise closed_error("this OwnedSocket")
        return raw

    def try_clone(self) -> OwnedSocket:
        """A new owner of a duplicate socket (``WSADuplicateSocketW`` + ``WSASocketW``, not inheritable).

        Raises the Winsock ``Error``, or ``Error(InvalidInput)`` if closed.
        """
        raw, ops = _duplicate(self._live(), _SocketCell, _h.WINSOCK, "this OwnedSocket")
        return OwnedSocket._wrap(_SocketCell(raw, ops))

    def __repr__(self) -> str:
        cell = self._cell
        raw = None if cell is None else cell.raw
        return f"OwnedSocket({'closed' if raw is None else hex(raw)})"

    __copy__ = __deepcopy__ = __reduce__ = __reduce_ex__ = _no_copy


class BorrowedSocket:
    """A borrowed socket: usable while its owner is open; never INVALID_SOCKET.

    Made by ``owner.as_socket()`` (checked on every use, ``Error(InvalidInput)``
    once the owner is closed or moved) or `borrow_raw` (the caller's promise).
    """

    __slots__ = ("_owner", "_raw")

    _owner: Owner[int] | None
    _raw: int

    def __init__(self, *args: object) -> None:
        raise TypeError(
            "a BorrowedSocket comes from owner.as_socket() or BorrowedSocket.borrow_raw(raw)"
        )

    @classmethod
    def _of(cls, owner: Owner[int]) -> BorrowedSocket:
        self = object.__new__(cls)
        self._owner = owner
        self._raw = _h.INVALID_SOCKET
        return self

    @classmethod
    def borrow_raw(cls, raw: RawSocket) -> BorrowedSocket:
        """Borrow *raw*, which the caller promises stays open while the borrow is used.

        INVALID_SOCKET raises `ValueError`; on Windows the value is checked
        once with ``getsockopt(SO_TYPE)``; off Windows it raises
        ``Error(Unsupported)``.
        """
        value = _socket_arg(raw, "BorrowedSocket.borrow_raw")
        _h.WINSOCK.check(value)
        self = object.__new__(cls)
        self._owner = None
        self._raw = value
        return self

    def _owner_cell(self) -> Cell[int]:
        owner = self._owner
        assert owner is not None
        cell = owner._cell
        if cell is None:
            raise closed_error(f"the {type(owner).__name__} this BorrowedSocket borrows from")
        return cell

    def as_socket(self) -> BorrowedSocket:
        """This borrow itself."""
        return self

    def as_raw_socket(self) -> RawSocket:
        """The raw value; raises ``Error(InvalidInput)`` if the owner was closed. No system call."""
        if self._owner is None:
            return self._raw
        return raw_of(self._owner_cell(), "the borrowed socket")

    def try_clone_to_owned(self) -> OwnedSocket:
        """A new owner of a duplicate socket (``WSADuplicateSocketW`` + ``WSASocketW``)."""
        if self._owner is None:
            return OwnedSocket._wrap(_SocketCell(_h.WINSOCK.duplicate(self._raw), _h.WINSOCK))
        raw, ops = _duplicate(self._owner_cell(), _SocketCell, _h.WINSOCK, "the borrowed socket")
        return OwnedSocket._wrap(_SocketCell(raw, ops))

    def __repr__(self) -> str:
        if self._owner is None:
            return f"BorrowedSocket({self._raw:#x})"
        cell = self._owner._cell
        if cell is None or cell.raw is None:
            return "BorrowedSocket(<owner closed>)"
        return f"BorrowedSocket({cell.raw:#x})"

    __copy__ = __deepcopy__ = __reduce__ = __reduce_ex__ = _no_copy


# -- argument helpers for stdio2's own Windows APIs ------------------------------


def _borrow_handle_arg(obj: object, callname: str) -> BorrowedHandle:
    """The `BorrowedHandle` of an `AsHandle` argument; a bare int is a `TypeError` naming the fix."""
    if isinstance(obj, BorrowedHandle):
        return obj
    if isinstance(obj, int):
        raise TypeError(
            f"{callname} takes an object with as_handle(), not a bare int; wrap a raw "
            "handle with BorrowedHandle.borrow_raw(raw) or OwnedHandle.from_raw_handle(raw)"
        )
    as_handle = getattr(obj, "as_handle", None)
    if as_handle is None:
        raise TypeError(f"{callname} takes an object with as_handle(), not {type(obj).__name__}")
    borrowed = as_handle()
    if not isinstance(borrowed, BorrowedHandle):
        raise TypeError(f"{type(obj).__name__}.as_handle() must return a BorrowedHandle")
    return borrowed


def _borrow_socket_arg(obj: object, callname: str) -> BorrowedSocket:
    """The `BorrowedSocket` of an `AsSocket` argument; a bare int is a `TypeError` naming the fix."""
    if isinstance(obj, BorrowedSocket):
        return obj
    if isinstance(obj, int):
        raise TypeError(
            f"{callname} takes an object with as_socket(), not a bare int; wrap a raw "
            "socket with BorrowedSocket.borrow_raw(raw) or OwnedSocket.from_raw_socket(raw)"
        )
    as_socket = getattr(obj, "as_socket", None)
    if as_socket is None:
        raise TypeError(f"{callname} takes an object with as_socket(), not {type(obj).__name__}")
    borrowed = as_socket()
    if not isinstance(borrowed, BorrowedSocket):
        raise TypeError(f"{type(obj).__name__}.as_socket() must return a BorrowedSocket")
    return borrowed
