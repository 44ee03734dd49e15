"""The built-in events: one class per io_uring operation stdio2 offers."""

from __future__ import annotations

import errno
import os
import sys
from typing import TYPE_CHECKING, Any, ClassVar

if sys.platform != "linux":  # pragma: no cover
    raise ImportError("stdio2.os.linux.uring needs Linux")

from stdio2._sys._owner import Cell
from stdio2._sys.linux import uring as _sys
from stdio2._sys.unix import fd as _sys_fd
from stdio2.io._error import Error, ErrorKind
from stdio2.os.fd import FdOwner, OwnedFd, fd_of
from stdio2.os.linux.uring._event import SQE, Cancellation, Event

if TYPE_CHECKING:
    from stdio2._typing import Buffer
    from stdio2.fs._metadata import Metadata
    from stdio2.net import SocketAddr, TcpStream

__all__ = [
    "Accept",
    "Close",
    "Connect",
    "Fsync",
    "Nop",
    "OpenAt",
    "Read",
    "ReadVectored",
    "Recv",
    "Send",
    "SpliceFile",
    "Statx",
    "Timeout",
    "Write",
    "WriteVectored",
]


def _check_fd_arg(obj: object, call: str) -> None:
    # Type errors surface when the event is made, not at submission; the
    # cell itself is taken in prepare (the owner may be closed in between).
    if not isinstance(obj, FdOwner):
        fd_of(obj, call)


def _offset(offset: int | None, call: str) -> int:
    if offset is None:
        return -1
    if type(offset) is int and offset >= 0:
        return offset
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise TypeError(f"{call}: offset must be an int or None, got {type(offset).__name__}")
    if offset < 0:
        raise ValueError(f"{call}: offset must be >= 0 (None means the file position)")
    return offset


def _path_bytes(path: Any, call: str) -> bytes:
    try:
        raw = os.fspath(path)
    except TypeError:
        kind = type(path).__name__
        raise TypeError(f"{call}: path must be str, bytes or os.PathLike, got {kind}") from None
    return os.fsencode(raw)


def _close_result(result: int) -> None:
    if result >= 0:
        _sys.close_fd(result)


class Nop(Event):
    """``IORING_OP_NOP``: does nothing; completes with 0. Measures the driver's own cost."""

    __slots__ = ()
    opcode = _sys.OP_NOP

    def prepare(self, sqe: SQE) -> None:
        """An entry with opcode NOP."""
        sqe.prep(_sys.OP_NOP)

    def complete(self, result: int) -> None:
        """None (raises `Error` for a negative result)."""
        if result < 0:
            raise Error.from_raw_os_error(-result)

    def is_eager(self) -> bool:
        """True: a NOP completes during submission."""
        return True


class Read(Event):
    """``IORING_OP_READ``: one ``read``/``pread`` into the writable buffer *buf*; completes with the count.

    *offset* None reads at (and advances) the file position: what pipes and
    sockets need. The buffer is pinned from submission until completion.
    """

    __slots__ = ("buf", "fd", "offset")
    opcode = _sys.OP_READ

    def __init__(self, fd: object, buf: Buffer, offset: int | None = None) -> None:
        # Inlined checks (_check_fd_arg, _offset): batches build thousands of these.
        if not isinstance(fd, FdOwner):
            fd_of(fd, "uring.Read")
        self.fd = fd
        self.buf = buf
        self.offset = offset if type(offset) is int and offset >= 0 else _offset(offset, "uring.Read")

    def prepare(self, sqe: SQE) -> None:
        """READ entry: fd, buffer address and length, offset (or -1)."""
        fd = sqe.use_fd(self.fd, "uring.Read")
        try:
            addr, n = sqe.pin(self.buf, writable=True)
        except TypeError as e:
            raise TypeError(f"uring.Read(fd, buf): buf must be a writable buffer ({e})") from None
        sqe.prep(_sys.OP_READ, fd, addr, n, self.offset)


