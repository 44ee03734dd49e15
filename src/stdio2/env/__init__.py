"""The process environment: arguments, environment variables, working directory and platform constants.

Rust's ``std::env`` for Python. Names and values the OS hands over are
`OsString`s (lossless); the ``str`` variants (`args`, `var`, `vars`) raise a
typed error instead of guessing when something is not Unicode. Returned paths
are `pathlib.Path` (lossless: surrogate escapes on Unix, lone surrogates on
Windows). Every OS call is made by the platform backend
(`stdio2._sys.unix.env` or `stdio2._sys.windows.env`).

>>> from stdio2 import env
>>> env.set_var("STDIO2_DOC", "caf\\u00e9")
>>> env.var("STDIO2_DOC")
'café'
>>> env.remove_var("STDIO2_DOC")
>>> env.var_os("STDIO2_DOC") is None
True
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from stdio2.env import consts
from stdio2.io._error import Error, ErrorKind
from stdio2.os_str import OsString

if sys.platform == "win32":
    from stdio2._sys.windows import env as _backend
else:
    from stdio2._sys.unix import env as _backend

__all__ = [
    "ArgsError",
    "JoinPathsError",
    "VarError",
    "args",
    "args_os",
    "consts",
    "current_dir",
    "current_exe",
    "home_dir",
    "join_paths",
    "remove_var",
    "set_current_dir",
    "set_var",
    "split_paths",
    "temp_dir",
    "var",
    "var_os",
    "vars",
    "vars_os",
]

_WIDE = OsString._WIDE
_from_fspath = OsString.from_fspath


# -- errors ---------------------------------------------------------------------


class VarError(Exception):
    """Why `var` failed: `VarError.NotPresent` or `VarError.NotUnicode` (Rust's ``VarError``)."""

    NotPresent: ClassVar[type[_NotPresent]]
    NotUnicode: ClassVar[type[_NotUnicode]]


class _NotPresent(VarError, KeyError):
    """The variable is not set. Also a `KeyError`, like a missing ``os.environ`` key.

    ``key`` is the name looked up (`OsString`).
    """

    def __init__(self, key: OsString | None = None) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return "environment variable not found"


class _NotUnicode(VarError, ValueError):
    """The variable is set but is not valid Unicode. Also a `ValueError`.

    ``value`` is the variable's value as an `OsString` (lossless); ``key`` the
    name (for `vars`, the offending text may be the name itself).
    """

    def __init__(self, value: OsString, key: OsString | None = None) -> None:
        super().__init__(value, key)
        self.value = value
        self.key = key

    def __str__(self) -> str:
        return f"environment variable was not valid unicode: {self.value!r}"


_NotPresent.__name__ = "NotPresent"
_NotPresent.__qualname__ = "VarError.NotPresent"
_NotUnicode.__name__ = "NotUnicode"
_NotUnicode.__qualname__ = "VarError.NotUnicode"
VarError.NotPresent = _NotPresent
VarError.NotUnicode = _NotUnicode


class JoinPathsError(ValueError):
    """`join_paths` was given an entry the list format cannot hold.

    Unix: an entry containing ``:``; Windows: an entry containing ``"``.
    ``index`` and ``entry`` say which one. ``str()`` is Rust's text.
    """

    def __init__(self, message: str, *, index: int = -1, entry: Any = None) -> None:
        super().__init__(message)
        self.index = index
        self.entry = entry

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_join_error, (str(self), self.index, self.entry))


def _rebuild_join_error(message: str, index: int, entry: Any) -> JoinPathsError:
    return JoinPathsError(message, index=index, entry=entry)


class ArgsError(ValueError):
    """`args` met a command-line argument that is not valid Unicode.

    ``index`` is its position in ``sys.argv``, ``value`` the argument as an `OsString`.
    """

    def __init__(self, index: int, value: OsString) -> None:
        super().__init__(index, value)
        self.index = index
        self.value = value

    def __str__(self) -> str:
        return f"argument {self.index} is not valid unicode: {self.value!r}"


# -- arguments --------------------------------------------------------------------


