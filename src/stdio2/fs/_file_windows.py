"""`File` on Windows: an owned handle from ``CreateFileW`` (Rust's ``std::fs::File``).

The same public surface as the Unix `File`; the calls are ``ReadFile``,
``WriteFile``, ``SetFilePointerEx``, ``GetFileInformationByHandle``,
``SetFileInformationByHandle``, ``FlushFileBuffers``, ``SetFileTime`` and
``LockFileEx`` (see `stdio2._sys.windows.file`). ``File(owned_handle)`` takes
ownership of another handle owner and ``OwnedHandle(file)`` hands it back.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from stdio2._sys._owner import Owner, closed_error
from stdio2._sys.windows import file as _sys
from stdio2._sys.windows import handle as _h
from stdio2._sys.windows.kernel32 import read_handle, write_handle
from stdio2.fs._metadata import FileTimes, Metadata, Permissions
from stdio2.fs._options import OpenOptions
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
from stdio2.os.windows.io import BorrowedHandle, OwnedHandle, _HandleCell, _HandleOwner

if TYPE_CHECKING:
    import datetime

    from stdio2._typing import Buffer

__all__ = ["File"]


def _path_arg(path: Any) -> str:
    if isinstance(path, bytes):
        return os.fsdecode(path)
    value = os.fspath(path)
    return value if isinstance(value, str) else os.fsdecode(value)


class File(_HandleOwner, Read, Write, Seek):
    """An open file (Rust's ``std::fs::File``) on a Windows handle: `Read`, `Write`, `Seek`.

    Made by `File.open` (read-only), `File.create` (write, create, truncate),
    `File.create_new` (read-write, must not exist), ``File.options()...open(p)``,
    or ``File(owner)`` taking ownership of another handle owner. Errors are
    `stdio2.io.Error` carrying the Windows error code and the path.
    """

    __slots__ = ("_path",)
    _what = "File"
    _path: Any

    def __init__(self, obj: object) -> None:
        if not isinstance(obj, Owner) or not isinstance(obj._cell, _HandleCell):
            raise TypeError(
                f"File(obj) takes ownership from an owner of a handle (OwnedHandle), "
                f"not {type(obj).__name__}; to open a path use File.open(path)"
            )
        Owner.__init__(self, OwnedHandle(obj)._take())
        self._path = None

    @classmethod
    def _open(cls, path: Any, options: OpenOptions) -> File:
        try:
            raw = _sys.open_file(_path_arg(path), options, path)
        except Error as e:
            # The options' InvalidInput carries the path too (DESIGN §1.6).
            if e.path is None:
                e.path = path
            raise
        self = cls._wrap(_HandleCell(raw, _h.KERNEL32))
        self._path = path
        return self

    @classmethod
    def open(cls, path: Any) -> File:
        """Open *path* read-only (``CreateFileW`` with ``GENERIC_READ``, ``OPEN_EXISTING``)."""
        return cls._open(path, OpenOptions().read(True))

    @classmethod
    def create(cls, path: Any) -> File:
        """Open *path* for writing, creating or truncating it (``OPEN_ALWAYS`` + truncation, as Rust)."""
        return cls._open(path, OpenOptions().write(True).create(True).truncate(True))

    @classmethod
    def create_new(cls, path: Any) -> File:
        """Create *path* read-write (``CREATE_NEW``); `Error` AlreadyExists if it is there."""
        return cls._open(path, OpenOptions().read(True).write(True).create_new(True))

    @staticmethod
    def options() -> OpenOptions:
        """A fresh `OpenOptions` (nothing set)."""
        return OpenOptions()

    def _raw(self) -> tuple[Any, int]:
        cell = self._live()
        raw = cell.raw
        if raw is None:
            raise closed_error("this File")
        return cell, raw

    def as_handle(self) -> BorrowedHandle:
        """Borrow the handle (checked against this owner on every use)."""
        self._live()
        return BorrowedHandle._of(self)

    def as_raw_handle(self) -> int:
        """The raw handle, still owned by this file."""
        return self._raw()[1]

    def into_raw_handle(self) -> int:
        """Give up ownership; the caller must ``CloseHandle`` the result."""
        raw = self._take().detach()
        if raw is None:
            raise closed_error("this File")
        return raw

    def try_clone(self) -> File:
        """A second `File` on a duplicate handle (``DuplicateHandle``); they share the file pointer."""
        cell, raw = self._raw()
        ops = cell.ops if isinstance(cell, _HandleCell) else _h.KERNEL32
        clone = File._wrap(_HandleCell(ops.duplicate(raw), ops))
        clone._path = self._path
        return clone

    def read(self, buf: Buffer, /) -> int:
        """Read once (``ReadFile``) at the file pointer; 0 at end of file."""
        view = writable_view(buf, "File.read")
        with view, view.cast("B") as b:
            cell, raw = self._raw()
            try:
                return read_handle(raw, b, eof_on_broken_pipe=True)
            except Error as e:
                raise self._with_path(e) from None
            finally:
                del cell

    def write(self, buf: Buffer, /) -> int:
        """Write once (``WriteFile``); returns the count (appending files write at the end)."""
        with readable_view(buf, "File.write") as view:
            cell, raw = self._raw()
            try:
                return write_handle(raw, view)
            except Error as e:
                raise self._with_path(e) from None
            finally:
                del cell

    def flush(self) -> None:
        """Nothing to do: `File` keeps no user-space buffer (`sync_all` is ``FlushFileBuffers``)."""
        self._live()

    def seek(self, pos: SeekFrom, /) -> int:
        """Move the file pointer (``SetFilePointerEx``); return the new position."""
        pos = seek_arg(pos)
        _cell, raw = self._raw()
        return _sys.seek(raw, pos.offset, pos.whence, self._path)

    def read_to_end(self, buf: bytearray, /) -> int:
        """Read to end of file, appending to *buf* (sized from ``GetFileSizeEx`` and the pointer)."""
        if not isinstance(buf, bytearray):
            raise TypeError(
                "read_to_end appends to a caller-owned bytearray: "
                f"buf = bytearray(); f.read_to_end(buf) (got {type(buf).__name__})"
            )
        _cell, raw = self._raw()
        hint = None
        total = _sys.size(raw)
        if total is not None:
            try:
                hint = max(total - _sys.seek(raw, 0, 1, self._path), 0) or None
            except Error:
                hint = None
        return default_read_to_end(self, buf, hint)

    def read_to_string(self) -> str:
        """Read to end of file and decode UTF-8 (`Error` InvalidData otherwise)."""
        buf = bytearray()
        self.read_to_end(buf)
        return decode_utf8(buf)

    def metadata(self) -> Metadata:
        """The file's metadata (``GetFileInformationByHandle``), creation time included."""
        _cell, raw = self._raw()
        st, created = _sys.file_stat(raw, self._path)
        return Metadata.from_stat(st, created)

    def set_len(self, size: int) -> None:
        """Truncate or extend the file (``SetFileInformationByHandle(FileEndOfFileInfo)``)."""
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"File.set_len takes an int, got {type(size).__name__}")
        if size < 0:
            raise Error(ErrorKind.InvalidInput, f"cannot set a file's length to {size}")
        _cell, raw = self._raw()
        _sys.set_len(raw, size, self._path)

    def sync_all(self) -> None:
        """``FlushFileBuffers``."""
        _cell, raw = self._raw()
        _sys.flush(raw, self._path)

    def sync_data(self) -> None:
        """``FlushFileBuffers`` (Windows has no data-only flush)."""
        self.sync_all()

    def set_permissions(self, perm: Permissions) -> None:
        """Set or clear the read-only attribute (through the path, ``SetFileAttributesW``)."""
        if not isinstance(perm, Permissions):
            raise TypeError(f"set_permissions takes a Permissions, got {type(perm).__name__}")
        if self._path is None:
            raise Error(ErrorKind.Unsupported, "set_permissions needs the path the File was opened with")
        try:
            os.chmod(self._path, 0o444 if perm.readonly() else 0o666)
        except OSError as e:
            raise Error.from_os_error(e, path=self._path) from None

    def set_times(self, times: FileTimes) -> None:
        """``SetFileTime`` (unset times are left alone; ``FileTimesExt.set_created`` too)."""
        if not isinstance(times, FileTimes):
            raise TypeError(f"set_times takes a FileTimes, got {type(times).__name__}")
        _cell, raw = self._raw()
        _sys.set_times(raw, times.accessed_ns(), times.modified_ns(), times._created, self._path)

    def set_modified(self, when: datetime.datetime) -> None:
        """Set the last-write time (an aware `datetime`)."""
        self.set_times(FileTimes().set_modified(when))

    def lock(self) -> None:
        """Exclusive lock of the whole file, waiting for it (``LockFileEx``)."""
        _cell, raw = self._raw()
        _sys.lock(raw, exclusive=True, wait=True, path=self._path)

    def lock_shared(self) -> None:
        """Shared lock of the whole file, waiting for it (``LockFileEx``)."""
        _cell, raw = self._raw()
        _sys.lock(raw, exclusive=False, wait=True, path=self._path)

    def try_lock(self) -> None:
        """Exclusive lock without waiting; `Error` (WouldBlock) when another handle holds one."""
        _cell, raw = self._raw()
        if not _sys.lock(raw, exclusive=True, wait=False, path=self._path):
            raise _sys.would_block(self._path)

    def try_lock_shared(self) -> None:
        """Shared lock without waiting; `Error` (WouldBlock) when another handle holds an exclusive one."""
        _cell, raw = self._raw()
        if not _sys.lock(raw, exclusive=False, wait=False, path=self._path):
            raise _sys.would_block(self._path)

    def unlock(self) -> None:
        """Release this handle's lock (``UnlockFileEx``; no error when none is held)."""
        _cell, raw = self._raw()
        _sys.unlock(raw, self._path)

    def _with_path(self, e: Error) -> Error:
        if e.path is None and self._path is not None:
            e.path = self._path
        return e

    def __repr__(self) -> str:
        cell = self._cell
        raw = None if cell is None else cell.raw
        if raw is None:
            return "File(closed)"
        path = f", path={os.fspath(self._path)!r}" if self._path is not None else ""
        return f"File(handle={_h.describe_handle(raw)}{path})"

