"""Unix file systems: the kernel facts `stdio2.fs` is built on.

**Paths are bytes.** The kernel takes a path as a NUL-terminated byte string
and interprets only two bytes in it: ``/`` separates components and NUL ends
it. Every name a directory holds is therefore an arbitrary byte string
without ``/`` and NUL; most are UTF-8 but nothing enforces it. This module
hands the OS ``bytes`` paths only (the public layer converts through
`stdio2.os_str`), so a name that is not UTF-8 goes in and comes back without
loss. A path containing NUL cannot be expressed at all: Python raises
``ValueError`` and we report `InvalidInput` (Rust's "file name contained an
unexpected NUL byte").

**A path is looked up anew by every call.** ``stat(p)`` followed by
``open(p)`` may reach two different files when another process renames or
replaces a component in between (a TOCTOU race). The cure is to hold a
descriptor and ask relative to it: ``fstat(fd)`` instead of ``stat(p)``, and
the ``*at`` calls (``openat``, ``unlinkat``, ``fstatat`` — Python's
``dir_fd=`` argument) which resolve a name inside a directory the program
already holds open. ``O_NOFOLLOW`` makes ``openat`` fail (``ELOOP``) instead
of following a symbolic link in the last component, and ``O_DIRECTORY``
makes it fail (``ENOTDIR``) unless the result is a directory. `remove_tree`
combines them so a directory tree is deleted without ever following a link,
even while an attacker swaps a directory for a link to somewhere else
(CVE-2022-21658 in Rust's std; the same race has hit recursive removers in
many languages):
whatever name it opens, it opens relative to a descriptor of the directory it
already verified, and a link in the place of a directory is unlinked, never
entered.

**d_type saves a stat.** ``getdents64`` returns each entry's type (``d_type``)
along with its name on most file systems (ext4, xfs, btrfs, tmpfs); a few
return ``DT_UNKNOWN`` and the type then costs an ``lstat``. ``os.scandir``
exposes both through ``DirEntry.is_dir(follow_symlinks=False)``.

**Metadata.** ``stat``/``fstat``/``lstat`` cover everything but the birth
time, which Linux reports only through ``statx(2)`` (since 4.11, glibc 2.28)
and only on file systems that record it (``stx_mask`` has ``STATX_BTIME``).
Python has no ``os.statx`` before 3.15, so `birth_time_ns` calls the libc
wrapper through ``ctypes``; where it is missing the birth time is unknown.

**Advisory locks.** ``flock(2)`` locks belong to the open file description:
duplicates (``try_clone``) share the lock, a second ``open`` of the same file
does not, and closing the last descriptor releases it. ``LOCK_NB`` turns a
wait into ``EWOULDBLOCK``. They are advisory: a process that does not ask
is not stopped.

**Times.** ``futimens(fd, times)`` with ``UTIME_OMIT`` in one slot changes
only the other time; ``os.utime`` cannot express "leave alone", so
`set_file_times` calls ``futimens`` through ``ctypes`` on Linux and falls
back to reading the current value first elsewhere.

**Durability.** ``write`` returns once the data is in the page cache;
``fsync`` (``sync_all``) waits until data and metadata are on the device,
``fdatasync`` (``sync_data``) skips metadata not needed to read the data
back. A ``rename`` is atomic for readers but itself lives in the directory,
so durable atomic replacement needs ``fsync(file)``, ``rename``, then
``fsync(directory)``.

**Write limits.** A write past ``RLIMIT_FSIZE`` raises ``SIGXFSZ``, whose
default action kills the process; CPython ignores that signal at start-up, so
the ``write`` fails with ``EFBIG`` instead (`ErrorKind.FileTooLarge`).
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover - the Unix backend is never imported there
    raise ImportError("stdio2._sys.unix is the Unix backend")

import errno
import fcntl
import os
import stat as _stat
from collections.abc import Iterator
from typing import Any, Final

from stdio2._sys._owner import Cell
from stdio2._sys.unix import fd as _sys_fd
from stdio2.io._error import Error, ErrorKind

__all__ = [
    "LOCK_EX",
    "LOCK_NB",
    "LOCK_SH",
    "LOCK_UN",
    "O_CLOEXEC",
    "O_DIRECTORY",
    "O_NOFOLLOW",
    "birth_time_ns",
    "chmod",
    "chown",
    "chroot",
    "error",
    "fchmod",
    "fchown",
    "fdatasync",
    "file_io",
    "flock",
    "fstat",
    "fsync",
    "ftruncate",
    "link",
    "lseek",
    "mkdir",
    "mkfifo",
    "open_at",
    "open_path",
    "pread",
    "pwrite",
    "read_once",
    "read_whole",
    "readlink",
    "realpath",
    "remove_tree",
    "rename",
    "rmdir",
    "scandir",
    "set_file_times",
    "stat",
    "symlink",
    "try_stat",
    "umask_peek",
    "unlink",
    "write_once",
]

O_CLOEXEC: Final = os.O_CLOEXEC
O_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
O_DIRECTORY: Final = getattr(os, "O_DIRECTORY", 0)
_DIR_FLAGS: Final = os.O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY


def error(exc: BaseException, path: Any = None, path2: Any = None) -> Error:
    """An `Error` for *exc* carrying the user's path(s); ValueError (embedded NUL) is InvalidInput."""
    if isinstance(exc, OSError):
        err = Error.from_os_error(exc)
        # The user's own path object, not the bytes we handed the OS.
        err.path = path if path is not None else err.path
        err.path2 = path2 if path2 is not None else err.path2
        return err
    e = Error(ErrorKind.InvalidInput, f"invalid path argument: {exc}")
    e.path = path
    e.path2 = path2
    return e