def args_os() -> list[OsString]:
    """The command line, from ``sys.argv``, as `OsString`s (lossless).

    On Unix each argument's original bytes are recovered the way Python
    documents (`os.fsencode`). ``sys.argv[0]`` is what Python put there (the
    script, ``-c`` or ``-m``'s module path), not the interpreter. No system call.
    """
    return [_from_fspath(a) for a in sys.argv]


def args() -> list[str]:
    """The command line as text, from ``sys.argv``.

    Raises `ArgsError` (a `ValueError`) naming the first argument that is not
    valid Unicode; `args_os` is the lossless alternative. No system call.
    """
    out = []
    for i, arg in enumerate(args_os()):
        text = arg.to_str()
        if text is None:
            raise ArgsError(i, arg)
        out.append(text)
    return out


# -- variables ------------------------------------------------------------------------


def _key(key: Any, call: str) -> OsString:
    try:
        return _from_fspath(key)
    except TypeError:
        raise TypeError(
            f"{call}: the name must be a str, bytes, os.PathLike or OsString, not {type(key).__name__}"
        ) from None


def _valid_key(inner: bytes) -> bool:
    # '=' and NUL are ASCII, so one test serves raw bytes and WTF-8 alike.
    return bool(inner) and b"=" not in inner and b"\0" not in inner


def _native(s: OsString) -> Any:
    # What the backend takes: bytes on Unix, the fspath str on Windows.
    return s.__fspath__() if _WIDE else s.as_encoded_bytes()


def var_os(key: str | bytes | OsString) -> OsString | None:
    """The value of the environment variable *key*, or None if it is not set.

    Unix: read from ``os.environb`` (CPython's copy of ``environ``, kept in step
    with ``putenv``); Windows: ``GetEnvironmentVariableW``. A name that cannot
    exist (empty, containing ``=`` or NUL) gives None, as in Rust.
    """
    k = _key(key, "var_os(key)")
    inner = k.as_encoded_bytes()
    if not _valid_key(inner):
        return None
    return _backend.var_os(_native(k))


def var(key: str | bytes | OsString) -> str:
    """The value of the environment variable *key* as text.

    Raises `VarError.NotPresent` (also a `KeyError`) when it is not set and
    `VarError.NotUnicode` (also a `ValueError`; ``.value`` holds the
    `OsString`) when it is not valid Unicode. Makes the call `var_os` makes.
    """
    k = _key(key, "var(key)")
    value = var_os(k)
    if value is None:
        raise VarError.NotPresent(k)
    text = value.to_str()
    if text is None:
        raise VarError.NotUnicode(value, k)
    return text


def vars_os() -> list[tuple[OsString, OsString]]:
    """All environment variables as ``(name, value)`` pairs, a snapshot.

    Unix: from ``os.environb``; Windows: ``GetEnvironmentStringsW`` (names
    keep their case).
    """
    return _backend.vars_os()


def vars() -> list[tuple[str, str]]:
    """All environment variables as text pairs, a snapshot.

    Raises `VarError.NotUnicode` for the first name or value that is not
    valid Unicode (Rust's ``vars()`` panics there); `vars_os` is lossless.
    """
    out = []
    for k, v in vars_os():
        key = k.to_str()
        if key is None:
            raise VarError.NotUnicode(k, k)
        value = v.to_str()
        if value is None:
            raise VarError.NotUnicode(v, k)
        out.append((key, value))
    return out


def _check_key(k: OsString, call: str) -> None:
    inner = k.as_encoded_bytes()
    if not inner:
        raise Error(ErrorKind.InvalidInput, f"{call}: the variable name is empty")
    if b"=" in inner:
        raise Error(ErrorKind.InvalidInput, f"{call}: the variable name {k!r} contains '='")
    if b"\0" in inner:
        raise Error(ErrorKind.InvalidInput, f"{call}: the variable name {k!r} contains NUL")


