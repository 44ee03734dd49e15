"""Removing a directory tree on Windows by handles, never by path: the calls and why.

**Why walking by name races.** A remover that lists ``C:\\t`` and then opens
``C:\\t\\sub`` by name asks the file system to resolve the name *again*.
Between the listing and that open, another process may rename ``sub`` away
and put a junction (or a directory symbolic link) named ``sub`` pointing at
``C:\\Users\\victim``; the open then follows it, and the remover empties a
directory it was never asked to touch. That is CVE-2022-21658, which Rust
fixed in 1.58.1 for every platform. Checking "is it a link?" before the
descent does not help: the check and the open are two look-ups of the name.

**Handle-relative opens.** The native ``NtOpenFile`` (and ``NtCreateFile``)
takes an ``OBJECT_ATTRIBUTES`` whose ``RootDirectory`` is an open directory
handle and whose ``ObjectName`` is a name *inside* it. The name is resolved
in the directory object the handle refers to, wherever that directory has
been moved since, exactly as ``openat(2)`` does on Unix. Win32's
``CreateFileW`` has no such parameter, so the walk goes to ``ntdll``. Only
the root is opened by path (``CreateFileW``), once.

**FILE_OPEN_REPARSE_POINT.** A *reparse point* is an object the file system
redirects when a path goes through it: symbolic links
(``IO_REPARSE_TAG_SYMLINK``), junctions (``IO_REPARSE_TAG_MOUNT_POINT``) and
others. The open option ``FILE_OPEN_REPARSE_POINT`` (Win32's
``FILE_FLAG_OPEN_REPARSE_POINT``) opens the reparse point *itself*: the
resulting handle is the link, never its target. With a single-component
name relative to a handle there is no other component that could be
redirected, so every object this walk opens is an entry of the directory
it holds, whatever an attacker renames meanwhile. Listing a junction's own
handle lists the junction's (empty) directory, not its target.

**Listing through the handle.** ``NtQueryDirectoryFile`` reads the entries
of the directory a handle refers to, filling records such as
``FILE_ID_FULL_DIR_INFORMATION`` (attributes, the file id, the UTF-16
name). The walk decides from the record's attributes: a directory without
``FILE_ATTRIBUTE_REPARSE_POINT`` is entered, anything else (a file, or any
reparse point, directory or not) is deleted as one object. The handle needs
``FILE_LIST_DIRECTORY`` and, for the synchronous calls used here,
``SYNCHRONIZE`` with ``FILE_SYNCHRONOUS_IO_NONALERT``.

**Deleting through a handle.** Windows deletes by *disposition*: a handle
opened with ``DELETE`` access marks its file for deletion
(``NtSetInformationFile(FileDispositionInformation, DeleteFile=TRUE)``),
and the name goes away when the last handle to the file is closed
(delete-on-close). Until then the file is "delete pending": other opens fail
with ``STATUS_DELETE_PENDING`` and its parent directory is not yet empty.
Windows 10 1709+ offers ``FileDispositionInformationEx`` with
``FILE_DISPOSITION_FLAG_POSIX_SEMANTICS``: the name is unlinked at once, as
``unlink(2)`` does, while open handles keep the data; its
``FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE`` (1809+) deletes
read-only files too. The walk asks for that first and falls back to the
classic disposition when the file system or the system refuses the class
(``STATUS_INVALID_PARAMETER``, ``STATUS_NOT_SUPPORTED``,
``STATUS_INVALID_INFO_CLASS``); every handle is closed right after its
disposition is set, so the entry disappears promptly.

**Read-only blocks deletion.** With the classic disposition a file with
``FILE_ATTRIBUTE_READONLY`` cannot be marked (``STATUS_CANNOT_DELETE``,
Win32's ``ERROR_ACCESS_DENIED``). Rust's ``remove_dir_all`` removes it
anyway, and so does this walk: it clears the attribute through the same
handle (``NtSetInformationFile(FileBasicInformation)``, which needs
``FILE_WRITE_ATTRIBUTES``, asked for only when the listing shows the
attribute) and sets the disposition again.

**A directory must be empty.** Setting the disposition of a directory that
still has entries fails with ``STATUS_DIRECTORY_NOT_EMPTY``. A child that is
only delete pending (someone else still holds it open) still counts, so the
walk lists the directory again and retries a bounded number of times before
it reports `ErrorKind.DirectoryNotEmpty`.

**Checking identity.** Each record carries the entry's file id; a directory
opened to be entered must have the same id (``FileInternalInformation``),
or the name was replaced after the listing and the walk does not enter what
it opened (it lists the parent again instead). On Windows this is a second
guard; on Wine it is the one that matters: Wine 8 lists a host (Unix)
symbolic link with ``FILE_ATTRIBUTE_REPARSE_POINT`` but *follows* it on open
even with ``FILE_OPEN_REPARSE_POINT``. For the same reason an entry listed
as a reparse point must still be one through the opened handle
(``FileAttributeTagInformation``) before it is deleted.

**Errors.** Native calls return an ``NTSTATUS``; ``RtlNtStatusToDosError``
maps it to the Win32 code that `Error.from_raw_os_error` turns into an
`ErrorKind` (``STATUS_OBJECT_NAME_NOT_FOUND`` -> 2 NotFound,
``STATUS_DIRECTORY_NOT_EMPTY`` -> 145 DirectoryNotEmpty,
``STATUS_CANNOT_DELETE`` -> 5 PermissionDenied). Every error carries the
path of the entry involved (the root path joined with the names walked).
Entries that vanish concurrently (``STATUS_OBJECT_NAME_NOT_FOUND``,
``STATUS_OBJECT_PATH_NOT_FOUND``, ``STATUS_DELETE_PENDING``) are skipped:
the goal is reached. Every handle opened here is closed exactly once.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from typing import Any, Final

from stdio2._sys.windows.kernel32 import k32, set_prototypes
from stdio2.io._error import Error, ErrorKind

__all__ = ["remove_tree"]

# Access rights.
FILE_LIST_DIRECTORY: Final = 0x0001
FILE_READ_ATTRIBUTES: Final = 0x0080
FILE_WRITE_ATTRIBUTES: Final = 0x0100
DELETE: Final = 0x0001_0000
SYNCHRONIZE: Final = 0x0010_0000
# Share modes: never lock others out of what is being deleted.
SHARE_ALL: Final = 0x1 | 0x2 | 0x4
# NtOpenFile options.
FILE_DIRECTORY_FILE: Final = 0x0000_0001
FILE_SYNCHRONOUS_IO_NONALERT: Final = 0x0000_0020
FILE_OPEN_FOR_BACKUP_INTENT: Final = 0x0000_4000
FILE_OPEN_REPARSE_POINT: Final = 0x0020_0000
# CreateFileW.
OPEN_EXISTING: Final = 3
FILE_FLAG_BACKUP_SEMANTICS: Final = 0x0200_0000
FILE_FLAG_OPEN_REPARSE_POINT: Final = 0x0020_0000
INVALID_HANDLE_VALUE: Final = (1 << (8 * ctypes.sizeof(ctypes.c_void_p))) - 1
# Attributes.
FILE_ATTRIBUTE_READONLY: Final = 0x0001
FILE_ATTRIBUTE_DIRECTORY: Final = 0x0010
FILE_ATTRIBUTE_NORMAL: Final = 0x0080
FILE_ATTRIBUTE_REPARSE_POINT: Final = 0x0400
# Information classes (FILE_INFORMATION_CLASS).
FileBasicInformation: Final = 4
FileInternalInformation: Final = 6
FileDispositionInformation: Final = 13
FileAttributeTagInformation: Final = 35
FileIdFullDirectoryInformation: Final = 38
FileDispositionInformationEx: Final = 64
FILE_DISPOSITION_FLAG_DELETE: Final = 0x1
FILE_DISPOSITION_FLAG_POSIX_SEMANTICS: Final = 0x2
FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE: Final = 0x10
# NTSTATUS values (as unsigned 32-bit numbers).
STATUS_SUCCESS: Final = 0
STATUS_BUFFER_OVERFLOW: Final = 0x8000_0005
STATUS_NO_MORE_FILES: Final = 0x8000_0006
STATUS_NOT_IMPLEMENTED: Final = 0xC000_0002
STATUS_INVALID_INFO_CLASS: Final = 0xC000_0003
STATUS_INVALID_PARAMETER: Final = 0xC000_000D
STATUS_NO_SUCH_FILE: Final = 0xC000_000F
STATUS_ACCESS_DENIED: Final = 0xC000_0022
STATUS_OBJECT_NAME_NOT_FOUND: Final = 0xC000_0034
STATUS_OBJECT_PATH_NOT_FOUND: Final = 0xC000_003A
STATUS_DELETE_PENDING: Final = 0xC000_0056
STATUS_NOT_SUPPORTED: Final = 0xC000_00BB
STATUS_DIRECTORY_NOT_EMPTY: Final = 0xC000_0101
STATUS_NOT_A_DIRECTORY: Final = 0xC000_0103
STATUS_CANNOT_DELETE: Final = 0xC000_0121
ERROR_DIR_NOT_EMPTY: Final = 145
ERROR_DIRECTORY: Final = 267

_GONE: Final = frozenset(
    {STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND, STATUS_DELETE_PENDING}
)
_CLASS_REFUSED: Final = frozenset(
    {STATUS_INVALID_PARAMETER, STATUS_NOT_SUPPORTED, STATUS_INVALID_INFO_CLASS, STATUS_NOT_IMPLEMENTED}
)
# FILE_ID_FULL_DIR_INFORMATION: NextEntryOffset @0, FileAttributes @56,
# FileNameLength @60 (bytes), FileId @72, FileName @80.
_REC_ATTRS: Final = 56
_REC_NAMELEN: Final = 60
_REC_ID: Final = 72
_REC_NAME: Final = 80
_LIST_BUFFER: Final = 64 * 1024
# How often a directory that is still not empty is listed again before giving up.
_EMPTY_ROUNDS: Final = 16
_UNKNOWN_IDS: Final = frozenset({0, (1 << 64) - 1})


class _UnicodeString(ctypes.Structure):
    _fields_ = [
        ("Length", ctypes.c_ushort),
        ("MaximumLength", ctypes.c_ushort),
        ("Buffer", ctypes.c_void_p),
    ]


class _ObjectAttributes(ctypes.Structure):
    _fields_ = [
        ("Length", ctypes.c_ulong),
        ("RootDirectory", ctypes.c_void_p),
        ("ObjectName", ctypes.POINTER(_UnicodeString)),
        ("Attributes", ctypes.c_ulong),
        ("SecurityDescriptor", ctypes.c_void_p),
        ("SecurityQualityOfService", ctypes.c_void_p),
    ]


class _IoStatusBlock(ctypes.Structure):
    # The Status/Pointer union is pointer-sized; Status is its low 32 bits.
    _fields_ = [("Status", ctypes.c_void_p), ("Information", ctypes.c_size_t)]


class _BasicInformation(ctypes.Structure):
    _fields_ = [
        ("CreationTime", ctypes.c_int64),
        ("LastAccessTime", ctypes.c_int64),
        ("LastWriteTime", ctypes.c_int64),
        ("ChangeTime", ctypes.c_int64),
        ("FileAttributes", ctypes.c_ulong),
    ]


_ntdll: Any = None
# None until the first try: does this system accept FileDispositionInformationEx?
_posix_delete: bool | None = None


def _nt() -> Any:
    global _ntdll
    if _ntdll is None:
        if sys.platform != "win32":
            raise Error(ErrorKind.Unsupported, "ntdll exists only on Windows")
        # A private instance: prototypes set here must not change other code's ntdll.
        dll = ctypes.WinDLL("ntdll")  # type: ignore[attr-defined,unused-ignore]
        P, VP, UL = ctypes.POINTER, ctypes.c_void_p, ctypes.c_ulong
        protos: dict[str, tuple[Any, list[Any]]] = {
            "NtOpenFile": (
                ctypes.c_long,
                [P(VP), UL, P(_ObjectAttributes), P(_IoStatusBlock), UL, UL],
            ),
            "NtQueryDirectoryFile": (
                ctypes.c_long,
                [VP, VP, VP, VP, P(_IoStatusBlock), VP, UL, ctypes.c_int, ctypes.c_ubyte,
                 P(_UnicodeString), ctypes.c_ubyte],
            ),
            "NtQueryInformationFile": (
                ctypes.c_long, [VP, P(_IoStatusBlock), VP, UL, ctypes.c_int]
            ),
            "NtSetInformationFile": (
                ctypes.c_long, [VP, P(_IoStatusBlock), VP, UL, ctypes.c_int]
            ),
            "RtlNtStatusToDosError": (UL, [ctypes.c_long]),
        }
        set_prototypes(dll, protos)
        _ntdll = dll
    return _ntdll


def _status(value: int) -> int:
    return value & 0xFFFF_FFFF


def _nt_error(status: int, path: Any) -> Error:
    signed = status - (1 << 32) if status & 0x8000_0000 else status
    code = int(_nt().RtlNtStatusToDosError(signed))
    return Error.from_raw_os_error(code, path=path)


def _close(handle: int) -> None:
    k32().CloseHandle(handle)


def _open_root(path: str, shown: Any) -> int:
    # CreateFileW gives FILE_SYNCHRONOUS_IO_NONALERT itself (no FILE_FLAG_OVERLAPPED).
    handle = k32().CreateFileW(
        path,
        DELETE | FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE,
        SHARE_ALL,
        None,
        OPEN_EXISTING,
        FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
        None,
    )
    if handle is None or handle == INVALID_HANDLE_VALUE:
        code = ctypes.get_last_error()  # type: ignore[attr-defined,unused-ignore]
        raise Error.from_raw_os_error(code, path=shown)
    return int(handle)


def _open_child(parent: int, name: bytes, access: int, options: int) -> tuple[int, int]:
    """``NtOpenFile`` of *name* (UTF-16LE) relative to *parent*; returns (status, handle)."""
    buf = ctypes.create_string_buffer(name, len(name))
    ustr = _UnicodeString(len(name), len(name), ctypes.addressof(buf))
    attrs = _ObjectAttributes(ctypes.sizeof(_ObjectAttributes), parent, ctypes.pointer(ustr), 0, None, None)
    out = ctypes.c_void_p()
    iosb = _IoStatusBlock()
    status = _status(
        _nt().NtOpenFile(
            ctypes.byref(out),
            access | SYNCHRONIZE,
            ctypes.byref(attrs),
            ctypes.byref(iosb),
            SHARE_ALL,
            options | FILE_OPEN_REPARSE_POINT | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT,
        )
    )
    return status, int(out.value or 0) if status == STATUS_SUCCESS else 0


def _query(handle: int, info_class: int, size: int, path: Any) -> bytes:
    buf = ctypes.create_string_buffer(size)
    iosb = _IoStatusBlock()
    status = _status(_nt().NtQueryInformationFile(handle, ctypes.byref(iosb), buf, size, info_class))
    if status != STATUS_SUCCESS:
        raise _nt_error(status, path)
    return buf.raw


def _attribute_tag(handle: int, path: Any) -> int:
    """The handle's ``FILE_ATTRIBUTE_*`` bits (``FileAttributeTagInformation``)."""
    return int.from_bytes(_query(handle, FileAttributeTagInformation, 8, path)[:4], "little")


