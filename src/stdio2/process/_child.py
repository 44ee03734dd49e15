"""`Child`: a running or exited child process and the parent's ends of its pipes."""

from __future__ import annotations

import sys
import time
import warnings
from typing import Any

from stdio2.io._deadline import current_instant
from stdio2.io._error import Error, ErrorKind
from stdio2.process._pipes import ChildStderr, ChildStdin, ChildStdout
from stdio2.process._status import ExitStatus, Output, exit_status

if sys.platform == "win32":
    import importlib

    _backend: Any = importlib.import_module("stdio2._sys.windows.process")
    _SIGTERM = 15
    _SIGKILL = 9
else:
    import signal

    from stdio2._sys.unix import process as _backend

    _SIGTERM = signal.SIGTERM
    _SIGKILL = signal.SIGKILL

__all__ = ["Child"]

# How long terminate_then_kill waits for the reap after SIGKILL. A process
# ignores nothing after SIGKILL; only one stuck in an uninterruptible sleep
# (a hung NFS server, a dying disk) takes longer, and then we give up.
_REAP_AFTER_KILL = 5.0


class Child:
    """A child process started by `Command.spawn` (Rust's ``Child``).

    ``stdin`` / ``stdout`` / ``stderr`` are the parent's ends of the pipes
    asked for with `Stdio.piped` (`ChildStdin`, `ChildStdout`,
    `ChildStderr`), or None; they are plain attributes the caller may take
    (``out, child.stdout = child.stdout, None``) or move into another
    child's `Stdio`. A child must be waited for (`wait`, `try_wait`
    returning a status, `wait_with_output`, `terminate_then_kill`) or
    killed: a `Child` collected without either emits `ResourceWarning`;
    an exited one is reaped then, a running one at the next spawn.
    ``with command.spawn() as child:`` closes the pipes and waits on exit
    (killing first when the command asked for ``kill_on_drop``).
    """

    __slots__ = (
        "__weakref__",
        "_err_chunks",
        "_kill_on_drop",
        "_killed",
        "_out_chunks",
        "_pidfd",
        "_proc",
        "stderr",
        "stdin",
        "stdout",
    )

    stdin: ChildStdin | None
    stdout: ChildStdout | None
    stderr: ChildStderr | None
    _proc: Any
    _kill_on_drop: bool
    _killed: bool
    _out_chunks: list[bytes]
    _err_chunks: list[bytes]
    _pidfd: Any

    def __init__(self, *args: object) -> None:
        raise TypeError("a Child is made by Command(...).spawn()")

    @classmethod
    def _new(
        cls,
        proc: Any,
        stdin: ChildStdin | None,
        stdout: ChildStdout | None,
        stderr: ChildStderr | None,
        kill_on_drop: bool,
    ) -> Child:
        self = object.__new__(cls)
        self._proc = proc
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self._kill_on_drop = kill_on_drop
        self._killed = False
        self._out_chunks = []
        self._err_chunks = []
        self._pidfd = None
        return self

    # -- identity

    def id(self) -> int:
        """The OS process id (no system call). After the child was reaped the number may be reused."""
        pid: int = self._proc.pid
        return pid

    # -- waiting

    def _status(self, raw: int) -> ExitStatus:
        return exit_status(raw)

    def _close_stdin(self) -> None:
        stdin, self.stdin = self.stdin, None
        if stdin is not None:
            stdin.close()

    def wait(self) -> ExitStatus:
        """Close ``stdin`` (so the child sees end of file), then wait for the child to exit.

        Unix: blocks in ``waitid(P_PID, pid, WEXITED | WNOWAIT)`` and reaps
        with ``waitpid``; under an active `Deadline` it polls a pidfd (Linux)
        or sleeps in short steps around ``waitpid(WNOHANG)``, and raises
        `Error` TimedOut when the deadline passes (the child keeps running).
        Returns the same status on every later call.
        """
        self._close_stdin()
        return exit_status(self._proc.wait(current_instant()))

    def try_wait(self) -> ExitStatus | None:
        """The status if the child has exited (reaping it: ``waitpid(WNOHANG)``), else None; never blocks."""
        raw = self._proc.try_wait()
        return None if raw is None else exit_status(raw)

    def kill(self) -> None:
        """Force the child to exit: ``SIGKILL`` (``pidfd_send_signal`` when a pidfd is open).

        As in Rust, killing a child that has already exited is not an error.
        Does not wait: follow with `wait` to reap it.
        """
        self._killed = True
        self._proc.send_signal(_SIGKILL)

    def wait_with_output(self) -> Output:
        """Close ``stdin``, read ``stdout`` and ``stderr`` to end of file, wait; return the `Output`.

        Both pipes are drained at once by one thread (``poll`` + ``read``), so
        a child writing megabytes to both never deadlocks; one captured pipe
        is read by a single C-level read-to-end. Streams that were not piped
        give empty bytes. Under an active `Deadline`, `Error` TimedOut is
        raised when it passes: the child keeps running, its pipes stay on
        this `Child`, and what was read so far is kept and returned by the
        next call.
        """
        return self._wait_with_output(sole_holder=False)

    def _wait_with_output(self, *, sole_holder: bool) -> Output:
        self._close_stdin()
        instant = current_instant()
        out, err = self.stdout, self.stderr
        # A pipe the caller closed (but left on the Child) is not captured.
        if out is not None and out.closed():
            out = self.stdout = None
        if err is not None and err.closed():
            err = self.stderr = None
        if out is not None and err is not None:
            ocell, ecell = out._live(), err._live()
            ofd, efd = ocell.raw, ecell.raw
            assert ofd is not None and efd is not None
            _backend.drain([ofd, efd], [self._out_chunks, self._err_chunks], instant)
            del ocell, ecell
        elif out is not None or err is not None:
            one = out if out is not None else err
            assert one is not None
            sink = self._out_chunks if out is not None else self._err_chunks
            cell = one._live()
            fd = cell.raw
            assert fd is not None
            if instant is None and not sink:
                sink.append(_backend.read_all(fd))
            else:
                _backend.drain([fd], [sink], instant)
            del cell
        self.stdout = self.stderr = None
        if out is not None:
            out.close()
        if err is not None:
            err.close()
        status = exit_status(self._proc.wait(instant, sole_holder=sole_holder))
        stdout = b"".join(self._out_chunks)
        stderr = b"".join(self._err_chunks)
        self._out_chunks.clear()
        self._err_chunks.clear()
        return Output(status, stdout, stderr)

    def terminate_then_kill(self, grace_seconds: float) -> ExitStatus:
        """Stop the child for sure, in bounded time: SIGTERM, up to *grace_seconds*, SIGKILL, reap.

        First closes the parent's pipe ends (nothing is read, so
        grandchildren holding the pipes open cannot stall it). A child that
        leads its own process group (``process_group(0)`` or ``setsid``) is
        signalled as a group (``killpg``), and the group also gets SIGKILL
        after the grace period even if the leader exited, so no straggler
        survives. An active `Deadline` shortens the grace period; the reap
        after SIGKILL waits at most 5 seconds more (a process in an
        uninterruptible sleep cannot die sooner) and then raises `Error`
        TimedOut. Returns the exit status (a signal, usually).
        """
        if isinstance(grace_seconds, bool) or not isinstance(grace_seconds, (int, float)):
            raise TypeError(
                f"terminate_then_kill(grace_seconds) takes a number, got {type(grace_seconds).__name__}"
            )
        if not grace_seconds >= 0:
            raise ValueError("terminate_then_kill: grace_seconds must be >= 0")
        self._close_pipes()
        proc = self._proc
        self._killed = True
        if proc.status is not None:
            return exit_status(proc.status)
        group = proc.group_leader
        if group:
            proc.send_group_signal(_SIGTERM)
        else:
            proc.send_signal(_SIGTERM)
        instant = time.monotonic() + grace_seconds
        outer = current_instant()
        if outer is not None:
            instant = min(instant, outer)
        exited = proc.wait_exit(instant)
        if group:
            proc.send_group_signal(_SIGKILL)
        elif not exited:
            proc.send_signal(_SIGKILL)
        if not proc.wait_exit(time.monotonic() + _REAP_AFTER_KILL):
            raise Error(
                ErrorKind.TimedOut,
                f"child process {proc.pid} did not exit within {_REAP_AFTER_KILL} s of SIGKILL",
            )
        return exit_status(proc.wait(None))

    # -- cleanup

    def _close_pipes(self) -> None:
        pipes = (self.stdin, self.stdout, self.stderr)
        self.stdin = self.stdout = self.stderr = None
        for p in pipes:
            if p is not None:
                p.close()

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close_pipes()
        if self._kill_on_drop:
            self.kill()
        self.wait()
        pidfd, self._pidfd = self._pidfd, None
        if pidfd is not None:
            pidfd.close()

    def __del__(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is None:
            return
        for name in ("stdin", "stdout", "stderr", "_pidfd"):
            p = getattr(self, name, None)
            if p is not None:
                try:
                    p.close()
                except OSError:
                    pass
        if proc.status is not None:
            return
        killed = self._killed
        if self._kill_on_drop and not killed:
            try:
                proc.send_signal(_SIGKILL, block=False)
            except OSError:
                pass
            killed = True  # asked for: no warning
        proc.forget()
        if not killed:
            warnings.warn(
                f"child process {proc.pid} was neither waited for nor killed",
                ResourceWarning,
                source=self,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        status = self._proc.status
        state = "running" if status is None else str(ExitStatus(status))
        return f"Child(pid={self._proc.pid}, {state})"
