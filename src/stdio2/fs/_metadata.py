"""`Metadata`, `FileType`, `Permissions`, `FileTimes`: what ``stat`` says about a file.

`Metadata` is an immutable snapshot of one ``stat``/``fstat``/``lstat``
(``statx`` where the backend uses it) result. It never goes back to the OS:
every method reads the snapshot. Times are timezone-aware UTC `datetime`s;
exact nanoseconds come through ``stdio2.os.unix.fs.MetadataExt``.
"""

from __future__ import annotations

import datetime as _dt
import os
import stat as _stat
from typing import Any

import attrs

from stdio2.io._error import Error, ErrorKind

__all__ = ["FileTimes", "FileType", "Metadata", "Permissions", "system_time"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def system_time(ns: int) -> _dt.datetime:
    """A UTC `datetime` for *ns* nanoseconds since the Unix epoch (microsecond precision)."""
    return _EPOCH + _dt.timedelta(microseconds=ns // 1000)


def time_ns(when: _dt.datetime) -> int:
    """Nanoseconds since the Unix epoch for an aware *when* (naive datetimes are refused)."""
    if not isinstance(when, _dt.datetime):
        raise TypeError(f"expected a datetime, got {type(when).__name__}")
    if when.tzinfo is None:
        raise ValueError("file times must be timezone-aware datetimes (e.g. tzinfo=timezone.utc)")
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


@attrs.frozen
class FileType:
    """The type of a file: directory, regular file, symlink (or, via FileTypeExt, a device, FIFO, socket)."""

    mode: int = attrs.field(repr=lambda m: oct(_stat.S_IFMT(m)))

    def is_dir(self) -> bool:
        """Whether this is a directory."""
        return _stat.S_ISDIR(self.mode)

    def is_file(self) -> bool:
        """Whether this is a regular file."""
        return _stat.S_ISREG(self.mode)

    def is_symlink(self) -> bool:
        """Whether this is a symbolic link (only ever true for ``symlink_metadata``/``DirEntry``)."""
        return _stat.S_ISLNK(self.mode)


@attrs.define(eq=True)
class Permissions:
    """A file's permission bits; mutable like Rust's (`set_readonly`), applied with ``set_permissions``.

    On Unix the full mode is available through ``PermissionsExt.mode``;
    ``readonly()`` means no write bit is set for anyone.
    """

    _mode: int

    def readonly(self) -> bool:
        """Whether no write permission bit is set (Unix), or the read-only attribute (Windows)."""
        return (self._mode & 0o222) == 0

    def set_readonly(self, readonly: bool) -> None:
        """Clear all write bits (readonly) or set them all (not readonly), as Rust does on Unix."""
        if readonly:
            self._mode &= ~0o222
        else:
            self._mode |= 0o222

    def __repr__(self) -> str:
        return f"Permissions(mode={oct(self._mode)}, readonly={self.readonly()})"


@attrs.frozen(repr=False)
class Metadata:
    """A snapshot of a file's metadata (``stat``). Methods read the snapshot; no system calls.

    ``created()`` needs a birth time, which Linux reports only through
    ``statx``; where none was recorded, it raises `Error` (Unsupported).
    """

    _st: os.stat_result
    _birth_ns: int | None = None

    @classmethod
    def from_stat(cls, st: os.stat_result, birth_ns: int | None = None) -> Metadata:
        """Wrap an ``os.stat_result`` (and an optional birth time from ``statx``)."""
        if birth_ns is None:
            birth = getattr(st, "st_birthtime_ns", None) or getattr(st, "st_birthtime", None)
            if isinstance(birth, float):
                birth = int(birth * 1e9)
            birth_ns = birth
        return cls(st, birth_ns)

    def file_type(self) -> FileType:
        """The file's type."""
        return FileType(self._st.st_mode)

    def is_dir(self) -> bool:
        """Whether the file is a directory."""
        return _stat.S_ISDIR(self._st.st_mode)

    def is_file(self) -> bool:
        """Whether the file is a regular file."""
        return _stat.S_ISREG(self._st.st_mode)

    def is_symlink(self) -> bool:
        """Whether the file is a symbolic link (from ``symlink_metadata``)."""
        return _stat.S_ISLNK(self._st.st_mode)

    def len(self) -> int:
        """The size in bytes (``st_size``)."""
        return self._st.st_size

    def permissions(self) -> Permissions:
        """The permission bits, as a new mutable `Permissions`."""
        return Permissions(_stat.S_IMODE(self._st.st_mode))

    def modified(self) -> _dt.datetime:
        """Last modification time (``st_mtime``), UTC."""
        return system_time(self._st.st_mtime_ns)

    def accessed(self) -> _dt.datetime:
        """Last access time (``st_atime``), UTC; file systems mounted noatime update it rarely."""
        return system_time(self._st.st_atime_ns)

    def created(self) -> _dt.datetime:
        """Creation (birth) time, UTC; `Error` (Unsupported) where the platform/file system has none."""
        if self._birth_ns is None:
            raise Error(
                ErrorKind.Unsupported,
                "creation time is not available on this platform or file system",
            )
        return system_time(self._birth_ns)

    def stat_result(self) -> os.stat_result:
        """The underlying ``os.stat_result`` (for MetadataExt and interoperability)."""
        return self._st

    def __repr__(self) -> str:
        return (
            f"Metadata(file_type={self.file_type()!r}, len={self.len()}, "
            f"permissions={self.permissions()!r}, modified={self.modified().isoformat()})"
        )


class FileTimes:
    """Times to set with ``File.set_times``: a builder, unset fields are left alone."""

    __slots__ = ("_accessed", "_created", "_modified")

    def __init__(self) -> None:
        self._accessed: int | None = None
        self._modified: int | None = None
        self._created: int | None = None

    def set_accessed(self, when: _dt.datetime) -> FileTimes:
        """Set the access time (aware datetime)."""
        self._accessed = time_ns(when)
        return self

    def set_modified(self, when: _dt.datetime) -> FileTimes:
        """Set the modification time (aware datetime)."""
        self._modified = time_ns(when)
        return self

    def accessed_ns(self) -> int | None:
        """The access time to set, in ns since the epoch, or None."""
        return self._accessed

    def modified_ns(self) -> int | None:
        """The modification time to set, in ns since the epoch, or None."""
        return self._modified

    def _set_created(self, when: Any) -> FileTimes:
        # Windows-only (FileTimesExt.set_created); kept here so the value travels with the rest.
        self._created = time_ns(when)
        return self

    def __repr__(self) -> str:
        return f"FileTimes(accessed={self._accessed}, modified={self._modified})"