def _file_id(handle: int, path: Any) -> int:
    return int.from_bytes(_query(handle, FileInternalInformation, 8, path), "little")


def _set(handle: int, info_class: int, data: Any) -> int:
    iosb = _IoStatusBlock()
    size = ctypes.sizeof(data)
    status = _nt().NtSetInformationFile(handle, ctypes.byref(iosb), ctypes.byref(data), size, info_class)
    return _status(status)


def _clear_readonly(handle: int, attributes: int, path: Any) -> None:
    info = _BasicInformation()  # zero times: leave them unchanged
    rest = attributes & ~FILE_ATTRIBUTE_READONLY
    info.FileAttributes = rest or FILE_ATTRIBUTE_NORMAL  # 0 would mean "leave unchanged"
    status = _set(handle, FileBasicInformation, info)
    if status != STATUS_SUCCESS:
        raise _nt_error(status, path)


def _delete(handle: int, attributes: int, path: Any) -> None:
    """Mark the object behind *handle* for deletion; ignores an object already being deleted."""
    global _posix_delete
    if _posix_delete is not False:
        flags = ctypes.c_ulong(
            FILE_DISPOSITION_FLAG_DELETE
            | FILE_DISPOSITION_FLAG_POSIX_SEMANTICS
            | FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE
        )
        status = _set(handle, FileDispositionInformationEx, flags)
        if status not in _CLASS_REFUSED:
            _posix_delete = True
            if status in (STATUS_SUCCESS, STATUS_DELETE_PENDING):
                return
            if status not in (STATUS_CANNOT_DELETE, STATUS_ACCESS_DENIED):
                raise _nt_error(status, path)
        elif _posix_delete is None:
            _posix_delete = False
    delete = ctypes.c_ubyte(1)
    status = _set(handle, FileDispositionInformation, delete)
    if status in (STATUS_CANNOT_DELETE, STATUS_ACCESS_DENIED) and attributes & FILE_ATTRIBUTE_READONLY:
        _clear_readonly(handle, attributes, path)
        status = _set(handle, FileDispositionInformation, delete)
    if status not in (STATUS_SUCCESS, STATUS_DELETE_PENDING):
        raise _nt_error(status, path)


