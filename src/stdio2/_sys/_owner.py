"""How stdio2 owns an OS resource and closes it exactly once, even under threads.

An OS resource (a Unix descriptor, a Windows handle or socket) is a number the
kernel hands out and recycles: once ``close(7)`` returns, the next ``open()``
may get 7 again. A program that keeps using 7 after closing it does I/O on
whatever now has that number. Two rules keep stdio2 out of that trap.

1. **One owner.** Each open resource lives in exactly one `Cell`, and only
   the cell ever releases it (``close``/``CloseHandle``/``closesocket``).
   An `Owner` object (``OwnedFd``, ``File``, ``PipeReader``...) holds the
   cell; moving ownership (``File(owned_fd)``) moves the cell and leaves the
   old owner empty. Borrowed views hold the owner and ask it for the cell on
   every use, so a borrow outlived by its owner raises instead of handing out
   a stale number.

2. **No close while in flight.** A thread may close an owner while another
   thread is blocked in ``read`` on it. Go's runtime solves this with a
   reference count per descriptor (the fdMutex): close marks the descriptor
   closing and the last operation to finish really closes it. CPython
   already keeps such a count for every object: its reference count. Every
   operation holds a strong reference to the cell for its duration (a local
   variable, or the bound C method of an ``io.FileIO`` that references the
   cell). `Owner.close` detaches the cell from the owner and looks at its
   reference count: if only ``close`` itself refers to it, nothing is in
   flight and the resource is released at once (errors are raised to the
   caller); otherwise the release happens in the cell's finaliser, which
   runs the moment the last in-flight operation drops its reference. A
   number is therefore never released while a system call on it may still
   be running, and never used after it was released.

   This costs nothing on the hot path (no lock, no counter updates) and is
   exact under the GIL, where taking the reference (one bytecode) and the
   close (which swaps the owner's fields first) cannot interleave badly.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    from stdio2.io._error import Error

# stdio2.io imports this module while its package initialises (pipes and std
# streams are owners), so the error types are imported where they are used.

__all__ = ["Cell", "Owner", "closed_error", "raw_of"]

R = TypeVar("R")

# sys.getrefcount(cell) inside Owner.close when nothing else holds the cell:
# the local variable plus getrefcount's own argument.
_IDLE_REFS = 2


class Cell(Generic[R]):
    """One open OS resource and the function that releases it; releases at most once."""

    __slots__ = ("__weakref__", "_release", "raw")

    raw: R | None

    def __init__(self, raw: R, release: Callable[[R], object]) -> None:
        self.raw = raw
        self._release = release

    def release_now(self) -> None:
        """Release the resource now, raising the OS error if the release fails."""
        raw, self.raw = self.raw, None
        if raw is not None:
            self._release(raw)

    def detach(self) -> R | None:
        """Give up the resource without releasing it (``into_raw_fd``)."""
        raw, self.raw = self.raw, None
        return raw

    def __del__(self) -> None:
        # The deferred release: the last in-flight operation just ended.
        raw, self.raw = self.raw, None
        if raw is not None:
            try:
                self._release(raw)
            except OSError:
                pass


def closed_error(what: str) -> Error:
    """The error every use of a closed or moved-from owner raises."""
    from stdio2.io._error import Error, ErrorKind

    return Error(ErrorKind.InvalidInput, f"{what} is closed (or was moved to another owner)")


def raw_of(cell: Cell[R], what: str) -> R:
    """The cell's raw value, or the closed-owner error naming *what* once it was released."""
    raw = cell.raw
    if raw is None:
        raise closed_error(what)
    return raw


class Owner(Generic[R]):
    """Base of every object that owns one OS resource through a `Cell`.

    Subclasses cache fast bound methods that reference the cell and drop
    them in `_forget` so that closing leaves no path to the resource.
    """

    __slots__ = ("__weakref__", "_cell")

    _cell: Cell[R] | None
    _what: ClassVar[str] = "resource"

    def __init__(self, cell: Cell[R]) -> None:
        self._cell = cell

    def _live(self) -> Cell[R]:
        """The cell, for one operation's duration; raises `Error` (InvalidInput) once closed."""
        cell = self._cell
        if cell is None:
            raise closed_error(f"this {self._what}")
        return cell

    def _forget(self) -> None:
        """Drop cached references to the cell (overridden by owners that cache bound methods)."""

    def _take(self) -> Cell[R]:
        """Move the cell out, leaving this owner closed without releasing the resource."""
        cell = self._live()
        self._cell = None
        self._forget()
        return cell

    def closed(self) -> bool:
        """Whether this owner no longer holds its resource (closed, released or moved)."""
        return self._cell is None

    def close(self) -> None:
        """Release the resource; idempotent.

        If another thread is in the middle of a call on it, the release
        happens when that call returns. Raises `Error` if the OS reports a
        failure of an immediate release (e.g. EIO from a network file system).
        """
        cell = self._cell
        if cell is None:
            return
        self._cell = None
        self._forget()
        if sys.getrefcount(cell) <= _IDLE_REFS:
            try:
                cell.release_now()
            except OSError as e:
                from stdio2.io._error import Error

                raise Error.from_os_error(e) from None
        # else: an operation in flight holds the cell; its end releases it.

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        cell = getattr(self, "_cell", None)
        if cell is not None:
            text = f"unclosed {self!r}"
            del cell
            # Close before warning: with ResourceWarning turned into an
            # error (pytest -W error), warn() raises and would skip the close.
            try:
                self.close()
            except OSError:
                pass
            warnings.warn(text, ResourceWarning, source=self, stacklevel=2)
