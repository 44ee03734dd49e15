"""Anonymous pipes on Windows: `pipe`, `PipeReader`, `PipeWriter` on owned handles.

``CreatePipe`` returns two handles, a read end and a write end, neither
inheritable (stdio2 passes no security attributes, so ``bInheritHandle`` is
FALSE; a child gets a pipe end only through an explicit duplicate).
`PipeReader.read` is one ``ReadFile``; once every write end is closed it
fails with ``ERROR_BROKEN_PIPE``, which is end of file (0). `PipeWriter.write`
is one ``WriteFile``; with the read end closed it fails with
``ERROR_NO_DATA`` / ``ERROR_BROKEN_PIPE``: ``Error(BrokenPipe)``.

Each end is a handle owner like `stdio2.os.windows.io.OwnedHandle` (the same
cell machinery): ``OwnedHandle(reader)`` takes the handle over,
``PipeReader(owned_handle)`` adopts one, ``as_handle()`` lends it.

Deadlines: an anonymous pipe cannot be waited on (it was not opened for
overlapped I/O), so under an active `Deadline` the reader polls
``PeekNamedPipe`` until data arrives or the instant passes (TimedOut).
A blocked ``WriteFile`` (the pipe is full) is not interrupted by a deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stdio2._sys._owner import Owner, closed_error
from stdio2._sys.windows import handle as _h
from stdio2._sys.windows.console import _wait_pipe
from stdio2._sys.windows.kernel32 import create_pipe, read_handle, write_handle
from stdio2.io._deadline import current_instant, scopes_open
from stdio2.io._traits import Read, Write, readable_view, writable_view
from stdio2.os.windows.io import BorrowedHandle, OwnedHandle, _HandleCell, _HandleOwner

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = ["PipeReader", "PipeWriter", "pipe"]


class _PipeEnd(_HandleOwner):
    __slots__ = ()

    def __init__(self, obj: object) -> None:
        if not isinstance(obj, Owner) or not isinstance(obj._cell, _HandleCell):
            raise TypeError(
                f"{type(self).__name__}(obj) takes ownership from an owner of a handle "
                f"(OwnedHandle), not {type(obj).__name__}"
            )
        Owner.__init__(self, OwnedHandle(obj)._take())

    def _raw(self) -> tuple[Any, int]:
        cell = self._live()
        raw = cell.raw
        if raw is None:
            raise closed_error(f"this {self._what}")
        return cell, raw

    def as_handle(self) -> BorrowedHandle:
        """Borrow the handle (checked against this owner on every use)."""
        self._live()
        return BorrowedHandle._of(self)

    def as_raw_handle(self) -> int:
        """The raw handle, still owned by this object."""
        return self._raw()[1]

    def into_raw_handle(self) -> int:
        """Give up ownership; the caller must close the returned handle."""
        raw = self._take().detach()
        if raw is None:
            raise closed_error(f"this {self._what}")
        return raw

    def try_clone(self) -> Any:
        """A second owner of the same pipe end (``DuplicateHandle``, not inheritable)."""
        cell, raw = self._raw()
        ops = cell.ops if isinstance(cell, _HandleCell) else _h.KERNEL32
        return type(self)._wrap(_HandleCell(ops.duplicate(raw), ops))


class PipeReader(_PipeEnd, Read):
    """The reading end of an anonymous pipe (Rust's ``PipeReader``); a `Read`.

    `read` is one ``ReadFile``; 0 means every writer is closed.
    """

    __slots__ = ()
    _what = "PipeReader"

    def read(self, buf: Buffer, /) -> int:
        """Read once (``ReadFile``) into *buf*; 0 at end of file (``ERROR_BROKEN_PIPE``).

        Raises `Error` (InvalidInput once closed, TimedOut when an active
        deadline passes with no data) and ``TypeError`` for a non-writable *buf*.
        """
        view = writable_view(buf, "PipeReader.read")
        with view, view.cast("B") as bytes_view:
            cell, raw = self._raw()  # held for the call: a racing close() waits
            try:
                if scopes_open and len(bytes_view):
                    instant = current_instant()
                    if instant is not None:
                        _wait_pipe(raw, instant, "PipeReader.read")
                return read_handle(raw, bytes_view)
            finally:
                # Also on error: a kept exception's traceback must not hold
                # the handle's cell (and so the handle) open.
                del cell


class PipeWriter(_PipeEnd, Write):
    """The writing end of an anonymous pipe (Rust's ``PipeWriter``); a `Write`."""

    __slots__ = ()
    _what = "PipeWriter"

    def write(self, buf: Buffer, /) -> int:
        """Write once (``WriteFile``); returns the count. ``Error(BrokenPipe)`` once the reader is gone."""
        with readable_view(buf, "PipeWriter.write") as view:
            cell, raw = self._raw()
            try:
                return write_handle(raw, view)
            finally:
                del cell  # see PipeReader.read

    def flush(self) -> None:
        """Nothing to do: a pipe has no user-space buffer. No system call."""


def pipe() -> tuple[PipeReader, PipeWriter]:
    """An anonymous pipe (``CreatePipe``, not inheritable); returns ``(reader, writer)``.

    Raises `Error` (e.g. ERROR_NOT_ENOUGH_MEMORY).
    """
    r, w = create_pipe()
    rraw, wraw = _h.normalize_handle(r), _h.normalize_handle(w)
    return (
        PipeReader._wrap(_HandleCell(rraw, _h.KERNEL32)),
        PipeWriter._wrap(_HandleCell(wraw, _h.KERNEL32)),
    )
