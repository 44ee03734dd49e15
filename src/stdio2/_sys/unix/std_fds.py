"""Before anything else opens a file: make sure descriptors 0, 1 and 2 are taken.

A Unix process starts with whatever its parent left at 0 (stdin), 1 (stdout)
and 2 (stderr). If the parent closed one (``prog 1>&-``), the first
``open()`` the program makes returns that number, and everything later
written to "stdout" lands in that file. Rust's runtime checks the three
numbers before ``main`` and opens ``/dev/null`` on any that is closed; this
module does the same when `stdio2.io` is imported.

It is a leaf on purpose: it imports only ``os`` and ``fcntl``, so the io
package can run it while it initialises without pulling in the descriptor
layer (which itself depends on the io package's errors).
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2._sys.unix is the Unix backend")

import fcntl
import os

__all__ = ["reopen_closed_std"]


def _is_open(fd: int) -> bool:
    try:
        fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError:
        return False
    return True


def reopen_closed_std() -> None:
    """Open ``/dev/null`` (``O_RDWR``, inheritable) on each of 0, 1, 2 that is closed.

    ``fcntl(F_GETFD)`` finds the closed ones; ``open`` returns the lowest free
    number, so opening in order fills exactly the gaps (``dup2`` repairs the
    case of another thread racing us). Failing to open /dev/null aborts, as
    in Rust: running with a free standard number is not safe.
    """
    for fd in (0, 1, 2):
        if _is_open(fd):
            continue
        try:
            null = os.open(os.devnull, os.O_RDWR)
        except OSError as e:
            os.write(2, f"stdio2: cannot open {os.devnull} for descriptor {fd}: {e}\n".encode())
            os.abort()
        if null != fd:
            os.dup2(null, fd, inheritable=True)
            os.close(null)
        else:
            os.set_inheritable(fd, True)
