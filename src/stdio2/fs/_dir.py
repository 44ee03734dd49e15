"""Directories: `read_dir` -> `ReadDir` of `DirEntry`, and `DirBuilder`."""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.fs._dir is the Unix implementation")

import os
import pathlib
import stat as _stat
from collections.abc import Callable, Generator, Iterator
from itertools import chain, islice
from typing import Any, Final

from stdio2._sys.unix import fs as _sys
from stdio2.fs._metadata import FileType, Metadata
from stdio2.io._error import Error, ErrorKind
from stdio2.os_str import OsString, _set_inner, _to_os_bytes

__all__ = ["DirBuilder", "DirEntry", "ReadDir", "create_dir_all_raw", "read_dir"]

_new = object.__new__
_S_IFDIR: Final = _stat.S_IFDIR
_S_IFREG: Final = _stat.S_IFREG
_S_IFLNK: Final = _stat.S_IFLNK


def _path_of(raw: bytes) -> pathlib.Path:
    return pathlib.Path(os.fsdecode(raw))


class DirEntry(tuple):  # type: ignore[type-arg]
    """One entry of a directory listing (Rust's ``DirEntry``).

    Made by `ReadDir`; holds the name and, where the file system reports it
    (``d_type``), the entry's type, so `file_type` costs no system call.
    (Internally a one-element tuple around ``os.DirEntry``, so that listing
    a directory builds entries without running Python code per entry; the
    tuple protocol is an implementation detail. Entries compare by identity.)
    """

    __slots__ = ()

    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def path(self) -> pathlib.Path:
        """The full path: the directory given to `read_dir` joined with `file_name`. No system call."""
        return _path_of(self[0].path)

    def file_name(self) -> OsString:
        """The bare name of the entry, exactly as the OS gave it. No system call."""
        # _from_inner's two steps inlined: a classmethod call is a third of the cost.
        # Built on demand: making every batch's names up front in C (map over
        # object.__new__ and the slot setter) saved under 5 % when names are
        # wanted and cost about 50 % when they are not. The two C calls here
        # (object.__new__ and the slot setter) are most of file_name's cost.
        name: OsString = _new(OsString)
        _set_inner(name, self[0].name)
        return name

    def file_type(self) -> FileType:
        """The entry's type, not following symlinks.

        Free when the directory listing carried ``d_type``; otherwise (or for
        devices, FIFOs and sockets) one ``lstat``. Raises `Error` (e.g.
        NotFound when the entry vanished before that ``lstat``).
        """
        e: os.DirEntry[bytes] = self[0]
        try:
            if e.is_dir(follow_symlinks=False):
                return FileType(_S_IFDIR)
            if e.is_file(follow_symlinks=False):
                return FileType(_S_IFREG)
            if e.is_symlink():
                return FileType(_S_IFLNK)
            return FileType(_stat.S_IFMT(e.stat(follow_symlinks=False).st_mode))
        except OSError as exc:
            raise _sys.error(exc, self.path()) from None

    def metadata(self) -> Metadata:
        """Metadata of the entry itself (a symlink is not followed): ``lstat`` (+ ``statx`` birth time)."""
        e: os.DirEntry[bytes] = self[0]
        try:
            st = e.stat(follow_symlinks=False)
        except OSError as exc:
            raise _sys.error(exc, self.path()) from None
        return Metadata.from_stat(st, _sys.birth_time_ns(path=e.path, follow=False))

    def ino(self) -> int:
        """The inode number from the listing (``d_ino``); used by ``DirEntryExt.ino``."""
        e: os.DirEntry[bytes] = self[0]
        return e.inode()

    def __repr__(self) -> str:
        return f"DirEntry({self.path()!r})"

    def __reduce__(self) -> Any:
        raise TypeError("DirEntry cannot be pickled")


# Calling the class directly is the cheapest C-level construction (a
# functools.partial around tuple.__new__ doubles the cost per entry).
_make_entry: Callable[[tuple[os.DirEntry[bytes]]], DirEntry] = DirEntry

# Entries are read from scandir in batches of this many. A batch is what lets
# the per-entry work run without resuming a Python frame (see `_batches`);
# 128 is where the saving levels off (16 is measurably slower, 2048 no
# faster) while keeping the read-ahead small. glibc itself reads 32 KiB of
# getdents64 records at a time, i.e. several hundred names, so a batch
# rarely costs an extra system call.
_BATCH: Final = 128


def _batches(
    it: Any, batch: list[os.DirEntry[bytes]], path: Any
) -> Generator[Iterator[DirEntry], None, None]:
    """Refill *batch* from the scandir iterator *it*, yielding a lazy C iterator of `DirEntry` over each fill.

    `ReadDir` chains these iterators with ``itertools.chain.from_iterable``,
    so this generator runs once per batch, not once per entry: per entry,
    chain -> map -> zip -> list iterator -> the DirEntry constructor are all
    C. That saves one generator resumption per entry (5-10 % of
    ``list(os.scandir(d))``'s time).
    """
    try:
        # read_dir runs the generator to this first yield at once. A started
        # generator runs its `finally` when it is collected, so the descriptor
        # is closed however the ReadDir and its iterator are dropped, even
        # unused (a never-started one would leave that to scandir's
        # destructor, with a ResourceWarning).
        yield iter(())
        while True:
            # The same list object is refilled each time, so that `ReadDir.close`
            # can empty the batch in flight (the chain only asks for the next
            # batch once the previous iterator is exhausted, so reuse is safe).
            batch.clear()
            try:
                # list.extend keeps the items it appended before the iterator
                # raised; list(islice(...)) would drop them with the list.
                batch.extend(islice(it, _BATCH))
            except OSError as exc:
                # The entries read before the failure are still owed to the
                # caller: yield them, then raise (from the chain's __next__).
                # scandir has already closed the directory.
                if batch:
                    yield map(_make_entry, zip(batch))
                raise _sys.error(exc, path) from None
            if not batch:
                return  # scandir closed the directory at its end
            yield map(_make_entry, zip(batch))
    finally:
        it.close()


