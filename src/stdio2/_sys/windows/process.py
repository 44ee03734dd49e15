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

**Environment.** The environment block is a sequence of ``NAME=value\0``
UTF-16 strings sorted case-insensitively, ending in an extra NUL
(``CREATE_UNICODE_ENVIRONMENT``).

**Handles reach a child only by inheritance.** ``STARTF_USESTDHANDLES``
names the child's three standard handles, and they must be *inheritable*
with ``bInheritHandles`` TRUE. But TRUE alone passes on *every* inheritable
handle of the parent, including ones another thread made inheritable for a
different child at the same moment. ``PROC_THREAD_ATTRIBUTE_HANDLE_LIST``
(a ``STARTUPINFOEXW`` with ``EXTENDED_STARTUPINFO_PRESENT``, built with
``InitializeProcThreadAttributeList``/``UpdateProcThreadAttribute``)
restricts inheritance to the listed handles, as Rust does. stdio2's own
handles are never inheritable; for each spawn it makes inheritable
duplicates (``DuplicateHandle`` with ``bInheritHandle``), or creates the
child's pipe end / ``NUL`` handle inheritable, and closes them right after
``CreateProcessW``. NULL stays NULL (a parent without a stream passes none).

**Waiting and killing.** A process handle is signalled when the process
exits: ``WaitForSingleObject`` with a timeout in milliseconds honours a
`Deadline`, ``GetExitCodeProcess`` gives the 32-bit exit code.
``TerminateProcess`` on an exited process fails with
``ERROR_ACCESS_DENIED``; that is success for ``kill`` (Rust's rule). There
are no zombies: closing the handle is all the cleanup.

**Anonymous pipes cannot be waited on.** To read a child's stdout and
stderr without deadlock, one helper thread reads the second pipe with
blocking ``ReadFile``; under a deadline both are polled with
``PeekNamedPipe`` instead. ``ERROR_BROKEN_PIPE`` is end of file.

The kernel32 calls are looked up lazily and run only on Windows; the pure
functions run everywhere and are tested on Linux.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any, Final

import attrs

from stdio2.io._deadline import wait_ms
from stdio2.io._error import Error, ErrorKind

__all__ = [
    "CREATE_UNICODE_ENVIRONMENT",
    "RawArg",
    "env_key",
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


def env_key(name: str) -> bytes:
    """The key Windows compares environment variable names by (pure).

    Windows matches names ignoring case one UTF-16 code unit at a time
    (``RtlUpcaseUnicodeChar``, as ``CompareStringOrdinal(..., TRUE)`` which
    Rust sorts the block with): a simple one-to-one upper-casing, never
    ``"ß"`` to ``"SS"`` as `str.upper` does, and nothing outside the BMP
    (those are surrogate pairs there). The key is the upper-cased name in
    UTF-16 big-endian, so comparing keys compares code units in order.
    """
    out = []
    for ch in name:
        up = ch.upper()
        out.append(up if len(up) == 1 and ord(ch) < 0x10000 and ord(up) < 0x10000 else ch)
    return "".join(out).encode("utf-16-be", "surrogatepass")


def environment_block(env: Iterable[tuple[str, str]]) -> str:
    """The ``CREATE_UNICODE_ENVIRONMENT`` block: ``NAME=value\\0`` sorted case-insensitively, then ``\\0``.

    Names are compared as Windows compares them (`env_key`: per UTF-16 code
    unit, simple upper-casing). Later duplicates replace earlier ones.
    Raises `Error` InvalidInput for an empty name or one containing ``=``
    (past its first character, which Windows reserves for ``=C:`` style
    entries) and for NUL. Pure: no system call.
    """
    merged: dict[bytes, tuple[str, str]] = {}
    for name, value in env:
        _check_text(name, "environment variable name")
        _check_text(value, "environment variable value")
        if not name or "=" in name[1:]:
            raise _invalid(f"invalid environment variable name {name!r}")
        merged[env_key(name)] = (name, value)
    entries = [f"{n}={v}\0" for _, (n, v) in sorted(merged.items())]
    if not entries:
        return "\0\0"
    return "".join(entries) + "\0"


# -- the kernel32 calls (Windows only) ------------------------------------------------

EXTENDED_STARTUPINFO_PRESENT: Final = 0x00080000
STARTF_USESTDHANDLES: Final = 0x00000100
PROC_THREAD_ATTRIBUTE_HANDLE_LIST: Final = 0x00020002
DUPLICATE_SAME_ACCESS: Final = 0x2
HANDLE_FLAG_INHERIT: Final = 0x1
GENERIC_READ: Final = 0x80000000
GENERIC_WRITE: Final = 0x40000000
FILE_SHARE_READ: Final = 0x1
FILE_SHARE_WRITE: Final = 0x2
OPEN_EXISTING: Final = 3
ERROR_FILE_NOT_FOUND: Final = 2
ERROR_ACCESS_DENIED: Final = 5
ERROR_BROKEN_PIPE: Final = 109
ERROR_HANDLE_EOF: Final = 38
STD_HANDLES: Final = (0xFFFF_FFF6, 0xFFFF_FFF5, 0xFFFF_FFF4)  # (DWORD)-10, -11, -12

_kernel32: Any = None
_types: Any = None


def _k32() -> Any:
    global _kernel32, _types
    if _kernel32 is None:
        if sys.platform != "win32":
            raise Error(ErrorKind.Unsupported, "CreateProcessW exists only on Windows")
        import ctypes
        from ctypes import wintypes as w

        class STARTUPINFOW(ctypes.Structure):
            _fields_ = [
                ("cb", w.DWORD),
                ("lpReserved", w.LPWSTR),
                ("lpDesktop", w.LPWSTR),
                ("lpTitle", w.LPWSTR),
                ("dwX", w.DWORD),
                ("dwY", w.DWORD),
                ("dwXSize", w.DWORD),
                ("dwYSize", w.DWORD),
                ("dwXCountChars", w.DWORD),
                ("dwYCountChars", w.DWORD),
                ("dwFillAttribute", w.DWORD),
                ("dwFlags", w.DWORD),
                ("wShowWindow", w.WORD),
                ("cbReserved2", w.WORD),
                ("lpReserved2", ctypes.c_void_p),
                ("hStdInput", w.HANDLE),
                ("hStdOutput", w.HANDLE),
                ("hStdError", w.HANDLE),
            ]

        class STARTUPINFOEXW(ctypes.Structure):
            _fields_ = [("StartupInfo", STARTUPINFOW), ("lpAttributeList", ctypes.c_void_p)]

        class PROCESS_INFORMATION(ctypes.Structure):
            _fields_ = [
                ("hProcess", w.HANDLE),
                ("hThread", w.HANDLE),
                ("dwProcessId", w.DWORD),
                ("dwThreadId", w.DWORD),
            ]

        dll = ctypes.WinDLL("kernel32", use_last_error=True)
        P, H, BOOL, DWORD, LPVOID = ctypes.POINTER, w.HANDLE, w.BOOL, w.DWORD, w.LPVOID
        protos: dict[str, tuple[Any, list[Any]]] = {
            "CreateProcessW": (
                BOOL,
                [
                    w.LPCWSTR,
                    LPVOID,
                    LPVOID,
                    LPVOID,
                    BOOL,
                    DWORD,
                    LPVOID,
                    w.LPCWSTR,
                    LPVOID,
                    P(PROCESS_INFORMATION),
                ],
            ),
            "InitializeProcThreadAttributeList": (BOOL, [LPVOID, DWORD, DWORD, P(ctypes.c_size_t)]),
            "UpdateProcThreadAttribute": (
                BOOL,
                [LPVOID, DWORD, ctypes.c_size_t, LPVOID, ctypes.c_size_t, LPVOID, LPVOID],
            ),
            "DeleteProcThreadAttributeList": (None, [LPVOID]),
            "WaitForSingleObject": (DWORD, [H, DWORD]),
            "GetExitCodeProcess": (BOOL, [H, P(DWORD)]),
            "TerminateProcess": (BOOL, [H, w.UINT]),
            "CloseHandle": (BOOL, [H]),
            "DuplicateHandle": (BOOL, [H, H, H, P(H), DWORD, BOOL, DWORD]),
            "GetCurrentProcess": (H, []),
            "SetHandleInformation": (BOOL, [H, DWORD, DWORD]),
            "GetStdHandle": (H, [DWORD]),
            "CreatePipe": (BOOL, [P(H), P(H), LPVOID, DWORD]),
            "CreateFileW": (H, [w.LPCWSTR, DWORD, DWORD, LPVOID, DWORD, DWORD, H]),
            "ReadFile": (BOOL, [H, LPVOID, DWORD, P(DWORD), LPVOID]),
            "PeekNamedPipe": (BOOL, [H, LPVOID, DWORD, P(DWORD), P(DWORD), P(DWORD)]),
            "GetFileAttributesW": (DWORD, [w.LPCWSTR]),
            "GetSystemDirectoryW": (w.UINT, [w.LPWSTR, w.UINT]),
            "GetWindowsDirectoryW": (w.UINT, [w.LPWSTR, w.UINT]),
        }
        for name, (restype, argtypes) in protos.items():
            fn = getattr(dll, name)
            fn.restype = restype
            fn.argtypes = argtypes
        _types = (STARTUPINFOEXW, PROCESS_INFORMATION)
        _kernel32 = dll
    return _kernel32


def _last_error(path: Any = None) -> Error:
    import ctypes

    code = 0
    if sys.platform == "win32":
        code = ctypes.get_last_error()  # type: ignore[attr-defined,unused-ignore]
    return Error.from_raw_os_error(code, path=path)


def _handle(value: int | None) -> int:
    return 0 if value is None else value & ((1 << 64) - 1 if sys.maxsize > 2**32 else 0xFFFFFFFF)


def _usable(raw: int) -> bool:
    # NULL and INVALID_HANDLE_VALUE name no object: passed to the child as they are.
    return raw != 0 and raw != _handle(-1)


def close_handle(raw: int) -> None:
    """``CloseHandle``, errors ignored (used on cleanup paths only)."""
    if _usable(raw):
        _k32().CloseHandle(raw)


def inheritable_duplicate(raw: int) -> int:
    """``DuplicateHandle(..., bInheritHandle=TRUE, DUPLICATE_SAME_ACCESS)``: a copy a child can inherit.

    NULL and INVALID_HANDLE_VALUE are returned unchanged (a parent without
    a stream passes "no stream" on). Raises `Error` (ERROR_INVALID_HANDLE ...).
    """
    if not _usable(raw):
        return raw
    import ctypes

    k = _k32()
    out = ctypes.c_void_p()
    me = k.GetCurrentProcess()
    if not k.DuplicateHandle(me, raw, me, ctypes.byref(out), 0, True, DUPLICATE_SAME_ACCESS):
        raise _last_error()
    return _handle(out.value)


def std_handle(index: int) -> int:
    """``GetStdHandle`` for stream *index* (0 stdin, 1 stdout, 2 stderr); NULL kept as 0."""
    return _handle(_k32().GetStdHandle(STD_HANDLES[index]))


def make_pipe(child_reads: bool) -> tuple[int, int]:
    """``CreatePipe``; returns ``(parent_end, child_end)``, only the child's end inheritable.

    Raises `Error` (ERROR_NOT_ENOUGH_MEMORY ...).
    """
    import ctypes

    k = _k32()
    r, w = ctypes.c_void_p(), ctypes.c_void_p()
    if not k.CreatePipe(ctypes.byref(r), ctypes.byref(w), None, 0):
        raise _last_error()
    rraw, wraw = _handle(r.value), _handle(w.value)
    parent, child = (wraw, rraw) if child_reads else (rraw, wraw)
    if not k.SetHandleInformation(child, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT):
        err = _last_error()
        k.CloseHandle(rraw)
        k.CloseHandle(wraw)
        raise err
    return parent, child


def open_nul(write: bool) -> int:
    """``CreateFileW("NUL")``, inheritable: reads give end of file, writes vanish. Raises `Error`."""
    import ctypes

    class SECURITY_ATTRIBUTES(ctypes.Structure):
        _fields_ = [
            ("nLength", ctypes.c_uint32),
            ("lpSecurityDescriptor", ctypes.c_void_p),
            ("bInheritHandle", ctypes.c_int32),
        ]

    sa = SECURITY_ATTRIBUTES(ctypes.sizeof(SECURITY_ATTRIBUTES), None, 1)
    access = (GENERIC_WRITE | GENERIC_READ) if write else GENERIC_READ
    raw = _handle(
        _k32().CreateFileW(
            "NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, ctypes.byref(sa), OPEN_EXISTING, 0, None
        )
    )
    if not _usable(raw):
        raise _last_error(path="NUL")
    return raw


# -- finding the program -----------------------------------------------------------


def _is_file(path: str) -> bool:
    attrs_ = int(_k32().GetFileAttributesW(path))
    return attrs_ != 0xFFFFFFFF and not attrs_ & 0x10  # not INVALID_FILE_ATTRIBUTES, not a directory


def _system_dirs() -> list[str]:
    import ctypes

    out = []
    for fn in (_k32().GetSystemDirectoryW, _k32().GetWindowsDirectoryW):
        buf = ctypes.create_unicode_buffer(1024)
        n = int(fn(buf, len(buf)))
        if 0 < n < len(buf):
            out.append(buf.value)
    return out


def search_dirs(child_path: str | None, app_dir: str | None, parent_path: str | None) -> list[str]:
    """The directories searched for a bare program name, in Rust's order.

    The child's ``PATH`` (only when the command changed it), the directory
    of this process's executable, the system and Windows directories
    (``GetSystemDirectoryW``, ``GetWindowsDirectoryW``; Windows only), then
    the parent's ``PATH``. The current directory is not searched (unlike
    ``CreateProcessW`` with a NULL application name, as in Rust).
    """
    # env.split_paths: Rust's rule, where a quoted entry may hold ';'.
    from stdio2._sys.windows.env import split_paths

    dirs: list[str] = []
    if child_path is not None:
        dirs.extend(d for d in split_paths(child_path) if d)
    if app_dir:
        dirs.append(app_dir)
    if sys.platform == "win32":
        dirs.extend(_system_dirs())
    if parent_path is not None:
        dirs.extend(d for d in split_paths(parent_path) if d)
    return dirs


def resolve_program(program: str, dirs: list[str]) -> str | None:
    """Rust's ``resolve_exe``: the path ``CreateProcessW`` is given, or None when not found.

    A name with a separator is used as given, or with ``.exe`` appended
    when it does not end in ``.exe`` and that file exists; a bare name is
    looked up in *dirs* with ``.exe`` appended when it contains no ``.``
    (``GetFileAttributesW``). An empty name, or one ending in a separator,
    raises `Error` InvalidInput ("program path has no file name"), as Rust.
    """
    if not program or program.endswith(("\\", "/")):
        raise _invalid(f"program path has no file name: {program!r}")
    if "\\" in program or "/" in program:
        if not program.lower().endswith(".exe") and _is_file(program + ".exe"):
            return program + ".exe"
        return program
    name = program if "." in program else program + ".exe"
    for d in dirs:
        candidate = d.rstrip("\\/") + "\\" + name
        if _is_file(candidate):
            return candidate
    return None


# -- starting it ---------------------------------------------------------------------


def create_process(
    application: str | None,
    command_line: str,
    *,
    env_block: str | None,
    cwd: str | None,
    flags: int,
    std: tuple[int, int, int] | None = None,
    shown: str | None = None,
) -> Process:
    """``CreateProcessW``; returns the `Process`. Windows only.

    With *std* (three inheritable handles, or NULL) the child gets exactly
    those as its standard handles (``STARTF_USESTDHANDLES``) and inherits
    nothing else: ``bInheritHandles`` is TRUE but restricted by a
    ``PROC_THREAD_ATTRIBUTE_HANDLE_LIST`` in a ``STARTUPINFOEXW``. Raises
    `Error` naming *shown* (ERROR_FILE_NOT_FOUND -> NotFound ...).
    """
    import ctypes

    k32 = _k32()
    STARTUPINFOEXW, PROCESS_INFORMATION = _types
    si = STARTUPINFOEXW()
    si.StartupInfo.cb = ctypes.sizeof(si.StartupInfo)
    pi = PROCESS_INFORMATION()
    inherit = False
    attr_buf: Any = None
    handle_array: Any = None
    if std is not None:
        si.StartupInfo.dwFlags = STARTF_USESTDHANDLES
        si.StartupInfo.hStdInput, si.StartupInfo.hStdOutput, si.StartupInfo.hStdError = (
            h or None for h in std
        )
        unique = sorted({h for h in std if _usable(h)})
        inherit = bool(unique)
        if unique:
            size = ctypes.c_size_t()
            k32.InitializeProcThreadAttributeList(None, 1, 0, ctypes.byref(size))
            attr_buf = ctypes.create_string_buffer(max(int(size.value), 64))
            if not k32.InitializeProcThreadAttributeList(attr_buf, 1, 0, ctypes.byref(size)):
                raise _last_error()
            handle_array = (ctypes.c_void_p * len(unique))(*unique)
            if not k32.UpdateProcThreadAttribute(
                attr_buf,
                0,
                PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                handle_array,
                ctypes.sizeof(handle_array),
                None,
                None,
            ):
                err = _last_error()
                k32.DeleteProcThreadAttributeList(attr_buf)
                raise err
            si.lpAttributeList = ctypes.cast(attr_buf, ctypes.c_void_p)
            si.StartupInfo.cb = ctypes.sizeof(si)
            flags |= EXTENDED_STARTUPINFO_PRESENT
    cmd_buf = ctypes.create_unicode_buffer(command_line)  # CreateProcessW may write to it
    env_buf = None if env_block is None else ctypes.create_unicode_buffer(env_block, len(env_block))
    try:
        ok = k32.CreateProcessW(
            application,
            cmd_buf,
            None,
            None,
            inherit,
            flags | (CREATE_UNICODE_ENVIRONMENT if env_block is not None else 0),
            env_buf,
            cwd,
            ctypes.byref(si),
            ctypes.byref(pi),
        )
        if not ok:
            raise _last_error(path=shown if shown is not None else (application or command_line))
    finally:
        if attr_buf is not None:
            k32.DeleteProcThreadAttributeList(attr_buf)
        del handle_array
    k32.CloseHandle(pi.hThread)
    return Process(int(pi.dwProcessId), _handle(pi.hProcess))


# -- reading the child's pipes -----------------------------------------------------------

_CHUNK: Final = 64 * 1024


def _read_once(handle: int, size: int) -> bytes:
    import ctypes

    buf = ctypes.create_string_buffer(size)
    got = ctypes.c_uint32()
    if not _k32().ReadFile(handle, buf, size, ctypes.byref(got), None):
        code = ctypes.get_last_error()  # type: ignore[attr-defined,unused-ignore]
        if code in (ERROR_BROKEN_PIPE, ERROR_HANDLE_EOF):
            return b""
        raise Error.from_raw_os_error(code)
    return buf.raw[: got.value]


def read_all(handle: int) -> bytes:
    """``ReadFile`` until end of file (``ERROR_BROKEN_PIPE``); returns everything. Raises `Error`."""
    chunks: list[bytes] = []
    while True:
        data = _read_once(handle, _CHUNK)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def _drain_threads(handles: list[int], sinks: list[list[bytes]]) -> None:
    # One blocking reader per extra pipe: anonymous pipes have no readiness
    # wait, and a child blocked on a full stderr while we read stdout would
    # deadlock a sequential drain.
    import threading

    errors: list[BaseException] = []

    def pump(h: int, sink: list[bytes]) -> None:
        try:
            while data := _read_once(h, _CHUNK):
                sink.append(data)
        except BaseException as exc:  # handed to the caller after join
            errors.append(exc)

    threads = [
        threading.Thread(target=pump, args=(h, s), name="stdio2-child-pipe", daemon=True)
        for h, s in zip(handles[1:], sinks[1:], strict=True)
    ]
    for t in threads:
        t.start()
    try:
        pump(handles[0], sinks[0])
    finally:
        for t in threads:
            t.join()
    if errors:
        raise errors[0]


def _drain_polling(handles: list[int], sinks: list[list[bytes]], instant: float) -> None:
    # Under a deadline nothing may block past it: PeekNamedPipe says how
    # much can be read without blocking, and ReadFile takes just that.
    import ctypes

    peek = _k32().PeekNamedPipe
    avail = ctypes.c_uint32()
    live = list(range(len(handles)))
    delay = 0.0005
    while live:
        progressed = False
        for i in list(live):
            if not peek(handles[i], None, 0, None, ctypes.byref(avail), None):
                code = ctypes.get_last_error()  # type: ignore[attr-defined,unused-ignore]
                if code in (ERROR_BROKEN_PIPE, ERROR_HANDLE_EOF):
                    live.remove(i)
                    continue
                raise Error.from_raw_os_error(code)
            if avail.value:
                data = _read_once(handles[i], min(int(avail.value), 1 << 20))
                if data:
                    sinks[i].append(data)
                else:
                    live.remove(i)
                progressed = True
        if not live:
            return
        if progressed:
            delay = 0.0005
            continue
        now = time.monotonic()
        if now >= instant:
            raise Error(ErrorKind.TimedOut, "reading the child's output: the deadline passed")
        time.sleep(min(delay, instant - now))
        delay = min(delay * 2, 0.02)


def drain(handles: list[int], sinks: list[list[bytes]], instant: float | None) -> None:
    """Read every pipe in *handles* to end of file, appending to the matching sink.

    Without a deadline: one thread per extra pipe, blocking ``ReadFile``.
    With one: ``PeekNamedPipe`` polling, `Error` TimedOut when *instant*
    passes (what was read stays in the sinks).
    """
    if instant is None:
        _drain_threads(handles, sinks)
    else:
        _drain_polling(handles, sinks, instant)


# -- the child -------------------------------------------------------------------------

_WAIT_OBJECT_0: Final = 0
_WAIT_TIMEOUT: Final = 0x102
_INFINITE: Final = 0xFFFFFFFF


class Process:
    """One child: its id, its process handle (an `OwnedHandle`, closed once waited for), its exit code."""

    __slots__ = ("__weakref__", "_owner", "group_leader", "pid", "status")

    def __init__(self, pid: int, handle: int) -> None:
        from stdio2._sys.windows import handle as _h
        from stdio2.os.windows.io import OwnedHandle

        self.pid = pid
        self._owner: Any = OwnedHandle._adopt_new(handle, _h.KERNEL32) if handle else None
        self.status: int | None = None
        self.group_leader = False

    @property
    def handle(self) -> Any:
        """The `OwnedHandle` of the process, or None once it was waited for."""
        return self._owner

    def _raw(self) -> int:
        raw: int = self._owner.as_raw_handle()
        return raw

    def _finish(self) -> int:
        import ctypes
        from ctypes import wintypes

        code = wintypes.DWORD()
        if not _k32().GetExitCodeProcess(self._raw(), ctypes.byref(code)):
            raise _last_error()
        self.status = int(code.value)
        owner, self._owner = self._owner, None
        owner.close()
        return self.status

    def _wait_ms(self, ms: int) -> bool:
        r = _k32().WaitForSingleObject(self._raw(), ms)
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
        while True:
            ms = wait_ms(instant)  # at most a day per wait: the instant may be far off
            if self._wait_ms(ms):
                return True
            if ms == 0:
                return False

    def wait(self, instant: float | None, *, sole_holder: bool = False) -> int:
        """Wait (bounded by *instant*) and return the exit code; `Error` TimedOut.

        *sole_holder* changes nothing here: a handle cannot be recycled, so
        the wait is the same whoever else holds the process.
        """
        if self.status is not None:
            return self.status
        if instant is None:
            self._wait_ms(_INFINITE)
        elif not self.wait_exit(instant):
            raise Error(ErrorKind.TimedOut, f"waiting for child process {self.pid}: the deadline passed")
        return self._finish()

    def send_signal(self, sig: int, *, block: bool = True) -> bool:
        """``TerminateProcess(h, 1)`` (Windows has no signals); False once the process has exited."""
        owner = self._owner
        if self.status is not None or owner is None:
            return False
        try:
            cell = owner._live()  # held for the call: a racing wait() closes the handle after it
        except Error:
            return False  # waited for by another thread meanwhile
        raw = cell.raw
        if not _k32().TerminateProcess(raw, 1):
            err = _last_error()
            exited = _k32().WaitForSingleObject(raw, 0) == _WAIT_OBJECT_0
            del cell
            if exited:
                return False  # already exited: ERROR_ACCESS_DENIED, which Rust treats as success
            raise err
        del cell
        return True

    def send_group_signal(self, sig: int) -> bool:
        """No process groups on this backend: ends the process alone."""
        return self.send_signal(sig)

    def open_pidfd(self) -> int:
        """pidfds are Linux-only."""
        raise Error(ErrorKind.Unsupported, "pidfds exist only on Linux")

    def forget(self) -> None:
        """The owner is gone: close the process handle (Windows keeps no zombies)."""
        owner, self._owner = self._owner, None
        if owner is not None:
            owner.close()


def cmd_exe_path() -> str:
    """``%SystemRoot%\\System32\\cmd.exe``: the interpreter batch files run in."""
    import os

    root = os.environ.get("SYSTEMROOT", "C:\\Windows")
    return root + "\\System32\\cmd.exe"


def environ_pairs() -> dict[str, str]:
    """A copy of this process's environment as it is now, names spelled as Windows keeps them.

    ``GetEnvironmentStringsW``, as Rust's ``vars_os``: not ``os.environ``,
    which upper-cases the names, nor ``nt.environ``, a snapshot taken at
    start-up that misses every later `set_var` (a child given one ``env``
    change lost them all).
    """
    if sys.platform == "win32":
        from stdio2._sys.windows.env import environment_pairs

        return dict(environment_pairs())
    import os

    return dict(os.environ)


def app_dir() -> str | None:
    """The directory of this process's executable (``sys.executable``), searched for programs."""
    import os

    exe = sys.executable
    return os.path.dirname(exe) if exe else None


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
