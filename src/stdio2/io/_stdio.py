"""The standard streams: `stdin()`, `stdout()`, `stderr()` and their locks (Rust's ``std::io::stdio``).

Each function returns the process-wide handle. One re-entrant lock per
stream serialises the threads: every method of `Stdin`/`Stdout`/`Stderr`
takes it for its duration, and ``lock()`` holds it until the returned guard
is released (``with stdout().lock() as out: ...``), so a sequence of writes
or line reads is not interleaved with other threads.

Buffering follows Rust: stdin is buffered (8 KiB, a `BufRead` through
`StdinLock`), stdout is line-buffered (1 KiB; complete lines are written out
at once, an unterminated tail waits for its newline, a `flush` or exit),
stderr is unbuffered. stdio2's buffers are its own: Python's ``sys.stdout``
keeps a separate buffer over the same descriptor, so when a program writes to
both, flush the one it used last before switching (``sys.stdout.flush()``
before `stdout()`, ``stdout().flush()`` before ``print``). stdout is flushed
at interpreter exit (``atexit``); errors at that point are ignored.

A standard stream that is absent (descriptor closed: EBADF) reads as end of
file and swallows writes, as in Rust. The OS calls live in the platform
backend (`stdio2._sys.unix.stdio`).
"""

from __future__ import annotations

import atexit
import sys
import threading
from typing import TYPE_CHECKING, Any, Final

from stdio2.io._deadline import current_instant, scopes_open
from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import BufRead, Write, readable_view, writable_view

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from stdio2._typing import Buffer

if sys.platform == "win32":
    import importlib

    # The Windows console backend provides the same functions keyed by 0/1/2.
    try:
        _backend: Any = importlib.import_module("stdio2._sys.windows.console")
    except ImportError:  # pragma: no cover - until the Windows backend exists
        _backend = None
else:
    from stdio2._sys.unix import stdio as _backend
    from stdio2.os.fd import BorrowedFd, borrow_permanent

# The backend's bare write call (os.write on Unix) for stdout's fast path;
# its failures go through _backend.write_failed (EBADF -> all written).
_raw_write: Any = getattr(_backend, "raw_write", None)

__all__ = [
    "Stderr",
    "StderrLock",
    "Stdin",
    "StdinLock",
    "Stdout",
    "StdoutLock",
    "stderr",
    "stdin",
    "stdout",
]

STDIN_CAPACITY: Final = 8 * 1024
STDOUT_CAPACITY: Final = 1024

_NL: Final = 10


def _no_constructor(name: str, fn: str) -> TypeError:
    return TypeError(f"{name} is process-wide: get it with stdio2.io.{fn}()")


# ---------------------------------------------------------------------------
# stdin


class _StdinBuf(BufRead):
    # The shared buffer of standard input. Not locked itself: callers hold
    # the stdin lock.
    __slots__ = ("_buf", "_filled", "_pos")

    def __init__(self) -> None:
        self._buf = bytearray(STDIN_CAPACITY)
        self._pos = 0
        self._filled = 0

    @staticmethod
    def _raw_read(view: memoryview) -> int:
        if scopes_open and len(view):
            instant = current_instant()
            if instant is not None:
                _backend.wait_readable(0, instant)
        n: int = _backend.read(0, view)
        return n

    def fill_buf(self) -> memoryview:
        if self._pos >= self._filled:
            with memoryview(self._buf) as whole:
                n = self._raw_read(whole)
            self._pos = 0
            self._filled = n
        return memoryview(self._buf)[self._pos : self._filled].toreadonly()

    def consume(self, n: int, /) -> None:
        self._pos = min(self._pos + max(n, 0), self._filled)

    def read(self, buf: Buffer, /) -> int:
        view = writable_view(buf, "Stdin.read")
        with view:
            if self._pos >= self._filled and len(view) >= len(self._buf):
                return self._raw_read(view)  # a big read bypasses the buffer
            with self.fill_buf() as data:
                n = min(len(data), len(view))
                view[:n] = data[:n]
            self._pos += n
            return n

    def read_until(self, byte: int | bytes, buf: bytearray, /) -> int:
        # Search the bytearray in place instead of copying each buffer-full.
        from stdio2.io._traits import byte_arg

        delim = byte_arg(byte, "read_until")
        if not isinstance(buf, bytearray):
            return super().read_until(byte, buf)
        total = 0
        while True:
            if self._pos >= self._filled:
                try:
                    self.fill_buf().release()
                except OSError as e:
                    raise Error.from_os_error(e).with_progress(total) from None
                if self._filled == 0:
                    return total
            i = self._buf.find(delim, self._pos, self._filled)
            end = self._filled if i < 0 else i + 1
            buf += memoryview(self._buf)[self._pos : end]
            total += end - self._pos
            self._pos = end
            if i >= 0:
                return total


