"""Windows-specific extensions to `stdio2.fs` (Rust's ``std::os::windows::fs``).

The `OpenOptionsExt` setters are pure (they record values that
``stdio2._sys.windows.fs.open_parameters`` turns into ``CreateFileW``
arguments) and work on every platform; `symlink_file` / `symlink_dir` call
``CreateSymbolicLinkW`` and `FileExt` calls ``ReadFile`` / ``WriteFile``;
they raise `Error` (Unsupported) off Windows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stdio2._sys._owner import raw_of
from stdio2._sys.windows import file as _file
from stdio2._sys.windows import fs as _sys
from stdio2.fs import File
from stdio2.fs._metadata import FileTimes, Metadata
from stdio2.fs._options import OpenOptions
from stdio2.io._traits import offset_arg, readable_view, writable_view
from stdio2.os_str import _to_os_str

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = ["FileExt", "FileTimesExt", "MetadataExt", "OpenOptionsExt", "symlink_dir", "symlink_file"]


def _dword(value: object, call: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{call} takes an int, got {type(value).__name__}")
    if not 0 <= value <= 0xFFFF_FFFF:
        raise ValueError(f"{call}: {value} does not fit a DWORD")
    return value


class OpenOptionsExt:
    """Windows knobs of `OpenOptions` (Rust's ``OpenOptionsExt``); each returns the options."""

    __slots__ = ()

    @staticmethod
    def access_mode(options: OpenOptions, access: int) -> OpenOptions:
        """``dwDesiredAccess`` to use instead of the one read/write/append imply."""
        options._win["access_mode"] = _dword(access, "OpenOptionsExt.access_mode")
        return options

    @staticmethod
    def share_mode(options: OpenOptions, share: int) -> OpenOptions:
        """``dwShareMode`` (default read | write | delete)."""
        options._win["share_mode"] = _dword(share, "OpenOptionsExt.share_mode")
        return options

    @staticmethod
    def custom_flags(options: OpenOptions, flags: int) -> OpenOptions:
        """Extra ``FILE_FLAG_*`` bits for ``dwFlagsAndAttributes``."""
        options._win["custom_flags"] = _dword(flags, "OpenOptionsExt.custom_flags")
        return options

    @staticmethod
    def attributes(options: OpenOptions, attributes: int) -> OpenOptions:
        """``FILE_ATTRIBUTE_*`` bits for a created file."""
        options._win["attributes"] = _dword(attributes, "OpenOptionsExt.attributes")
        return options

    @staticmethod
    def security_qos_flags(options: OpenOptions, flags: int) -> OpenOptions:
        """``SECURITY_*`` quality-of-service flags (``SECURITY_SQOS_PRESENT`` is added for you)."""
        options._win["security_qos_flags"] = _dword(flags, "OpenOptionsExt.security_qos_flags")
        return options


def symlink_file(original: Any, link: Any) -> None:
    """Make *link* a file symlink to *original*: ``CreateSymbolicLinkW``; Unsupported off Windows."""
    _sys.create_symlink(_to_os_str(original), _to_os_str(link), directory=False, shown=original, shown2=link)


def symlink_dir(original: Any, link: Any) -> None:
    """Make *link* a directory symlink to *original*: ``CreateSymbolicLinkW``; Unsupported off Windows."""
    _sys.create_symlink(_to_os_str(original), _to_os_str(link), directory=True, shown=original, shown2=link)


_EPOCH_DIFF_100NS = 116_444_736_000_000_000


def _filetime(ns: int) -> int:
    return ns // 100 + _EPOCH_DIFF_100NS


class MetadataExt:
    """Windows views of a `Metadata` (Rust's ``MetadataExt``): attributes and raw ``FILETIME`` values.

    Pure functions of the snapshot; the times are 100 ns ticks since
    1601-01-01 UTC, as ``BY_HANDLE_FILE_INFORMATION`` holds them. On a
    `Metadata` from another platform `file_attributes` raises `AttributeError`.
    """

    @staticmethod
    def file_attributes(meta: Metadata) -> int:
        """``dwFileAttributes`` (``FILE_ATTRIBUTE_READONLY`` 0x1, ``DIRECTORY`` 0x10 ...)."""
        return int(meta.stat_result().st_file_attributes)  # type: ignore[attr-defined,unused-ignore]

    @staticmethod
    def creation_time(meta: Metadata) -> int:
        """The creation time as a ``FILETIME`` tick count."""
        birth = meta._birth_ns
        if birth is None:
            st = meta.stat_result()
            birth = getattr(st, "st_birthtime_ns", None) or st.st_ctime_ns
        return _filetime(birth)

    @staticmethod
    def last_access_time(meta: Metadata) -> int:
        """The last access time as a ``FILETIME`` tick count."""
        return _filetime(meta.stat_result().st_atime_ns)

    @staticmethod
    def last_write_time(meta: Metadata) -> int:
        """The last write time as a ``FILETIME`` tick count."""
        return _filetime(meta.stat_result().st_mtime_ns)

    @staticmethod
    def file_size(meta: Metadata) -> int:
        """The size in bytes."""
        return meta.len()


class FileTimesExt:
    """Windows additions to `FileTimes` (Rust's ``FileTimesExt``)."""

    @staticmethod
    def set_created(times: FileTimes, when: Any) -> FileTimes:
        """Also set the creation time (an aware datetime) with ``File.set_times``."""
        return times._set_created(when)


# NT offsets are signed 64-bit, and 2**64 - 1 / - 2 (Rust's u64 for -1 / -2)
# mean "at the end" / "at the file pointer": larger offsets are refused.
_MAX_OFFSET = (1 << 63) - 1


class FileExt:
    """Positioned I/O on a `File` (Rust's ``std::os::windows::fs::FileExt``).

    Each call is one ``ReadFile``/``WriteFile`` whose ``OVERLAPPED`` carries
    the offset, on the file's synchronous handle. Unlike Unix's
    ``pread``/``pwrite`` (``stdio2.os.unix.fs.FileExt``) this **moves the
    file pointer** to offset + count, as Rust documents: a plain
    ``File.read`` afterwards continues from there.
    """

    __slots__ = ()

    @staticmethod
    def seek_read(file: File, buf: Buffer, offset: int) -> int:
        """One ``ReadFile`` into *buf* starting at byte *offset*; return the count.

        Returns 0 at or past the end of file (Windows reports
        ``ERROR_HANDLE_EOF`` there). After a transfer the file pointer is at
        offset + count. Raises TypeError for a wrong argument type, `Error` (InvalidInput)
        for a negative offset or a closed file, `Error` with the Windows
        code and the file's path when ``ReadFile`` fails (e.g.
        PermissionDenied on a file opened for writing only).
        """
        _need_file(file, "FileExt.seek_read")
        view = writable_view(buf, "FileExt.seek_read")
        with view:
            offset = offset_arg(offset, "FileExt.seek_read", _MAX_OFFSET)
            cell = file._live()
            return _file.read_at(raw_of(cell, "this File"), view, offset, file._path)

    @staticmethod
    def seek_write(file: File, data: Buffer, offset: int) -> int:
        """One ``WriteFile`` of *data* starting at byte *offset*; return how many bytes were written.

        Writing past the end extends the file with zeros. The file pointer
        ends at offset + count. A file opened with ``append`` writes at the
        end whatever *offset* says (its handle has no ``FILE_WRITE_DATA``).
        Raises like `seek_read`.
        """
        _need_file(file, "FileExt.seek_write")
        view = readable_view(data, "FileExt.seek_write")
        with view:
            offset = offset_arg(offset, "FileExt.seek_write", _MAX_OFFSET)
            cell = file._live()
            return _file.write_at(raw_of(cell, "this File"), view, offset, file._path)


def _need_file(obj: object, call: str) -> None:
    if not isinstance(obj, File):
        raise TypeError(f"{call} takes a File, got {type(obj).__name__}")
