"""Files on Windows: ``CreateFileW`` handles, file pointers, and what a handle knows about its file.

**Opening.** ``CreateFileW(path, access, share, NULL, disposition, flags,
NULL)`` returns a handle or ``INVALID_HANDLE_VALUE`` (a "HandleOrInvalid"
API). The four numbers come from `OpenOptions` through the pure mapping in
`stdio2._sys.windows.fs.open_parameters` (Rust's rules): access rights
(``GENERIC_READ``/``GENERIC_WRITE``, or append's ``FILE_GENERIC_WRITE``
without ``FILE_WRITE_DATA``, which makes every write go to the end), the share
mode (by default read, write *and delete*, so an open file can be renamed or
deleted as on Unix), the creation disposition (``CREATE_NEW``,
``OPEN_ALWAYS`` ...) and flags (``FILE_FLAG_BACKUP_SEMANTICS`` so that
directories can be opened too). ``OPEN_ALWAYS`` / ``CREATE_ALWAYS`` succeed
with last error ``ERROR_ALREADY_EXISTS`` when the file was there: not a
failure. Create-and-truncate is not sent as ``CREATE_ALWAYS``, which
refuses an existing hidden or system file (``ERROR_ACCESS_DENIED``) and
resets the file's attributes: like Rust, stdio2 opens with ``OPEN_ALWAYS``
and truncates an existing file to 0 itself. Opening a directory for
writing fails with ``ERROR_ACCESS_DENIED``; stdio2 does not guess, it
reports PermissionDenied as Windows does.

**Positions.** A handle has one file pointer, shared by its duplicates.
``SetFilePointerEx(h, distance, &new, FILE_BEGIN/CURRENT/END)`` moves it and
reports the new position; a negative result fails with
``ERROR_NEGATIVE_SEEK`` (131), InvalidInput. Seeking past the end is fine; a
later write fills the gap with zeros.

**Positioned I/O.** Windows has no ``pread``/``pwrite``. The same effect
comes from ``ReadFile``/``WriteFile`` given an ``OVERLAPPED`` whose
``Offset``/``OffsetHigh`` hold the low and high 32 bits of the byte offset:
on a handle opened *without* ``FILE_FLAG_OVERLAPPED`` (stdio2's default)
the call still completes before it returns, it just starts at that
offset. Unlike ``pread`` it is not independent of the file pointer: the I/O
manager leaves the pointer at offset + count, so a later plain ``read``
continues after the positioned one (Rust documents the same for
``seek_read``/``seek_write``). A positioned read at or past the end of file
does not return TRUE with 0 bytes as a plain read does: it fails with
``ERROR_HANDLE_EOF`` (38), which `read_at` turns into 0 (where the pointer
ends then is not documented; Wine puts it at the offset). Offsets are signed
64-bit inside NT, and -1 / -2 (``OffsetHigh`` and ``Offset`` all ones, the
last bit 1 / 0) mean "at the end of file" / "at the file pointer", so
callers pass only 0 .. 2**63 - 1. Should a handle opened with
``FILE_FLAG_OVERLAPPED`` reach these calls, ``ReadFile`` may answer
``ERROR_IO_PENDING`` (997) while the kernel still owns the buffer and the
``OVERLAPPED``: `read_at`/`write_at` then wait for the result with
``GetOverlappedResult(..., bWait=TRUE)`` before letting either go.

**Length, durability, metadata.** ``SetFileInformationByHandle`` with
``FileEndOfFileInfo`` truncates or extends without moving the pointer (the
equivalent of ``ftruncate``). ``FlushFileBuffers`` is ``fsync``; Windows has
no ``fdatasync``, so `sync_data` calls it too. ``GetFileInformationByHandle``
fills ``BY_HANDLE_FILE_INFORMATION``: attributes, three ``FILETIME``s (100 ns
ticks since 1601-01-01 UTC, 11644473600 s before the Unix epoch), volume
serial number, size, link count and the 64-bit file index; stdio2 turns it
into an ``os.stat_result`` shaped like the one ``os.stat`` gives on Windows
(mode ``S_IFDIR``/``S_IFREG`` with write bits cleared for
``FILE_ATTRIBUTE_READONLY``), so `Metadata` works unchanged.

**Locks.** ``LockFileEx`` locks a byte range (stdio2 locks the whole range,
``0xFFFFFFFF`` twice) exclusively or shared; with
``LOCKFILE_FAIL_IMMEDIATELY`` it fails with ``ERROR_LOCK_VIOLATION`` (33)
instead of waiting: WouldBlock. ``UnlockFileEx`` of a range not locked fails
with ``ERROR_NOT_LOCKED`` (158; Wine says ``ERROR_LOCK_VIOLATION``), which
`unlock` ignores, as Rust does.
Unlike Unix ``flock``, Windows locks are mandatory: another handle's
``ReadFile`` on a locked range fails.
"""