def _list(handle: int, path: Any) -> list[tuple[bytes, int, int]]:
    """Every entry of the directory *handle* as (UTF-16LE name, attributes, file id), without . and .."""
    buf = ctypes.create_string_buffer(_LIST_BUFFER)
    entries: list[tuple[bytes, int, int]] = []
    restart = 1
    while True:
        iosb = _IoStatusBlock()
        status = _status(
            _nt().NtQueryDirectoryFile(
                handle, None, None, None, ctypes.byref(iosb), buf, _LIST_BUFFER,
                FileIdFullDirectoryInformation, 0, None, restart,
            )
        )
        restart = 0
        if status in (STATUS_NO_MORE_FILES, STATUS_NO_SUCH_FILE):
            return entries
        if status != STATUS_SUCCESS:
            raise _nt_error(status, path)
        raw = buf.raw[: int(iosb.Information) or _LIST_BUFFER]
        at = 0
        while True:
            following = int.from_bytes(raw[at : at + 4], "little")
            attributes = int.from_bytes(raw[at + _REC_ATTRS : at + _REC_ATTRS + 4], "little")
            size = int.from_bytes(raw[at + _REC_NAMELEN : at + _REC_NAMELEN + 4], "little")
            ident = int.from_bytes(raw[at + _REC_ID : at + _REC_ID + 8], "little")
            name = raw[at + _REC_NAME : at + _REC_NAME + size]
            if name not in (b".\x00", b".\x00.\x00"):
                entries.append((name, attributes, ident))
            if not following:
                break
            at += following


