"""`copy` and the kernel fast path behind `stdio2.io.copy`, with a record of the path each copy took."""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.fs._copy is the Unix implementation")

import os
import stat as _stat
import threading
from typing import Any

from stdio2._sys.unix import fs as _sys
from stdio2._sys.unix.kernel_copy import kernel_copy
from stdio2.io._deadline import current_instant
from stdio2.io._error import Error, ErrorKind
from stdio2.os_str import _to_os_bytes

__all__ = ["copy", "kernel_copy_objects", "last_copy_method"]

_local = threading.local()


def last_copy_method() -> str | None:
    """How the last `copy` / ``io.copy`` on this thread moved its bytes, or None before any.

    One of ``"copy_file_range"``, ``"sendfile"``, ``"splice"`` (kernel paths)
    or ``"read_write"`` (the user-space loop). Per thread, for tests and
    diagnostics. No system call.
    """
    return getattr(_local, "method", None)


def _record(method: str) -> None:
    _local.method = method


def copy(from_: Any, to: Any) -> int:
    """Copy the contents and permission bits of the file *from_* to *to*; return the byte count.

    Opens *from_* read-only and ``fstat``s it (it must be a regular file, else
    InvalidInput); opens *to* with ``O_WRONLY|O_CREAT`` and the source's
    mode, checks with ``fstat`` that it is not the source itself
    (InvalidInput), then ``ftruncate``s it and ``fchmod``s it to that mode
    (an existing *to* keeps its owner but gets the permissions). The bytes move with
    ``copy_file_range``, else ``sendfile``, else ``read``/``write``
    (`last_copy_method` tells which). Errors carry both paths and, after a
    partial copy, ``progress``.
    """
    src_raw, dst_raw = _to_os_bytes(from_), _to_os_bytes(to)
    src = _sys.open_path(src_raw, os.O_RDONLY, 0, from_)
    try:
        src_fd = src.raw
        assert src_fd is not None
        st = _sys.fstat(src_fd, from_)
        if not _stat.S_ISREG(st.st_mode):
            err = Error(
                ErrorKind.InvalidInput,
                "the source path is neither a regular file nor a symlink to a regular file",
            )
            err.path, err.path2 = from_, to
            raise err
        perm = _stat.S_IMODE(st.st_mode)
        # No O_TRUNC yet: truncating first would destroy the source when both
        # names lead to the same file (Rust's copy loses the data then).
        dst = _sys.open_path(dst_raw, os.O_WRONLY | os.O_CREAT, perm, to)
        try:
            dst_fd = dst.raw
            assert dst_fd is not None
            dst_st = _sys.fstat(dst_fd, to)
            if (dst_st.st_dev, dst_st.st_ino) == (st.st_dev, st.st_ino):
                err = Error(ErrorKind.InvalidInput, "the source and destination are the same file")
                err.path, err.path2 = from_, to
                raise err
            if _stat.S_ISREG(dst_st.st_mode):
                _sys.ftruncate(dst_fd, 0, to)
                _sys.fchmod(dst_fd, perm, to)
            try:
                n, method = kernel_copy(src_fd, dst_fd)
            except Error as e:
                e.path, e.path2 = from_, to
                raise
            _record(method)
            return n
        finally:
            dst.release_now()
    finally:
        src.release_now()


def kernel_copy_objects(reader: Any, writer: Any) -> int | None:
    """The fast path of ``stdio2.io.copy``: kernel copy between two unbuffered descriptor owners.

    Applies when *reader* is a `File` or `PipeReader` and *writer* a `File`
    or `PipeWriter` (exact types: a buffered wrapper may hold bytes the
    descriptor does not). Returns the byte count, or None when the pair does
    not qualify (the caller then loops in user space). Under an active
    deadline it declines for pipes, whose kernel copies cannot be
    interrupted.
    """
    from stdio2.fs._file import File
    from stdio2.io._pipe_unix import PipeReader, PipeWriter

    rt, wt = type(reader), type(writer)
    if (rt is not File and rt is not PipeReader) or (wt is not File and wt is not PipeWriter):
        return None
    if (rt is PipeReader or wt is PipeWriter) and current_instant() is not None:
        _record("read_write")
        return None
    rcell, wcell = reader._live(), writer._live()
    rfd, wfd = rcell.raw, wcell.raw
    if rfd is None or wfd is None:
        return None
    n, method = kernel_copy(rfd, wfd, user_fallback=False)
    _record("read_write" if method == "none" else method)
    del rcell, wcell
    return None if method == "none" else n