class Stdin(BufRead):
    """The process's standard input (Rust's ``Stdin``); get it with `stdin()`.

    Buffered: reads take the stream's lock and go through one shared 8 KiB
    buffer, filled with one ``read(2)`` at a time. `lock` gives a
    `StdinLock` (a `BufRead`) for line-oriented work. Blocking reads honour
    an active `Deadline` (``poll`` first; `Error` TimedOut when it passes
    with no data). A closed descriptor 0 reads as end of file.
    """

    __slots__ = ("_inner", "_lock")

    _inner: _StdinBuf
    _lock: threading.RLock

    def __init__(self) -> None:
        raise _no_constructor("Stdin", "stdin")

    @classmethod
    def _new(cls) -> Stdin:
        self = object.__new__(cls)
        self._lock = threading.RLock()
        self._inner = _StdinBuf()
        return self

    def lock(self) -> StdinLock:
        """Take the stdin lock (re-entrant) and return the guard; release it with ``with`` or ``unlock()``."""
        return StdinLock._acquire(self._lock, self._inner)

    def read(self, buf: Buffer, /) -> int:
        """Read once into *buf* (from the buffer, or one ``read(2)`` when it is empty)."""
        lock = self._lock
        lock.acquire()
        try:
            return self._inner.read(buf)
        finally:
            lock.release()

    def fill_buf(self) -> memoryview:
        """The buffered bytes (one ``read(2)`` if none); hold `lock` when calling this with `consume`."""
        lock = self._lock
        lock.acquire()
        try:
            return self._inner.fill_buf()
        finally:
            lock.release()

    def consume(self, n: int, /) -> None:
        """Mark *n* buffered bytes as used."""
        lock = self._lock
        lock.acquire()
        try:
            self._inner.consume(n)
        finally:
            lock.release()

    def read_until(self, byte: int | bytes, buf: bytearray, /) -> int:
        """Append up to and including *byte* to *buf*, under the lock."""
        lock = self._lock
        lock.acquire()
        try:
            return self._inner.read_until(byte, buf)
        finally:
            lock.release()

    def read_line(self) -> str:
        """Read one line under the lock; newline included, '' at end of input.

        (Rust's ``Stdin::read_line`` appends to a String; the Python shape
        returns the ``str``, as `BufRead.read_line` does.)
        """
        lock = self._lock
        lock.acquire()
        try:
            return self._inner.read_line()
        finally:
            lock.release()

    def read_to_end(self, buf: bytearray, /) -> int:
        """Read to end of input under the lock, appending to *buf*."""
        lock = self._lock
        lock.acquire()
        try:
            return self._inner.read_to_end(buf)
        finally:
            lock.release()

    def read_exact(self, buf: Buffer, /) -> None:
        """Fill *buf* completely under the lock (`Error` UnexpectedEof if input ends)."""
        lock = self._lock
        lock.acquire()
        try:
            self._inner.read_exact(buf)
        finally:
            lock.release()

    def lines(self) -> Iterator[str]:  # type: ignore[override]
        """Lines of input without their line ending (Rust's ``Stdin::lines``).

        The stdin lock is held while the iterator is alive.
        """
        guard = self.lock()
        try:
            while True:
                line = guard.read_line()
                if not line:
                    return
                if line.endswith("\n"):
                    line = line[:-2] if line.endswith("\r\n") else line[:-1]
                yield line
        finally:
            guard.unlock()

    def is_terminal(self) -> bool:
        """Whether standard input is a terminal (``isatty(0)``)."""
        return bool(_backend.is_terminal(0))

    if sys.platform != "win32":

        def as_fd(self) -> BorrowedFd:
            """Borrow descriptor 0 (never closed by stdio2)."""
            return borrow_permanent(_backend.cell(0))

        def as_raw_fd(self) -> int:
            """0."""
            return 0

    def __repr__(self) -> str:
        return "Stdin(fd=0)"


