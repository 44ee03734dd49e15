"""Child processes: `Command`, `Child`, `Stdio`, `Output`, `ExitStatus`, as Rust's ``std::process``.

>>> import sys
>>> from stdio2.process import Command
>>> out = Command(sys.executable).args(["-c", "print('hi')"]).output()
>>> out.status.success(), out.stdout
(True, b'hi\\n')

Platform extensions: `stdio2.os.unix.process` (uid/gid, process groups,
signals, ``exec``), `stdio2.os.linux.process` (pidfd),
`stdio2.os.windows.process` (creation flags, command-line quoting).
See ``docs/process.md``.
"""

from __future__ import annotations

import atexit
import sys
from typing import Any, NoReturn

from stdio2.process._child import Child
from stdio2.process._command import Command, Stdio
from stdio2.process._pipes import ChildStderr, ChildStdin, ChildStdout
from stdio2.process._status import ExitStatus, ExitStatusError, Output

if sys.platform == "win32":
    import importlib

    _backend: Any = importlib.import_module("stdio2._sys.windows.process")
else:
    from stdio2._sys.unix import process as _backend

__all__ = [
    "Child",
    "ChildStderr",
    "ChildStdin",
    "ChildStdout",
    "Command",
    "ExitStatus",
    "ExitStatusError",
    "Output",
    "Stdio",
    "abort",
    "exit",
    "id",
]


def exit(code: int = 0) -> NoReturn:
    """End the process with *code*, without unwinding (Rust's ``std::process::exit``).

    Flushes stdio2's stdout, runs the ``atexit`` handlers (once: they are
    unregistered as they run), flushes Python's ``sys.stdout`` and
    ``sys.stderr`` (errors ignored), then calls ``_exit(code)``: no
    ``finally`` blocks, context managers or other threads run afterwards.
    """
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(f"exit(code) takes an int, got {type(code).__name__}")
    stdio = sys.modules.get("stdio2.io._stdio")
    if stdio is not None:
        try:
            stdio.stdout().flush()
        except Exception:
            pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass
    _backend.exit_now(code)
    raise AssertionError("unreachable")  # pragma: no cover


def abort() -> NoReturn:
    """End the process abnormally at once: ``abort()`` (SIGABRT; a core dump where enabled).

    Nothing is flushed and no handler runs, as in Rust.
    """
    _backend.abort()
    raise AssertionError("unreachable")  # pragma: no cover


def id() -> int:
    """This process's id (``getpid()``)."""
    pid: int = _backend.getpid()
    return pid
