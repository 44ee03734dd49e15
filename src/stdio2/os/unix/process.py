"""Unix extensions to `stdio2.process` (Rust's ``std::os::unix::process``).

`CommandExt` (user and group ids, process groups, sessions, ``argv[0]``,
replacing the current process with `CommandExt.exec`), `ExitStatusExt`
(signals, core dumps, raw wait statuses) and `ChildExt` (sending any signal,
to the child or to its whole process group). Each is a class of static
functions taking the object first::

    CommandExt.process_group(cmd, 0)
    ExitStatusExt.signal(status)
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.os.unix.process is Unix-only")

from collections.abc import Iterable

from stdio2._sys.unix import process as _backend
from stdio2.io._error import Error, ErrorKind
from stdio2.os_str import OsString
from stdio2.process import Child, Command, ExitStatus
from stdio2.process._command import _os_arg

__all__ = ["ChildExt", "CommandExt", "ExitStatusExt"]


def _id_arg(value: object, call: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{call} takes an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{call}: ids are >= 0, got {value}")
    return value


def _command(cmd: object, call: str) -> Command:
    if not isinstance(cmd, Command):
        raise TypeError(f"{call} takes a Command first, got {type(cmd).__name__}")
    return cmd


def _child(child: object, call: str) -> Child:
    if not isinstance(child, Child):
        raise TypeError(f"{call} takes a Child first, got {type(child).__name__}")
    return child


class CommandExt:
    """Unix-only `Command` settings (Rust's ``std::os::unix::process::CommandExt``).

    Setting `uid`, `gid` or `groups` makes the spawn go through
    `subprocess`'s C fork/exec (``posix_spawn`` cannot switch ids).
    """

    __slots__ = ()

    @staticmethod
    def uid(cmd: Command, id: int, /) -> Command:
        """Run the child as user *id* (``setuid`` in the child; needs privilege). Returns *cmd*."""
        _command(cmd, "CommandExt.uid")._uid = _id_arg(id, "CommandExt.uid(cmd, id)")
        return cmd

    @staticmethod
    def gid(cmd: Command, id: int, /) -> Command:
        """Run the child with group *id* (``setgid`` in the child). Returns *cmd*."""
        _command(cmd, "CommandExt.gid")._gid = _id_arg(id, "CommandExt.gid(cmd, id)")
        return cmd

    @staticmethod
    def groups(cmd: Command, groups: Iterable[int], /) -> Command:
        """Set the child's supplementary groups (``setgroups`` in the child). Returns *cmd*."""
        _command(cmd, "CommandExt.groups")._groups = tuple(
            _id_arg(g, "CommandExt.groups(cmd, groups)") for g in groups
        )
        return cmd

    @staticmethod
    def process_group(cmd: Command, pgroup: int, /) -> Command:
        """Put the child in process group *pgroup* (``setpgid``); 0 makes it lead a new group.

        A child leading its own group can be signalled with everything it
        started (`ChildExt.send_group_signal`, ``Child.terminate_then_kill``).
        Returns *cmd*.
        """
        _command(cmd, "CommandExt.process_group")._pgroup = _id_arg(
            pgroup, "CommandExt.process_group(cmd, pgroup)"
        )
        return cmd

    @staticmethod
    def setsid(cmd: Command, setsid: bool, /) -> Command:
        """Start the child in a new session (``setsid``): a new group, no controlling terminal."""
        _command(cmd, "CommandExt.setsid")._setsid = bool(setsid)
        return cmd

    @staticmethod
    def arg0(cmd: Command, arg: str | bytes | OsString, /) -> Command:
        """Pass *arg* as ``argv[0]`` instead of the program name (the file run does not change)."""
        _command(cmd, "CommandExt.arg0")._arg0 = _os_arg(arg, "CommandExt.arg0(cmd, arg)")
        return cmd

    @staticmethod
    def exec(cmd: Command, /) -> Error:
        """Replace this process with the command (``execve``); returns only on failure.

        Applies the command's settings to *this* process first (standard
        streams with ``dup2``, directory, group, session, ids, SIGPIPE and
        SIGXFSZ back to default), so on failure the process may be left
        partly changed, as in Rust. Nothing is flushed: flush stdio2's and
        Python's buffers first. `Stdio.piped` is refused (InvalidInput).
        Returns the `Error` (it is not raised, as Rust returns it).
        """
        c = _command(cmd, "CommandExt.exec")
        try:
            req = c._exec_request()
            _backend.exec_replace(req)
        except Error as e:
            return e
        return Error(ErrorKind.Other, "execve returned")  # pragma: no cover


class ExitStatusExt:
    """Unix views of an `ExitStatus` (Rust's ``std::os::unix::process::ExitStatusExt``)."""

    __slots__ = ()

    @staticmethod
    def from_raw(raw: int, /) -> ExitStatus:
        """The `ExitStatus` for a raw ``waitpid`` status (e.g. ``0x100`` is "exit status: 1")."""
        return ExitStatus(raw)

    @staticmethod
    def into_raw(status: ExitStatus, /) -> int:
        """The raw ``waitpid`` status."""
        raw: int = status._raw
        return raw

    @staticmethod
    def signal(status: ExitStatus, /) -> int | None:
        """The signal that terminated the process (``WTERMSIG``), or None."""
        return _backend.term_signal(status._raw)

    @staticmethod
    def core_dumped(status: ExitStatus, /) -> bool:
        """Whether the terminating signal dumped core (``WCOREDUMP``)."""
        return _backend.core_dumped(status._raw)

    @staticmethod
    def stopped_signal(status: ExitStatus, /) -> int | None:
        """The signal that stopped the process (``WSTOPSIG``), or None."""
        return _backend.stopped_signal(status._raw)

    @staticmethod
    def continued(status: ExitStatus, /) -> bool:
        """Whether the status reports a continued process (``WIFCONTINUED``)."""
        return _backend.continued(status._raw)


class ChildExt:
    """Unix-only `Child` operations: any signal, to the child or its process group."""

    __slots__ = ()

    @staticmethod
    def send_signal(child: Child, sig: int, /) -> None:
        """Send *sig* to the child (``pidfd_send_signal`` or ``kill``); a no-op once it was reaped."""
        _child(child, "ChildExt.send_signal")._proc.send_signal(int(sig))

    @staticmethod
    def send_group_signal(child: Child, sig: int, /) -> None:
        """Send *sig* to the child's whole process group (``killpg``).

        Only for a child that leads its own group (spawned with
        ``CommandExt.process_group(cmd, 0)`` or ``setsid``); otherwise
        `Error` InvalidInput, since its group is the caller's. No error when
        the group has no members left.
        """
        c = _child(child, "ChildExt.send_group_signal")
        if not c._proc.group_leader:
            raise Error(
                ErrorKind.InvalidInput,
                "the child does not lead its own process group; spawn it with "
                "CommandExt.process_group(cmd, 0) or CommandExt.setsid(cmd, True)",
            )
        c._proc.send_group_signal(int(sig))

    @staticmethod
    def kill_group(child: Child, /) -> None:
        """SIGKILL the child's whole process group (see `send_group_signal`)."""
        import signal

        ChildExt.send_group_signal(child, signal.SIGKILL)
