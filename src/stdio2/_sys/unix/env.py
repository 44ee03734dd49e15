"""The process environment on Unix: what the kernel hands a program, and how Python keeps it.

**The environment is bytes.** ``execve(path, argv, envp)`` copies two arrays
of NUL-terminated byte strings into the new program. Each ``envp`` entry is
conventionally ``NAME=value``, split at the *first* ``=`` (so a name never
contains ``=``, but a value may); nothing requires either side to be UTF-8,
or even to contain ``=`` (such entries are ignored here, as libc and Rust do).
The C library keeps the array as the global ``environ``; ``getenv`` searches
it, ``setenv``/``putenv``/``unsetenv`` change it, and a child started with
``execve`` or ``posix_spawn`` receives whatever array the parent passes
(usually ``environ`` itself).

**Python's two views.** At start-up CPython copies ``environ`` into a dict of
bytes keys and values. ``os.environb`` is a mapping over that dict, and
``os.environ`` is a second mapping over *the same dict* that decodes with the
filesystem encoding and ``surrogateescape`` on each access. Assigning through
either view calls ``putenv`` (so the C ``environ``, and children, see the
change) and updates the shared dict, so the two views can never disagree.
This backend reads and writes through ``os.environb``: lossless bytes, one
source of truth with the rest of Python. What bypasses the dict (``os.putenv``
called directly, a C extension's ``setenv``) is invisible to both views and to
stdio2 alike; Python's `subprocess` passes the C ``environ`` when no ``env=``
is given, so children do see such changes.

**Thread safety.** ``setenv`` may reallocate ``environ`` while another thread
runs ``getenv`` (in C code that does not hold the GIL, e.g. a DNS lookup in
``getaddrinfo``), which glibc does not protect against. This is why Rust 2024
made ``set_var`` unsafe. Python cannot offer more than libc does: change the
environment before starting threads, or pass an explicit environment to
child processes instead.

**argv** is bytes too; CPython decodes it into ``sys.argv`` with the locale
encoding and ``surrogateescape``, and `os.fsencode` recovers the bytes.

**Directories.** ``getcwd`` fails (ENOENT) when the working directory was
removed; ``chdir`` reports the usual path errors. The home directory is
``$HOME`` when set (even to the empty string, as Rust does), else the
``pw_dir`` of the password-database entry of the real user id
(``getpwuid_r``, which Python's `pwd` module uses). The temporary directory
is ``$TMPDIR`` when set, else (macOS) ``confstr(_CS_DARWIN_USER_TEMP_DIR)``,
else ``/data/local/tmp`` on Android (which has no ``/tmp``), else ``/tmp``;
nothing checks that it exists.

**The executable.** Linux exposes the running program's path as the symbolic
link ``/proc/self/exe``. It names the *interpreter* binary, not the script,
and its target gets `` (deleted)`` appended if the file was removed;
``sys.executable`` may instead be a symlink or a virtual-environment path. macOS provides
``_NSGetExecutablePath``, whose result is canonicalised as Rust does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stdio2.io._error import Error, ErrorKind
from stdio2.os_str import OsString, _to_os_bytes

__all__ = [
    "current_dir",
    "current_exe",
    "home_dir",
    "join_paths",
    "join_paths_native",
    "remove_var",
    "set_current_dir",
    "set_var",
    "split_paths",
    "split_paths_native",
    "temp_dir",
    "var_os",
    "vars_os",
]

if sys.platform != "win32":
    _environb = os.environb
else:
    # Windows has no bytes environment; only this module's pure rules are used there.
    _environb: dict[bytes, bytes] = {}
_from_inner = OsString._from_inner
_fsdecode = os.fsdecode

SEPARATOR = b":"


# -- environment variables ---------------------------------------------------


def var_os(key: bytes) -> OsString | None:
    """``os.environb.get(key)`` (the dict CPython keeps in step with ``environ``)."""
    value = _environb.get(key)
    return None if value is None else _from_inner(value)


def set_var(key: bytes, value: bytes) -> None:
    """``putenv`` through ``os.environb`` (keeps ``os.environ`` in step). Key checked by the caller."""
    try:
        _environb[key] = value
    except OSError as exc:
        raise Error.from_os_error(exc) from None
    except ValueError as exc:  # putenv's own checks (the caller's come first)
        raise Error(ErrorKind.InvalidInput, f"set_var: {exc}") from None


def remove_var(key: bytes) -> None:
    """``unsetenv`` through ``os.environb``; removing an absent variable is not an error."""
    try:
        del _environb[key]
    except KeyError:
        pass  # unsetenv already ran before the dict lookup failed
    except OSError as exc:
        raise Error.from_os_error(exc) from None
    except ValueError as exc:
        raise Error(ErrorKind.InvalidInput, f"remove_var: {exc}") from None


def vars_os() -> list[tuple[OsString, OsString]]:
    """A snapshot of all variables, in the order of CPython's dict.

    An entry such as ``=C:=x`` (which only a hostile or unusual parent
    passes) is split the way libc and Rust split it: the name is searched for
    ``=`` from its *second* byte, so it is ``=C:`` with the value ``x``, and
    an entry without a second ``=`` is skipped. CPython split it at the first
    ``=`` into an empty name, which no variable can have; that one entry is
    re-split here (CPython kept only the first of several).
    """
    out = []
    for k, v in list(_environb.items()):
        if not k:
            eq = v.find(b"=")
            if eq == -1:
                continue
            k, v = b"=" + v[:eq], v[eq + 1 :]
        out.append((_from_inner(k), _from_inner(v)))
    return out


# -- PATH-style lists ----------------------------------------------------------


def split_paths(unparsed: bytes) -> list[bytes]:
    """Rust's Unix rule: split at every ``:``; empty entries are kept (``b""`` -> ``[b""]``)."""
    return unparsed.split(SEPARATOR)


