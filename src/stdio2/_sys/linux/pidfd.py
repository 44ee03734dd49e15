"""Process descriptors (pidfds) on Linux: a descriptor for a process, not for its number.

A pid is a number the kernel recycles: once a process has exited *and been
reaped*, its pid may be handed to any new process, so ``kill(pid, sig)``
based on an old number can hit a stranger. ``pidfd_open(pid, 0)`` (Linux
5.3) returns a descriptor bound to the process itself. Opened while the
child is still unreaped (a zombie at worst, which keeps its pid reserved),
it refers to that child for ever:

* ``pidfd_send_signal(pidfd, sig, NULL, 0)`` (5.1) signals exactly that
  process, or fails with ESRCH once it has been reaped;
* the descriptor polls readable (``POLLIN``) once the process has exited,
  so a deadline wait is one ``poll`` with a timeout, and pidfds mix with
  sockets and pipes in one ``poll``/``epoll`` set;
* ``waitid(P_PIDFD, pidfd, ...)`` (5.4) reaps through it.

stdio2 reaps with ``waitpid`` on the pid (under the `Process` lock, see
`stdio2._sys.unix.process`) so that the child's status is recorded in one
place no matter which handle waited. The descriptor is close-on-exec (the
kernel sets ``O_CLOEXEC`` on every pidfd). Seccomp filters in some
containers return ENOSYS or EPERM; callers then fall back to plain pids.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2._sys.linux is the Linux backend")

import os
import signal
from typing import Final

from stdio2.io._error import Error, ErrorKind

__all__ = ["AVAILABLE", "send_signal"]

AVAILABLE: Final = hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


def send_signal(pidfd: int, sig: int) -> bool:
    """``pidfd_send_signal(pidfd, sig)``; False when the process was already reaped (ESRCH)."""
    if not AVAILABLE:  # pragma: no cover
        raise Error(ErrorKind.Unsupported, "pidfd_send_signal is not available")
    try:
        signal.pidfd_send_signal(pidfd, sig)
    except ProcessLookupError:
        return False
    except OSError as e:
        raise Error.from_os_error(e) from None
    return True