from __future__ import annotations

import ctypes
import os
import stat as _stat
from typing import Any, Final

from stdio2._sys.windows import handle as _h
from stdio2._sys.windows.fs import CREATE_ALWAYS, OPEN_ALWAYS, open_parameters
from stdio2._sys.windows.kernel32 import ERROR_HANDLE_EOF, MAX_IO, k32
from stdio2.io._error import Error, ErrorKind

__all__ = [
    "file_stat",
    "flush",
    "lock",
    "open_file",
    "read_at",
    "seek",
    "set_len",
    "set_times",
    "unlock",
    "write_at",
]

_DWORD = ctypes.c_uint32
ERROR_ALREADY_EXISTS: Final = 183
ERROR_LOCK_VIOLATION: Final = 33
ERROR_NOT_LOCKED: Final = 158
ERROR_IO_PENDING: Final = 997
FILE_ATTRIBUTE_READONLY: Final = 0x1
FILE_ATTRIBUTE_DIRECTORY: Final = 0x10
FILE_ATTRIBUTE_REPARSE_POINT: Final = 0x400
LOCKFILE_FAIL_IMMEDIATELY: Final = 0x1
LOCKFILE_EXCLUSIVE_LOCK: Final = 0x2
_FILE_END_OF_FILE_INFO: Final = 6
_EPOCH_DIFF_100NS: Final = 116_444_736_000_000_000


class _FILETIME(ctypes.Structure):
    _fields_ = [("lo", _DWORD), ("hi", _DWORD)]


class _BY_HANDLE_FILE_INFORMATION(ctypes.Structure):
    _fields_ = [
        ("dwFileAttributes", _DWORD),
        ("ftCreationTime", _FILETIME),
        ("ftLastAccessTime", _FILETIME),
        ("ftLastWriteTime", _FILETIME),
        ("dwVolumeSerialNumber", _DWORD),
        ("nFileSizeHigh", _DWORD),
        ("nFileSizeLow", _DWORD),
        ("nNumberOfLinks", _DWORD),
        ("nFileIndexHigh", _DWORD),
        ("nFileIndexLow", _DWORD),
    ]


class _OVERLAPPED(ctypes.Structure):
    _fields_ = [
        ("Internal", ctypes.c_size_t),
        ("InternalHigh", ctypes.c_size_t),
        ("Offset", _DWORD),
        ("OffsetHigh", _DWORD),
        ("hEvent", ctypes.c_void_p),
    ]


def _fail(path: Any) -> Error:
    err = Error.last_os_error()
    if path is not None:
        err.path = path
    return err


def open_file(path: str, options: Any, shown: Any) -> int:
    """``CreateFileW`` with the parameters *options* map to; the new handle (owned by the caller).

    ``CREATE_ALWAYS`` (create + truncate) is made as Rust makes it:
    ``OPEN_ALWAYS``, then, when the file was already there, a truncation
    to 0 with ``SetFileInformationByHandle``. ``CREATE_ALWAYS`` itself fails
    with ``ERROR_ACCESS_DENIED`` on an existing hidden or system file (and
    replaces the file's attributes); the emulation truncates it and keeps
    them. A failed truncation closes the new handle and raises its `Error`.
    """
    p = open_parameters(options)
    emulate = p.creation_disposition == CREATE_ALWAYS
    dll = k32()
    raw = dll.CreateFileW(
        path,
        p.desired_access,
        p.share_mode,
        None,
        OPEN_ALWAYS if emulate else p.creation_disposition,
        p.flags_and_attributes,
        None,
    )
    handle = _h.normalize_handle(raw or 0)
    if handle in (_h.INVALID_HANDLE_VALUE, _h.NULL):
        raise _fail(shown)
    # OPEN_ALWAYS succeeds with last error ERROR_ALREADY_EXISTS when it
    # opened an existing file (read right after the call: ctypes saved it).
    if emulate and ctypes.get_last_error() == ERROR_ALREADY_EXISTS:  # type: ignore[attr-defined,unused-ignore]
        try:
            set_len(handle, 0, shown)
        except Error:
            dll.CloseHandle(handle)
            raise
    return handle


