"""The standard streams on Unix: descriptors 0, 1 and 2.

A Unix process starts with whatever its parent left at numbers 0 (stdin),
1 (stdout) and 2 (stderr); nothing guarantees they are open. If a parent
started us with ``1>&-``, descriptor 1 is free, and the first ``open()`` the
program makes *gets number 1*: from then on everything printed to "stdout"
lands in that file. Rust's runtime therefore checks the three numbers before
``main`` and opens ``/dev/null`` on any that is closed (``poll`` with
``POLLNVAL``, or ``fcntl(F_GETFD)`` where poll cannot tell);
`stdio2._sys.unix.std_fds.reopen_closed_std` does the same when
`stdio2.io` is imported (a leaf module, so the io package can run it while
it initialises). The
``/dev/null`` descriptors are deliberately *inheritable* (no close-on-exec):
they are standard streams, and children expect 0, 1 and 2 to be open.

The standard descriptors are never owned by stdio2: they belong to the
process, are shared with Python's ``sys.stdin``/``sys.stdout``/``sys.stderr``
and with C libraries, and are never closed here. If someone else closes one
later, ``read``/``write`` fail with ``EBADF``; like Rust, stdio2 then treats
the stream as absent: reads report end of file and writes report every byte
written (`read`, `write`). Other errors, ``EPIPE`` in particular, are
reported. Python sets ``SIGPIPE`` to "ignore" at start-up, so a write to a
pipe whose reader went away (``python prog.py | head -1``) fails with
``EPIPE`` instead of killing the process.

The functions take the descriptor number (0, 1 or 2) because the standard
numbers are permanent: that is the one place where a raw number is safe. A
Windows backend provides the same functions keyed by the same numbers
(``GetStdHandle``), so `stdio2.io._stdio` stays portable.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2._sys.unix is the Unix backend")

import errno
import os
from typing import TYPE_CHECKING

from stdio2._sys._owner import Cell
from stdio2._sys.unix import fd as _sys_fd
from stdio2.io._error import Error, ErrorKind

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = [
    "cell",
    "is_terminal",
    "raw_write",
    "read",
    "wait_readable",
    "write",
    "write_failed",
]

_EBADF = errno.EBADF

_cells: dict[int, Cell[int]] = {}


def cell(fd: int) -> Cell[int]:
    """The permanent (never closed) cell of standard descriptor *fd*, for ``as_fd()``."""
    c = _cells.get(fd)
    if c is None:
        c = _cells.setdefault(fd, _sys_fd.permanent_cell(fd))
    return c


def read(fd: int, buf: Buffer) -> int:
    """One ``read(2)`` (``readv`` with one buffer) into *buf*; EBADF reads as end of file."""
    try:
        return os.readv(fd, [buf])
    except OSError as e:
        if e.errno == _EBADF:
            return 0
        raise Error.from_os_error(e) from None


def write(fd: int, data: Buffer) -> int:
    """One ``write(2)`` of *data*; EBADF counts as everything written (an absent stream is a sink)."""
    try:
        return os.write(fd, data)
    except OSError as e:
        return write_failed(e, data)


# The bare call, for callers that inline the happy path and send failures
# to write_failed.
raw_write = os.write


def write_failed(exc: OSError, data: Buffer) -> int:
    """What a failed ``write`` of *data* means: EBADF is a sink (returns the length), else `Error`."""
    if exc.errno == _EBADF:
        return memoryview(data).nbytes  # bytes, not items (array('i') has 4-byte items)
    raise Error.from_os_error(exc) from None


def wait_readable(fd: int, instant: float) -> None:
    """``poll(POLLIN)`` on *fd* until data (or EOF) is there; `Error` (TimedOut) at *instant*."""
    try:
        ready = _sys_fd.wait_readable(fd, instant)
    except Error as e:
        if e.raw_os_error() == _EBADF:
            return  # the read will report EOF
        raise
    if not ready:
        raise Error(ErrorKind.TimedOut, "reading standard input: the deadline passed")


def is_terminal(fd: int) -> bool:
    """``isatty(fd)``."""
    return _sys_fd.is_terminal(fd)
