"""Copies that never leave the kernel: ``copy_file_range``, ``sendfile``, ``splice``.

A user-space copy reads each chunk into a buffer and writes it back out: two
system calls and two memory copies per chunk. Linux has three calls that move
bytes between descriptors without the round trip, each with its own rules:

* ``copy_file_range(in, NULL, out, NULL, len, 0)`` (Linux 4.5; cross-file-
  system since 5.3, limited again to same-type file systems in 5.19) copies
  between two regular files. On file systems with extents (XFS, btrfs, NFS
  4.2, overlay over those) it may share blocks (a reflink) or copy on the
  server instead of moving any data. It refuses (``EXDEV``, ``EINVAL``,
  ``EOPNOTSUPP``) many pairs, ``EBADF`` when the output has ``O_APPEND``,
  and a seccomp filter may answer ``ENOSYS``/``EPERM``. Worse, some virtual
  files (``/proc``, ``/sys``, overlays in old kernels) report a size but make
  it return 0 at once, as if the input were empty.
* ``sendfile(out, in, NULL, len)`` reads from anything that can be
  ``mmap``ed (regular files, block devices) and writes to anything since
  Linux 2.6.33 (sockets, pipes, files) except an ``O_APPEND`` file
  (``EINVAL``), which therefore ends up in the ``read``/``write`` loop.
* ``splice(in, NULL, out, NULL, len, 0)`` needs a pipe on at least one side
  and moves page references instead of bytes.

Each reads from and advances the descriptors' own file positions (the
offsets are NULL), so a copy can start where a program left a file and a
user-space loop can take over at any point. The rule, as in Rust's
``kernel_copy``: try the most specific call; if it refuses before having
copied anything (``ENOSYS``, ``EPERM``, ``EINVAL``, ``EOPNOTSUPP``, ``EXDEV``,
``EBADF`` for ``copy_file_range``; ``ENOSYS``, ``EPERM``, ``EINVAL`` for
the other two), fall back to the next one and finally to ``read``/``write``;
any other error, or any error after bytes moved, is reported with the count
(``Error.progress``). A first ``copy_file_range`` returning 0 falls back to
``read``/``write`` too, which finds out whether the input really is empty.

These loops cannot be interrupted by a deadline (a regular-file copy is not
a blocking wait); callers skip them for pipes and sockets under a deadline.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2._sys.unix is the Unix backend")

import errno
import os
import stat as _stat
from collections.abc import Callable
from typing import Final

from stdio2.io._error import Error

__all__ = ["CHUNK", "kernel_copy", "user_copy"]

# One call moves at most this much; the kernel caps a call near 2 GiB anyway.
CHUNK: Final = 1 << 30
_USER_BUF: Final = 1 << 20

_CFR_FALLBACK: Final = frozenset(
    {errno.ENOSYS, errno.EPERM, errno.EINVAL, errno.EOPNOTSUPP, errno.EXDEV, errno.EBADF, errno.ETXTBSY}
)
_OTHER_FALLBACK: Final = frozenset({errno.ENOSYS, errno.EPERM, errno.EINVAL, errno.EOPNOTSUPP})

_HAS_CFR: Final = hasattr(os, "copy_file_range")
_HAS_SENDFILE: Final = sys.platform.startswith("linux") and hasattr(os, "sendfile")
_HAS_SPLICE: Final = hasattr(os, "splice")


class _Refused(Exception):
    """This call cannot copy between these descriptors; nothing was moved."""


def _fail(e: OSError, done: int) -> Error:
    return Error.from_os_error(e).with_progress(done)


def _kernel_loop(step: Callable[[], int], fallback: frozenset[int], empty_refuses: bool) -> int:
    # One kernel copy call per round until it reports end of input. A
    # failure before the first byte that is in *fallback* means "this pair
    # of files can't be copied this way" (_Refused: try the next path);
    # after that, or for any other errno, it is a real error with progress.
    done = 0
    while True:
        try:
            n = step()
        except OSError as e:
            if done == 0 and e.errno in fallback:
                raise _Refused from None
            raise _fail(e, done) from None
        if n == 0:
            if done == 0 and empty_refuses:
                raise _Refused  # maybe empty, maybe a /proc file: let read() decide
            return done
        done += n


def _cfr(src: int, dst: int) -> int:
    cfr = os.copy_file_range
    return _kernel_loop(lambda: cfr(src, dst, CHUNK), _CFR_FALLBACK, empty_refuses=True)


def _sendfile(src: int, dst: int) -> int:
    send = os.sendfile
    return _kernel_loop(lambda: send(dst, src, None, CHUNK), _OTHER_FALLBACK, empty_refuses=False)


def _splice(src: int, dst: int) -> int:
    splice = os.splice
    return _kernel_loop(lambda: splice(src, dst, CHUNK), _OTHER_FALLBACK, empty_refuses=False)


def user_copy(src: int, dst: int) -> int:
    """``read``/``write`` through one reused 1 MiB buffer until end of input; `Error` with progress."""
    buf = bytearray(_USER_BUF)
    done = 0
    readv, write = os.readv, os.write
    with memoryview(buf) as view:
        while True:
            try:
                n = readv(src, [buf])
            except OSError as e:
                raise _fail(e, done) from None
            if n == 0:
                return done
            off = 0
            while off < n:
                try:
                    w = write(dst, view[off:n])
                except OSError as e:
                    raise _fail(e, done + off) from None
                off += w
            done += n


def kernel_copy(src: int, dst: int, *, user_fallback: bool = True) -> tuple[int, str]:
    """Copy from *src*'s position to its end into *dst*; return ``(bytes, method)``.

    *method* names the path taken: ``"copy_file_range"``, ``"sendfile"``,
    ``"splice"``, ``"read_write"``, or ``"none"`` when no kernel call applied
    and *user_fallback* is False (then nothing was copied). Raises `Error`
    with ``progress`` on failure.
    """
    try:
        src_mode = os.fstat(src).st_mode
        dst_mode = os.fstat(dst).st_mode
    except OSError as e:
        raise _fail(e, 0) from None
    src_file = _stat.S_ISREG(src_mode) or _stat.S_ISBLK(src_mode)
    if _HAS_CFR and _stat.S_ISREG(src_mode) and _stat.S_ISREG(dst_mode):
        try:
            return _cfr(src, dst), "copy_file_range"
        except _Refused:
            pass
    if _HAS_SENDFILE and src_file:
        try:
            return _sendfile(src, dst), "sendfile"
        except _Refused:
            pass
    if _HAS_SPLICE and (_stat.S_ISFIFO(src_mode) or _stat.S_ISFIFO(dst_mode)):
        try:
            return _splice(src, dst), "splice"
        except _Refused:
            pass
    if not user_fallback:
        return 0, "none"
    return user_copy(src, dst), "read_write"