def seek(handle: int, offset: int, whence: int, path: Any) -> int:
    """``SetFilePointerEx``; *whence* is 0/1/2 (FILE_BEGIN/CURRENT/END, the same numbers as SEEK_*)."""
    new = ctypes.c_int64()
    if not k32().SetFilePointerEx(handle, offset, ctypes.byref(new), whence):
        raise _fail(path)
    return int(new.value)


def _overlapped_at(offset: int) -> _OVERLAPPED:
    ov = _OVERLAPPED()
    ov.Offset = offset & 0xFFFF_FFFF
    ov.OffsetHigh = offset >> 32
    return ov


def _positioned(call: Any, handle: int, ptr: Any, n: int, offset: int) -> tuple[int, int]:
    # (count, 0) or (0, Windows error code). It raises nothing: an exception
    # raised here would keep *ptr*, and so the caller's buffer export, alive
    # in its traceback.
    ov = _overlapped_at(offset)
    done = _DWORD()
    if call(handle, ptr, n, ctypes.byref(done), ctypes.byref(ov)):
        return int(done.value), 0
    code: int = ctypes.get_last_error()  # type: ignore[attr-defined,unused-ignore]
    if code == ERROR_IO_PENDING:
        # An overlapped handle: the kernel still writes into *ptr* and *ov*,
        # so neither may be released before the operation ends.
        if k32().GetOverlappedResult(handle, ctypes.byref(ov), ctypes.byref(done), True):
            return int(done.value), 0
        code = ctypes.get_last_error()  # type: ignore[attr-defined,unused-ignore]
    return 0, code


def _positioned_error(code: int, path: Any) -> Error:
    err = Error.from_raw_os_error(code)
    if path is not None:
        err.path = path
    return err


def read_at(handle: int, view: memoryview, offset: int, path: Any) -> int:
    """One ``ReadFile`` into *view* (writable, bytes) starting at *offset* (``OVERLAPPED.Offset``).

    Returns the count, 0 at or past the end of file (``ERROR_HANDLE_EOF``).
    Leaves the file pointer at offset + count. *offset* must be in
    0 .. 2**63 - 1. An empty *view* still makes the call. Raises `Error`
    with the Windows code and *path*.
    """
    read_file = k32().ReadFile  # raises off Windows, before the buffer is exported
    n = min(len(view), MAX_IO)
    buf = (ctypes.c_char * n).from_buffer(view) if n else None
    count, code = _positioned(read_file, handle, buf, n, offset)
    del buf
    if code and code != ERROR_HANDLE_EOF:
        raise _positioned_error(code, path)
    return count


def write_at(handle: int, view: memoryview, offset: int, path: Any) -> int:
    """One ``WriteFile`` of *view* (bytes) starting at *offset* (``OVERLAPPED.Offset``); the count.

    Writing past the end extends the file, the gap reading as zeros. Leaves
    the file pointer at offset + count (a handle opened for appending only
    writes at the end, whatever *offset* says). Raises `Error`.
    """
    write_file = k32().WriteFile  # raises off Windows, before the buffer is exported
    n = min(len(view), MAX_IO)
    buf: Any = None
    if n and view.readonly:
        # ctypes passes the storage of a bytes object directly: one copy.
        buf = view[:n].tobytes()
    elif n:
        buf = (ctypes.c_char * n).from_buffer(view)
    count, code = _positioned(write_file, handle, buf, n, offset)
    del buf
    if code:
        raise _positioned_error(code, path)
    return count


def size(handle: int) -> int | None:
    """``GetFileSizeEx``, or None when the handle has no size (a pipe, a console)."""
    value = ctypes.c_int64()
    if not k32().GetFileSizeEx(handle, ctypes.byref(value)):
        return None
    return int(value.value)


def set_len(handle: int, length: int, path: Any) -> None:
    """``SetFileInformationByHandle(FileEndOfFileInfo)``: truncate/extend, the pointer unchanged."""
    info = ctypes.c_int64(length)
    if not k32().SetFileInformationByHandle(
        handle, _FILE_END_OF_FILE_INFO, ctypes.byref(info), ctypes.sizeof(info)
    ):
        raise _fail(path)