def _display(parent: Any, name: bytes) -> str:
    return os.path.join(os.fspath(parent), name.decode("utf-16-le", "surrogatepass"))


class _Frame:
    """One open directory of the walk: its handle, shown path, and entries still to visit."""

    __slots__ = ("attributes", "entries", "handle", "path", "rounds")

    def __init__(self, handle: int, path: Any, attributes: int) -> None:
        self.handle = handle
        self.path = path
        self.attributes = attributes
        self.entries: list[tuple[bytes, int, int]] | None = None
        self.rounds = 0


def _remove_entry(parent: _Frame, name: bytes, attributes: int, ident: int) -> _Frame | None:
    """Delete one non-directory entry, or open a directory entry; returns the frame to enter."""
    path = _display(parent.path, name)
    is_link = bool(attributes & FILE_ATTRIBUTE_REPARSE_POINT)
    if attributes & FILE_ATTRIBUTE_DIRECTORY and not is_link:
        status, handle = _open_child(
            parent.handle, name,
            DELETE | FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES,
            FILE_DIRECTORY_FILE,
        )
        if status in _GONE or status == STATUS_NOT_A_DIRECTORY:
            return None  # gone, or replaced by a file: the next listing of the parent sees it
        if status != STATUS_SUCCESS:
            raise _nt_error(status, path)
        try:
            now = _attribute_tag(handle, path)
            if ident not in _UNKNOWN_IDS and _file_id(handle, path) != ident:
                # Not the directory listed: the name was replaced. Leave it to the next listing.
                _close(handle)
                return None
            if now & FILE_ATTRIBUTE_REPARSE_POINT:
                # Turned into a link in place: the handle is the link itself.
                _delete(handle, now, path)
                _close(handle)
                return None
        except BaseException:
            _close(handle)
            raise
        return _Frame(handle, path, now)
    access = DELETE | FILE_READ_ATTRIBUTES
    if attributes & FILE_ATTRIBUTE_READONLY:
        access |= FILE_WRITE_ATTRIBUTES
    status, handle = _open_child(parent.handle, name, access, 0)
    if status in _GONE:
        return None
    if status != STATUS_SUCCESS:
        raise _nt_error(status, path)
    try:
        if is_link and not _attribute_tag(handle, path) & FILE_ATTRIBUTE_REPARSE_POINT:
            # Listed as a link, opened as something else: the open followed a link
            # (Wine does) or the name was replaced. Never delete what was reached.
            return None
        _delete(handle, attributes, path)
    finally:
        _close(handle)
    return None