def set_var(key: str | bytes | OsString, value: str | bytes | OsString) -> None:
    """Set the environment variable *key* to *value* for this process and its future children.

    Unix: ``putenv`` through ``os.environb``, so ``os.environ`` sees it too;
    Windows: ``SetEnvironmentVariableW`` (the name's case kept), mirrored in
    ``os.environ``. Raises
    `Error` (InvalidInput) for an empty name, a name containing ``=`` or NUL,
    or a value containing NUL. Not safe against C code reading the
    environment in other threads at the same moment (see the backend).
    """
    k = _key(key, "set_var(key, value)")
    try:
        v = _from_fspath(value)
    except TypeError:
        raise TypeError(
            "set_var(key, value): the value must be a str, bytes, os.PathLike or OsString, "
            f"not {type(value).__name__}"
        ) from None
    _check_key(k, "set_var")
    if b"\0" in v.as_encoded_bytes():
        raise Error(ErrorKind.InvalidInput, f"set_var: the value for {k!r} contains NUL")
    _backend.set_var(_native(k), _native(v))


def remove_var(key: str | bytes | OsString) -> None:
    """Remove the environment variable *key* (no error if it is not set).

    Unix: ``unsetenv`` through ``os.environb``; Windows:
    ``SetEnvironmentVariableW(key, NULL)``. Raises `Error` (InvalidInput)
    for an empty name or one containing ``=`` or NUL.
    """
    k = _key(key, "remove_var(key)")
    _check_key(k, "remove_var")
    _backend.remove_var(_native(k))


# -- PATH-style lists ---------------------------------------------------------------


def split_paths(unparsed: str | bytes | OsString) -> list[Path]:
    """Split a ``PATH``-style list into paths, by this platform's rules. No system call.

    Unix: at every ``:``. Windows: at every ``;`` outside double quotes, the
    quotes removed. Empty entries are kept (as ``Path("")``, which pathlib
    shows as ``.``): ``split_paths("")`` has one entry, as in Rust.
    """
    return _backend.split_paths_native(unparsed)


def join_paths(paths: Iterable[str | bytes | OsString | Any]) -> OsString:
    """Join paths into a ``PATH``-style list, by this platform's rules. No system call.

    Unix: with ``:``; an entry containing ``:`` raises `JoinPathsError`.
    Windows: with ``;``; an entry containing ``;`` is quoted, one containing
    ``"`` raises `JoinPathsError`.
    """
    if isinstance(paths, (str, bytes)):
        raise TypeError("join_paths(paths) takes an iterable of paths, not a single str/bytes")
    return _backend.join_paths_native(paths)


# -- directories and the executable ---------------------------------------------------


def current_dir() -> Path:
    """The current working directory (``getcwd`` / ``GetCurrentDirectoryW``).

    Raises `Error` (e.g. NotFound when it was removed).
    """
    return _backend.current_dir()


def set_current_dir(path: str | bytes | OsString | Any) -> None:
    """Change the working directory (``chdir`` / ``SetCurrentDirectoryW``).

    Raises `Error` (NotFound, NotADirectory, PermissionDenied, ...) whose
    ``path`` is the argument given.
    """
    try:
        os_path = _from_fspath(path)
    except TypeError:
        raise TypeError(
            f"set_current_dir(path) takes a str, bytes, os.PathLike or OsString, not {type(path).__name__}"
        ) from None
    if b"\0" in os_path.as_encoded_bytes():
        raise Error(ErrorKind.InvalidInput, "set_current_dir: the path contains NUL")
    _backend.set_current_dir(_native(os_path), path)


def home_dir() -> Path | None:
    """The current user's home directory, or None if it cannot be found (Rust 1.85+ rules).

    Unix: ``$HOME`` if set (even empty), else the password-database entry of
    the user (``getpwuid_r``). Windows: ``%USERPROFILE%`` if non-empty, else
    ``GetUserProfileDirectoryW``.
    """
    return _backend.home_dir()


def temp_dir() -> Path:
    """The directory for temporary files; it may not exist (nothing is checked).

    Unix: ``$TMPDIR`` if set, else ``/tmp`` (macOS: the per-user directory
    from ``confstr``; Android: ``/data/local/tmp``). Windows:
    ``GetTempPath2W`` / ``GetTempPathW``.
    """
    return _backend.temp_dir()


def current_exe() -> Path:
    """The full path of the running executable: the Python interpreter binary, not the script.

    Linux: ``readlink("/proc/self/exe")``; macOS: ``_NSGetExecutablePath``;
    Windows: ``GetModuleFileNameW``. Unlike ``sys.executable`` it is the
    resolved binary (not a venv's or a symlink's path). Raises `Error`.
    """
    return _backend.current_exe()