# -- opening ---------------------------------------------------------------


def open_path(path: bytes, flags: int, mode: int, shown: Any) -> Cell[int]:
    """``open(path, flags | O_CLOEXEC, mode)`` -> the new descriptor's owning cell."""
    try:
        fd = os.open(path, flags | O_CLOEXEC, mode)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None
    return _sys_fd.new_cell(fd)


def open_at(dir_fd: int, name: str | bytes, flags: int, mode: int = 0o777) -> int:
    """``openat(dir_fd, name, flags | O_CLOEXEC, mode)`` (raw OSError; internal walkers handle it)."""
    return os.open(name, flags | O_CLOEXEC, mode, dir_fd=dir_fd)


def file_io(cell: Cell[int]) -> _sys_fd.FdIO | None:
    """A read/write `FdIO` over *cell*, or None for a directory (FileIO refuses those)."""
    try:
        return _sys_fd.FdIO(cell, "r+b")
    except Error as e:
        if e.kind is ErrorKind.IsADirectory:
            return None
        raise


def read_once(fd: int, buf: Any) -> int:
    """``read(2)`` via ``readv`` into *buf* (the slow path for descriptors FileIO refuses)."""
    return os.readv(fd, [buf])


def write_once(fd: int, buf: Any) -> int:
    """``write(2)`` (the slow path for descriptors FileIO refuses)."""
    return os.write(fd, buf)


# -- descriptor operations -------------------------------------------------


def fstat(fd: int, shown: Any = None) -> os.stat_result:
    """``fstat(fd)``."""
    try:
        return os.fstat(fd)
    except OSError as e:
        raise error(e, shown) from None


def lseek(fd: int, offset: int, whence: int, shown: Any = None) -> int:
    """``lseek(fd, offset, whence)``; EINVAL for a negative result."""
    try:
        return os.lseek(fd, offset, whence)
    except OSError as e:
        raise error(e, shown) from None
    except OverflowError:
        raise Error(ErrorKind.InvalidInput, f"seek offset {offset} is out of range") from None


def ftruncate(fd: int, size: int, shown: Any = None) -> None:
    """``ftruncate(fd, size)``."""
    try:
        os.ftruncate(fd, size)
    except OSError as e:
        raise error(e, shown) from None
    except OverflowError:
        raise Error(ErrorKind.InvalidInput, f"file size {size} is out of range") from None


