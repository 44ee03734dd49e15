r"""Child processes on Windows: one command-line string, and the rules for splitting it.

**A Windows program receives one string, not a list.** ``CreateProcessW``
takes a single command line; the *child* splits it into ``argv``, usually
with the rules of the Microsoft C runtime (the same as
``CommandLineToArgvW``):

* the first token is the program name: quotes toggle "in quotes", nothing
  is escaped, and unquoted space/tab ends it (file names cannot contain
  ``"``, so it is always quoted and never escaped here);
* afterwards, space and tab separate arguments outside quotes; ``"``
  toggles quoting; a run of ``2n`` backslashes before a ``"`` gives ``n``
  backslashes and the quote toggles, ``2n + 1`` backslashes give ``n``
  backslashes and a literal ``"``; backslashes not followed by ``"`` are
  literal; inside quotes ``""`` is a literal ``"`` (the post-2008 runtime;
  the quoting below never emits it, so older runtimes agree).

`make_command_line` is the inverse of those rules (Rust's ``append_arg``):
an argument that is empty or contains space or tab is quoted; inside it a
``"`` gets ``2n + 1`` backslashes where ``n`` backslashes preceded it, and
backslashes before the closing quote are doubled. Any argument without NUL
then round-trips exactly.

**Batch files are run by cmd.exe, which has different rules.**
``CreateProcessW`` on a ``.bat``/``.cmd`` file really starts ``cmd.exe /c``,
and cmd.exe parses the line *again* before the script sees ``%1``: ``&``,
``|``, ``<``, ``>``, ``^`` and ``(``/``)`` outside quotes are command
syntax, ``%NAME%`` is expanded even inside quotes, and a line break ends the
command. Quoting for the C runtime is therefore not enough: an argument
like ``"&calc.exe`` closes the C-runtime quoting and runs a second command
(CVE-2024-24576, "BatBadBut", fixed in Rust 1.77.2 and others). The
batch-file line here (`make_bat_command_line`) is built for cmd.exe:

* ``cmd.exe /e:ON /v:OFF /d /c "<line>"``: command extensions on (needed
  below), delayed ``!VAR!`` expansion off, no AutoRun commands, and the
  whole line wrapped in one extra pair of quotes that ``/c`` strips;
* the script path is quoted; a path containing ``"`` or ending in ``\`` is
  refused (no Windows file name can);
* an argument is quoted unless it consists only of ASCII letters, digits
  and ``#$*+-./:?@\_`` (and non-ASCII printable text); inside, ``"`` is
  doubled (cmd.exe toggles quoting twice, so the metacharacters after it
  stay quoted) and backslashes before a ``"`` or the closing quote are
  doubled;
* ``%`` is written as ``%%cd:~,%`` followed by ``%``: the substring syntax
  ``%cd:~,%`` expands to nothing, which breaks any ``%NAME%`` pair apart
  without changing the text the script receives;
* an argument containing a line break (``\r``, ``\n``) or NUL cannot be
  passed safely at all and is **refused** with `Error` InvalidInput,
  instead of producing an injectable line.

`RawArg` text is appended unquoted, for programs with their own parsing
(Rust's ``raw_arg``); the caller is responsible for it.

**Environment and the rest.** The environment block is a sequence of
``NAME=value\0`` UTF-16 strings sorted case-insensitively, ending in an
extra NUL (``CREATE_UNICODE_ENVIRONMENT``). Handles reach the child only
through ``STARTUPINFOW`` with ``STARTF_USESTDHANDLES`` and
``bInheritHandles``. The kernel32 calls are looked up lazily and run only on
Windows; the pure functions run everywhere and are tested on Linux.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any, Final

import attrs

from stdio2.io._error import Error, ErrorKind

__all__ = [
    "CREATE_UNICODE_ENVIRONMENT",
    "RawArg",
    "environment_block",
    "is_batch_file",
    "make_bat_command_line",
    "make_command_line",
]

CREATE_UNICODE_ENVIRONMENT: Final = 0x00000400
CREATE_NO_WINDOW: Final = 0x08000000

INHERIT: Final = -1
NULL: Final = -2


@attrs.frozen
class RawArg:
    """Command-line text appended as it is, without quoting (Rust's ``raw_arg``)."""

    text: str = attrs.field(validator=attrs.validators.instance_of(str))


def _invalid(message: str) -> Error:
    return Error(ErrorKind.InvalidInput, message)


def _check_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    if "\0" in value:
        raise _invalid(f"nul byte found in provided data: {what} {value!r}")
    return value


def _append_arg(out: list[str], arg: str, force_quotes: bool) -> None:
    quote = force_quotes or not arg or " " in arg or "\t" in arg
    if quote:
        out.append('"')
    backslashes = 0
    for ch in arg:
        if ch == "\\":
            backslashes += 1
            continue
        if ch == '"':
            # n backslashes before a quote become 2n + 1: n literal ones and an escaped quote.
            out.append("\\" * (backslashes * 2 + 1))
        elif backslashes:
            out.append("\\" * backslashes)
        backslashes = 0
        out.append(ch)
    if quote:
        # Doubled, so that the closing quote is not escaped.
        out.append("\\" * (backslashes * 2))
        out.append('"')
    elif backslashes:
        out.append("\\" * backslashes)


def make_command_line(program: str, args: Iterable[str | RawArg], *, force_quotes: bool = False) -> str:
    """The ``CreateProcessW`` command line for *program* and *args* (C-runtime rules).

    The program name is always quoted and must not contain ``"``;
    arguments are quoted when empty or containing space/tab (always with
    *force_quotes*); `RawArg` text is appended unchanged. Raises `Error`
    InvalidInput for NUL anywhere or ``"`` in the program name. Pure: no
    system call.
    """
    program = _check_text(program, "program")
    if '"' in program:
        raise _invalid(f"a program name cannot contain '\"': {program!r}")
    out = ['"', program, '"']
    for arg in args:
        out.append(" ")
        if isinstance(arg, RawArg):
            out.append(_check_text(arg.text, "raw argument"))
        else:
            _append_arg(out, _check_text(arg, "argument"), force_quotes)
    return "".join(out)


def is_batch_file(program: str) -> bool:
    """Whether Windows would run *program* through cmd.exe (``.bat`` or ``.cmd``, any case)."""
    name = program.rstrip(" .")
    return name.lower().endswith((".bat", ".cmd"))


# ASCII characters that may stay unquoted in a batch argument; everything
# else ASCII (and every control character) forces quotes.
_BAT_SAFE: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#$*+-./:?@\\_")
# The substring expansion of the always-defined %cd% variable with an empty
# range: expands to nothing, and splits any %NAME% pair apart.
_PERCENT_BREAK: Final = "%%cd:~,"


def _append_bat_arg(out: list[str], arg: str, force_quotes: bool) -> None:
    quote = force_quotes or not arg or arg.endswith("\\")
    if not quote:
        for ch in arg:
            if (ord(ch) < 128 and ch not in _BAT_SAFE) or not ch.isprintable():
                quote = True
                break
    if quote:
        out.append('"')
    backslashes = 0
    for ch in arg:
        if ch == "\\":
            backslashes += 1
            continue
        if backslashes:
            # Doubled only when a quote follows (the C runtime halves them there).
            out.append("\\" * (backslashes * 2 if ch == '"' else backslashes))
            backslashes = 0
        if ch == '"':
            out.append('""')
        elif ch == "%":
            out.append(_PERCENT_BREAK)
            out.append("%")
        else:
            out.append(ch)
    if backslashes:
        out.append("\\" * (backslashes * 2 if quote else backslashes))
    if quote:
        out.append('"')


def make_bat_command_line(script: str, args: Iterable[str | RawArg], *, force_quotes: bool = False) -> str:
    """The command line that runs the batch file *script* with *args* through cmd.exe safely.

    Returns ``cmd.exe /e:ON /v:OFF /d /c ""<script>" <args>"``, to be passed
    with cmd.exe as the application. Raises `Error` InvalidInput for a
    script path containing ``"`` or ending in ``\\``, and for any argument
    containing NUL, ``\\r`` or ``\\n``, which cmd.exe cannot receive
    without the line being cut or reinterpreted (the BatBadBut refusal).
    Pure: no system call.
    """
    script = _check_text(script, "batch file path")
    if '"' in script or script.endswith("\\"):
        raise _invalid(f"Windows file names may not contain '\"' or end with '\\': {script!r}")
    out = ['cmd.exe /e:ON /v:OFF /d /c "', '"', script, '"']
    for arg in args:
        out.append(" ")
        if isinstance(arg, RawArg):
            out.append(_check_text(arg.text, "raw argument"))
            continue
        text = _check_text(arg, "argument")
        if "\r" in text or "\n" in text:
            raise _invalid(
                f"batch file arguments cannot contain line breaks (cmd.exe would run the rest "
                f"as a new command): {text!r}"
            )
        _append_bat_arg(out, text, force_quotes)
    out.append('"')
    return "".join(out)


def environment_block(env: Iterable[tuple[str, str]]) -> str:
    """The ``CREATE_UNICODE_ENVIRONMENT`` block: ``NAME=value\\0`` sorted case-insensitively, then ``\\0``.

    Later duplicates (compared case-insensitively) replace earlier ones.
    Raises `Error` InvalidInput for an empty name or one containing ``=``
    (past its first character, which Windows reserves for ``=C:`` style
    entries) and for NUL. Pure: no system call.
    """
    merged: dict[str, tuple[str, str]] = {}
    for name, value in env:
        _check_text(name, "environment variable name")
        _check_text(value, "environment variable value")
        if not name or "=" in name[1:]:
            raise _invalid(f"invalid environment variable name {name!r}")
        merged[name.upper()] = (name, value)
    entries = [f"{n}={v}\0" for _, (n, v) in sorted(merged.items())]
    if not entries:
        return "\0\0"
    return "".join(entries) + "\0"


# -- the kernel32 calls (Windows only) ------------------------------------------------


_kernel32: Any = None


def _k32() -> Any:
    global _kernel32
    if _kernel32 is None:
        if sys.platform != "win32":
            raise Error(ErrorKind.Unsupported, "CreateProcessW exists only on Windows")
        import ctypes
        from ctypes import wintypes

        dll = ctypes.WinDLL("kernel32", use_last_error=True)
        dll.CreateProcessW.restype = wintypes.BOOL
        dll.WaitForSingleObject.restype = wintypes.DWORD
        dll.WaitForSingleObject.argtypes = [wintypes.HANDLE, wintypes.DWORD]
        dll.GetExitCodeProcess.restype = wintypes.BOOL
        dll.GetExitCodeProcess.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]
        dll.TerminateProcess.restype = wintypes.BOOL
        dll.TerminateProcess.argtypes = [wintypes.HANDLE, wintypes.UINT]
        dll.CloseHandle.restype = wintypes.BOOL
        dll.CloseHandle.argtypes = [wintypes.HANDLE]
        _kernel32 = dll
    return _kernel32