def remove_tree(path: str, shown: Any) -> None:
    """Remove the directory *path* and everything in it, by handles; see the module text.

    The root is opened once (``CreateFileW`` with ``FILE_FLAG_OPEN_REPARSE_POINT``):
    a reparse point root is deleted itself, a file root raises NotADirectory
    (``ERROR_DIRECTORY``). Errors carry *shown* joined with the names walked.
    """
    root = _open_root(path, shown)
    stack: list[_Frame] = []
    root_id = 0
    try:
        attributes = _attribute_tag(root, shown)
        if attributes & FILE_ATTRIBUTE_REPARSE_POINT:
            _delete(root, attributes, shown)
            return
        if not attributes & FILE_ATTRIBUTE_DIRECTORY:
            raise Error.from_raw_os_error(ERROR_DIRECTORY, path=shown)
        root_id = _file_id(root, shown)
        stack.append(_Frame(root, shown, attributes))
        root = 0  # owned by the stack now
        while stack:
            frame = stack[-1]
            if frame.entries is None:
                frame.entries = _list(frame.handle, frame.path)
                frame.entries.reverse()  # pop() from the end visits them in listing order
            entered = None
            while frame.entries and entered is None:
                entered = _remove_entry(frame, *frame.entries.pop())
            if entered is not None:
                stack.append(entered)
                continue
            try:
                _delete(frame.handle, frame.attributes, frame.path)
            except Error as e:
                if e.kind is not ErrorKind.DirectoryNotEmpty or frame.rounds >= _EMPTY_ROUNDS:
                    raise
                # New entries, or children still delete pending: list again.
                frame.rounds += 1
                frame.entries = None
                time.sleep(0.001 * frame.rounds)
                continue
            stack.pop()
            _close(frame.handle)
    finally:
        if root:
            _close(root)
        while stack:
            _close(stack.pop().handle)
    _check_gone(path, shown, root_id)


def _check_gone(path: str, shown: Any, root_id: int) -> None:
    # Windows refuses a non-empty directory's disposition when it is set; Wine
    # accepts it and then fails the removal silently at close. Look once.
    try:
        st = os.lstat(path)
    except OSError:
        return
    if root_id not in _UNKNOWN_IDS and st.st_ino == root_id:
        raise Error.from_raw_os_error(ERROR_DIR_NOT_EMPTY, path=shown)
