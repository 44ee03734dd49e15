"""Linux process descriptors (pidfds) for children (Rust's ``std::os::linux::process``).

A `PidFd` refers to one process, not to its recyclable number: signals sent
through it can never reach another process, and its descriptor polls
readable when the process exits (usable in ``poll``/``selectors`` next to
pipes and sockets). See `stdio2._sys.linux.pidfd` for the kernel facts.

>>> import sys
>>> from stdio2.process import Command
>>> from stdio2.os.linux.process import ChildExt
>>> child = Command(sys.executable).args(["-c", "pass"]).spawn()
>>> ChildExt.pidfd(child).wait().success()
True
>>> child.wait().success()    # the Child sees the same status
True
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.os.linux.process is Linux-only")

import signal
from typing import Any

from stdio2._sys._owner import Cell
from stdio2._sys.linux import pidfd as _pidfd
from stdio2._sys.unix import fd as _sys_fd
from stdio2.io._deadline import current_instant
from stdio2.io._error import Error, ErrorKind
from stdio2.os.fd import FdOwner
from stdio2.process import Child, Command, ExitStatus

__all__ = ["ChildExt", "CommandExt", "PidFd"]


class PidFd(FdOwner):
    """An owned process descriptor for a child (Rust's ``PidFd``).

    Obtained from `ChildExt.pidfd` / `ChildExt.into_pidfd`. `kill` and
    `send_signal` use ``pidfd_send_signal``; `wait` and `try_wait` share the
    child's status with its `Child` (whichever waits first reaps, both
    report the same `ExitStatus`). ``as_fd()`` lends the descriptor for
    ``poll`` (readable once the process has exited).
    """

    __slots__ = ("_proc",)
    _what = "PidFd"

    _proc: Any

    def _init_cell(self, cell: Cell[int]) -> None:
        self._proc = None
        FdOwner._init_cell(self, cell)

    def send_signal(self, sig: int) -> None:
        """Send *sig* to the process (``pidfd_send_signal``); a no-op once it has been reaped."""
        cell = self._live()
        fd = cell.raw
        if fd is not None:
            _pidfd.send_signal(fd, int(sig))

    def kill(self) -> None:
        """SIGKILL the process (``pidfd_send_signal``); not an error if it already exited."""
        self.send_signal(signal.SIGKILL)

    def wait(self) -> ExitStatus:
        """Wait for the process to exit and return its status (deadline-aware, like `Child.wait`).

        Raises `Error` TimedOut when an active `Deadline` passes, and
        `Error` Unsupported for a PidFd made from a foreign descriptor.
        """
        self._live()
        return ExitStatus(self._process().wait(current_instant()))

    def try_wait(self) -> ExitStatus | None:
        """The status if the process has exited (reaping it), else None; never blocks."""
        self._live()
        raw = self._process().try_wait()
        return None if raw is None else ExitStatus(raw)

    def _process(self) -> Any:
        proc = self._proc
        if proc is None:
            raise Error(
                ErrorKind.Unsupported,
                "this PidFd was made from a plain descriptor; wait on the Child it came from",
            )
        return proc


def _child(child: object, call: str) -> Child:
    if not isinstance(child, Child):
        raise TypeError(f"{call} takes a Child first, got {type(child).__name__}")
    return child


class ChildExt:
    """Linux-only `Child` operations (Rust's ``std::os::linux::process::ChildExt``)."""

    __slots__ = ()

    @staticmethod
    def pidfd(child: Child, /) -> PidFd:
        """The child's `PidFd` (``pidfd_open``, made on first use and kept by the child).

        The child owns it: it is closed with the child (``with`` exit or
        collection). Raises `Error` InvalidInput once the child was reaped
        (its pid may then name another process) and Unsupported where the
        kernel refuses pidfds.
        """
        c = _child(child, "ChildExt.pidfd")
        fd: PidFd | None = c._pidfd
        if fd is None or fd.closed():
            fd = PidFd._adopt(_sys_fd.new_cell(c._proc.open_pidfd()))
            fd._proc = c._proc
            c._pidfd = fd
        return fd

    @staticmethod
    def into_pidfd(child: Child, /) -> PidFd:
        """Like `pidfd`, but the caller owns the returned `PidFd` (the child forgets it)."""
        fd = ChildExt.pidfd(child)
        child._pidfd = None
        return fd


class CommandExt:
    """Linux-only `Command` settings (Rust's ``std::os::linux::process::CommandExt``)."""

    __slots__ = ()

    @staticmethod
    def create_pidfd(cmd: Command, val: bool, /) -> Command:
        """Open the child's `PidFd` at spawn time (``ChildExt.pidfd`` then returns it). Returns *cmd*."""
        if not isinstance(cmd, Command):
            raise TypeError(f"CommandExt.create_pidfd takes a Command first, got {type(cmd).__name__}")
        cmd._create_pidfd = bool(val)
        return cmd