class _Guard:
    # Holds a re-entrant lock once; released by unlock(), `with`, or (last
    # resort) garbage collection in the owning thread.
    __slots__ = ("_held", "_lock")

    _lock: threading.RLock
    _held: bool

    def _init_guard(self, lock: threading.RLock) -> None:
        lock.acquire()
        self._lock = lock
        self._held = True

    def unlock(self) -> None:
        """Release the stream lock (idempotent)."""
        if self._held:
            self._held = False
            self._lock.release()

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.unlock()

    def __del__(self) -> None:
        try:
            self.unlock()
        except (RuntimeError, AttributeError):
            pass  # collected on another thread: that thread cannot release it


class StdinLock(_Guard, BufRead):
    """A locked handle to standard input (Rust's ``StdinLock``): a `BufRead`.

    Holds the stdin lock until `unlock` (or the end of a ``with`` block).
    `fill_buf` returns a read-only view of the shared buffer, valid until
    the next call.
    """

    __slots__ = ("_inner",)

    _inner: _StdinBuf

    def __init__(self) -> None:
        raise _no_constructor("StdinLock", "stdin().lock")

    @classmethod
    def _acquire(cls, lock: threading.RLock, inner: _StdinBuf) -> StdinLock:
        self = object.__new__(cls)
        self._inner = inner
        self._init_guard(lock)
        return self

    def fill_buf(self) -> memoryview:
        """The buffered bytes, reading once (``read(2)``) if the buffer is empty; empty at EOF."""
        lock = self._lock
        lock.acquire()
        try:
            return self._inner.fill_buf()
        finally:
            lock.release()

    def consume(self, n: int, /) -> None:
        """Mark *n* bytes of the buffer as used."""
        lock = self._lock
        lock.acquire()
        try:
            self._inner.consume(n)
        finally:
            lock.release()

    def read(self, buf: Buffer, /) -> int:
        """Read once into *buf*."""
        lock = self._lock
        lock.acquire()
        try:
            return self._inner.read(buf)
        finally:
            lock.release()

    def read_until(self, byte: int | bytes, buf: bytearray, /) -> int:
        """Append up to and including *byte* to *buf* (searching the buffer in place)."""
        lock = self._lock
        lock.acquire()
        try:
            return self._inner.read_until(byte, buf)
        finally:
            lock.release()

    if sys.platform != "win32":

        def as_fd(self) -> BorrowedFd:
            """Borrow descriptor 0."""
            return borrow_permanent(_backend.cell(0))


# ---------------------------------------------------------------------------
# stdout / stderr


