"""Directories, `copy`, `remove_dir_all` and atomic replacement on Windows.

The OS facts this module relies on:

* ``os.scandir`` is ``FindFirstFileW``/``FindNextFileW``. Each
  ``WIN32_FIND_DATAW`` record already carries the attributes, size, times
  and (in ``dwReserved0``) the reparse tag, so ``DirEntry.stat(
  follow_symlinks=False)`` costs no system call: `DirEntry.file_type` and
  `DirEntry.metadata` are free. Names come back as UTF-16 decoded to ``str``
  with unpaired surrogates kept (``surrogatepass``), which `OsString` stores
  as WTF-8.
* A *reparse point* (``FILE_ATTRIBUTE_REPARSE_POINT``) is a name the file
  system redirects: symbolic links (``IO_REPARSE_TAG_SYMLINK``), junctions
  (``IO_REPARSE_TAG_MOUNT_POINT``) and others (OneDrive placeholders, dedup
  stubs). A walk that deletes must never descend into one: deleting through
  a junction deletes the *target's* files. ``RemoveDirectoryW`` on a
  directory reparse point and ``DeleteFileW`` on a file reparse point remove
  the link itself, never the target.
* ``CreateDirectoryW`` fails with ``ERROR_ALREADY_EXISTS`` (183) whether the
  name is a directory or a file, so a tolerant `create_dir_all` looks again
  before reporting it; concurrent creators of one tree then never fail each
  other.
* ``MoveFileExW(MOVEFILE_REPLACE_EXISTING)`` (``os.replace``) replaces the
  target in one step on NTFS: another opener sees the old file or the new
  one. ``FlushFileBuffers`` on the temporary file comes first. Windows
  cannot flush a directory entry the way ``fsync(dir)`` does on Unix; the
  move's own ``MOVEFILE_WRITE_THROUGH`` flag stands in for it: the call
  returns only once the rename is on the disk.
* The read-only attribute is the only permission `Permissions` models here;
  ``os.chmod`` sets or clears it (``SetFileAttributesW``).
"""

from __future__ import annotations

import os
import secrets
import stat as _stat
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from stdio2._sys.windows import fs as _winfs
from stdio2._sys.windows import tree as _wintree
from stdio2.fs._atomic_common import AtomicFileBase, write_atomic_with
from stdio2.fs._file_windows import File
from stdio2.fs._functions_windows import create_dir, create_dir_all
from stdio2.fs._metadata import FileType, Metadata
from stdio2.fs._options import OpenOptions
from stdio2.io._error import Error, ErrorKind
from stdio2.os_str import OsString

if TYPE_CHECKING:
    pass

__all__ = [
    "AtomicFile",
    "DirBuilder",
    "DirEntry",
    "ReadDir",
    "copy",
    "last_copy_method",
    "read_dir",
    "remove_dir_all",
    "write_atomic",
]

FILE_ATTRIBUTE_READONLY: Final = 0x1
FILE_ATTRIBUTE_DIRECTORY: Final = 0x10
FILE_ATTRIBUTE_REPARSE_POINT: Final = 0x400
# Bit 29 of a reparse tag: the reparse point names another file (symlink, junction).
_NAME_SURROGATE: Final = 0x20000000
ERROR_DIRECTORY: Final = 267  # "The directory name is invalid": Rust's NotADirectory on Windows
_COPY_CHUNK: Final = 1 << 16


def _p(path: Any) -> str:
    value = os.fspath(path)
    return value if isinstance(value, str) else os.fsdecode(value)


def _err(exc: OSError, path: Any, path2: Any = None) -> Error:
    return Error.from_os_error(exc, path=path, path2=path2)


def _attrs(st: os.stat_result) -> int:
    return int(getattr(st, "st_file_attributes", 0))


# -- read_dir ----------------------------------------------------------------


class DirEntry:
    """One entry of a directory listing (Rust's ``DirEntry``), made by `ReadDir`.

    Holds the ``FindNextFileW`` record, so `file_name`, `file_type` and
    `metadata` make no system call. Entries compare by identity.
    """

    __slots__ = ("_entry",)

    _entry: os.DirEntry[str]

    def __init__(self) -> None:
        raise TypeError("DirEntry objects come from iterating stdio2.fs.read_dir(path)")

    def path(self) -> Path:
        """The directory given to `read_dir` joined with `file_name`. No system call."""
        return Path(self._entry.path)

    def file_name(self) -> OsString:
        """The bare name, exactly as the OS gave it (WTF-8 inside, unpaired surrogates kept)."""
        return OsString.from_str(self._entry.name)

    def file_type(self) -> FileType:
        """The entry's type, not following links; any name-surrogate reparse point is a symlink.

        Like Rust on Windows, a junction counts as a symlink here. No system call.
        """
        st = self._stat()
        attrs = _attrs(st)
        if attrs & FILE_ATTRIBUTE_REPARSE_POINT and int(getattr(st, "st_reparse_tag", 0)) & _NAME_SURROGATE:
            return FileType(_stat.S_IFLNK)
        return FileType(_stat.S_IFDIR if attrs & FILE_ATTRIBUTE_DIRECTORY else _stat.S_IFREG)

    def metadata(self) -> Metadata:
        """Metadata of the entry itself (a link is not followed), from the listing record."""
        return Metadata.from_stat(self._stat())

    def _stat(self) -> os.stat_result:
        try:
            return self._entry.stat(follow_symlinks=False)
        except OSError as exc:
            raise _err(exc, self.path()) from None

    def __repr__(self) -> str:
        return f"DirEntry({self.path()!r})"

    def __reduce__(self) -> Any:
        raise TypeError("DirEntry cannot be pickled")


