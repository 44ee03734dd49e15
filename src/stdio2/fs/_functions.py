"""The free functions of Rust's ``std::fs`` (everything but `copy`, `read_dir` and the atomic writes)."""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.fs._functions is the Unix implementation")

import os
import pathlib
from typing import Any

from stdio2._sys.unix import fs as _sys
from stdio2.fs._dir import create_dir_all_raw
from stdio2.fs._metadata import Metadata, Permissions
from stdio2.io._error import Error
from stdio2.io._traits import decode_utf8, readable_view
from stdio2.os_str import _to_os_bytes

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
    "remove_dir_all",
    "remove_file",
    "rename",
    "set_permissions",
    "symlink_metadata",
    "try_exists",
    "write",
]


def _path_of(raw: bytes) -> pathlib.Path:
    return pathlib.Path(os.fsdecode(raw))


def read(path: Any) -> bytes:
    """The whole contents of the file *path*: ``open``, ``fstat`` (for the size), ``read`` until 0, ``close``.

    Raises `Error` (NotFound, PermissionDenied, IsADirectory ...) with the path.
    """
    return _sys.read_whole(_to_os_bytes(path), path)


def read_to_string(path: Any) -> str:
    """The whole contents of *path* decoded as UTF-8; `Error` (InvalidData) for other bytes."""
    data = _sys.read_whole(_to_os_bytes(path), path)
    try:
        return decode_utf8(data)
    except Error as e:
        e.path = path
        raise


def write(path: Any, contents: Any) -> None:
    """Write *contents* (bytes-like, or ``str`` as UTF-8) to *path*, creating or truncating it.

    ``open(O_WRONLY|O_CREAT|O_TRUNC, 0o666)`` then ``write`` until all is
    written. Raises `Error` with the path; ``progress`` says how many bytes
    reached the file before a failure (e.g. FileTooLarge, StorageFull).
    """
    from stdio2.fs._file import File

    data = contents.encode("utf-8") if isinstance(contents, str) else contents
    view = readable_view(data, "fs.write")
    with File.create(path) as f:
        f.write_all(view)


def metadata(path: Any) -> Metadata:
    """Metadata of *path*, following symlinks: ``stat`` (+ ``statx`` for the birth time on Linux)."""
    raw = _to_os_bytes(path)
    st = _sys.stat(raw, path)
    return Metadata.from_stat(st, _sys.birth_time_ns(path=raw))


def symlink_metadata(path: Any) -> Metadata:
    """Metadata of *path* itself, a symlink not followed: ``lstat`` (+ ``statx``)."""
    raw = _to_os_bytes(path)
    st = _sys.stat(raw, path, follow=False)
    return Metadata.from_stat(st, _sys.birth_time_ns(path=raw, follow=False))


def set_permissions(path: Any, perm: Permissions) -> None:
    """Set the permission bits of *path* (following symlinks): ``chmod``."""
    if not isinstance(perm, Permissions):
        raise TypeError(f"set_permissions takes a Permissions, got {type(perm).__name__}")
    _sys.chmod(_to_os_bytes(path), perm._mode, path)


def rename(from_: Any, to: Any) -> None:
    """Rename *from_* to *to*, atomically replacing a file at *to*: ``rename(2)``.

    Raises `Error` with both paths (CrossesDevices across file systems,
    IsADirectory, DirectoryNotEmpty ...).
    """
    _sys.rename(_to_os_bytes(from_), _to_os_bytes(to), from_, to)


def remove_file(path: Any) -> None:
    """Remove a file or symlink: ``unlink``. IsADirectory (EISDIR) for a directory."""
    _sys.unlink(_to_os_bytes(path), path)


def create_dir(path: Any) -> None:
    """Create one directory: ``mkdir(path, 0o777)`` (minus umask); AlreadyExists, NotFound ..."""
    _sys.mkdir(_to_os_bytes(path), 0o777, path)


def create_dir_all(path: Any) -> None:
    """Create *path* and any missing parents (``mkdir`` per component).

    An existing directory is success, also when a concurrent creator made it
    first; an existing non-directory is AlreadyExists.
    """
    create_dir_all_raw(_to_os_bytes(path), path, 0o777)


def remove_dir(path: Any) -> None:
    """Remove an empty directory: ``rmdir``. DirectoryNotEmpty, NotADirectory, NotFound ..."""
    _sys.rmdir(_to_os_bytes(path), path)


def remove_dir_all(path: Any) -> None:
    """Remove a directory and all its contents without ever following a symlink.

    Walks with directory descriptors (``openat(O_NOFOLLOW|O_DIRECTORY)``,
    ``unlinkat``), so swapping a directory for a symlink during the walk
    cannot redirect it outside the tree (CVE-2022-21658). A symlink *path* is
    itself removed (its target is untouched); a regular file is
    NotADirectory. Entries removed concurrently are ignored.
    """
    _sys.remove_tree(_to_os_bytes(path), path)


def hard_link(original: Any, link: Any) -> None:
    """Make *link* a new name for *original*: ``linkat(..., 0)`` (a symlink *original* is not followed)."""
    _sys.link(_to_os_bytes(original), _to_os_bytes(link), original, link)


def read_link(path: Any) -> pathlib.Path:
    """The target of the symlink *path*: ``readlink``; InvalidInput (EINVAL) if it is not a link."""
    return _path_of(_sys.readlink(_to_os_bytes(path), path))


def canonicalize(path: Any) -> pathlib.Path:
    """The absolute path with every symlink, ``.`` and ``..`` resolved; NotFound if it does not exist.

    (``realpath``: a sequence of ``lstat``/``readlink`` calls; racy by nature.)
    """
    return _path_of(_sys.realpath(_to_os_bytes(path), path))


def try_exists(path: Any) -> bool:
    """Whether *path* exists (following symlinks): ``stat``.

    True / False when the answer is known (a broken symlink is False);
    raises `Error` when it cannot be known (e.g. PermissionDenied on a parent).
    """
    return _sys.try_stat(_to_os_bytes(path), path)


def exists(path: Any) -> bool:
    """Whether *path* exists; False also when that cannot be checked (Rust's ``Path::exists``)."""
    try:
        return _sys.try_stat(_to_os_bytes(path), path)
    except Error:
        return False