def fsync(fd: int, shown: Any = None) -> None:
    """``fsync(fd)`` (``F_FULLFSYNC`` on macOS, which makes the disk flush too, as Rust does)."""
    try:
        if sys.platform == "darwin":
            fcntl.fcntl(fd, getattr(fcntl, "F_FULLFSYNC", 51))
        else:
            os.fsync(fd)
    except OSError as e:
        raise error(e, shown) from None


def fdatasync(fd: int, shown: Any = None) -> None:
    """``fdatasync(fd)`` (``fsync`` where the platform has no fdatasync)."""
    try:
        if hasattr(os, "fdatasync"):
            os.fdatasync(fd)
        else:
            fsync(fd, shown)
    except OSError as e:
        raise error(e, shown) from None


def fchmod(fd: int, mode: int, shown: Any = None) -> None:
    """``fchmod(fd, mode)``."""
    try:
        os.fchmod(fd, mode)
    except OSError as e:
        raise error(e, shown) from None


def flock(fd: int, op: int, shown: Any = None) -> bool:
    """``flock(fd, op)``; with ``LOCK_NB``, False when the lock is held elsewhere."""
    try:
        fcntl.flock(fd, op)
    except BlockingIOError:
        return False
    except OSError as e:
        raise error(e, shown) from None
    return True


LOCK_SH: Final = fcntl.LOCK_SH
LOCK_EX: Final = fcntl.LOCK_EX
LOCK_UN: Final = fcntl.LOCK_UN
LOCK_NB: Final = fcntl.LOCK_NB


def pread(fd: int, buf: Any, offset: int, shown: Any = None) -> int:
    """``preadv(fd, [buf], offset)``: read at *offset* into *buf* without moving the position."""
    try:
        if hasattr(os, "preadv"):
            return os.preadv(fd, [buf], offset)
        data = os.pread(fd, len(memoryview(buf)), offset)
        n = len(data)
        memoryview(buf).cast("B")[:n] = data
        return n
    except OSError as e:
        raise error(e, shown) from None


def pwrite(fd: int, data: Any, offset: int, shown: Any = None) -> int:
    """``pwrite(fd, data, offset)``: write at *offset* without moving the position."""
    try:
        return os.pwrite(fd, data, offset)
    except OSError as e:
        raise error(e, shown) from None


# -- times -----------------------------------------------------------------

_UTIME_OMIT: Final = (1 << 30) - 2  # Linux's value; other systems use the fallback
_futimens: Any = None


def _load_futimens() -> Any:
    global _futimens
    if _futimens is None:
        import ctypes

        class Timespec(ctypes.Structure):
            _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

        try:
            fn = ctypes.CDLL(None, use_errno=True).futimens
        except (AttributeError, OSError):
            _futimens = False
            return False
        fn.argtypes = [ctypes.c_int, ctypes.POINTER(Timespec * 2)]
        fn.restype = ctypes.c_int
        _futimens = (fn, Timespec, ctypes)
    return _futimens


def set_file_times(fd: int, atime_ns: int | None, mtime_ns: int | None, shown: Any = None) -> None:
    """``futimens(fd, {atime, mtime})``; a None time is left as it is (``UTIME_OMIT``)."""
    if atime_ns is None and mtime_ns is None:
        return
    loaded: Any = _load_futimens() if sys.platform.startswith("linux") else False
    if loaded:
        fn, timespec, ctypes = loaded
        pair = (timespec * 2)()
        for slot, ns in ((0, atime_ns), (1, mtime_ns)):
            if ns is None:
                pair[slot].tv_sec, pair[slot].tv_nsec = 0, _UTIME_OMIT
            else:
                pair[slot].tv_sec, pair[slot].tv_nsec = divmod(ns, 1_000_000_000)
        if fn(fd, ctypes.byref(pair)) != 0:
            raise Error.from_raw_os_error(ctypes.get_errno(), path=shown)
        return
    try:
        if atime_ns is None or mtime_ns is None:
            st = os.fstat(fd)
            atime_ns = st.st_atime_ns if atime_ns is None else atime_ns
            mtime_ns = st.st_mtime_ns if mtime_ns is None else mtime_ns
        os.utime(fd, ns=(atime_ns, mtime_ns))
    except OSError as e:
        raise error(e, shown) from None