def _wrap(entry: os.DirEntry[str]) -> DirEntry:
    d: DirEntry = object.__new__(DirEntry)
    d._entry = entry
    return d


class ReadDir:
    """An iterator over a directory's entries (Rust's ``ReadDir``), from `read_dir`.

    ``.`` and ``..`` are skipped. A failure raises `Error` with the path and
    ends the listing. The search handle (``FindClose``) is released at
    exhaustion, by `close`, by leaving a ``with`` block, or when collected.
    """

    __slots__ = ("_it", "_path")

    _it: Any
    _path: Any

    def __init__(self) -> None:
        raise TypeError("ReadDir objects come from stdio2.fs.read_dir(path)")

    def __iter__(self) -> Iterator[DirEntry]:
        return self

    def __next__(self) -> DirEntry:
        it = self._it
        if it is None:
            raise StopIteration
        try:
            entry = next(it)
        except StopIteration:
            self.close()
            raise
        except OSError as exc:
            self.close()
            raise _err(exc, self._path) from None
        return _wrap(entry)

    def close(self) -> None:
        """Release the search handle (``FindClose``); idempotent."""
        it, self._it = self._it, None
        if it is not None:
            it.close()

    def __enter__(self) -> ReadDir:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # Dropping a listing early is normal (Rust's drop): close without a warning.
        if getattr(self, "_it", None) is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                self.close()

    def __repr__(self) -> str:
        state = "closed" if self._it is None else "open"
        return f"ReadDir({os.fspath(self._path)!r}, {state})"


def read_dir(path: Any) -> ReadDir:
    """List the directory *path* (``FindFirstFileW`` on ``path\\*``, then ``FindNextFileW``).

    Raises `Error` (NotFound, NotADirectory, PermissionDenied ...) with the path.
    """
    try:
        it = os.scandir(_p(path))
    except OSError as exc:
        raise _err(exc, path) from None
    rd: ReadDir = object.__new__(ReadDir)
    rd._it = it
    rd._path = path
    return rd


class DirBuilder:
    """Creates directories (Rust's ``DirBuilder``): ``DirBuilder().recursive(True).create(p)``."""

    __slots__ = ("_recursive",)

    def __init__(self) -> None:
        self._recursive = False

    def recursive(self, recursive: bool) -> DirBuilder:
        """Create missing parents too, and accept an existing directory (``create_dir_all``)."""
        if not isinstance(recursive, bool):
            raise TypeError(f"DirBuilder.recursive takes True or False, got {type(recursive).__name__}")
        self._recursive = recursive
        return self

    def create(self, path: Any) -> None:
        """Create *path* (``CreateDirectoryW``; its parents too when recursive).

        Raises `Error` (AlreadyExists when not recursive, NotFound for a
        missing parent, PermissionDenied ...) with the path.
        """
        if self._recursive:
            create_dir_all(path)
        else:
            create_dir(path)

    def __repr__(self) -> str:
        return f"DirBuilder(recursive={self._recursive})"


# -- copy ----------------------------------------------------------------------

_local = threading.local()


def last_copy_method() -> str | None:
    """How the last `copy` on this thread moved its bytes (``"read_write"`` on Windows), or None."""
    return getattr(_local, "method", None)


def _both(e: Error, from_: Any, to: Any) -> Error:
    e.path, e.path2 = from_, to
    return e


def copy(from_: Any, to: Any) -> int:
    """Copy the contents and the read-only attribute of the file *from_* to *to*; return the byte count.

    Opens *from_* (``CreateFileW``, read) and checks it is a file (else
    InvalidInput); opens *to* for writing, creating it, checks it is not the
    source itself (same volume serial and file index: InvalidInput), then
    truncates it and moves the bytes with ``ReadFile``/``WriteFile``. A
    read-only source makes a read-only copy (``SetFileAttributesW``). Errors
    carry both paths and, after a partial copy, ``progress``.
    """
    with File.open(from_) as src:
        try:
            st = src.metadata()._st
        except Error as e:
            raise _both(e, from_, to) from None
        if _attrs(st) & FILE_ATTRIBUTE_DIRECTORY:
            raise _both(
                Error(ErrorKind.InvalidInput, "the source path is not a file"), from_, to
            )
        with File._open(to, OpenOptions().write(True).create(True)) as dst:
            try:
                dst_st = dst.metadata()._st
                if (dst_st.st_dev, dst_st.st_ino) == (st.st_dev, st.st_ino):
                    raise Error(ErrorKind.InvalidInput, "the source and destination are the same file")
                dst.set_len(0)
            except Error as e:
                raise _both(e, from_, to) from None
            n = 0
            buf = bytearray(_COPY_CHUNK)
            view = memoryview(buf)
            try:
                while True:
                    got = src.read(view)
                    if not got:
                        break
                    dst.write_all(view[:got])
                    n += got
            except Error as e:
                raise _both(e.with_progress(n), from_, to) from None
            finally:
                view.release()
    if _attrs(st) & FILE_ATTRIBUTE_READONLY:
        try:
            os.chmod(_p(to), 0o444)
        except OSError as exc:
            raise _err(exc, from_, to) from None
    _local.method = "read_write"
    return n


