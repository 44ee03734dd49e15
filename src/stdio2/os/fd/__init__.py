"""Unix file descriptors with owners (Rust's ``std::os::fd``).

`RawFd`, `OwnedFd`, `BorrowedFd` and the protocols `AsFd`, `AsRawFd`,
`IntoRawFd`, `FromRawFd`:


* `OwnedFd` owns one open descriptor and closes it exactly once (`close`,
  ``with``, or garbage collection with a `ResourceWarning`).
* `BorrowedFd` is a view of a descriptor some owner holds. It is checked on
  every use: once its owner is closed (or gave the number away with
  `into_raw_fd`), using the borrow raises `Error` of kind ``InvalidInput``
  and never yields the old number, which the kernel may already have
  handed to a new file.
* A raw number (`RawFd`, a plain ``int``) becomes an owner only through
  `OwnedFd.from_raw_fd` and a borrow only through `BorrowedFd.borrow_raw`;
  both names state the caller's promise. Every stdio2 API that does I/O
  takes an `AsFd` object, never a bare ``int``.
* A `close()` racing with a call in flight on another thread is deferred
  until that call returns (see ``docs/io-safety.md``).

Unix only: importing this module on Windows raises ImportError (the Windows
types live in `stdio2.os.windows.io`).
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.os.fd is Unix-only; see stdio2.os.windows.io")

from typing import Any, Protocol, TypeVar, runtime_checkable

from stdio2._sys import _owner
from stdio2._sys._owner import Cell, Owner
from stdio2._sys.unix import fd as _sys_fd
from stdio2.io._error import Error, ErrorKind

__all__ = [
    "AsFd",
    "AsRawFd",
    "BorrowedFd",
    "FromRawFd",
    "IntoRawFd",
    "OwnedFd",
    "RawFd",
]

RawFd = int
"""A raw descriptor number: a plain ``int`` with no ownership (Rust's ``RawFd``)."""

_F = TypeVar("_F", bound="FdOwner")


@runtime_checkable
class AsFd(Protocol):
    """Anything that can lend its descriptor: ``as_fd() -> BorrowedFd``."""

    def as_fd(self) -> BorrowedFd:
        """Borrow the descriptor (no system call)."""
        ...


@runtime_checkable
class AsRawFd(Protocol):
    """Anything that can show its raw descriptor number: ``as_raw_fd() -> int``."""

    def as_raw_fd(self) -> int:
        """The number, for logging or C interop; ownership stays where it is."""
        ...


@runtime_checkable
class IntoRawFd(Protocol):
    """Anything that can give up ownership of its descriptor: ``into_raw_fd() -> int``."""

    def into_raw_fd(self) -> int:
        """Release ownership and return the number; the caller must close it."""
        ...


@runtime_checkable
class FromRawFd(Protocol):
    """A type that can adopt a raw number: ``from_raw_fd(n)`` (classmethod)."""

    @classmethod
    def from_raw_fd(cls, fd: int, /) -> Any:
        """Take ownership of the open descriptor *fd*."""
        ...


def _raw_arg(fd: object, call: str) -> int:
    if isinstance(fd, bool) or not isinstance(fd, int):
        raise TypeError(f"{call} takes a descriptor number (int), got {type(fd).__name__}")
    if fd < 0:
        raise ValueError(f"{call}: {fd} is not a descriptor number (must be >= 0)")
    return fd


class FdOwner(Owner[int]):
    """Base of every stdio2 object that owns one descriptor (`OwnedFd`, pipes, files, sockets).

    ``Type(other_owner)`` moves the descriptor out of *other_owner* (Rust's
    ``From``), which is left closed; ``Type.from_raw_fd(n)`` adopts a raw
    number. Subclasses that cache bound methods override `_init_cell` and
    ``_forget``.
    """

    __slots__ = ()
    _what = "descriptor owner"

    def __init__(self, source: object, /) -> None:
        name = type(self).__name__
        if isinstance(source, int):
            raise TypeError(
                f"{name}(...) takes ownership from another owner (OwnedFd, File, PipeReader ...); "
                f"to adopt a raw descriptor number use {name}.from_raw_fd(n)"
            )
        if isinstance(source, FdOwner):
            cell = source._take()
        elif isinstance(source, IntoRawFd) and not isinstance(source, BorrowedFd):
            # A foreign owner hands its number over; it promises it owned it.
            cell = _adopt_raw(source.into_raw_fd(), f"{name}(...)")
        else:
            raise TypeError(
                f"{name}(...) takes ownership from a descriptor owner, got {type(source).__name__}"
                + (
                    "; a BorrowedFd does not own its descriptor: use borrowed.try_clone_to_owned()"
                    if isinstance(source, BorrowedFd)
                    else ""
                )
            )
        self._init_cell(cell)

    def _init_cell(self, cell: Cell[int]) -> None:
        Owner.__init__(self, cell)

    @classmethod
    def _adopt(cls: type[_F], cell: Cell[int]) -> _F:
        """An instance owning *cell* (internal constructor; no checks)."""
        self = cls.__new__(cls)
        try:
            self._init_cell(cell)
        except BaseException:
            cell.release_now()
            raise
        return self

    @classmethod
    def from_raw_fd(cls: type[_F], fd: int, /) -> _F:
        """Take ownership of the open descriptor *fd* (Rust's ``FromRawFd``).

        The caller promises that *fd* is open and that nothing else will
        close it: from now on this object closes it. Checks what it can:
        ``TypeError`` for a non-int, ``ValueError`` for a negative number
        (-1 is the C "no descriptor" value), `Error` (InvalidInput) if
        ``fcntl(fd, F_GETFD)`` says it is not open or another stdio2 owner
        already holds it.
        """
        call = f"{cls.__name__}.from_raw_fd"
        return cls._adopt(_adopt_raw(_raw_arg(fd, call), call))

    def as_fd(self) -> BorrowedFd:
        """Borrow the descriptor; the borrow is checked against this owner on every use."""
        if self._cell is None:
            raise _owner.closed_error(f"this {self._what}")
        return BorrowedFd._of(self)

    def as_raw_fd(self) -> int:
        """The descriptor number (no system call); `Error` (InvalidInput) once closed."""
        raw = self._live().raw
        if raw is None:  # released by into_raw_fd from another thread just now
            raise _owner.closed_error(f"this {self._what}")
        return raw

    def into_raw_fd(self) -> int:
        """Give up ownership and return the number; this object is closed, the descriptor stays open.

        The caller now owns the number and must close it (or adopt it again
        with ``from_raw_fd``). No system call.
        """
        raw = self._take().detach()
        if raw is None:
            raise _owner.closed_error(f"this {self._what}")
        return raw

    def try_clone(self: _F) -> _F:
        """A new owner of a duplicate descriptor: ``fcntl(fd, F_DUPFD_CLOEXEC, 3)``.

        Both share the open file description (file position, status flags).
        Raises `Error` (e.g. EMFILE when the descriptor table is full).
        """
        return type(self)._adopt(_dup(self._live(), self._what))

    def is_terminal(self) -> bool:
        """Whether the descriptor refers to a terminal (``isatty``)."""
        return _isatty(self._live())

    def __repr__(self) -> str:
        cell = self._cell
        raw = None if cell is None else cell.raw
        return f"{type(self).__name__}({'closed' if raw is None else f'fd={raw}'})"


def _dup(cell: Cell[int], what: str) -> Cell[int]:
    # The caller's reference to *cell* is held across the fcntl, so a racing
    # close cannot release the number before it is duplicated; this frame
    # lets go of it before any error propagates.
    raw = cell.raw
    if raw is None:
        del cell
        raise _owner.closed_error(f"the {what}")
    try:
        new = _sys_fd.dup_cloexec(raw)
    except Error:
        del cell
        raise
    return _sys_fd.new_cell(new)


def _isatty(cell: Cell[int]) -> bool:
    raw = cell.raw
    return raw is not None and _sys_fd.is_terminal(raw)


def _adopt_raw(fd: int, call: str) -> Cell[int]:
    _sys_fd.check_open(fd, call)
    if _sys_fd.owned_elsewhere(fd):
        raise Error(
            ErrorKind.InvalidInput,
            f"{call}: descriptor {fd} is already owned by a stdio2 object; "
            "move it with OwnedFd(owner) or duplicate it with try_clone()",
        )
    return _sys_fd.new_cell(fd)


class OwnedFd(FdOwner):
    """An owned, open file descriptor (Rust's ``OwnedFd``); closes it exactly once.

    Made by ``OwnedFd.from_raw_fd(n)`` (adopt a raw number), ``OwnedFd(owner)``
    (move out of a `File`, `PipeReader`, another `OwnedFd` ..., which becomes
    closed), ``owned.try_clone()`` or ``borrowed.try_clone_to_owned()``.
    `close` calls ``close(2)`` (idempotent; deferred while a call on another
    thread is in flight); a collected open `OwnedFd` closes and warns
    `ResourceWarning`.
    """

    __slots__ = ()
    _what = "OwnedFd"


class _RawSource(Owner[int]):
    # The "owner" behind a BorrowedFd made with borrow_raw or for a std
    # stream: it never closes anything and never warns.
    __slots__ = ()
    _what = "borrowed descriptor"

    def close(self) -> None:
        self._cell = None

    def __del__(self) -> None:
        pass


class BorrowedFd:
    """A borrowed descriptor (Rust's ``BorrowedFd<'_>``), checked against its owner on every use.

    Obtained from ``owner.as_fd()`` or `BorrowedFd.borrow_raw`. While its
    owner is open, `as_raw_fd` returns the number; after the owner was closed,
    moved or released, every use raises `Error` (InvalidInput). The borrow
    keeps its owner object alive, but never keeps it open.
    """

    __slots__ = ("_owner",)

    _owner: Owner[int]

    def __init__(self, *args: object) -> None:
        raise TypeError(
            "BorrowedFd is obtained from an owner's as_fd() "
            "or, for a raw number you vouch for, BorrowedFd.borrow_raw(n)"
        )

    @classmethod
    def _of(cls, owner: Owner[int]) -> BorrowedFd:
        self = object.__new__(cls)
        self._owner = owner
        return self

    @classmethod
    def borrow_raw(cls, fd: int, /) -> BorrowedFd:
        """Borrow the raw number *fd*, which the caller keeps open for as long as the borrow is used.

        stdio2 cannot check that promise beyond one ``fcntl(fd, F_GETFD)``
        now (`Error` InvalidInput if *fd* is not open; ``ValueError`` for a
        negative number; ``TypeError`` for a non-int). The borrow never
        closes *fd*.
        """
        fd = _raw_arg(fd, "BorrowedFd.borrow_raw")
        _sys_fd.check_open(fd, "BorrowedFd.borrow_raw")
        return cls._of(_RawSource(_sys_fd.permanent_cell(fd)))

    def _live(self) -> Cell[int]:
        """The owner's cell for one operation's duration, or `Error` (InvalidInput)."""
        cell = self._owner._cell
        if cell is None or cell.raw is None:
            raise _owner.closed_error("the owner of this BorrowedFd")
        return cell

    def as_fd(self) -> BorrowedFd:
        """This borrow itself."""
        return self

    def as_raw_fd(self) -> int:
        """The number, while the owner is open; `Error` (InvalidInput) afterwards. No system call."""
        raw = self._live().raw
        if raw is None:
            raise _owner.closed_error("the owner of this BorrowedFd")
        return raw

    def try_clone_to_owned(self) -> OwnedFd:
        """An `OwnedFd` for a duplicate: ``fcntl(fd, F_DUPFD_CLOEXEC, 3)``; `Error` on failure."""
        return OwnedFd._adopt(_dup(self._live(), "owner of this BorrowedFd"))

    def is_terminal(self) -> bool:
        """Whether the descriptor refers to a terminal (``isatty``)."""
        return _isatty(self._live())

    def __repr__(self) -> str:
        cell = self._owner._cell
        raw = None if cell is None else cell.raw
        return f"BorrowedFd({'closed owner' if raw is None else f'fd={raw}'})"


def fd_of(obj: object, call: str) -> Cell[int]:
    """The live cell behind an `AsFd` *obj*, to hold for the duration of one call.

    Every stdio2 API doing I/O on a descriptor passes its argument through
    this: a bare ``int`` (or a Python file/socket) is a ``TypeError`` naming
    `BorrowedFd.borrow_raw` / `OwnedFd.from_raw_fd`; a closed owner or a
    borrow of one is `Error` (InvalidInput).
    """
    if isinstance(obj, FdOwner):
        return obj._live()
    if isinstance(obj, BorrowedFd):
        return obj._live()
    as_fd = getattr(obj, "as_fd", None)
    if as_fd is None or isinstance(obj, type):
        if isinstance(obj, int) and not isinstance(obj, bool):
            raise TypeError(
                f"{call} takes an object with as_fd() (File, PipeReader, OwnedFd, BorrowedFd ...), "
                f"not a bare descriptor number; borrow one you keep open with "
                f"BorrowedFd.borrow_raw({obj}), or adopt one with OwnedFd.from_raw_fd({obj})"
            )
        hint = ""
        if hasattr(obj, "fileno"):
            hint = (
                "; for a Python file or socket use BorrowedFd.borrow_raw(obj.fileno()) "
                "while it stays open"
            )
        raise TypeError(
            f"{call} takes an object with as_fd() (AsFd), got {type(obj).__name__}{hint}"
        )
    borrowed = as_fd()
    if not isinstance(borrowed, BorrowedFd):
        raise TypeError(
            f"{call}: {type(obj).__name__}.as_fd() returned {type(borrowed).__name__}, "
            "not a BorrowedFd"
        )
    return borrowed._live()


def borrow_permanent(cell: Cell[int]) -> BorrowedFd:
    """A `BorrowedFd` over a descriptor nobody in stdio2 owns (std streams); it never closes."""
    return BorrowedFd._of(_RawSource(cell))
