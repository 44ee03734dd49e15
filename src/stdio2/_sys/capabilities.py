"""What this OS offers stdio2, found by asking it (feature detection, never version sniffing).

Each probe makes the smallest real call that proves a feature works: a
``copy_file_range`` of zero bytes between two pipes-to-files, a
``pidfd_open`` of our own pid, an ``io_uring_setup`` of a one-entry ring.
A seccomp filter or an old kernel makes a probe fail with ENOSYS or EPERM,
which is exactly when the feature must not be used. Results are cached.
"""

from __future__ import annotations

import functools
import os
import platform
import sys
import tempfile

__all__ = ["Capability", "capabilities"]

Capability = tuple[str, bool, str]


def _probe_copy_file_range() -> tuple[bool, str]:
    if not hasattr(os, "copy_file_range"):
        return False, "os.copy_file_range missing (not Linux, or Python built without it)"
    with tempfile.TemporaryFile() as a, tempfile.TemporaryFile() as b:
        a.write(b"x")
        a.flush()
        try:
            n = os.copy_file_range(a.fileno(), b.fileno(), 1, 0, 0)
        except OSError as e:
            return False, f"kernel refused: {os.strerror(e.errno or 0)}"
    return n == 1, "kernel copies between files without user-space buffers"


def _probe_sendfile() -> tuple[bool, str]:
    if not hasattr(os, "sendfile"):
        return False, "os.sendfile missing"
    return True, "file -> socket/pipe copies in the kernel"


def _probe_splice() -> tuple[bool, str]:
    if not hasattr(os, "splice"):
        return False, "os.splice missing (Linux only)"
    r, w = os.pipe()
    try:
        with tempfile.TemporaryFile() as f:
            f.write(b"x")
            f.flush()
            try:
                n = os.splice(f.fileno(), w, 1, offset_src=0)
            except OSError as e:
                return False, f"kernel refused: {os.strerror(e.errno or 0)}"
    finally:
        os.close(r)
        os.close(w)
    return n == 1, "moves pages between pipes and files"


def _probe_pidfd() -> tuple[bool, str]:
    if not hasattr(os, "pidfd_open"):
        return False, "os.pidfd_open missing (Linux >= 5.3 only)"
    try:
        fd = os.pidfd_open(os.getpid())
    except OSError as e:
        return False, f"kernel refused: {os.strerror(e.errno or 0)}"
    os.close(fd)
    return True, "race-free waiting and signalling of children"


def _probe_io_uring() -> tuple[bool, str]:
    if not sys.platform.startswith("linux"):
        return False, "Linux only"
    import ctypes

    numbers = {"x86_64": 425, "aarch64": 425, "arm64": 425}
    nr = numbers.get(platform.machine())
    if nr is None:
        return False, f"syscall number unknown on {platform.machine()}"
    libc = ctypes.CDLL(None, use_errno=True)
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    syscall.argtypes = [ctypes.c_long, ctypes.c_uint, ctypes.c_void_p]
    params = ctypes.create_string_buffer(120)  # struct io_uring_params
    fd = syscall(nr, 1, ctypes.cast(params, ctypes.c_void_p))
    if fd < 0:
        err = ctypes.get_errno()
        return False, f"io_uring_setup failed: {os.strerror(err)} (seccomp or old kernel)"
    os.close(fd)
    return True, "completion-based I/O rings (stdio2.os.linux.uring)"


@functools.cache
def capabilities() -> tuple[Capability, ...]:
    """Probe each kernel fast path and feature once; ``(name, available, detail)`` triples."""
    if sys.platform == "win32":
        return (("copy_file_range", False, "Unix only"), ("io_uring", False, "Linux only"))
    probes = {
        "copy_file_range": _probe_copy_file_range,
        "sendfile": _probe_sendfile,
        "splice": _probe_splice,
        "pidfd": _probe_pidfd,
        "io_uring": _probe_io_uring,
    }
    out: list[Capability] = []
    for name, probe in probes.items():
        try:
            ok, detail = probe()
        except OSError as e:
            ok, detail = False, f"probe failed: {e}"
        out.append((name, ok, detail))
    return tuple(out)