class Write(Event):
    """``IORING_OP_WRITE``: one ``write``/``pwrite`` of *data*; completes with the count written."""

    __slots__ = ("data", "fd", "offset")
    opcode = _sys.OP_WRITE

    def __init__(self, fd: object, data: Buffer, offset: int | None = None) -> None:
        # Inlined checks (_check_fd_arg, _offset): batches build thousands of these.
        if not isinstance(fd, FdOwner):
            fd_of(fd, "uring.Write")
        self.fd = fd
        self.data = data
        self.offset = offset if type(offset) is int and offset >= 0 else _offset(offset, "uring.Write")

    def prepare(self, sqe: SQE) -> None:
        """WRITE entry: fd, data address and length, offset (or -1)."""
        fd = sqe.use_fd(self.fd, "uring.Write")
        try:
            addr, n = sqe.pin(self.data, writable=False)
        except TypeError as e:
            raise TypeError(f"uring.Write(fd, data): data must be a bytes-like object ({e})") from None
        sqe.prep(_sys.OP_WRITE, fd, addr, n, self.offset)


class _Vectored(Event):
    __slots__ = ("bufs", "fd", "offset")
    _writable: ClassVar[bool] = True
    _name: ClassVar[str] = ""

    def __init__(self, fd: object, bufs: Any, offset: int | None = None) -> None:
        _check_fd_arg(fd, f"uring.{self._name}")
        if isinstance(bufs, (bytes, bytearray, memoryview)):
            raise TypeError(f"uring.{self._name} takes a sequence of buffers, not one buffer")
        self.fd = fd
        self.bufs = list(bufs)
        self.offset = _offset(offset, f"uring.{self._name}")

    def prepare(self, sqe: SQE) -> None:
        """READV/WRITEV entry over an iovec array built from the pinned buffers."""
        fd = sqe.use_fd(self.fd, f"uring.{self._name}")
        parts = [sqe.pin(b, writable=self._writable) for b in self.bufs]
        iov = _sys.iovecs(parts)
        sqe.hold(iov)
        op = _sys.OP_READV if self._writable else _sys.OP_WRITEV
        sqe.prep(op, fd, _sys.address(iov), len(parts), self.offset)


class ReadVectored(_Vectored):
    """``IORING_OP_READV``: one ``readv``/``preadv`` filling *bufs* in order; completes with the count."""

    __slots__ = ()
    opcode = _sys.OP_READV
    _writable = True
    _name = "ReadVectored"


class WriteVectored(_Vectored):
    """``IORING_OP_WRITEV``: one ``writev``/``pwritev`` of *bufs* in order; completes with the count."""

    __slots__ = ()
    opcode = _sys.OP_WRITEV
    _writable = False
    _name = "WriteVectored"


class OpenAt(Event):
    """``IORING_OP_OPENAT``: ``openat(dir or AT_FDCWD, path, flags | O_CLOEXEC, mode)`` -> `OwnedFd`.

    Errors carry the path (NotFound, PermissionDenied ...). If the
    submission is dropped and the kernel opens the file anyway, the new
    descriptor is closed when the completion arrives.
    """

    __slots__ = ("_cpath", "dir", "flags", "mode", "path")
    opcode = _sys.OP_OPENAT

    def __init__(self, path: Any, flags: int, mode: int = 0o666, dir: object = None) -> None:
        self.path = path
        self._cpath = _sys.c_string(_path_bytes(path, "uring.OpenAt"))
        if dir is not None:
            _check_fd_arg(dir, "uring.OpenAt(dir=...)")
        self.dir = dir
        self.flags = int(flags) | os.O_CLOEXEC
        self.mode = int(mode)

    def prepare(self, sqe: SQE) -> None:
        """OPENAT entry: dirfd, path address, mode (len), open flags."""
        dirfd = _sys.AT_FDCWD if self.dir is None else sqe.use_fd(self.dir, "uring.OpenAt(dir=...)")
        sqe.hold(self._cpath)
        sqe.prep(_sys.OP_OPENAT, dirfd, _sys.address(self._cpath), self.mode, 0, self.flags)

    def complete(self, result: int) -> OwnedFd:
        """The new descriptor as an `OwnedFd`; `Error` with the path for a failure."""
        if result < 0:
            raise Error.from_raw_os_error(-result, path=self.path)
        return OwnedFd._adopt(_sys_fd.new_cell(result))

    def cancel(self) -> Cancellation:
        """Keep the path; close the descriptor if the kernel opened the file anyway."""
        return Cancellation(self, cleanup=_close_result)


