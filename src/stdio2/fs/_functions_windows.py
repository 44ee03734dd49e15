"""The free functions of `stdio2.fs` on Windows.

Where CPython's `os` makes the same Win32 call Rust makes, stdio2 uses it and
converts the error (``OSError.winerror`` becomes `Error.raw_os_error`):
``os.stat`` / ``os.lstat`` (``CreateFileW`` + ``GetFileInformationByHandleEx``),
``os.replace`` (``MoveFileExW(MOVEFILE_REPLACE_EXISTING)``, Rust's
``rename``), ``os.remove`` (``DeleteFileW``), ``os.mkdir`` / ``os.rmdir``
(``CreateDirectoryW`` / ``RemoveDirectoryW``), ``os.link``
(``CreateHardLinkW``), ``os.readlink`` (``DeviceIoControl`` on the reparse
point), ``os.chmod`` (the read-only attribute). `read` and `write` go
through `File` (``CreateFileW`` + ``ReadFile``/``WriteFile``).
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable
from typing import Any

from stdio2.fs._file_windows import File
from stdio2.fs._metadata import Metadata, Permissions
from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import decode_utf8, readable_view

__all__ = [
    "canonicalize",
    "create_dir",
    "create_dir_all",
    "exists",
    "hard_link",
    "metadata",
    "read",
    "read_link",
    "read_to_string",
    "remove_dir",
    "remove_file",
    "rename",
    "set_permissions",
    "symlink_metadata",
    "try_exists",
    "write",
]


def _call(fn: Callable[..., Any], *args: Any, path: Any, path2: Any = None) -> Any:
    try:
        return fn(*args)
    except OSError as e:
        raise Error.from_os_error(e, path=path, path2=path2) from None


def _p(path: Any) -> str:
    value = os.fspath(path)
    return value if isinstance(value, str) else os.fsdecode(value)


def read(path: Any) -> bytes:
    """The whole contents of *path*: ``CreateFileW`` + ``ReadFile`` until end of file."""
    with File.open(path) as f:
        buf = bytearray()
        f.read_to_end(buf)
        return bytes(buf)


def read_to_string(path: Any) -> str:
    """The contents of *path* decoded as UTF-8 (`Error` InvalidData otherwise)."""
    with File.open(path) as f:
        buf = bytearray()
        f.read_to_end(buf)
    return decode_utf8(buf)


def write(path: Any, contents: Any) -> None:
    """Create or truncate *path* and write *contents* (``str`` is written as UTF-8)."""
    data = contents.encode() if isinstance(contents, str) else contents
    with readable_view(data, "fs.write") as view, File.create(path) as f:
        f.write_all(view)


def metadata(path: Any) -> Metadata:
    """Metadata of *path*, following symlinks (``os.stat``)."""
    st = _call(os.stat, _p(path), path=path)
    return Metadata.from_stat(st)


def symlink_metadata(path: Any) -> Metadata:
    """Metadata of *path* itself, not following a final symlink (``os.lstat``)."""
    st = _call(os.lstat, _p(path), path=path)
    return Metadata.from_stat(st)


def set_permissions(path: Any, perm: Permissions) -> None:
    """Set or clear the read-only attribute of *path* (``SetFileAttributesW`` via ``os.chmod``)."""
    if not isinstance(perm, Permissions):
        raise TypeError(f"set_permissions takes a Permissions, got {type(perm).__name__}")
    _call(os.chmod, _p(path), 0o444 if perm.readonly() else 0o666, path=path)


def rename(from_: Any, to: Any) -> None:
    """Rename, replacing an existing file at *to* (``MoveFileExW(MOVEFILE_REPLACE_EXISTING)``)."""
    _call(os.replace, _p(from_), _p(to), path=from_, path2=to)


def remove_file(path: Any) -> None:
    """Delete a file (``DeleteFileW``)."""
    _call(os.remove, _p(path), path=path)


def create_dir(path: Any) -> None:
    """Create one directory (``CreateDirectoryW``); AlreadyExists if it is there."""
    _call(os.mkdir, _p(path), path=path)


def create_dir_all(path: Any) -> None:
    """Create a directory and its missing parents; an existing directory is fine."""
    p = pathlib.Path(_p(path))
    if p.is_dir():
        return
    if p.parent != p:
        create_dir_all(p.parent)
    try:
        os.mkdir(p)
    except OSError as e:
        if not p.is_dir():
            raise Error.from_os_error(e, path=path) from None


def remove_dir(path: Any) -> None:
    """Remove an empty directory (``RemoveDirectoryW``)."""
    _call(os.rmdir, _p(path), path=path)


def hard_link(original: Any, link: Any) -> None:
    """Make *link* a new name for *original* (``CreateHardLinkW``)."""
    _call(os.link, _p(original), _p(link), path=original, path2=link)


def read_link(path: Any) -> pathlib.Path:
    """The target of the symlink *path* (the reparse point's substitute name)."""
    return pathlib.Path(_call(os.readlink, _p(path), path=path))


def canonicalize(path: Any) -> pathlib.Path:
    """The absolute path with every symlink resolved (``GetFinalPathNameByHandleW``); NotFound if absent."""
    p = _p(path)
    _call(os.stat, p, path=path)
    return pathlib.Path(_call(os.path.realpath, p, path=path))


def try_exists(path: Any) -> bool:
    """Whether *path* exists (following symlinks); False only for NotFound, other errors raise."""
    try:
        os.stat(_p(path))
    except OSError as e:
        err = Error.from_os_error(e, path=path)
        if err.kind is ErrorKind.NotFound:
            return False
        raise err from None
    return True


def exists(path: Any) -> bool:
    """Whether *path* exists; any error counts as "no"."""
    try:
        return try_exists(path)
    except Error:
        return False