class _LineBuf(Write):
    # stdout's line-buffered writer (Rust's LineWriterShim over a BufWriter);
    # callers hold the stdout lock.
    __slots__ = ("buf", "cap", "fd")

    def __init__(self, fd: int, cap: int) -> None:
        self.fd = fd
        self.cap = cap
        self.buf = bytearray()

    def flush_buf(self) -> None:
        buf = self.buf
        written = 0
        try:
            while written < len(buf):
                with memoryview(buf) as whole, whole[written:] as rest:
                    n: int = _backend.write(self.fd, rest)
                if not n:
                    raise Error(ErrorKind.WriteZero, "failed to write the buffered data")
                written += n
        finally:
            if written:
                del buf[:written]

    def _buffered(self, view: memoryview) -> int:
        if len(self.buf) + len(view) > self.cap:
            self.flush_buf()
        if len(view) >= self.cap:
            n: int = _backend.write(self.fd, view)
            return n
        self.buf += view
        return len(view)

    def write(self, buf: Buffer, /) -> int:
        data = buf if type(buf) is bytes else None
        view = readable_view(buf, "Stdout.write")
        with view:
            nl = (data if data is not None else view.tobytes()).rfind(_NL)
            if nl < 0:
                # A completed line waiting in the buffer goes out first, so
                # output is never held back behind a finished line.
                if self.buf and self.buf[-1] == _NL:
                    self.flush_buf()
                return self._buffered(view)
            self.flush_buf()
            lines = nl + 1
            n: int = _backend.write(self.fd, view[:lines])
            if n < lines:
                return n
            tail = view[lines:]
            take = min(len(tail), self.cap - len(self.buf))
            if take > 0:
                self.buf += tail[:take]
            return n + max(take, 0)

    def flush(self) -> None:
        self.flush_buf()


class _Unbuffered(Write):
    # stderr: every write is one write(2).
    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, buf: Buffer, /) -> int:
        n: int = _backend.write(self.fd, readable_view(buf, "Stderr.write"))
        return n

    def flush(self) -> None:
        pass


class _LockedWrite(Write):
    # The operations shared by Stdout/StdoutLock and Stderr/StderrLock: each
    # takes the (re-entrant) stream lock for its duration.
    __slots__ = ()

    _lock: threading.RLock
    _inner: Write
    _fd: int

    def write(self, buf: Buffer, /) -> int:
        """One write: buffered per the stream's policy, or one ``write(2)``."""
        lock = self._lock
        lock.acquire()
        try:
            return self._inner.write(buf)
        finally:
            lock.release()

    def flush(self) -> None:
        """Write out the buffered bytes (a loop of ``write(2)``); they stay buffered on failure."""
        lock = self._lock
        lock.acquire()
        try:
            self._inner.flush()
        finally:
            lock.release()

    def write_all(self, buf: Buffer, /) -> None:
        """Write all of *buf* under the lock; `Error` (e.g. BrokenPipe) with ``progress`` on failure."""
        lock = self._lock
        lock.acquire()
        try:
            self._inner.write_all(buf)
        finally:
            lock.release()

    def is_terminal(self) -> bool:
        """Whether the stream is a terminal (``isatty``)."""
        return bool(_backend.is_terminal(self._fd))

    if sys.platform != "win32":

        def as_fd(self) -> BorrowedFd:
            """Borrow the standard descriptor (never closed by stdio2)."""
            return borrow_permanent(_backend.cell(self._fd))

        def as_raw_fd(self) -> int:
            """The standard descriptor number (1 or 2)."""
            return self._fd


class _StdoutWrite(_LockedWrite):
    # Stdout and StdoutLock: write_all with a fast path for whole lines.
    __slots__ = ()

    _inner: _LineBuf

    def write_all(self, buf: Buffer, /) -> None:
        """Write all of *buf* under the lock; `Error` (e.g. BrokenPipe) with ``progress`` on failure.

        Whole lines with nothing buffered go out with one ``write(2)``, as
        the line-buffering policy would send them anyway.
        """
        lock = self._lock
        lock.acquire()
        try:
            inner = self._inner
            if not inner.buf and type(buf) is bytes and buf.endswith(b"\n"):
                try:
                    n: int = _raw_write(inner.fd, buf)
                except OSError as e:
                    n = _backend.write_failed(e, buf)
                if n == len(buf):
                    return
                try:
                    inner.write_all(memoryview(buf)[n:])
                except Error as e:
                    raise e.with_progress(e.progress + n) from None
                return
            inner.write_all(buf)
        finally:
            lock.release()