# -- statx (birth time) ----------------------------------------------------

_AT_EMPTY_PATH: Final = 0x1000
_AT_SYMLINK_NOFOLLOW: Final = 0x100
_AT_FDCWD: Final = -100
_STATX_BTIME: Final = 0x800
_statx: Any = None


def _load_statx() -> Any:
    global _statx
    if _statx is None:
        if not sys.platform.startswith("linux"):
            _statx = False
            return False
        import ctypes

        class StatxTimestamp(ctypes.Structure):
            _fields_ = [("tv_sec", ctypes.c_int64), ("tv_nsec", ctypes.c_uint32), ("pad", ctypes.c_int32)]

        class Statx(ctypes.Structure):
            _fields_ = [
                ("stx_mask", ctypes.c_uint32),
                ("stx_blksize", ctypes.c_uint32),
                ("stx_attributes", ctypes.c_uint64),
                ("stx_nlink", ctypes.c_uint32),
                ("stx_uid", ctypes.c_uint32),
                ("stx_gid", ctypes.c_uint32),
                ("stx_mode", ctypes.c_uint16),
                ("pad1", ctypes.c_uint16),
                ("stx_ino", ctypes.c_uint64),
                ("stx_size", ctypes.c_uint64),
                ("stx_blocks", ctypes.c_uint64),
                ("stx_attributes_mask", ctypes.c_uint64),
                ("stx_atime", StatxTimestamp),
                ("stx_btime", StatxTimestamp),
                ("stx_ctime", StatxTimestamp),
                ("stx_mtime", StatxTimestamp),
                ("rest", ctypes.c_uint8 * 144),
            ]

        try:
            fn = ctypes.CDLL(None, use_errno=True).statx
        except (AttributeError, OSError):
            _statx = False
            return False
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
        fn.restype = ctypes.c_int
        _statx = (fn, Statx(), ctypes)
    return _statx


def birth_time_ns(*, fd: int | None = None, path: bytes | None = None, follow: bool = True) -> int | None:
    """The birth time from ``statx(STATX_BTIME)``, or None where the OS or file system has none.

    Best effort: any failure means "unknown" (the caller already has the
    ``stat`` result, which is what errors are reported from).
    """
    loaded = _load_statx()
    if not loaded:
        return None
    fn, buf, ctypes = loaded
    if fd is not None:
        rc = fn(fd, b"", _AT_EMPTY_PATH, _STATX_BTIME, ctypes.byref(buf))
    else:
        flags = 0 if follow else _AT_SYMLINK_NOFOLLOW
        rc = fn(_AT_FDCWD, path, flags, _STATX_BTIME, ctypes.byref(buf))
    if rc != 0 or not (buf.stx_mask & _STATX_BTIME):
        return None
    return int(buf.stx_btime.tv_sec) * 1_000_000_000 + int(buf.stx_btime.tv_nsec)


# -- path operations -------------------------------------------------------