class Close(Event):
    """``IORING_OP_CLOSE``: closes the descriptor of *owned*, which this event takes over at once.

    *owned* (an `OwnedFd`, `File`, socket ... any stdio2 descriptor owner)
    is left closed immediately, as a Rust move. If other submitted
    operations still use the descriptor, the kernel is not asked to close it
    (a NOP is submitted instead) and the number is closed when the last of
    them has completed, so no operation can run on a recycled number.
    """

    __slots__ = ("_cell", "_raw")
    opcode = _sys.OP_CLOSE

    def __init__(self, owned: object) -> None:
        if not isinstance(owned, FdOwner):
            raise TypeError(
                f"uring.Close takes a descriptor owner (OwnedFd, File, socket ...), "
                f"got {type(owned).__name__}; a borrow cannot be closed"
            )
        self._cell: Cell[int] | None = owned._take()
        self._raw: int | None = None

    def prepare(self, sqe: SQE) -> None:
        """CLOSE entry for the number, or a NOP when other operations still hold the descriptor."""
        cell = self._cell
        if cell is None:
            raise Error(ErrorKind.InvalidInput, "uring.Close: this event was already submitted")
        self._cell = None
        # References: the local, the argument of getrefcount. Any more belong
        # to operations in flight (their SQE records hold the cell).
        if sys.getrefcount(cell) > 2:
            sqe.prep(_sys.OP_NOP)
            return  # the cell's finaliser closes the number after the last of them
        raw = cell.detach()
        if raw is None:
            sqe.prep(_sys.OP_NOP)
            return
        self._raw = raw
        sqe.prep(_sys.OP_CLOSE, raw)

    def complete(self, result: int) -> None:
        """None; `Error` if close reported one (the number is released anyway, except ECANCELED)."""
        self._reclaim(result)
        if result < 0:
            raise Error.from_raw_os_error(-result)

    def _reclaim(self, result: int) -> None:
        raw, self._raw = self._raw, None
        if raw is not None and result == -errno.ECANCELED:
            # Cancelled before it ran: the number is still open and ours.
            _sys.close_fd(raw)

    def cancel(self) -> Cancellation:
        """Close the number ourselves if the kernel never ran the close."""
        return Cancellation(cleanup=self._reclaim)

    def is_eager(self) -> bool:
        """True: close runs during submission."""
        return True


class Connect(Event):
    """``IORING_OP_CONNECT``: ``connect(sock, addr)`` for a `SocketAddr`; completes with None."""

    __slots__ = ("_sa", "addr", "sock")
    opcode = _sys.OP_CONNECT

    def __init__(self, sock: object, addr: SocketAddr) -> None:
        from stdio2.net import SocketAddr, SocketAddrV4

        _check_fd_arg(sock, "uring.Connect")
        if not isinstance(addr, SocketAddr):
            raise TypeError(
                f"uring.Connect(sock, addr): addr must be a SocketAddr "
                f"(SocketAddr.parse('127.0.0.1:80')), got {type(addr).__name__}"
            )
        self.sock = sock
        self.addr = addr
        t = addr.to_socket_tuple()
        if isinstance(addr, SocketAddrV4):
            raw = _sys.sockaddr(_sys.AF_INET, t[0], t[1])
        else:
            raw = _sys.sockaddr(_sys.AF_INET6, *t)
        self._sa = _sys.raw_buffer(raw)

    def prepare(self, sqe: SQE) -> None:
        """CONNECT entry: fd, sockaddr address, its length in ``off``."""
        fd = sqe.use_fd(self.sock, "uring.Connect")
        sqe.hold(self._sa)
        sqe.prep(_sys.OP_CONNECT, fd, _sys.address(self._sa), 0, len(self._sa))

    def complete(self, result: int) -> None:
        """None; `Error` (ConnectionRefused ...) on failure."""
        if result < 0:
            raise Error.from_raw_os_error(-result)