class Stdout(_StdoutWrite):
    """The process's standard output (Rust's ``Stdout``); get it with `stdout()`.

    Line-buffered with a 1 KiB buffer: a write containing a newline sends
    everything up to its last newline with one ``write(2)`` (after the
    buffered bytes); the rest waits. `flush` writes the buffer out; failed
    writes keep it. The buffer is flushed at interpreter exit. A pipe whose
    reader is gone raises `Error` of kind ``BrokenPipe`` (also a
    ``BrokenPipeError``); a closed descriptor 1 swallows writes.
    """

    __slots__ = ("_fd", "_inner", "_lock")

    def __init__(self) -> None:
        raise _no_constructor("Stdout", "stdout")

    @classmethod
    def _new(cls) -> Stdout:
        self = object.__new__(cls)
        self._lock = threading.RLock()
        self._inner = _LineBuf(1, STDOUT_CAPACITY)
        self._fd = 1
        return self

    def lock(self) -> StdoutLock:
        """Take the stdout lock (re-entrant) and return the guard (a `Write`)."""
        return StdoutLock._acquire(self)

    def __repr__(self) -> str:
        return "Stdout(fd=1)"


class StdoutLock(_Guard, _StdoutWrite):
    """A locked handle to standard output (Rust's ``StdoutLock``), a `Write`.

    Release it with ``with`` or `unlock`.
    """

    __slots__ = ("_fd", "_inner")

    def __init__(self) -> None:
        raise _no_constructor("StdoutLock", "stdout().lock")

    @classmethod
    def _acquire(cls, owner: Stdout) -> StdoutLock:
        self = object.__new__(cls)
        self._inner = owner._inner
        self._fd = owner._fd
        self._init_guard(owner._lock)
        return self


class Stderr(_LockedWrite):
    """The process's standard error (Rust's ``Stderr``): unbuffered, each `write` one ``write(2)``.

    Get it with `stderr()`. A closed descriptor 2 swallows writes.
    """

    __slots__ = ("_fd", "_inner", "_lock")

    def __init__(self) -> None:
        raise _no_constructor("Stderr", "stderr")

    @classmethod
    def _new(cls) -> Stderr:
        self = object.__new__(cls)
        self._lock = threading.RLock()
        self._inner = _Unbuffered(2)
        self._fd = 2
        return self

    def lock(self) -> StderrLock:
        """Take the stderr lock (re-entrant) and return the guard (a `Write`)."""
        return StderrLock._acquire(self)

    def __repr__(self) -> str:
        return "Stderr(fd=2)"


class StderrLock(_Guard, _LockedWrite):
    """A locked handle to standard error (Rust's ``StderrLock``), a `Write`."""

    __slots__ = ("_fd", "_inner")

    def __init__(self) -> None:
        raise _no_constructor("StderrLock", "stderr().lock")

    @classmethod
    def _acquire(cls, owner: Stderr) -> StderrLock:
        self = object.__new__(cls)
        self._inner = owner._inner
        self._fd = owner._fd
        self._init_guard(owner._lock)
        return self


_STDIN: Final = Stdin._new()
_STDOUT: Final = Stdout._new()
_STDERR: Final = Stderr._new()


def stdin() -> Stdin:
    """The process-wide standard input handle (no system call)."""
    return _STDIN


def stdout() -> Stdout:
    """The process-wide standard output handle (no system call)."""
    return _STDOUT


def stderr() -> Stderr:
    """The process-wide standard error handle (no system call)."""
    return _STDERR


def _flush_at_exit() -> None:
    # As Rust: flush if the lock is free (a thread stuck mid-write keeps
    # it), then make stdout unbuffered so output from later exit handlers
    # is not stranded in the buffer. Errors (EPIPE after `| head`) are moot.
    lock = _STDOUT._lock
    if not lock.acquire(blocking=False):
        return
    try:
        inner = _STDOUT._inner
        assert isinstance(inner, _LineBuf)
        try:
            inner.flush_buf()
        except OSError:
            inner.buf.clear()
        inner.cap = 0
    finally:
        lock.release()


atexit.register(_flush_at_exit)
