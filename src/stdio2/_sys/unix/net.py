"""Unix-domain sockets: addresses, descriptor passing and peer credentials.

Addresses
---------
An ``AF_UNIX`` socket is named by a ``struct sockaddr_un``: a family and a
``sun_path`` array of 108 bytes on Linux (104 on macOS and the BSDs). Three
kinds of name fit in it:

- a *pathname*: a NUL-terminated file-system path. ``bind`` creates a socket
  file there (and fails with ``EADDRINUSE`` if anything exists at the path —
  servers unlink stale files themselves); the file outlives the socket.
  Paths too long for ``sun_path`` cannot be used at all (``InvalidInput``);
  relative paths are resolved against the current directory at call time.
- *unnamed*: a socket that was never bound (a ``socketpair`` end, a client
  after ``connect``) has an address of length ``sizeof(sa_family_t)``.
- an *abstract* name (Linux only): ``sun_path[0]`` is NUL and the name is
  the following bytes, exactly as many as the address length says (NULs
  included). Abstract names live in the network namespace, not the file
  system: no file, no permissions, gone when the socket closes.

CPython reports these as ``str`` (pathname, decoded with the file-system
encoding and ``surrogateescape``, so ``os.fsencode`` gives the bytes back),
``bytes`` starting with NUL (abstract) and ``''`` (unnamed).

A full listen backlog behaves differently from TCP: a non-blocking
``connect`` fails with ``EAGAIN`` at once instead of starting a handshake,
so a connect under a deadline retries with short sleeps until it passes.
The backlog itself follows Rust: the system's maximum on Linux, macOS and
the BSDs, whose kernels silently clamp a larger request to it
(``/proc/sys/net/core/somaxconn`` on Linux, 4096 on current kernels), and
128 elsewhere. A local server's clients are often started all at once,
and a queue of 128 makes the 130th one fail with EAGAIN.

Descriptor passing (SCM_RIGHTS)
-------------------------------
``sendmsg`` can carry *ancillary data* next to the bytes: a control message
of level ``SOL_SOCKET`` and type ``SCM_RIGHTS`` holding an array of
descriptors. The kernel duplicates the open files into the receiver's table
when it calls ``recvmsg`` — new numbers, same open file descriptions, like
``dup`` across processes. Facts that shape the API:

- The receiver says how much control space it has. If the message does not
  fit, the kernel sets ``MSG_CTRUNC`` in the returned flags: the descriptors
  that fit are installed (and are now open in the receiver!) and the rest
  are closed by the kernel. A receiver that ignores ``MSG_CTRUNC`` leaks
  nothing only if it still closes the ones that arrived.
- The new numbers are *not* close-on-exec unless ``recvmsg`` gets
  ``MSG_CMSG_CLOEXEC`` (Linux, FreeBSD; macOS lacks it, so there the flag is
  set right after the call — a window in which a concurrent ``fork`` +
  ``exec`` in another thread could inherit them).
- On a stream socket the control message is attached to the bytes it was
  sent with; sending descriptors with zero bytes of data sends nothing.
  At most ``SCM_MAX_FD`` (253 on Linux) descriptors go in one message
  (``EINVAL`` beyond).

Peer credentials
----------------
``getsockopt(SOL_SOCKET, SO_PEERCRED)`` (Linux) returns the pid, uid and gid
of the peer as the kernel recorded them (not whatever the peer claims): on an
accepted socket, the process that called ``connect``; on a connecting
socket, the process that called ``listen``; for ``socketpair``, the creator. Other systems use
``getpeereid`` / ``LOCAL_PEERCRED``; stdio2 supports Linux and reports
``Unsupported`` elsewhere.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2._sys.unix is the Unix backend")

import array
import os
import socket
import struct
from typing import Any, Final

from stdio2._sys import net as _net
from stdio2._sys._owner import Cell
from stdio2._sys.unix import fd as _fd
from stdio2.io._error import Error, ErrorKind

__all__ = [
    "AF_UNIX",
    "SUN_PATH_MAX",
    "peer_cred",
    "recv_fds",
    "send_fds",
    "socketpair",
]

AF_UNIX: Final = socket.AF_UNIX
#: Bytes available in sun_path (108 on Linux, 104 on the BSDs and macOS).
SUN_PATH_MAX: Final = 108 if sys.platform.startswith("linux") else 104

_CMSG_CLOEXEC: Final[int] = getattr(socket, "MSG_CMSG_CLOEXEC", 0)
_INT_SIZE: Final = array.array("i").itemsize


# Rust's UnixListener backlog (see the module essay). Rust passes -1 where
# the kernel clamps an oversized backlog to its maximum; CPython's
# socket.listen turns a negative backlog into 0, so ask with INT_MAX, which
# those kernels clamp the same way.
LISTEN_BACKLOG: Final = (
    0x7FFFFFFF if sys.platform.startswith(("linux", "darwin", "freebsd", "openbsd")) else 128
)


def socketpair(type: int) -> tuple[_net.SockView, _net.SockView]:
    """``socketpair(AF_UNIX, type | SOCK_CLOEXEC)``: two connected, owned sockets."""
    try:
        a, b = socket.socketpair(AF_UNIX, type)
    except OSError as e:
        raise Error.from_os_error(e) from None
    views = []
    try:
        for s in (a, b):
            cell = _fd.new_cell(s.detach())
            try:
                views.append(_net.view_of(cell, AF_UNIX, type, 0))
            except BaseException:
                cell.release_now()
                raise
    except BaseException:
        for s in (a, b):
            s.close()
        for v in views:
            v.cell.release_now()
        raise
    return views[0], views[1]


def send_fds(
    view: _net.SockView, data: memoryview, fds: list[int], address: Any, instant: float | None
) -> int:
    """One ``sendmsg`` carrying *data* and an ``SCM_RIGHTS`` message with *fds*.

    *address* is None for a connected socket. Under a deadline (*instant*)
    waits with ``poll(POLLOUT)`` first. Raises `Error`.
    """
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    if instant is not None and _net.nonblocking(view):
        instant = None
    flags = _net.NOSIGNAL
    extra = () if address is None else (address,)
    while True:
        if instant is not None:
            if not _net.wait_writable(view, instant):
                raise _net.timed_out("send_with_fds")
            flags |= _net.DONTWAIT
        try:
            return view.sendmsg([data], ancillary, flags, *extra)
        except OSError as e:
            if instant is None or not isinstance(e, BlockingIOError):
                err = Error.from_os_error(e)
                break
    del data
    raise err


def recv_fds(
    view: _net.SockView, buf: memoryview, max_fds: int, instant: float | None
) -> tuple[int, list[Cell[int]], bool, Any]:
    """One ``recvmsg(MSG_CMSG_CLOEXEC)`` with room for *max_fds* descriptors.

    Returns ``(nbytes, cells, truncated, address)``: every descriptor that
    arrived is already owned by a cell (so none can leak), and *truncated*
    is ``MSG_CTRUNC``. Raises `Error`.
    """
    space = socket.CMSG_SPACE(max_fds * _INT_SIZE) if max_fds else 0
    if instant is not None and _net.nonblocking(view):
        instant = None
    flags = _CMSG_CLOEXEC
    err: Error | None = None
    while True:
        if instant is not None:
            if not _net.wait_readable(view, instant):
                raise _net.timed_out("recv_with_fds")
            flags |= _net.DONTWAIT
        try:
            nbytes, ancdata, msg_flags, address = view.recvmsg_into([buf], space, flags)
            break
        except OSError as e:
            if instant is None or not isinstance(e, BlockingIOError):
                err = Error.from_os_error(e)
                break
    if err is not None:
        del buf
        raise err
    cells: list[Cell[int]] = []
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            numbers = array.array("i")
            numbers.frombytes(payload[: len(payload) - len(payload) % _INT_SIZE])
            cells.extend(_fd.new_cell(n) for n in numbers)
    if not _CMSG_CLOEXEC:
        for cell in cells:
            if cell.raw is not None:
                os.set_inheritable(cell.raw, False)
    return nbytes, cells, bool(msg_flags & socket.MSG_CTRUNC), address


def peer_cred(view: _net.SockView) -> tuple[int | None, int, int]:
    """``getsockopt(SO_PEERCRED)``: the peer's (pid, uid, gid) at connect time (Linux)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        raise Error(ErrorKind.Unsupported, "peer credentials are implemented for Linux only")
    fmt = struct.Struct("iII")
    try:
        raw = view.getsockopt(socket.SOL_SOCKET, option, fmt.size)
    except OSError as e:
        raise Error.from_os_error(e) from None
    pid, uid, gid = fmt.unpack(raw)
    return (pid if pid > 0 else None), uid, gid