class Accept(Event):
    """``IORING_OP_ACCEPT`` (``accept4(SOCK_CLOEXEC)``): completes with ``(stream, peer address)``.

    For a `TcpListener` the stream is a `TcpStream`; for any other listening
    `AsFd` socket it is an `OwnedFd`. The address is a `SocketAddr` for IPv4
    and IPv6 peers and None for other families. If the submission is
    dropped and a connection is accepted anyway, it is closed.
    """

    __slots__ = ("_len", "_sa", "listener")
    opcode = _sys.OP_ACCEPT

    def __init__(self, listener: object) -> None:
        _check_fd_arg(listener, "uring.Accept")
        self.listener = listener
        self._sa = _sys.raw_buffer(128)
        self._len = _sys.raw_buffer(4)

    def prepare(self, sqe: SQE) -> None:
        """ACCEPT entry: fd, sockaddr buffer, address of its length, SOCK_CLOEXEC."""
        fd = sqe.use_fd(self.listener, "uring.Accept")
        _sys.put_u32(self._len, 128)
        sqe.hold(self._sa)
        sqe.hold(self._len)
        sqe.prep(
            _sys.OP_ACCEPT,
            fd,
            _sys.address(self._sa),
            0,
            _sys.address(self._len),
            _sys.SOCK_CLOEXEC,
        )

    def complete(self, result: int) -> tuple[TcpStream | OwnedFd, SocketAddr | None]:
        """``(TcpStream or OwnedFd, SocketAddr or None)``; `Error` on failure."""
        from stdio2.net import SocketAddr, TcpListener, TcpStream

        if result < 0:
            raise Error.from_raw_os_error(-result)
        cell = _sys_fd.new_cell(result)
        stream: TcpStream | OwnedFd
        stream = TcpStream._adopt(cell) if isinstance(self.listener, TcpListener) else OwnedFd._adopt(cell)
        n = _sys.get_u32(self._len)
        t = _sys.parse_sockaddr(bytes(self._sa)[: min(n, 128)])
        return stream, (None if t is None else SocketAddr.from_socket_tuple(t))

    def cancel(self) -> Cancellation:
        """Close a connection accepted after interest was dropped."""
        return Cancellation(self, cleanup=_close_result)


class Send(Event):
    """``IORING_OP_SEND``: one ``send(sock, data, MSG_NOSIGNAL | flags)``; completes with the count."""

    __slots__ = ("data", "flags", "sock")
    opcode = _sys.OP_SEND

    def __init__(self, sock: object, data: Buffer, flags: int = 0) -> None:
        _check_fd_arg(sock, "uring.Send")
        self.sock = sock
        self.data = data
        self.flags = int(flags) | _sys.MSG_NOSIGNAL

    def prepare(self, sqe: SQE) -> None:
        """SEND entry: fd, data address and length, msg flags."""
        fd = sqe.use_fd(self.sock, "uring.Send")
        addr, n = sqe.pin(self.data, writable=False)
        sqe.prep(_sys.OP_SEND, fd, addr, n, 0, self.flags)


class Recv(Event):
    """``IORING_OP_RECV``: one ``recv(sock, buf, flags)``; completes with the count (0: end of stream)."""

    __slots__ = ("buf", "flags", "sock")
    opcode = _sys.OP_RECV

    def __init__(self, sock: object, buf: Buffer, flags: int = 0) -> None:
        _check_fd_arg(sock, "uring.Recv")
        self.sock = sock
        self.buf = buf
        self.flags = int(flags)

    def prepare(self, sqe: SQE) -> None:
        """RECV entry: fd, buffer address and length, msg flags."""
        fd = sqe.use_fd(self.sock, "uring.Recv")
        addr, n = sqe.pin(self.buf, writable=True)
        sqe.prep(_sys.OP_RECV, fd, addr, n, 0, self.flags)


class Fsync(Event):
    """``IORING_OP_FSYNC``: ``fsync`` (or ``fdatasync`` with *datasync*); completes with None."""

    __slots__ = ("datasync", "fd")
    opcode = _sys.OP_FSYNC

    def __init__(self, fd: object, datasync: bool = False) -> None:
        _check_fd_arg(fd, "uring.Fsync")
        self.fd = fd
        self.datasync = bool(datasync)

    def prepare(self, sqe: SQE) -> None:
        """FSYNC entry with IORING_FSYNC_DATASYNC when asked."""
        fd = sqe.use_fd(self.fd, "uring.Fsync")
        sqe.prep(_sys.OP_FSYNC, fd, 0, 0, 0, _sys.FSYNC_DATASYNC if self.datasync else 0)

    def complete(self, result: int) -> None:
        """None; `Error` (EIO, ...) on failure."""
        if result < 0:
            raise Error.from_raw_os_error(-result)


class Timeout(Event):
    """``IORING_OP_TIMEOUT``: completes with None after *seconds* (a timer inside the ring)."""

    __slots__ = ("_ts", "seconds")
    opcode = _sys.OP_TIMEOUT

    def __init__(self, seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"uring.Timeout(seconds): seconds must be a number, got {type(seconds).__name__}")
        if not seconds >= 0 or seconds == float("inf"):
            raise ValueError("uring.Timeout(seconds): seconds must be finite and >= 0")
        self.seconds = float(seconds)
        self._ts = _sys.timespec(self.seconds)

    def prepare(self, sqe: SQE) -> None:
        """TIMEOUT entry: address of a relative timespec, count 0 (a pure timer)."""
        sqe.hold(self._ts)
        sqe.prep(_sys.OP_TIMEOUT, -1, _sys.address(self._ts), 1, 0, 0)

    def complete(self, result: int) -> None:
        """None when the timer fired (``-ETIME``); `Error` otherwise (ECANCELED when cancelled)."""
        if result < 0 and result != -errno.ETIME:
            raise Error.from_raw_os_error(-result)


