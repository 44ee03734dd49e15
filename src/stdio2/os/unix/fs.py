"""Unix-specific extensions to `stdio2.fs` (Rust's ``std::os::unix::fs``).

Extension traits are classes of static functions taking the object first
(DESIGN §5): ``MetadataExt.mode(md)``, ``FileExt.read_at(f, buf, 0)``,
``OpenOptionsExt.mode(opts, 0o600)``. Plus the Unix-only free functions
`symlink`, `chown`, `fchown`, `lchown`, `chroot`, `mkfifo`.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.os.unix.fs is Unix-only")

import stat as _stat
from typing import TYPE_CHECKING, Any

from stdio2._sys._owner import raw_of
from stdio2._sys.unix import fs as _sys
from stdio2.fs._dir import DirBuilder, DirEntry
from stdio2.fs._file import File
from stdio2.fs._metadata import FileType, Metadata, Permissions
from stdio2.fs._options import OpenOptions
from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import offset_arg, readable_view, writable_view
from stdio2.os.fd import fd_of
from stdio2.os_str import _to_os_bytes

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = [
    "DirBuilderExt",
    "DirEntryExt",
    "FileExt",
    "FileTypeExt",
    "MetadataExt",
    "OpenOptionsExt",
    "PermissionsExt",
    "chown",
    "chroot",
    "fchown",
    "lchown",
    "mkfifo",
    "symlink",
]


def _need(obj: object, cls: type, call: str) -> None:
    if not isinstance(obj, cls):
        raise TypeError(f"{call} takes a {cls.__name__}, got {type(obj).__name__}")


def _int(value: object, call: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{call} takes an int, got {type(value).__name__}")
    return value


class PermissionsExt:
    """Unix mode bits of `Permissions` (Rust's ``PermissionsExt``)."""

    __slots__ = ()

    @staticmethod
    def mode(perm: Permissions) -> int:
        """The permission bits (e.g. ``0o644``, plus setuid/setgid/sticky)."""
        _need(perm, Permissions, "PermissionsExt.mode")
        return perm._mode

    @staticmethod
    def set_mode(perm: Permissions, mode: int) -> None:
        """Replace the bits with *mode* (the object changes; apply it with ``set_permissions``)."""
        _need(perm, Permissions, "PermissionsExt.set_mode")
        perm._mode = _int(mode, "PermissionsExt.set_mode") & 0o7777

    @staticmethod
    def from_mode(mode: int) -> Permissions:
        """A `Permissions` with exactly *mode*."""
        return Permissions(_int(mode, "PermissionsExt.from_mode") & 0o7777)


def _st(md: Metadata, call: str) -> Any:
    _need(md, Metadata, call)
    return md.stat_result()


class MetadataExt:
    """Every ``stat`` field of `Metadata` (Rust's ``std::os::unix::fs::MetadataExt``)."""

    __slots__ = ()

    @staticmethod
    def dev(md: Metadata) -> int:
        """The device holding the file (``st_dev``)."""
        return int(_st(md, "MetadataExt.dev").st_dev)

    @staticmethod
    def ino(md: Metadata) -> int:
        """The inode number (``st_ino``)."""
        return int(_st(md, "MetadataExt.ino").st_ino)

    @staticmethod
    def mode(md: Metadata) -> int:
        """Type and permission bits (``st_mode``)."""
        return int(_st(md, "MetadataExt.mode").st_mode)

    @staticmethod
    def nlink(md: Metadata) -> int:
        """Number of hard links (``st_nlink``)."""
        return int(_st(md, "MetadataExt.nlink").st_nlink)

    @staticmethod
    def uid(md: Metadata) -> int:
        """Owner's user id (``st_uid``)."""
        return int(_st(md, "MetadataExt.uid").st_uid)

    @staticmethod
    def gid(md: Metadata) -> int:
        """Owner's group id (``st_gid``)."""
        return int(_st(md, "MetadataExt.gid").st_gid)

    @staticmethod
    def rdev(md: Metadata) -> int:
        """Device id of a device file (``st_rdev``)."""
        return int(_st(md, "MetadataExt.rdev").st_rdev)

    @staticmethod
    def size(md: Metadata) -> int:
        """Size in bytes (``st_size``)."""
        return int(_st(md, "MetadataExt.size").st_size)

    @staticmethod
    def atime(md: Metadata) -> int:
        """Last access, whole seconds since the epoch (``st_atime``)."""
        return int(_st(md, "MetadataExt.atime").st_atime_ns // 1_000_000_000)

    @staticmethod
    def atime_nsec(md: Metadata) -> int:
        """Nanoseconds part of the access time."""
        return int(_st(md, "MetadataExt.atime_nsec").st_atime_ns % 1_000_000_000)

    @staticmethod
    def mtime(md: Metadata) -> int:
        """Last modification, whole seconds since the epoch (``st_mtime``)."""
        return int(_st(md, "MetadataExt.mtime").st_mtime_ns // 1_000_000_000)

    @staticmethod
    def mtime_nsec(md: Metadata) -> int:
        """Nanoseconds part of the modification time."""
        return int(_st(md, "MetadataExt.mtime_nsec").st_mtime_ns % 1_000_000_000)

    @staticmethod
    def ctime(md: Metadata) -> int:
        """Last status change, whole seconds since the epoch (``st_ctime``)."""
        return int(_st(md, "MetadataExt.ctime").st_ctime_ns // 1_000_000_000)

    @staticmethod
    def ctime_nsec(md: Metadata) -> int:
        """Nanoseconds part of the status-change time."""
        return int(_st(md, "MetadataExt.ctime_nsec").st_ctime_ns % 1_000_000_000)

    @staticmethod
    def blksize(md: Metadata) -> int:
        """Preferred I/O block size (``st_blksize``)."""
        return int(_st(md, "MetadataExt.blksize").st_blksize)

    @staticmethod
    def blocks(md: Metadata) -> int:
        """512-byte blocks allocated (``st_blocks``)."""
        return int(_st(md, "MetadataExt.blocks").st_blocks)


class FileTypeExt:
    """The Unix-only file types (Rust's ``FileTypeExt``)."""

    __slots__ = ()

    @staticmethod
    def is_block_device(ft: FileType) -> bool:
        """Whether this is a block device."""
        _need(ft, FileType, "FileTypeExt.is_block_device")
        return _stat.S_ISBLK(ft.mode)

    @staticmethod
    def is_char_device(ft: FileType) -> bool:
        """Whether this is a character device."""
        _need(ft, FileType, "FileTypeExt.is_char_device")
        return _stat.S_ISCHR(ft.mode)

    @staticmethod
    def is_fifo(ft: FileType) -> bool:
        """Whether this is a FIFO (named pipe)."""
        _need(ft, FileType, "FileTypeExt.is_fifo")
        return _stat.S_ISFIFO(ft.mode)

    @staticmethod
    def is_socket(ft: FileType) -> bool:
        """Whether this is a Unix domain socket."""
        _need(ft, FileType, "FileTypeExt.is_socket")
        return _stat.S_ISSOCK(ft.mode)


class FileExt:
    """Positional I/O on a `File` (Rust's ``FileExt``); the file position is neither used nor moved."""

    __slots__ = ()

    @staticmethod
    def read_at(file: File, buf: Buffer, offset: int) -> int:
        """One ``pread(fd, buf, offset)``; return the count (0 at or past the end)."""
        _need(file, File, "FileExt.read_at")
        view = writable_view(buf, "FileExt.read_at")
        offset = offset_arg(offset, "FileExt.read_at")
        cell = file._live()
        with view:
            return _sys.pread(raw_of(cell, "this File"), view, offset, file._path)

    @staticmethod
    def write_at(file: File, data: Buffer, offset: int) -> int:
        """One ``pwrite(fd, data, offset)``; return how many bytes were written.

        (With ``O_APPEND`` Linux ignores *offset* and appends, a documented bug of pwrite.)
        """
        _need(file, File, "FileExt.write_at")
        view = readable_view(data, "FileExt.write_at")
        offset = offset_arg(offset, "FileExt.write_at")
        cell = file._live()
        with view:
            return _sys.pwrite(raw_of(cell, "this File"), view, offset, file._path)

    @staticmethod
    def read_exact_at(file: File, buf: Buffer, offset: int) -> None:
        """Fill *buf* from *offset* with ``pread`` calls; UnexpectedEof (with ``progress``) at the end."""
        view = writable_view(buf, "FileExt.read_exact_at")
        offset = offset_arg(offset, "FileExt.read_exact_at")
        filled, total = 0, len(view)
        with view:
            while filled < total:
                try:
                    n = FileExt.read_at(file, view[filled:], offset + filled)
                except Error as e:
                    if e.kind is ErrorKind.Interrupted:
                        continue
                    raise e.with_progress(filled) from None
                if not n:
                    raise Error(ErrorKind.UnexpectedEof, "failed to fill whole buffer").with_progress(filled)
                filled += n

    @staticmethod
    def write_all_at(file: File, data: Buffer, offset: int) -> None:
        """Write all of *data* at *offset* with ``pwrite`` calls; WriteZero / errors with ``progress``."""
        view = readable_view(data, "FileExt.write_all_at")
        offset = offset_arg(offset, "FileExt.write_all_at")
        done, total = 0, len(view)
        with view:
            while done < total:
                try:
                    n = FileExt.write_at(file, view[done:], offset + done)
                except Error as e:
                    if e.kind is ErrorKind.Interrupted:
                        continue
                    raise e.with_progress(done) from None
                if not n:
                    raise Error(ErrorKind.WriteZero, "failed to write whole buffer").with_progress(done)
                done += n


class OpenOptionsExt:
    """Unix knobs of `OpenOptions` (Rust's ``OpenOptionsExt``)."""

    __slots__ = ()

    @staticmethod
    def mode(options: OpenOptions, mode: int) -> OpenOptions:
        """The permission bits for a newly created file (default ``0o666``; the umask applies)."""
        _need(options, OpenOptions, "OpenOptionsExt.mode")
        options._mode = _int(mode, "OpenOptionsExt.mode") & 0o7777
        return options

    @staticmethod
    def custom_flags(options: OpenOptions, flags: int) -> OpenOptions:
        """Extra ``open(2)`` flags (``O_NOFOLLOW``, ``O_DIRECT`` ...); the access mode bits are ignored."""
        _need(options, OpenOptions, "OpenOptionsExt.custom_flags")
        options._custom_flags = _int(flags, "OpenOptionsExt.custom_flags")
        return options


class DirEntryExt:
    """Unix extras of `DirEntry` (Rust's ``DirEntryExt``)."""

    __slots__ = ()

    @staticmethod
    def ino(entry: DirEntry) -> int:
        """The inode number from the listing (``d_ino``); no system call."""
        _need(entry, DirEntry, "DirEntryExt.ino")
        return entry.ino()


class DirBuilderExt:
    """Unix extras of `DirBuilder` (Rust's ``DirBuilderExt``)."""

    __slots__ = ()

    @staticmethod
    def mode(builder: DirBuilder, mode: int) -> DirBuilder:
        """The mode for new directories (default ``0o777``; the umask applies)."""
        _need(builder, DirBuilder, "DirBuilderExt.mode")
        builder._mode = _int(mode, "DirBuilderExt.mode") & 0o7777
        return builder


def symlink(original: Any, link: Any) -> None:
    """Make *link* a symbolic link to *original* (which need not exist): ``symlink(2)``."""
    _sys.symlink(_to_os_bytes(original), _to_os_bytes(link), original, link)


def _id(value: int | None, call: str) -> int:
    return -1 if value is None else _int(value, call)


def chown(path: Any, uid: int | None, gid: int | None) -> None:
    """Change owner/group of *path* (following symlinks): ``chown``; None leaves one unchanged."""
    _sys.chown(_to_os_bytes(path), _id(uid, "chown"), _id(gid, "chown"), path)


def lchown(path: Any, uid: int | None, gid: int | None) -> None:
    """Like `chown` but changes a symlink itself: ``lchown``."""
    _sys.chown(_to_os_bytes(path), _id(uid, "lchown"), _id(gid, "lchown"), path, follow=False)


def fchown(fd: Any, uid: int | None, gid: int | None) -> None:
    """Change owner/group of an open file (any `AsFd`): ``fchown``."""
    cell = fd_of(fd, "fchown")
    _sys.fchown(raw_of(cell, "this File"), _id(uid, "fchown"), _id(gid, "fchown"))


def chroot(path: Any) -> None:
    """Change the root directory of this process: ``chroot`` (needs privileges; does not chdir)."""
    _sys.chroot(_to_os_bytes(path), path)


def mkfifo(path: Any, permissions: Permissions) -> None:
    """Create a FIFO (named pipe) at *path* with *permissions* (umask applies): ``mkfifo``."""
    _need(permissions, Permissions, "mkfifo")
    _sys.mkfifo(_to_os_bytes(path), permissions._mode, path)