# -- remove_dir_all ------------------------------------------------------------


def remove_dir_all(path: Any) -> None:
    """Remove a directory and everything in it, never following a symlink or junction.

    Walks by handles, never by name (`stdio2._sys.windows.tree`): the root is
    opened once (``CreateFileW`` with ``FILE_FLAG_OPEN_REPARSE_POINT``), each
    directory is listed through its handle (``NtQueryDirectoryFile``), and
    each entry is opened relative to its parent's handle (``NtOpenFile`` with
    ``FILE_OPEN_REPARSE_POINT``) and deleted through that handle
    (``NtSetInformationFile(FileDispositionInformationEx)`` with POSIX
    semantics, else ``FileDispositionInformation``). A directory swapped for
    a junction or symlink mid-walk is therefore never followed
    (CVE-2022-21658). Every reparse point met is removed itself, never
    entered. Read-only files are deleted too (the attribute is cleared
    through the handle when needed). A link *path* is itself removed; a file
    *path* is NotADirectory (``ERROR_DIRECTORY``). Entries removed
    concurrently are ignored; a directory that keeps getting new entries
    ends in `ErrorKind.DirectoryNotEmpty`. Errors are `Error` carrying the
    path of the entry involved.
    """
    _wintree.remove_tree(_p(path), path)


# -- write_atomic / AtomicFile -------------------------------------------------


def _temp_name(path: str) -> str:
    head, tail = os.path.split(path)
    if not tail:
        raise Error(ErrorKind.InvalidInput, "write_atomic needs a file path, not a directory path")
    return os.path.join(head, f".{tail}.{secrets.token_hex(6)}.tmp")


class AtomicFile(AtomicFileBase):
    """A `Write` whose bytes replace *path* atomically on `commit` (``with`` commits on success).

    ``AtomicFile(path)`` creates ``.<name>.<random>.tmp`` next to *path*
    (``CreateFileW`` with ``CREATE_NEW``). `commit` makes ``FlushFileBuffers``,
    closes it and ``MoveFileExW(MOVEFILE_REPLACE_EXISTING |
    MOVEFILE_WRITE_THROUGH)`` over *path*;
    `discard` (or an exception inside ``with``) deletes the temporary file.
    A read-only target keeps the attribute. Collecting an uncommitted
    `AtomicFile` discards it with a `ResourceWarning`. Errors carry *path*.
    """

    __slots__ = ("_readonly", "_target")

    def __init__(self, path: Any) -> None:
        self._file: File | None = None
        self._path = path
        self._target = _p(path)
        self._temp = _temp_name(self._target)
        try:
            self._readonly = bool(_attrs(os.stat(self._target)) & FILE_ATTRIBUTE_READONLY)
        except FileNotFoundError:
            self._readonly = False
        except OSError as exc:
            raise _err(exc, path) from None
        try:
            f = File._open(self._temp, OpenOptions().write(True).create_new(True))
        except Error as e:
            e.path = path
            raise
        self._file = f

    def commit(self) -> None:
        """``FlushFileBuffers`` the temporary file, then ``MoveFileExW`` it over the target.

        A read-only target is made writable just before the replace (the
        move refuses to replace it) and the new file gets the attribute back.
        On failure the temporary file is removed and the target is left as
        it was; the `Error` carries the target's path.
        """
        f = self._live_file()
        self._file = None
        try:
            try:
                f.sync_all()
            except Error as e:
                e.path = self._path
                raise
            f.close()
            try:
                if self._readonly:
                    os.chmod(self._target, 0o666)
            except OSError as exc:
                raise _err(exc, self._path) from None
            try:
                _winfs.replace_durably(self._temp, self._target, shown=self._path)
            except Error:
                if self._readonly:
                    _chmod_quietly(self._target, 0o444)
                raise
        except BaseException:
            f.close()
            _unlink_quietly(self._temp)
            raise
        if self._readonly:
            try:
                os.chmod(self._target, 0o444)
            except OSError as exc:
                raise _err(exc, self._path) from None

    def _remove_temp(self) -> None:
        _unlink_quietly(self._temp)


def _unlink_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _chmod_quietly(path: str, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except OSError:
        pass


def write_atomic(path: Any, data: Any) -> None:
    """Replace *path* with *data* (bytes-like, or ``str`` as UTF-8) atomically.

    Readers see the old contents or all of *data*. See `AtomicFile` for the calls.
    """
    write_atomic_with(AtomicFile, path, data)
