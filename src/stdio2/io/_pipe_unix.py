"""Anonymous pipes on Unix: `pipe`, `PipeReader`, `PipeWriter` (Rust 1.87 ``std::io::pipe``).

Each end is an owned, close-on-exec descriptor (`stdio2.os.fd.FdOwner`).
`PipeReader.read` and `PipeWriter.write` are one ``read(2)`` / ``write(2)``
each, made through a bound C method of an ``io.FileIO(fd, closefd=False)``
cached on the owner: no extra Python layer, and the cached method's
reference to the descriptor's cell is what defers a racing `close` until the
call returns (see `stdio2._sys._owner`).
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.io._pipe_unix is the Unix implementation")

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from stdio2._sys._owner import Cell, closed_error
from stdio2._sys.unix import fd as _sys_fd
from stdio2.io._deadline import current_instant, scopes_open
from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import Read, Write, readable_view, writable_view
from stdio2.os.fd import FdOwner

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = ["PipeReader", "PipeWriter", "pipe"]

_PIPE_BUF = _sys_fd.PIPE_BUF


def _closed(what: str) -> Callable[..., NoReturn]:
    # Stands in for the cached bound method once the owner is closed, so the
    # hot path needs no "is it closed?" test of its own.
    def closed(*args: object) -> NoReturn:
        raise closed_error(f"this {what}")

    return closed


_reader_closed = _closed("PipeReader")
_writer_closed = _closed("PipeWriter")


def _would_block() -> Error:
    # FileIO returns None for EAGAIN: the descriptor was made non-blocking
    # by whoever handed it to us.
    return Error(ErrorKind.WouldBlock, "the descriptor is non-blocking and not ready")


def _timed_out(call: str) -> Error:
    return Error(ErrorKind.TimedOut, f"{call}: the deadline passed")


class PipeReader(FdOwner, Read):
    """The reading end of an anonymous pipe (Rust's ``PipeReader``); a `Read`.

    `read` makes one ``read(2)``; 0 means every writer is closed. Under an
    active `Deadline` it first waits with ``poll(POLLIN)``. ``PipeReader(owner)``
    takes ownership of another descriptor owner (e.g. an `OwnedFd`);
    ``OwnedFd(reader)`` takes it back.
    """

    __slots__ = ("_readinto",)
    _what = "PipeReader"

    _readinto: Callable[[Any], int | None]

    def _init_cell(self, cell: Cell[int]) -> None:
        self._readinto = _reader_closed
        FdOwner._init_cell(self, cell)
        self._readinto = _sys_fd.FdIO(cell, "rb").readinto

    def _forget(self) -> None:
        self._readinto = _reader_closed

    def read(self, buf: Buffer, /) -> int:
        """Read once (``read(2)``) into the writable buffer *buf*; return the count (0: EOF).

        Raises `Error` (InvalidInput once closed, TimedOut when an active
        deadline passes with no data, WouldBlock for a non-blocking
        descriptor with no data) and ``TypeError`` for a non-writable *buf*.
        """
        # The bound method is taken first: it holds the descriptor's cell,
        # so the number cannot be released (and reused) between a deadline's
        # poll and the read.
        readinto = self._readinto
        if scopes_open:
            instant = current_instant()
            if instant is not None:
                with writable_view(buf, "PipeReader.read") as view:
                    size = len(view)
                if size and not _sys_fd.wait_readable(self.as_raw_fd(), instant):
                    del readinto
                    raise _timed_out("PipeReader.read")
        try:
            n = readinto(buf)
        except OSError as e:
            del readinto  # a traceback must not keep the descriptor's cell alive
            raise Error.from_os_error(e) from None
        except TypeError:
            del readinto
            writable_view(buf, "PipeReader.read")
            raise
        if n is None:
            del readinto
            raise _would_block()
        return n


class PipeWriter(FdOwner, Write):
    """The writing end of an anonymous pipe (Rust's ``PipeWriter``); a `Write`.

    `write` makes one ``write(2)`` and may accept fewer bytes than offered;
    `flush` does nothing (pipes are unbuffered). When the reading end is
    closed, `write` raises `Error` of kind ``BrokenPipe`` (Python ignores
    SIGPIPE). Under an active `Deadline`, `write` waits with
    ``poll(POLLOUT)`` and then writes at most ``PIPE_BUF`` bytes, which a
    writable pipe accepts without blocking.
    """

    __slots__ = ("_write",)
    _what = "PipeWriter"

    _write: Callable[[Any], int | None]

    def _init_cell(self, cell: Cell[int]) -> None:
        self._write = _writer_closed
        FdOwner._init_cell(self, cell)
        self._write = _sys_fd.FdIO(cell, "wb").write

    def _forget(self) -> None:
        self._write = _writer_closed

    def write(self, buf: Buffer, /) -> int:
        """Write once (``write(2)``) from the bytes-like *buf*; return how many bytes went in.

        Raises `Error` (BrokenPipe when no reader is left, InvalidInput once
        closed, TimedOut when an active deadline passes before the pipe has
        room) and ``TypeError`` for ``str`` or non-buffers.
        """
        write = self._write  # holds the cell across a deadline's poll (see read)
        if scopes_open:
            instant = current_instant()
            if instant is not None:
                view = readable_view(buf, "PipeWriter.write")
                if len(view):
                    if not _sys_fd.wait_writable(self.as_raw_fd(), instant):
                        del write
                        raise _timed_out("PipeWriter.write")
                    # What a writable pipe accepts without blocking.
                    buf = view[:_PIPE_BUF]
        try:
            n = write(buf)
        except OSError as e:
            del write  # a traceback must not keep the descriptor's cell alive
            raise Error.from_os_error(e) from None
        except TypeError:
            del write
            readable_view(buf, "PipeWriter.write")
            raise
        if n is None:
            del write
            raise _would_block()
        return n

    def flush(self) -> None:
        """Nothing to do: a pipe has no user-space buffer. No system call."""


def pipe() -> tuple[PipeReader, PipeWriter]:
    """An anonymous pipe: ``pipe2(O_CLOEXEC)``; returns ``(reader, writer)``, both owned.

    Raises `Error` (e.g. EMFILE when the descriptor table is full).
    """
    r, w = _sys_fd.make_pipe()
    rcell, wcell = _sys_fd.new_cell(r), _sys_fd.new_cell(w)
    try:
        reader = PipeReader._adopt(rcell)
    except BaseException:
        wcell.release_now()
        raise
    return reader, PipeWriter._adopt(wcell)