def join_paths(entries: Iterable[bytes]) -> bytes:
    """Join with ``:``; an entry containing ``:`` cannot be represented (JoinPathsError)."""
    parts = []
    for i, entry in enumerate(entries):
        if SEPARATOR in entry:
            from stdio2.env import JoinPathsError

            raise JoinPathsError("path segment contains separator `:`", index=i, entry=entry)
        parts.append(entry)
    return SEPARATOR.join(parts)


def split_paths_native(unparsed: Any) -> list[Path]:
    return [Path(_fsdecode(p)) for p in split_paths(_to_os_bytes(unparsed))]


def join_paths_native(paths: Iterable[Any]) -> OsString:
    return _from_inner(join_paths(_to_os_bytes(p) for p in paths))


# -- directories and the executable -------------------------------------------


def current_dir() -> Path:
    """``getcwd``; Error (NotFound) when the directory was removed."""
    try:
        return Path(_fsdecode(os.getcwdb()))
    except OSError as exc:
        raise Error.from_os_error(exc) from None


def set_current_dir(path: bytes, shown: Any) -> None:
    """``chdir``; the error carries *shown* (the caller's argument) as its path."""
    try:
        os.chdir(path)
    except OSError as exc:
        raise Error.from_os_error(exc, path=shown) from None


def home_dir() -> Path | None:
    """``$HOME`` if set (even empty), else ``getpwuid_r(getuid())->pw_dir``, else None."""
    home = _environb.get(b"HOME")
    if home is not None:
        return Path(_fsdecode(home))
    if sys.platform == "win32":
        return None
    try:
        import pwd

        entry = pwd.getpwuid(os.getuid())
    except (ImportError, KeyError):
        return None
    return Path(entry.pw_dir) if entry.pw_dir else None


def temp_dir() -> Path:
    """``$TMPDIR`` if set, else the per-user directory on macOS, else ``/tmp``."""
    tmp = _environb.get(b"TMPDIR")
    if tmp is not None:
        return Path(_fsdecode(tmp))
    if sys.platform == "darwin":
        try:
            user_tmp = os.confstr("CS_DARWIN_USER_TEMP_DIR")
        except (ValueError, OSError):
            user_tmp = None
        if user_tmp:
            return Path(user_tmp)
    return _fallback_temp_dir(sys.platform)


def _fallback_temp_dir(plat: str) -> Path:
    """Rust's default without ``$TMPDIR``: ``/data/local/tmp`` on Android (no ``/tmp``), else ``/tmp``."""
    return Path("/data/local/tmp" if plat.startswith("android") else "/tmp")


def current_exe() -> Path:
    """``readlink("/proc/self/exe")`` on Linux; ``_NSGetExecutablePath`` on macOS."""
    if sys.platform == "darwin":
        return _darwin_exe()
    try:
        return Path(_fsdecode(os.readlink(b"/proc/self/exe")))
    except FileNotFoundError:
        if sys.platform.startswith(("linux", "android")):
            raise Error(ErrorKind.Uncategorized, "no /proc/self/exe available. Is /proc mounted?") from None
        raise Error(ErrorKind.Unsupported, f"current_exe is not supported on {sys.platform}") from None
    except OSError as exc:
        raise Error.from_os_error(exc) from None


def _darwin_exe() -> Path:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    size = ctypes.c_uint32(0)
    libc._NSGetExecutablePath(None, ctypes.byref(size))
    buf = ctypes.create_string_buffer(size.value + 1)
    if libc._NSGetExecutablePath(buf, ctypes.byref(size)) != 0:
        raise Error(ErrorKind.Uncategorized, "_NSGetExecutablePath failed")
    raw = buf.value
    try:
        return Path(_fsdecode(os.path.realpath(raw)))
    except OSError as exc:
        raise Error.from_os_error(exc, path=_fsdecode(raw)) from None