class Statx(Event):
    """``IORING_OP_STATX``: ``statx(dir or AT_FDCWD, path, flags, BASIC_STATS | BTIME)`` -> `Metadata`.

    ``follow_symlinks=False`` describes a symlink itself. An empty *path*
    with *dir* describes the descriptor *dir* (``AT_EMPTY_PATH``).
    """

    __slots__ = ("_buf", "_cpath", "dir", "follow_symlinks", "path")
    opcode = _sys.OP_STATX

    def __init__(self, path: Any, *, dir: object = None, follow_symlinks: bool = True) -> None:
        self.path = path
        raw = _path_bytes(path, "uring.Statx")
        if not raw and dir is None:
            raise ValueError("uring.Statx: an empty path needs dir= (the descriptor to describe)")
        self._cpath = _sys.c_string(raw)
        if dir is not None:
            _check_fd_arg(dir, "uring.Statx(dir=...)")
        self.dir = dir
        self.follow_symlinks = bool(follow_symlinks)
        self._buf = _sys.raw_buffer(_sys.STATX_SIZE)

    def prepare(self, sqe: SQE) -> None:
        """STATX entry: dirfd, path, mask in ``len``, statx buffer in ``off``, AT_* flags."""
        dirfd = _sys.AT_FDCWD if self.dir is None else sqe.use_fd(self.dir, "uring.Statx(dir=...)")
        flags = 0 if self.follow_symlinks else _sys.AT_SYMLINK_NOFOLLOW
        if len(self._cpath) == 1:
            flags |= _sys.AT_EMPTY_PATH
        sqe.hold(self._cpath)
        sqe.hold(self._buf)
        sqe.prep(
            _sys.OP_STATX,
            dirfd,
            _sys.address(self._cpath),
            _sys.STATX_BASIC_STATS | _sys.STATX_BTIME,
            _sys.address(self._buf),
            flags,
        )

    def complete(self, result: int) -> Metadata:
        """A `Metadata` snapshot (with the birth time where the file system reports one)."""
        from stdio2.fs._metadata import Metadata

        if result < 0:
            raise Error.from_raw_os_error(-result, path=self.path)
        st, birth = _sys.stat_result_from_statx(bytes(self._buf))
        return Metadata.from_stat(st, birth)


class SpliceFile(Event):
    """``IORING_OP_SPLICE``: move up to *length* bytes from *src* to *dst* in the kernel; one must be a pipe.

    Offsets None use the file position (required for the pipe end).
    Completes with the count moved (0: end of input).
    """

    __slots__ = ("dst", "dst_offset", "flags", "length", "src", "src_offset")
    opcode = _sys.OP_SPLICE

    def __init__(
        self,
        src: object,
        dst: object,
        length: int,
        *,
        src_offset: int | None = None,
        dst_offset: int | None = None,
        flags: int = 0,
    ) -> None:
        _check_fd_arg(src, "uring.SpliceFile")
        _check_fd_arg(dst, "uring.SpliceFile")
        if isinstance(length, bool) or not isinstance(length, int) or not 0 <= length < 1 << 32:
            raise ValueError("uring.SpliceFile: length must be an int in 0 .. 2**32-1")
        self.src, self.dst, self.length = src, dst, length
        self.src_offset = _offset(src_offset, "uring.SpliceFile")
        self.dst_offset = _offset(dst_offset, "uring.SpliceFile")
        self.flags = int(flags)

    def prepare(self, sqe: SQE) -> None:
        """SPLICE entry: fd_out, off_out, splice_fd_in, splice_off_in (in ``addr``), length, flags."""
        fd_in = sqe.use_fd(self.src, "uring.SpliceFile")
        fd_out = sqe.use_fd(self.dst, "uring.SpliceFile")
        sqe.prep(
            _sys.OP_SPLICE,
            fd_out,
            self.src_offset & 0xFFFFFFFFFFFFFFFF,
            self.length,
            self.dst_offset,
            self.flags,
            splice_fd_in=fd_in,
        )