class ReadDir:
    """An iterator over the entries of a directory (Rust's ``ReadDir``), from `read_dir`.

    ``.`` and ``..`` are skipped; the order is the file system's. Entries are
    read from the OS in small batches (128), so the listing runs at most one
    batch ahead of the caller. A failure to read the directory raises `Error`
    (with the path) from ``__next__`` after every entry read before it has
    been yielded; the iterator then stays usable and reports the end (the OS
    cannot continue a listing after a failed ``getdents``). The directory
    descriptor is closed at exhaustion, by `close`, by leaving a ``with``
    block, or when the iterator is collected (no warning: like Rust's drop,
    that is a normal way to stop).
    """

    __slots__ = ("_batch", "_gen", "_it", "_path")

    _it: Any  # os.scandir's iterator (a context manager with close()), or None
    _batch: list[os.DirEntry[bytes]]  # the batch in flight (refilled by _batches)
    _gen: Iterator[DirEntry]  # chain.from_iterable(_batches(...)): what iteration runs
    _path: Any

    def __init__(self) -> None:
        raise TypeError("ReadDir objects come from stdio2.fs.read_dir(path)")

    def __iter__(self) -> Iterator[DirEntry]:
        # The C chain itself, so a `for` loop never enters Python per entry.
        return self._gen

    def __next__(self) -> DirEntry:
        return next(self._gen)

    def close(self) -> None:
        """Close the directory descriptor (``closedir``); idempotent. Later ``next`` ends the iteration."""
        it = self._it
        if it is not None:
            self._it = None
            it.close()
            # Drop the entries read ahead: the chain's current iterator ends,
            # and the next refill finds the closed scandir iterator empty.
            self._batch.clear()

    def __enter__(self) -> ReadDir:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._it is None else "open"
        return f"ReadDir({os.fspath(self._path)!r}, {state})"


def read_dir(path: Any) -> ReadDir:
    """Open the directory *path* for listing: ``opendir``; entries are read lazily (``getdents64``).

    Raises `Error` (NotFound, NotADirectory, PermissionDenied ...) with the path.
    """
    raw = _to_os_bytes(path)
    it: Any = _sys.scandir(raw, path)
    rd: ReadDir = _new(ReadDir)
    rd._it = it
    batch: list[os.DirEntry[bytes]] = []
    rd._batch = batch
    batches = _batches(it, batch, path)
    next(batches)  # start it, so that collecting it closes the descriptor (see _batches)
    # No __del__ needed: when the ReadDir and any `for` loop over it let go,
    # the chain and then the generator are collected, and its `finally` closes.
    rd._gen = chain.from_iterable(batches)
    rd._path = path
    return rd


def create_dir_all_raw(raw: bytes, shown: Any, mode: int) -> None:
    """Rust's algorithm: try ``mkdir``; on NotFound create the parent first; "already a directory" is success.

    Concurrent creators of overlapping trees never fail each other: EEXIST is
    success whenever the path is a directory by then.
    """
    if not raw:
        return
    try:
        _sys.mkdir(raw, mode, shown)
        return
    except Error as e:
        if e.kind is not ErrorKind.NotFound:
            if _is_dir(raw):
                return
            raise
    parent = os.path.dirname(raw.rstrip(b"/"))
    if parent and parent != raw:
        create_dir_all_raw(parent, shown, mode)
    try:
        _sys.mkdir(raw, mode, shown)
    except Error:
        if not _is_dir(raw):
            raise


def _is_dir(raw: bytes) -> bool:
    try:
        return _stat.S_ISDIR(_sys.stat(raw, None).st_mode)
    except Error:
        return False


class DirBuilder:
    """Creates directories with options (Rust's ``DirBuilder``): ``DirBuilder().recursive(True).create(p)``.

    The Unix mode (default ``0o777``, minus the umask) is set through
    ``stdio2.os.unix.fs.DirBuilderExt.mode``.
    """

    __slots__ = ("_mode", "_recursive")

    def __init__(self) -> None:
        self._recursive = False
        self._mode = 0o777

    def recursive(self, recursive: bool) -> DirBuilder:
        """Create missing parents too, and accept an existing directory (``create_dir_all``)."""
        if not isinstance(recursive, bool):
            raise TypeError(f"DirBuilder.recursive takes True or False, got {type(recursive).__name__}")
        self._recursive = recursive
        return self

    def create(self, path: Any) -> None:
        """Create *path*: ``mkdir(path, mode)`` (and its parents when recursive).

        Raises `Error` (AlreadyExists when not recursive, NotFound for a
        missing parent, PermissionDenied ...) with the path.
        """
        raw = _to_os_bytes(path)
        if self._recursive:
            create_dir_all_raw(raw, path, self._mode)
        else:
            _sys.mkdir(raw, self._mode, path)

    def __repr__(self) -> str:
        return f"DirBuilder(recursive={self._recursive}, mode={oct(self._mode)})"
