"""`write_atomic` and `AtomicFile`: replace a file so readers see the old or the new contents, never a mix.

Beyond Rust's std. The recipe (used by databases and package managers):
write a temporary file in the *same directory* (a rename cannot cross file
systems atomically), ``fsync`` it, ``rename`` it over the target (atomic for
every reader: the name points at the old inode or the new one), then
``fsync`` the directory so the rename itself survives a crash. Any failure
before the rename removes the temporary file and leaves the old file as it
was.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.fs._atomic is the Unix implementation")

import os
import secrets
import stat as _stat
from typing import TYPE_CHECKING, Any

from stdio2._sys.unix import fs as _sys
from stdio2.fs._atomic_common import AtomicFileBase, write_atomic_with
from stdio2.fs._file import File
from stdio2.fs._options import OpenOptions
from stdio2.io._error import Error, ErrorKind
from stdio2.os_str import _to_os_bytes

if TYPE_CHECKING:
    pass

__all__ = ["AtomicFile", "write_atomic"]


def _temp_name(raw: bytes) -> tuple[bytes, bytes]:
    head, _, tail = raw.rpartition(b"/")
    if not tail:
        raise Error(ErrorKind.InvalidInput, "write_atomic needs a file path, not a directory path")
    directory = head if head or not raw.startswith(b"/") else b"/"
    temp = (
        (head + b"/" if head or raw.startswith(b"/") else b"")
        + b"."
        + tail
        + b"."
        + (secrets.token_hex(6).encode())
        + b".tmp"
    )
    return temp, directory or b"."


class AtomicFile(AtomicFileBase):
    """A `Write` whose bytes replace *path* atomically on `commit` (``with`` commits on success).

    ``AtomicFile(path)`` creates ``.<name>.<random>.tmp`` next to *path*
    (``open(O_CREAT|O_EXCL)``, mode of the existing file or ``0o666`` minus
    umask). `commit` makes ``fsync(tmp)``, ``rename(tmp, path)``,
    ``fsync(dir)``; `discard` (or an exception inside ``with``) unlinks the
    temporary file. Collecting an uncommitted `AtomicFile` discards it with a
    `ResourceWarning`. Errors carry *path*.
    """

    __slots__ = ("_dir", "_raw")

    def __init__(self, path: Any) -> None:
        self._file: File | None = None
        raw = _to_os_bytes(path)
        self._path, self._raw = path, raw
        self._temp, self._dir = _temp_name(raw)
        try:
            mode = _stat.S_IMODE(_sys.stat(raw, path).st_mode)
        except Error as e:
            if e.kind is not ErrorKind.NotFound:
                raise
            mode = 0o666
        options = OpenOptions().write(True).create_new(True)
        options._mode = mode
        try:
            f = File._open(self._temp, options)
        except Error as e:
            e.path = path
            raise
        if mode != 0o666:
            # O_CREAT applies the umask; the replacement keeps the old bits exactly.
            try:
                f.set_permissions(_perm(mode))
            except BaseException:
                f.close()
                _unlink_quietly(self._temp)
                raise
        f._path = path
        self._file = f

    def commit(self) -> None:
        """``fsync`` the temporary file, ``rename`` it over the target, ``fsync`` the directory.

        On failure before the rename the temporary file is removed and the
        target is untouched; the `Error` is raised with the target's path.
        """
        f = self._live_file()
        self._file = None
        try:
            f.sync_all()
            f.close()
            _sys.rename(self._temp, self._raw, self._path, self._path)
        except BaseException:
            f.close()
            _unlink_quietly(self._temp)
            raise
        _sync_dir(self._dir, self._path)

    def _remove_temp(self) -> None:
        _unlink_quietly(self._temp)


def _perm(mode: int) -> Any:
    from stdio2.fs._metadata import Permissions

    return Permissions(mode)


def _unlink_quietly(raw: bytes) -> None:
    try:
        _sys.unlink(raw, None)
    except Error:
        pass


def _sync_dir(directory: bytes, shown: Any) -> None:
    cell = _sys.open_path(directory, os.O_RDONLY | _sys.O_DIRECTORY, 0, shown)
    try:
        raw = cell.raw
        assert raw is not None
        _sys.fsync(raw, shown)
    finally:
        cell.release_now()


def write_atomic(path: Any, data: Any) -> None:
    """Replace *path* with *data* (bytes-like, or ``str`` as UTF-8) atomically and durably.

    Readers see either the old contents or all of *data*; after a crash the
    file holds one of the two. See `AtomicFile` for the system calls.
    """
    write_atomic_with(AtomicFile, path, data)
