"""Unix file descriptors: the kernel facts stdio2's owners are built on.

A file descriptor is a small integer indexing the process's descriptor table;
the entry points at an *open file description* (file position, status flags,
the file, pipe or socket itself). Four facts shape everything in
`stdio2.os.fd`:

**Numbers are recycled, lowest first.** POSIX requires ``open``, ``pipe``,
``dup``, ``socket`` ... to return the lowest free number. Once ``close(7)``
returns, the very next descriptor created by *any* thread gets 7 again. A
program that keeps a stale 7 and writes to it writes into somebody else's
file, socket or pipe: no error, just corrupted data. This is why a raw number
may only be closed by its one owner, and why a borrow must be checked against
its owner on every use (`stdio2.os.fd.BorrowedFd`).

**close() is final, even when it fails.** On Linux ``close`` releases the
number before anything can fail; an ``EINTR`` (a signal arrived while a
network file system flushed) or ``EIO`` is only a report about data that was
already written. Retrying ``close`` after ``EINTR`` is therefore a bug: the
number may already belong to a descriptor another thread just opened (POSIX
2008 left the state unspecified; HP-UX was the odd one out that kept it open,
and leaking there is the lesser evil). CPython's ``os.close`` does not retry
``EINTR`` (PEP 475 exempts it), and `close_fd` below swallows it. ``EBADF``
from close means the number was not ours any more, which is a bug worth
reporting.

**Close-on-exec.** Without ``FD_CLOEXEC`` every descriptor is inherited by
every program the process (or any of its threads) ``exec``s, keeping pipes
open (a reader never sees EOF) and leaking files into children. The flag must
be set atomically at creation (``pipe2(O_CLOEXEC)``, ``F_DUPFD_CLOEXEC``,
``O_CLOEXEC``), because a ``fork`` in another thread between "create" and
"set flag" would inherit the descriptor. Python's own calls already do this
(PEP 446 makes ``os.pipe``/``os.open``/``os.dup`` non-inheritable);
`try_clone` uses ``fcntl(fd, F_DUPFD_CLOEXEC, 3)`` explicitly, starting at 3
so a clone can never land on a standard stream number.

**Validity can be asked once, cheaply.** ``fcntl(fd, F_GETFD)`` touches
nothing but the descriptor table and fails with ``EBADF`` exactly when the
number is not open. `check_open` uses it when a raw number is adopted or
borrowed; it cannot tell *whose* descriptor it is, which is why adopting
remains the caller's promise.

Reads and writes go through an `io.FileIO` created with ``closefd=False``
(`FdIO`): its ``readinto``/``write`` are C functions that make one
``read(2)``/``write(2)`` with the GIL released, retry ``EINTR`` (PEP 475),
and return ``None`` for ``EAGAIN``. The FileIO never closes the number; it
holds a strong reference to the descriptor's `Cell`, so a bound method cached
on an owner keeps the descriptor open for exactly as long as a call through it
runs (see `stdio2._sys._owner`).

Readiness for deadlines comes from ``poll(2)``: ``POLLIN`` on a pipe means a
read will not block; ``POLLOUT`` means at least one page of the pipe buffer is
free, so a write of at most ``PIPE_BUF`` bytes (4096 on Linux, 512 on macOS)
completes without blocking; ``POLLHUP``/``POLLERR`` also end the wait (the
call then reports EOF or the error), and ``POLLNVAL`` means the number is not
open.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover - the Unix backend is never imported there
    raise ImportError("stdio2._sys.unix is the Unix backend")

import errno
import fcntl
import io
import os
import select
import weakref
from typing import Final

from stdio2._sys._owner import Cell
from stdio2.io._deadline import wait_ms
from stdio2.io._error import Error, ErrorKind

__all__ = [
    "PIPE_BUF",
    "FdIO",
    "check_open",
    "close_fd",
    "dup_cloexec",
    "is_open",
    "is_terminal",
    "make_pipe",
    "new_cell",
    "owned_elsewhere",
    "permanent_cell",
    "wait_readable",
    "wait_writable",
]

PIPE_BUF: Final[int] = getattr(select, "PIPE_BUF", 512)

_POLLIN: Final = select.POLLIN
_POLLOUT: Final = select.POLLOUT
_POLLNVAL: Final = select.POLLNVAL

# Descriptor number -> the cell that owned it last. Only consulted when a raw
# number is adopted, to refuse making a second owner of a descriptor stdio2
# already owns; entries for released cells are stale and harmless (the cell
# is dead or its ``raw`` is None).
_owners: weakref.WeakValueDictionary[int, Cell[int]] = weakref.WeakValueDictionary()


def close_fd(fd: int) -> None:
    """``close(fd)``; EINTR counts as success (the number is released; never retry)."""
    try:
        os.close(fd)
    except InterruptedError:
        pass


def new_cell(fd: int) -> Cell[int]:
    """The one cell owning *fd*; releasing it calls `close_fd`."""
    cell: Cell[int] = Cell(fd, close_fd)
    _owners[fd] = cell
    return cell


def _keep(fd: int) -> None:
    # The release of a borrowed or standard descriptor: nothing to do.
    pass


def permanent_cell(fd: int) -> Cell[int]:
    """A cell for a descriptor stdio2 does not own (std streams, ``borrow_raw``); never closes."""
    return Cell(fd, _keep)


def owned_elsewhere(fd: int) -> bool:
    """Whether a live stdio2 owner (possibly closing, with a call in flight) holds *fd*."""
    cell = _owners.get(fd)
    return cell is not None and cell.raw == fd


def check_open(fd: int, call: str) -> None:
    """``fcntl(fd, F_GETFD)``: raise `Error` (InvalidInput) unless *fd* is an open descriptor."""
    try:
        fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError as e:
        if e.errno == errno.EBADF:
            raise Error(
                ErrorKind.InvalidInput, f"{call}: {fd} is not an open file descriptor"
            ) from None
        raise Error.from_os_error(e) from None


def is_open(fd: int) -> bool:
    """Whether *fd* is open in this process (``fcntl(F_GETFD)``)."""
    try:
        fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError:
        return False
    return True


def dup_cloexec(fd: int) -> int:
    """``fcntl(fd, F_DUPFD_CLOEXEC, 3)``: a new close-on-exec number >= 3 for the same file."""
    try:
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
    except OSError as e:
        raise Error.from_os_error(e) from None


def make_pipe() -> tuple[int, int]:
    """``pipe2(O_CLOEXEC)`` (``pipe`` + ``FD_CLOEXEC`` where pipe2 is missing, e.g. macOS)."""
    try:
        if hasattr(os, "pipe2"):
            return os.pipe2(os.O_CLOEXEC)
        # CPython's os.pipe sets close-on-exec itself (PEP 446).
        return os.pipe()
    except OSError as e:
        raise Error.from_os_error(e) from None


def is_terminal(fd: int) -> bool:
    """``isatty(fd)``; False for a closed number as well."""
    return os.isatty(fd)


class FdIO(io.FileIO):
    """A non-owning ``io.FileIO`` over a cell's descriptor that keeps the cell alive.

    Created with ``closefd=False``, so closing or collecting it never closes
    the number; the ``cell`` attribute is the strong reference that makes a
    bound ``readinto``/``write`` of this object an in-flight reference.
    """

    def __init__(self, cell: Cell[int], mode: str) -> None:
        fd = cell.raw
        if fd is None:
            raise Error(ErrorKind.InvalidInput, "descriptor already released")
        try:
            super().__init__(fd, mode, closefd=False)
        except OSError as e:
            raise Error.from_os_error(e) from None
        self.cell = cell


def _wait(fd: int, events: int, instant: float) -> bool:
    poller = select.poll()
    poller.register(fd, events)
    while True:
        # A last zero-timeout poll still picks up data that is already there;
        # a far instant is waited for a day at a time (see wait_ms).
        ms = wait_ms(instant)
        try:
            ready = poller.poll(ms)
        except OSError as e:
            raise Error.from_os_error(e) from None
        if ready:
            if ready[0][1] & _POLLNVAL:
                raise Error.from_raw_os_error(errno.EBADF)
            return True
        if ms == 0:
            return False


def wait_readable(fd: int, instant: float) -> bool:
    """``poll(POLLIN)`` until *fd* is readable (True) or the monotonic *instant* passes (False)."""
    return _wait(fd, _POLLIN, instant)


def wait_writable(fd: int, instant: float) -> bool:
    """``poll(POLLOUT)`` until *fd* is writable (True) or *instant* passes (False)."""
    return _wait(fd, _POLLOUT, instant)
