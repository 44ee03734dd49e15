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
from stdio2._sys.windows.kernel32 import k32
from stdio2.io._error import Error, ErrorKind

__all__ = [
    "file_stat",
    "flush",
    "lock",
    "open_file",
    "seek",
    "set_len",
    "set_times",
    "unlock",
]

_DWORD = ctypes.c_uint32
ERROR_ALREADY_EXISTS: Final = 183
ERROR_LOCK_VIOLATION: Final = 33
ERROR_NOT_LOCKED: Final = 158
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
