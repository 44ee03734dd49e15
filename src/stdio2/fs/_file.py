"""`File`: an owned descriptor of an open file (Rust's ``std::fs::File``).

`File` is a `stdio2.os.fd.FdOwner`: it owns exactly one descriptor, which
`close` (or ``with``, or garbage collection with a `ResourceWarning`)
releases once. ``File(owned_fd)`` takes ownership of any other owner's
descriptor and ``OwnedFd(file)`` hands it back.

`read` and `write` are one ``read(2)`` / ``write(2)`` each, made through the
bound C methods of an ``io.FileIO(fd, closefd=False)`` cached on the object
(the same design as the pipe ends): the cost of a call is within a few
percent of ``os.read`` on the same descriptor. Regular-file I/O does not wait
for readiness, so deadlines do not apply to it (DESIGN principle 7).
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.fs._file is the Unix implementation of File")

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from stdio2._sys._owner import Cell, closed_error, raw_of
from stdio2._sys.unix import fs as _sys
from stdio2.fs._metadata import FileTimes, Metadata, Permissions
from stdio2.fs._options import OpenOptions
from stdio2.io._buffered import register_direct_writer
from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import (
    Read,
    Seek,
    SeekFrom,
    Write,
    decode_utf8,
    default_read_to_end,
    readable_view,
    seek_arg,
    writable_view,
)
from stdio2.os.fd import FdOwner
from stdio2.os_str import _to_os_bytes

if TYPE_CHECKING:
    import datetime

    from stdio2._typing import Buffer

__all__ = ["File", "unix_open_flags"]


def _closed(*args: object) -> NoReturn:
    # Stands in for the cached bound methods once the file is closed, so the
    # hot path needs no "is it closed?" test of its own.
    raise closed_error("this File")


def unix_open_flags(options: OpenOptions) -> int:
    """The ``open(2)`` flags for *options* (Rust's rules; InvalidInput before any call)."""
    access = options.access_mode()
    creation = options.creation_mode()
    if access.read and access.write:
        flags = os.O_RDWR
    elif access.write:
        flags = os.O_WRONLY
    else:
        flags = os.O_RDONLY
    if access.append:
        flags |= os.O_APPEND
    if creation.create_new:
        flags |= os.O_CREAT | os.O_EXCL
    else:
        if creation.create:
            flags |= os.O_CREAT
        if creation.truncate:
            flags |= os.O_TRUNC
    # custom_flags may add, never remove, the access mode bits (as Rust).
    custom = options._custom_flags & ~os.O_ACCMODE
    return flags | custom


@register_direct_writer
class File(FdOwner, Read, Write, Seek):
    """An open file on the file system (Rust's ``std::fs::File``): `Read`, `Write`, `Seek`.

    Made by `File.open` (read-only), `File.create` (write, create, truncate),
    `File.create_new` (write, must not exist), ``File.options()...open(p)``,
    or ``File(owner)`` taking ownership of another descriptor owner. Methods
    are safe to call from several threads (they share the file position, as
    the descriptor does). Errors are `stdio2.io.Error` carrying the path the
    file was opened with, where it is known.
    """

    __slots__ = ("_path", "_readinto", "_write")
    _what = "File"

    _readinto: Callable[[Any], int | None]
    _write: Callable[[Any], int | None]
    _path: Any

    def _init_cell(self, cell: Cell[int]) -> None:
        self._readinto = self._write = _closed
        if not hasattr(self, "_path"):
            self._path = None
        FdOwner._init_cell(self, cell)
        fio = _sys.file_io(cell)
        if fio is None:
            # A directory: FileIO refuses it, but Rust's File::open(dir) works
            # (metadata, sync_all, ...). read/write then report EISDIR from the OS.
            raw = cell.raw
            assert raw is not None

            def readinto(buf: Any, _cell: Cell[int] = cell) -> int:
                return _sys.read_once(raw, buf)

            def write(buf: Any, _cell: Cell[int] = cell) -> int:
                return _sys.write_once(raw, buf)

            self._readinto, self._write = readinto, write
        else:
            self._readinto, self._write = fio.readinto, fio.write

    def _forget(self) -> None:
        self._readinto = self._write = _closed

    # -- constructors ----------------------------------------------------------

    @classmethod
    def _open(cls, path: Any, options: OpenOptions) -> File:
        try:
            flags = unix_open_flags(options)
        except Error as e:
            # An invalid combination is still about this path (DESIGN §1.6).
            e.path = path
            raise
        raw = _to_os_bytes(path)
        cell = _sys.open_path(raw, flags, options._mode, path)
        self = cls.__new__(cls)
        self._path = path
        try:
            self._init_cell(cell)
        except BaseException:
            cell.release_now()
            raise
        return self

    @classmethod
    def open(cls, path: Any) -> File:
        """Open *path* read-only: ``open(path, O_RDONLY|O_CLOEXEC)``.

        Raises `Error` (NotFound, PermissionDenied, ...) with ``path`` set.
        """
        return cls._open(path, OpenOptions().read(True))

    @classmethod
    def create(cls, path: Any) -> File:
        """Open *path* write-only, creating it or truncating it: ``open(O_WRONLY|O_CREAT|O_TRUNC, 0o666)``."""
        return cls._open(path, OpenOptions().write(True).create(True).truncate(True))

    @classmethod
    def create_new(cls, path: Any) -> File:
        """Create *path* and open it read-write: ``open(O_RDWR|O_CREAT|O_EXCL)``; AlreadyExists if present.

        Atomic: of two racing creators exactly one succeeds, and an existing
        symbolic link at *path* is never followed.
        """
        return cls._open(path, OpenOptions().read(True).write(True).create_new(True))

    @staticmethod
    def options() -> OpenOptions:
        """A fresh `OpenOptions` (nothing set), as ``OpenOptions()``."""
        return OpenOptions()

    def try_clone(self) -> File:
        """A new `File` for a duplicate descriptor: ``fcntl(fd, F_DUPFD_CLOEXEC, 3)``.

        Both share the file position, status flags and ``flock`` locks.
        """
        clone = FdOwner.try_clone(self)
        clone._path = self._path
        return clone

    # -- Read / Write / Seek ---------------------------------------------------

    def read(self, buf: Buffer, /) -> int:
        """Read once (``read(2)``) at the file position into the writable *buf*; return the count (0: EOF).

        Raises `Error` (InvalidInput once closed; IsADirectory; the OS error
        with the path) and ``TypeError`` for a non-writable *buf*.
        """
        readinto = self._readinto
        try:
            n = readinto(buf)
        except OSError as e:
            del readinto  # a traceback must not keep the descriptor's cell alive
            raise self._error(e) from None
        except TypeError:
            del readinto
            writable_view(buf, "File.read")
            raise
        if n is None:
            del readinto
            raise Error(ErrorKind.WouldBlock, "the descriptor is non-blocking and not ready")
        return n

    def write(self, buf: Buffer, /) -> int:
        """Write once (``write(2)``) from the bytes-like *buf*; return how many bytes went in.

        Raises `Error` (FileTooLarge past RLIMIT_FSIZE or the file system's
        limit, StorageFull, QuotaExceeded, InvalidInput once closed ...) with
        the path, and ``TypeError`` for ``str`` or non-buffers.
        """
        write = self._write
        try:
            n = write(buf)
        except OSError as e:
            del write
            raise self._error(e) from None
        except TypeError:
            del write
            readable_view(buf, "File.write")
            raise
        if n is None:
            del write
            raise Error(ErrorKind.WouldBlock, "the descriptor is non-blocking and not ready")
        return n

    def flush(self) -> None:
        """Nothing to do: `File` keeps no user-space buffer (use `sync_all` for durability)."""
        self._live()

    def seek(self, pos: SeekFrom, /) -> int:
        """Move the file position: ``lseek(fd, offset, whence)``; return the new position.

        Seeking before the start raises `Error` (InvalidInput, EINVAL) and
        leaves the position unchanged; seeking past the end is allowed (a
        later write leaves a hole of zeros).
        """
        pos = seek_arg(pos)
        cell = self._live()
        return _sys.lseek(raw_of(cell, "this File"), pos.offset, pos.whence, self._path)

    def read_to_end(self, buf: bytearray, /) -> int:
        """Read to end of file, appending to *buf*; sized from ``fstat`` and the position.

        Reserves ``size - position`` bytes up front (one ``fstat`` and one
        ``lseek``), then reads straight into *buf*; a file that grows keeps
        being read until ``read`` returns 0. ``progress`` is set on failure.
        """
        if not isinstance(buf, bytearray):
            raise TypeError(
                "read_to_end appends to a caller-owned bytearray: "
                f"buf = bytearray(); f.read_to_end(buf) (got {type(buf).__name__})"
            )
        return default_read_to_end(self, buf, self._size_hint())

    def read_to_string(self) -> str:
        """Read to end of file and decode UTF-8 (`Error` InvalidData otherwise)."""
        buf = bytearray()
        self.read_to_end(buf)
        return decode_utf8(buf)

    def _size_hint(self) -> int | None:
        cell = self._live()
        fd = raw_of(cell, "this File")
        try:
            size = os.fstat(fd).st_size
            pos = os.lseek(fd, 0, os.SEEK_CUR)
        except OSError:
            return None  # not seekable (a pipe behind File): no hint
        return max(size - pos, 0) or None

    # -- metadata and attributes -------------------------------------------------

    def metadata(self) -> Metadata:
        """The file's metadata: ``fstat`` (+ ``statx`` for the birth time on Linux)."""
        cell = self._live()
        fd = raw_of(cell, "this File")
        st = _sys.fstat(fd, self._path)
        return Metadata.from_stat(st, _sys.birth_time_ns(fd=fd))

    def set_len(self, size: int) -> None:
        """Truncate or extend (with zeros) the file to *size* bytes: ``ftruncate``.

        The position is not changed. Needs write access (else InvalidInput,
        EINVAL, or PermissionDenied from the OS); negative sizes raise
        `Error` (InvalidInput).
        """
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"File.set_len takes an int, got {type(size).__name__}")
        if size < 0:
            raise Error(ErrorKind.InvalidInput, f"cannot set a file's length to {size}")
        cell = self._live()
        _sys.ftruncate(raw_of(cell, "this File"), size, self._path)

    def sync_all(self) -> None:
        """Flush data and metadata to the device: ``fsync`` (``F_FULLFSYNC`` on macOS)."""
        cell = self._live()
        _sys.fsync(raw_of(cell, "this File"), self._path)

    def sync_data(self) -> None:
        """Flush the data (and the metadata needed to read it): ``fdatasync``."""
        cell = self._live()
        _sys.fdatasync(raw_of(cell, "this File"), self._path)

    def set_permissions(self, perm: Permissions) -> None:
        """Change the permission bits: ``fchmod(fd, mode)``."""
        if not isinstance(perm, Permissions):
            raise TypeError(f"set_permissions takes a Permissions, got {type(perm).__name__}")
        cell = self._live()
        _sys.fchmod(raw_of(cell, "this File"), perm._mode, self._path)

    def set_times(self, times: FileTimes) -> None:
        """Set the access and/or modification time: ``futimens`` (unset times are left alone)."""
        if not isinstance(times, FileTimes):
            raise TypeError(f"set_times takes a FileTimes, got {type(times).__name__}")
        cell = self._live()
        _sys.set_file_times(raw_of(cell, "this File"), times.accessed_ns(), times.modified_ns(), self._path)

    def set_modified(self, when: datetime.datetime) -> None:
        """Set the modification time (an aware `datetime`): ``futimens`` with the access time omitted."""
        self.set_times(FileTimes().set_modified(when))

    # -- advisory locks ------------------------------------------------------------

    def lock(self) -> None:
        """Take an exclusive advisory lock, waiting for it: ``flock(LOCK_EX)``.

        Locks belong to the open file description (shared with `try_clone`
        duplicates) and are released by `unlock` or by closing. Not
        interruptible by deadlines.
        """
        cell = self._live()
        _sys.flock(raw_of(cell, "this File"), _sys.LOCK_EX, self._path)

    def lock_shared(self) -> None:
        """Take a shared advisory lock, waiting for it: ``flock(LOCK_SH)``."""
        cell = self._live()
        _sys.flock(raw_of(cell, "this File"), _sys.LOCK_SH, self._path)

    def try_lock(self) -> None:
        """Take an exclusive lock without waiting: ``flock(LOCK_EX|LOCK_NB)``.

        Raises `Error` of kind ``WouldBlock`` when another open file holds a
        lock (Rust 1.89's ``TryLockError::WouldBlock``), other errors as they come.
        """
        cell = self._live()
        if not _sys.flock(raw_of(cell, "this File"), _sys.LOCK_EX | _sys.LOCK_NB, self._path):
            raise self._would_block()

    def try_lock_shared(self) -> None:
        """Take a shared lock without waiting: ``flock(LOCK_SH|LOCK_NB)``; `Error` (WouldBlock) if held."""
        cell = self._live()
        if not _sys.flock(raw_of(cell, "this File"), _sys.LOCK_SH | _sys.LOCK_NB, self._path):
            raise self._would_block()

    def unlock(self) -> None:
        """Release this file's lock: ``flock(LOCK_UN)`` (no error when none is held)."""
        cell = self._live()
        _sys.flock(raw_of(cell, "this File"), _sys.LOCK_UN, self._path)

    # -- helpers ------------------------------------------------------------------

    def _would_block(self) -> Error:
        import errno

        err = Error.from_raw_os_error(errno.EWOULDBLOCK, path=self._path)
        return err

    def _error(self, e: OSError) -> Error:
        return _sys.error(e, self._path)

    def __repr__(self) -> str:
        cell = self._cell
        raw = None if cell is None else cell.raw
        if raw is None:
            return "File(closed)"
        path = f", path={os.fspath(self._path)!r}" if self._path is not None else ""
        return f"File(fd={raw}{path})"