def stat(path: bytes, shown: Any, *, follow: bool = True) -> os.stat_result:
    """``stat(path)`` (``lstat`` with ``follow=False``)."""
    try:
        return os.stat(path, follow_symlinks=follow)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def try_stat(path: bytes, shown: Any) -> bool:
    """Whether ``stat(path)`` succeeds; False for NotFound (and a dangling link), else raise."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    # Only NotFound means "no": ENOTDIR (a component is a file) raises
    # NotADirectory, as Rust's try_exists does (exists() says False).
    except (OSError, ValueError) as e:
        raise error(e, shown) from None
    return True


def chmod(path: bytes, mode: int, shown: Any) -> None:
    """``chmod(path, mode)`` (follows symlinks, as Rust's set_permissions)."""
    try:
        os.chmod(path, mode)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def rename(src: bytes, dst: bytes, shown: Any, shown2: Any) -> None:
    """``rename(src, dst)``: atomic replacement of *dst* within one file system."""
    try:
        os.rename(src, dst)
    except (OSError, ValueError) as e:
        raise error(e, shown, shown2) from None


def unlink(path: bytes, shown: Any) -> None:
    """``unlink(path)``."""
    try:
        os.unlink(path)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def rmdir(path: bytes, shown: Any) -> None:
    """``rmdir(path)``."""
    try:
        os.rmdir(path)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def mkdir(path: bytes, mode: int, shown: Any) -> None:
    """``mkdir(path, mode)`` (the umask applies)."""
    try:
        os.mkdir(path, mode)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def link(src: bytes, dst: bytes, shown: Any, shown2: Any) -> None:
    """``linkat(AT_FDCWD, src, AT_FDCWD, dst, 0)``: never follows a symlink *src* (as Rust)."""
    try:
        os.link(src, dst, follow_symlinks=False)
    except NotImplementedError:
        try:
            os.link(src, dst)
        except (OSError, ValueError) as e:
            raise error(e, shown, shown2) from None
    except (OSError, ValueError) as e:
        raise error(e, shown, shown2) from None


def symlink(target: bytes, link_path: bytes, shown: Any, shown2: Any) -> None:
    """``symlink(target, link_path)``."""
    try:
        os.symlink(target, link_path)
    except (OSError, ValueError) as e:
        raise error(e, shown, shown2) from None


def readlink(path: bytes, shown: Any) -> bytes:
    """``readlink(path)``."""
    try:
        return os.readlink(path)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def realpath(path: bytes, shown: Any) -> bytes:
    """``realpath(path)``: absolute, every symlink resolved; NotFound for a missing component."""
    try:
        # strict=True makes a missing component an error, like realpath(3).
        return os.path.realpath(path, strict=True)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def chown(path: bytes, uid: int, gid: int, shown: Any, *, follow: bool = True) -> None:
    """``chown``/``lchown``; -1 leaves an id unchanged."""
    try:
        os.chown(path, uid, gid, follow_symlinks=follow)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def fchown(fd: int, uid: int, gid: int) -> None:
    """``fchown(fd, uid, gid)``."""
    try:
        os.fchown(fd, uid, gid)
    except OSError as e:
        raise error(e) from None


def chroot(path: bytes, shown: Any) -> None:
    """``chroot(path)`` (needs CAP_SYS_CHROOT)."""
    try:
        os.chroot(path)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def mkfifo(path: bytes, mode: int, shown: Any) -> None:
    """``mkfifo(path, mode)``."""
    try:
        os.mkfifo(path, mode)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def umask_peek() -> int:
    """The process umask (``umask`` set and restored; not thread-safe against other umask calls)."""
    old = os.umask(0o022)
    os.umask(old)
    return old


def scandir(path: bytes, shown: Any) -> Iterator[os.DirEntry[bytes]]:
    """``opendir(path)`` as an ``os.scandir`` iterator (entries from ``getdents64`` with d_type)."""
    try:
        return os.scandir(path)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None


def read_whole(path: bytes, shown: Any) -> bytes:
    """``open`` + ``fstat`` + ``read`` loop of the whole file (FileIO.readall: one sized read)."""
    cell = open_path(path, os.O_RDONLY, 0, shown)
    try:
        fio = file_io(cell)
        if fio is None:
            raise Error.from_raw_os_error(errno.EISDIR, path=shown)
        try:
            return fio.readall()
        except OSError as e:
            raise error(e, shown) from None
        finally:
            fio.close()
    finally:
        try:
            cell.release_now()
        except OSError:
            pass


# -- the race-free tree removal ---------------------------------------------


def _is_gone(e: OSError) -> bool:
    return e.errno == errno.ENOENT


def remove_tree(path: bytes, shown: Any) -> None:
    """Delete *path* and everything below it, never following a symbolic link.

    A symlink (or any non-directory) named by *path* itself is unlinked when
    it is a symlink, as Rust does; a regular file is NotADirectory. Below,
    each directory is opened with ``openat(parent_fd, name,
    O_NOFOLLOW|O_DIRECTORY)``; entries are unlinked with ``unlinkat(fd,
    name)`` and directories removed with ``unlinkat(fd, name,
    AT_REMOVEDIR)``. An entry that is not a directory any more when opened
    (``ENOTDIR``/``ELOOP``: swapped for a link or file) is unlinked instead.
    Entries that vanish concurrently are ignored.
    """
    try:
        st = os.lstat(path)
    except (OSError, ValueError) as e:
        raise error(e, shown) from None
    if _stat.S_ISLNK(st.st_mode):
        unlink(path, shown)
        return
    parent, _, name = path.rstrip(b"/").rpartition(b"/")
    if not name:  # "/" or "" : refuse to remove the root
        raise Error(ErrorKind.InvalidInput, "refusing to remove the root directory")
    if not parent and path.startswith(b"/"):
        parent = b"/"
    try:
        parent_fd = os.open(parent or b".", _DIR_FLAGS & ~O_NOFOLLOW)
    except OSError as e:
        raise error(e, shown) from None
    try:
        _remove_dir_at(parent_fd, name, shown)
    finally:
        os.close(parent_fd)


def _remove_dir_at(parent_fd: int, name: bytes, shown: Any) -> None:
    # An explicit stack (not recursion) so depth is bounded by descriptors, not
    # by Python's recursion limit. A frame is [fd, name in parent, parent fd,
    # subdirectory names still to visit (None until the directory was listed)].
    try:
        top = open_at(parent_fd, name, _DIR_FLAGS)
    except OSError as e:
        raise error(e, shown) from None
    stack: list[tuple[int, str | bytes, int, list[str]]] = []
    try:
        stack.append((top, name, parent_fd, _clear_files(top, shown)))
        while stack:
            fd, dname, pfd, pending = stack[-1]
            if pending:
                child = pending.pop()
                try:
                    cfd = open_at(fd, child, _DIR_FLAGS)
                except OSError as e:
                    if _is_gone(e):
                        continue
                    if e.errno not in (errno.ENOTDIR, errno.ELOOP):
                        raise error(e, shown) from None
                    # Swapped for a link or a file since it was listed: the
                    # name itself goes, whatever it points to stays.
                    _unlink_at(fd, child, shown)
                    continue
                try:
                    stack.append((cfd, child, fd, _clear_files(cfd, shown)))
                except BaseException:
                    os.close(cfd)
                    raise
                continue
            stack.pop()
            os.close(fd)
            try:
                os.rmdir(dname, dir_fd=pfd)
            except OSError as e:
                if not (_is_gone(e) and stack):
                    raise error(e, shown) from None
    finally:
        for frame in stack:
            os.close(frame[0])


def _unlink_at(fd: int, name: str, shown: Any) -> None:
    try:
        os.unlink(name, dir_fd=fd)
    except OSError as e:
        if not _is_gone(e):
            raise error(e, shown) from None


def _clear_files(fd: int, shown: Any) -> list[str]:
    """Unlink every non-directory in the directory *fd*; return the subdirectory names.

    (``scandir(fd)`` names are surrogate-escaped ``str``s, which the ``*at``
    calls encode back to the exact bytes.)
    """
    dirs: list[str] = []
    try:
        # scandir(fd) reads through a duplicate and never follows anything;
        # is_dir(follow_symlinks=False) uses d_type or fstatat(AT_SYMLINK_NOFOLLOW).
        with os.scandir(fd) as it:
            entries = list(it)
    except OSError as e:
        raise error(e, shown) from None
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as e:
            if _is_gone(e):
                continue
            raise error(e, shown) from None
        if is_dir:
            dirs.append(entry.name)
            continue
        try:
            os.unlink(entry.name, dir_fd=fd)
        except OSError as e:
            if _is_gone(e):
                continue
            if e.errno == errno.EISDIR:  # became a directory meanwhile
                dirs.append(entry.name)
                continue
            raise error(e, shown) from None
    return dirs