def _last_error() -> Error:
    import ctypes

    code = 0
    if sys.platform == "win32":
        code = ctypes.get_last_error()
    return Error.from_raw_os_error(code)


def create_process(
    application: str | None,
    command_line: str,
    env_block: str | None,
    cwd: str | None,
    flags: int,
) -> Process:
    """``CreateProcessW`` with inherited standard handles; returns the `Process`. Windows only."""
    k32 = _k32()
    import ctypes
    from ctypes import wintypes

    class STARTUPINFOW(ctypes.Structure):
        _fields_ = [
            ("cb", wintypes.DWORD),
            ("lpReserved", wintypes.LPWSTR),
            ("lpDesktop", wintypes.LPWSTR),
            ("lpTitle", wintypes.LPWSTR),
            ("dwX", wintypes.DWORD),
            ("dwY", wintypes.DWORD),
            ("dwXSize", wintypes.DWORD),
            ("dwYSize", wintypes.DWORD),
            ("dwXCountChars", wintypes.DWORD),
            ("dwYCountChars", wintypes.DWORD),
            ("dwFillAttribute", wintypes.DWORD),
            ("dwFlags", wintypes.DWORD),
            ("wShowWindow", wintypes.WORD),
            ("cbReserved2", wintypes.WORD),
            ("lpReserved2", ctypes.c_void_p),
            ("hStdInput", wintypes.HANDLE),
            ("hStdOutput", wintypes.HANDLE),
            ("hStdError", wintypes.HANDLE),
        ]

    class PROCESS_INFORMATION(ctypes.Structure):
        _fields_ = [
            ("hProcess", wintypes.HANDLE),
            ("hThread", wintypes.HANDLE),
            ("dwProcessId", wintypes.DWORD),
            ("dwThreadId", wintypes.DWORD),
        ]

    si = STARTUPINFOW()
    si.cb = ctypes.sizeof(si)
    pi = PROCESS_INFORMATION()
    cmd_buf = ctypes.create_unicode_buffer(command_line)  # CreateProcessW may write to it
    env_buf = None if env_block is None else ctypes.create_unicode_buffer(env_block, len(env_block))
    ok = k32.CreateProcessW(
        application,
        cmd_buf,
        None,
        None,
        False,
        flags | (CREATE_UNICODE_ENVIRONMENT if env_block is not None else 0),
        env_buf,
        cwd,
        ctypes.byref(si),
        ctypes.byref(pi),
    )
    if not ok:
        err = _last_error()
        raise Error.from_raw_os_error(err.raw_os_error() or 0, path=application or command_line)
    k32.CloseHandle(pi.hThread)
    return Process(int(pi.dwProcessId), int(pi.hProcess or 0))


