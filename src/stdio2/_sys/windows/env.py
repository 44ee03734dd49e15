"""The process environment on Windows: 16-bit strings, case-insensitive names, quoted PATH lists.

**The environment is UTF-16-ish.** A process's environment block is a
sequence of NUL-terminated ``NAME=value`` strings of 16-bit code units, ended
by an empty string. Unpaired surrogates are allowed (nothing validates them),
so the block is *potentially ill-formed* UTF-16; stdio2 holds names and values
as `OsString` (WTF-8) to keep every unit. Names are compared without regard
to ASCII case. Entries whose name starts with ``=`` (``=C:=C:\\work``, the
per-drive current directories of ``cmd.exe``) are real entries; the name is
found by searching for ``=`` from the *second* unit, as Rust does.

**The calls.** ``GetEnvironmentVariableW`` reads one variable: it returns the
length needed when the buffer is too small, and 0 both for "not found" (last
error ``ERROR_ENVVAR_NOT_FOUND``) and for an empty value (last error left
as is, hence the ``SetLastError(0)`` first). ``GetEnvironmentStringsW`` /
``FreeEnvironmentStringsW`` give and release a snapshot of the whole block.
Writes call ``SetEnvironmentVariableW`` with the name as given (its case is
kept, as in Rust) and then make the same change in the dict behind Python's
``os.environ`` (whose keys Python upper-cases), so the process block, Python's
mapping and children all agree. Writing through ``os.environ[...]`` instead
would hand Windows the upper-cased name.

**PATH lists.** Entries are separated by ``;``. Because ``;`` may occur in a
directory name, a region between double quotes is taken literally, and the
quotes are removed: ``c:\\foo;c:\\som"e;di"r;c:\\bar`` is three entries. A
``"`` cannot occur in a Windows path, so there is no escape for it: joining
fails for an entry that contains one, and an entry containing ``;`` is
written quoted. These rules are pure functions here, tested on every
platform.

**Directories.** ``GetCurrentDirectoryW`` / ``SetCurrentDirectoryW`` (through
`os.getcwd` / `os.chdir`, which keep lone surrogates). The home directory
is ``%USERPROFILE%`` when set and non-empty, else
``GetUserProfileDirectoryW`` for the current process token (Rust 1.85+; ``HOME``
is ignored). The temporary directory is ``GetTempPath2W`` (Windows 11; it
gives SYSTEM processes a private directory) or else ``GetTempPathW``; the
executable's path is ``GetModuleFileNameW(NULL)``. Both return a length and
need the buffer grown and the call repeated when the path is long.

The ctypes functions are looked up on first use and only on Windows; the rest
of this module is importable and tested everywhere.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stdio2.io._error import Error, ErrorKind
from stdio2.os_str import OsString, _to_os_str
from stdio2.os_str import wtf8 as _wtf8

__all__ = [
    "current_dir",
    "current_exe",
    "environment_pairs",
    "home_dir",
    "join_paths",
    "join_paths_native",
    "parse_environment_block",
    "remove_var",
    "set_current_dir",
    "set_var",
    "split_paths",
    "split_paths_native",
    "temp_dir",
    "var_os",
    "vars_os",
]

ERROR_ENVVAR_NOT_FOUND = 203
_MAX_PATH = 260


# -- pure rules ------------------------------------------------------------------


def split_paths(unparsed: str) -> list[str]:
    """Split a Windows PATH-style list (Rust's rule).

    ``;`` separates entries except inside double quotes; the quotes are
    dropped; empty entries are kept, so ``""`` gives ``[""]`` and ``"a;"``
    gives ``["a", ""]``. Works on code points, so lone surrogates pass through;
    a surrogate pair that only quotes separated comes out joined.
    """
    entries: list[str] = []
    current = ""
    # Splitting at '"' leaves the quoted regions at the odd indexes (an
    # unbalanced quote runs to the end, as in Rust's scanner); only the
    # unquoted regions are split at ';'.
    for i, region in enumerate(unparsed.split('"')):
        if i % 2:
            current += region
            continue
        first, *rest = region.split(";")
        current += first
        for piece in rest:
            entries.append(current)
            current = piece
    entries.append(current)
    try:
        unparsed.encode("utf-8")
    except UnicodeEncodeError:
        # Dropping quotes can bring the two halves of a surrogate pair
        # together; Rust builds each entry from its code units, which joins
        # them, so return the canonical (joined) str, as an OsString would.
        return [_wtf8._decode(_wtf8._encode(e)) for e in entries]
    return entries


def join_paths(entries: Iterable[str]) -> str:
    """Join entries with ``;``, quoting an entry that contains ``;`` (Rust's rule).

    An entry containing ``"`` cannot be written: JoinPathsError.
    """
    parts = []
    for i, entry in enumerate(entries):
        if '"' in entry:
            from stdio2.env import JoinPathsError

            raise JoinPathsError('path segment contains `"`', index=i, entry=entry)
        parts.append(f'"{entry}"' if ";" in entry else entry)
    return ";".join(parts)


def parse_environment_block(block: str) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs of an environment block's text (NUL-separated entries).

    The name ends at the first ``=`` after the first unit (names like ``=C:``
    exist); entries without such an ``=`` are skipped.
    """
    pairs = []
    for entry in block.split("\0"):
        if not entry:
            continue
        eq = entry.find("=", 1)
        if eq == -1:
            continue
        pairs.append((entry[:eq], entry[eq + 1 :]))
    return pairs


def split_paths_native(unparsed: Any) -> list[Path]:
    return [Path(p) for p in split_paths(_to_os_str(unparsed))]


def join_paths_native(paths: Iterable[Any]) -> OsString:
    return OsString.from_str(join_paths(_to_os_str(p) for p in paths))


# -- the calls (Windows only) -----------------------------------------------------

_api: Any = None


def _win() -> Any:
    """kernel32/userenv functions with their signatures, bound on first use."""
    global _api
    if _api is not None:
        return _api
    if sys.platform != "win32":
        raise Error(ErrorKind.Unsupported, "Windows environment calls run only on Windows")
    import ctypes
    from ctypes import wintypes

    api: Any = types.SimpleNamespace()
    k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    api.GetEnvironmentVariableW = k32.GetEnvironmentVariableW
    api.GetEnvironmentVariableW.argtypes = [wintypes.LPCWSTR, wintypes.LPWSTR, wintypes.DWORD]
    api.GetEnvironmentVariableW.restype = wintypes.DWORD
    api.SetEnvironmentVariableW = k32.SetEnvironmentVariableW
    api.SetEnvironmentVariableW.argtypes = [wintypes.LPCWSTR, wintypes.LPCWSTR]
    api.SetEnvironmentVariableW.restype = wintypes.BOOL
    api.GetEnvironmentStringsW = k32.GetEnvironmentStringsW
    api.GetEnvironmentStringsW.argtypes = []
    api.GetEnvironmentStringsW.restype = ctypes.c_void_p
    api.FreeEnvironmentStringsW = k32.FreeEnvironmentStringsW
    api.FreeEnvironmentStringsW.argtypes = [ctypes.c_void_p]
    api.FreeEnvironmentStringsW.restype = wintypes.BOOL
    api.GetModuleFileNameW = k32.GetModuleFileNameW
    api.GetModuleFileNameW.argtypes = [wintypes.HMODULE, wintypes.LPWSTR, wintypes.DWORD]
    api.GetModuleFileNameW.restype = wintypes.DWORD
    api.GetTempPathW = k32.GetTempPathW
    api.GetTempPathW.argtypes = [wintypes.DWORD, wintypes.LPWSTR]
    api.GetTempPathW.restype = wintypes.DWORD
    try:
        api.GetTempPath2W = k32.GetTempPath2W
        api.GetTempPath2W.argtypes = [wintypes.DWORD, wintypes.LPWSTR]
        api.GetTempPath2W.restype = wintypes.DWORD
    except AttributeError:  # before Windows 11 / Server 2022
        api.GetTempPath2W = None
    userenv = ctypes.WinDLL("userenv", use_last_error=True)
    api.GetUserProfileDirectoryW = userenv.GetUserProfileDirectoryW
    api.GetUserProfileDirectoryW.argtypes = [
        wintypes.HANDLE,
        wintypes.LPWSTR,
        ctypes.POINTER(wintypes.DWORD),
    ]
    api.GetUserProfileDirectoryW.restype = wintypes.BOOL
    api.ctypes = ctypes
    api.wintypes = wintypes
    _api = api
    return api


def _fill_buffer(call: Any, ctypes: Any) -> str:
    """Rust's ``fill_utf16_buf``: call(buf, size) -> length; grow and retry until it fits."""
    size = _MAX_PATH
    while True:
        buf = ctypes.create_unicode_buffer(size)
        ctypes.set_last_error(0)
        n = call(buf, size)
        if n == 0 and ctypes.get_last_error() != 0:
            raise Error.last_os_error()
        if n >= size:
            # Too small: most calls return the size needed, GetModuleFileNameW
            # returns the (truncated) size it filled. Grow either way.
            size = max(n + 1, size * 2)
            continue
        # wstring_at keeps lone surrogates; buf.value would stop at an embedded NUL too.
        text: str = ctypes.wstring_at(buf, n)
        return text


def var_os(key: str) -> OsString | None:
    """``GetEnvironmentVariableW``; None when the variable is not set."""
    api = _win()
    ctypes = api.ctypes
    size = 512
    while True:
        buf = ctypes.create_unicode_buffer(size)
        ctypes.set_last_error(0)
        n = api.GetEnvironmentVariableW(key, buf, size)
        if n == 0:
            code = ctypes.get_last_error()
            if code == ERROR_ENVVAR_NOT_FOUND:
                return None
            if code != 0:
                raise Error.from_raw_os_error(code)
            return OsString.from_str("")
        if n >= size:
            size = n
            continue
        return OsString.from_str(ctypes.wstring_at(buf, n))


def _python_mapping() -> Any:
    # os.environ's private dict (keys upper-cased by its encodekey). Updated
    # directly because going through os.environ[...] = ... would also call
    # SetEnvironmentVariableW with the upper-cased name, losing the case.
    return os.environ._data  # type: ignore[attr-defined]


def set_var(key: str, value: str) -> None:
    """``SetEnvironmentVariableW(key, value)``, then the same change in ``os.environ``."""
    api = _win()
    if not api.SetEnvironmentVariableW(key, value):
        raise Error.last_os_error()
    _python_mapping()[os.environ.encodekey(key)] = os.environ.encodevalue(value)


def remove_var(key: str) -> None:
    """``SetEnvironmentVariableW(key, NULL)``, then the same in ``os.environ``; absent is fine."""
    api = _win()
    ctypes = api.ctypes
    ctypes.set_last_error(0)
    if not api.SetEnvironmentVariableW(key, None):
        code = ctypes.get_last_error()
        if code != ERROR_ENVVAR_NOT_FOUND:
            raise Error.from_raw_os_error(code)
    _python_mapping().pop(os.environ.encodekey(key), None)


def vars_os() -> list[tuple[OsString, OsString]]:
    """A snapshot from ``GetEnvironmentStringsW`` (names keep their case)."""
    return [(OsString.from_str(k), OsString.from_str(v)) for k, v in environment_pairs()]


def environment_pairs() -> list[tuple[str, str]]:
    """The process's environment now, from ``GetEnvironmentStringsW``, as (name, value) str pairs.

    The live block: it includes what `set_var` or ``os.environ[...] = ...``
    changed since start-up (CPython's ``nt.environ`` is a start-up snapshot).
    """
    api = _win()
    ctypes = api.ctypes
    block = api.GetEnvironmentStringsW()
    if not block:
        raise Error.last_os_error()
    try:
        # Find the terminating empty string: walk entry by entry.
        units = 0
        while True:
            entry = ctypes.wstring_at(block + units * 2)
            if not entry:
                break
            units += len(entry.encode("utf-16-le", "surrogatepass")) // 2 + 1
        text: str = ctypes.wstring_at(block, units)
    finally:
        api.FreeEnvironmentStringsW(block)
    return parse_environment_block(text)


def current_dir() -> Path:
    """``GetCurrentDirectoryW`` (via `os.getcwd`)."""
    try:
        return Path(os.getcwd())
    except OSError as exc:
        raise Error.from_os_error(exc) from None


def set_current_dir(path: str, shown: Any) -> None:
    """``SetCurrentDirectoryW`` (via `os.chdir`); the error carries *shown* as its path."""
    try:
        os.chdir(path)
    except OSError as exc:
        raise Error.from_os_error(exc, path=shown) from None


def home_dir() -> Path | None:
    """``%USERPROFILE%`` if non-empty, else ``GetUserProfileDirectoryW`` of this process's token."""
    profile = var_os("USERPROFILE")
    if profile is not None and not profile.is_empty():
        return Path(os.fspath(profile))
    api = _win()
    ctypes = api.ctypes
    # GetCurrentProcessToken() is the pseudo-handle -4; it needs no closing.
    token = ctypes.c_void_p(-4)
    size = api.wintypes.DWORD(0)
    api.GetUserProfileDirectoryW(token, None, ctypes.byref(size))
    if size.value == 0:
        return None
    buf = ctypes.create_unicode_buffer(size.value)
    if not api.GetUserProfileDirectoryW(token, buf, ctypes.byref(size)):
        return None
    return Path(ctypes.wstring_at(buf, max(size.value - 1, 0)))


def temp_dir() -> Path:
    """``GetTempPath2W`` where it exists, else ``GetTempPathW``."""
    api = _win()
    fn = api.GetTempPath2W or api.GetTempPathW
    return Path(_fill_buffer(lambda buf, size: fn(size, buf), api.ctypes))


def current_exe() -> Path:
    """``GetModuleFileNameW(NULL)``: the path of the running executable."""
    api = _win()
    return Path(_fill_buffer(lambda buf, size: api.GetModuleFileNameW(None, buf, size), api.ctypes))