def flush(handle: int, path: Any) -> None:
    """``FlushFileBuffers``."""
    if not k32().FlushFileBuffers(handle):
        raise _fail(path)


def _ns(ft: _FILETIME) -> int:
    ticks = (int(ft.hi) << 32) | int(ft.lo)
    return (ticks - _EPOCH_DIFF_100NS) * 100


def _filetime(ns: int) -> _FILETIME:
    ticks = ns // 100 + _EPOCH_DIFF_100NS
    return _FILETIME(ticks & 0xFFFF_FFFF, ticks >> 32)


def file_stat(handle: int, path: Any) -> tuple[os.stat_result, int]:
    """``GetFileInformationByHandle`` as an ``os.stat_result`` plus the creation time in ns."""
    info = _BY_HANDLE_FILE_INFORMATION()
    if not k32().GetFileInformationByHandle(handle, ctypes.byref(info)):
        raise _fail(path)
    attrs = info.dwFileAttributes
    mode = _stat.S_IFDIR | 0o111 if attrs & FILE_ATTRIBUTE_DIRECTORY else _stat.S_IFREG
    mode |= 0o444 if attrs & FILE_ATTRIBUTE_READONLY else 0o666
    size_ = (info.nFileSizeHigh << 32) | info.nFileSizeLow
    ino = (info.nFileIndexHigh << 32) | info.nFileIndexLow
    atime, mtime, ctime = _ns(info.ftLastAccessTime), _ns(info.ftLastWriteTime), _ns(info.ftCreationTime)
    fields = (
        mode, ino, info.dwVolumeSerialNumber, info.nNumberOfLinks, 0, 0, size_,
        atime // 10**9, mtime // 10**9, ctime // 10**9,
    )
    extra = {
        "st_atime": atime / 1e9,
        "st_mtime": mtime / 1e9,
        "st_ctime": ctime / 1e9,
        "st_atime_ns": atime,
        "st_mtime_ns": mtime,
        "st_ctime_ns": ctime,
        "st_file_attributes": attrs,
    }
    return os.stat_result(fields, extra), ctime


def set_times(handle: int, accessed_ns: int | None, modified_ns: int | None,
              created_ns: int | None, path: Any) -> None:
    """``SetFileTime``; a NULL pointer leaves that time unchanged."""
    def arg(ns: int | None) -> Any:
        return None if ns is None else ctypes.byref(_filetime(ns))

    if not k32().SetFileTime(handle, arg(created_ns), arg(accessed_ns), arg(modified_ns)):
        raise _fail(path)


def lock(handle: int, *, exclusive: bool, wait: bool, path: Any) -> bool:
    """``LockFileEx`` on the whole file; False when *wait* is off and another handle holds a lock."""
    flags = (LOCKFILE_EXCLUSIVE_LOCK if exclusive else 0) | (0 if wait else LOCKFILE_FAIL_IMMEDIATELY)
    ov = _OVERLAPPED()
    if k32().LockFileEx(handle, flags, 0, 0xFFFF_FFFF, 0xFFFF_FFFF, ctypes.byref(ov)):
        return True
    err = _fail(path)
    if not wait and err.raw_os_error() == ERROR_LOCK_VIOLATION:
        return False
    raise err


def unlock(handle: int, path: Any) -> None:
    """``UnlockFileEx`` of the whole file; no error when nothing was locked."""
    ov = _OVERLAPPED()
    if not k32().UnlockFileEx(handle, 0, 0xFFFF_FFFF, 0xFFFF_FFFF, ctypes.byref(ov)):
        err = _fail(path)
        # Windows reports ERROR_NOT_LOCKED; Wine 8 reports ERROR_LOCK_VIOLATION
        # for the same case. Neither can mean anything else for an unlock.
        if err.raw_os_error() not in (ERROR_NOT_LOCKED, ERROR_LOCK_VIOLATION):
            raise err


def would_block(path: Any) -> Error:
    """The error of a ``try_lock`` that would have to wait (ERROR_LOCK_VIOLATION, WouldBlock)."""
    err = Error(ErrorKind.WouldBlock, "the file is locked by another handle")
    err.path = path
    return err