_WAIT_OBJECT_0: Final = 0
_WAIT_TIMEOUT: Final = 0x102
_INFINITE: Final = 0xFFFFFFFF


class Process:
    """One child: its id, its process handle (closed once it is waited for), its exit code."""

    __slots__ = ("__weakref__", "_handle", "group_leader", "pid", "status")

    def __init__(self, pid: int, handle: int) -> None:
        self.pid = pid
        self._handle = handle
        self.status: int | None = None
        self.group_leader = False

    def _finish(self) -> int:
        import ctypes
        from ctypes import wintypes

        code = wintypes.DWORD()
        if not _k32().GetExitCodeProcess(self._handle, ctypes.byref(code)):
            raise _last_error()
        self.status = int(code.value)
        handle, self._handle = self._handle, 0
        _k32().CloseHandle(handle)
        return self.status

    def _wait_ms(self, ms: int) -> bool:
        r = _k32().WaitForSingleObject(self._handle, ms)
        if r == _WAIT_OBJECT_0:
            return True
        if r == _WAIT_TIMEOUT:
            return False
        raise _last_error()

    def try_wait(self) -> int | None:
        """``WaitForSingleObject(h, 0)`` then ``GetExitCodeProcess``."""
        if self.status is not None:
            return self.status
        return self._finish() if self._wait_ms(0) else None

    def wait_exit(self, instant: float) -> bool:
        """Whether the process exits before the monotonic *instant* (``WaitForSingleObject``)."""
        if self.status is not None:
            return True
        remaining = instant - time.monotonic()
        return self._wait_ms(max(0, int(remaining * 1000) + 1) if remaining > 0 else 0)

    def wait(self, instant: float | None) -> int:
        """Wait (bounded by *instant*) and return the exit code; `Error` TimedOut."""
        if self.status is not None:
            return self.status
        if instant is None:
            self._wait_ms(_INFINITE)
        elif not self.wait_exit(instant):
            raise Error(ErrorKind.TimedOut, f"waiting for child process {self.pid}: the deadline passed")
        return self._finish()

    def send_signal(self, sig: int, *, block: bool = True) -> bool:
        """``TerminateProcess(h, 1)`` (Windows has no signals); False once the process was reaped."""
        if self.status is not None:
            return False
        if not _k32().TerminateProcess(self._handle, 1):
            if self._wait_ms(0):
                return False  # already exited: ERROR_ACCESS_DENIED, as Rust treats it
            raise _last_error()
        return True

    def send_group_signal(self, sig: int) -> bool:
        """No process groups on this backend yet: signals the process alone."""
        return self.send_signal(sig)

    def open_pidfd(self) -> int:
        """pidfds are Linux-only."""
        raise Error(ErrorKind.Unsupported, "pidfds exist only on Linux")

    def forget(self) -> None:
        """The owner is gone: close the process handle (Windows keeps no zombies)."""
        handle, self._handle = self._handle, 0
        if handle and sys.platform == "win32":
            _k32().CloseHandle(handle)


def cmd_exe_path() -> str:
    """``%SystemRoot%\\System32\\cmd.exe``: the interpreter batch files run in."""
    import os

    root = os.environ.get("SYSTEMROOT", "C:\\Windows")
    return root + "\\System32\\cmd.exe"


def environ_pairs() -> dict[str, str]:
    """A copy of this process's environment (``os.environ``, names as Windows keeps them)."""
    import os

    return dict(os.environ)


def getpid() -> int:
    """``GetCurrentProcessId`` (via ``os.getpid``)."""
    import os

    return os.getpid()


def exit_now(code: int) -> None:
    """``ExitProcess``-like immediate exit (``os._exit``)."""
    import os

    os._exit(code)


def abort() -> None:
    """``abort()`` from the C runtime."""
    import os

    os.abort()
