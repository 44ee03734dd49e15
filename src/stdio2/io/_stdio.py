"""The standard streams: `stdin()`, `stdout()`, `stderr()` and their locks (Rust's ``std::io::stdio``).

Each function returns the process-wide handle. One re-entrant lock per
stream serialises the threads: every method of `Stdin`/`Stdout`/`Stderr`
takes it for its duration, and ``lock()`` holds it until the returned guard
is released (``with stdout().lock() as out: ...``), so a sequence of writes
or line reads is not interleaved with other threads.

Buffering follows Rust, and uses the project's own buffered types: stdin
is a `BufReader` (8 KiB, a `BufRead` through `StdinLock`), stdout a
`LineWriter` (1 KiB; complete lines are written out at once, an
unterminated tail waits for its newline, a `flush` or exit), stderr is
unbuffered. Under them sits one unbuffered reader/writer per standard
descriptor (`_StdRaw`) making the backend's single calls.

stdio2's buffers are its own: Python's ``sys.stdout`` keeps a separate
buffer over the same descriptor, so when a program writes to both, flush the
one it used last before switching (``sys.stdout.flush()`` before `stdout()`,
``stdout().flush()`` before ``print``). stdout is flushed at interpreter
exit (``atexit``); errors at that point are ignored.

A standard stream that is absent (descriptor closed: EBADF) reads as end of
file and swallows writes, as in Rust. The OS calls live in the platform
backend (`stdio2._sys.unix.stdio`).
"""

from __future__ import annotations

import atexit
import sys
import threading
from typing import TYPE_CHECKING, Any, Final

from stdio2.io._buffered import BufReader, LineWriter
from stdio2.io._deadline import current_instant, scopes_open
from stdio2.io._error import Error
from stdio2.io._traits import BufRead, Read, Write, readable_view, writable_view

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
    from stdio2.os.windows.io import BorrowedHandle
else:
    from stdio2._sys.unix import stdio as _backend
    from stdio2.os.fd import BorrowedFd, borrow_permanent

# The backend's bare write (os.write on Unix); failures go to write_failed.
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



def _no_constructor(name: str, fn: str) -> TypeError:
    return TypeError(f"{name} is process-wide: get it with stdio2.io.{fn}()")


# ---------------------------------------------------------------------------
# stdin


class _StdRaw(Read, Write):
    # One standard descriptor as an unbuffered Read/Write: every call is one
    # backend read/write (EBADF reads as EOF and writes as a sink there).
    # The buffering on top is the project's own BufReader / LineWriter.
    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read(self, buf: Buffer, /) -> int:
        if scopes_open:
            instant = current_instant()
            if instant is not None:
                with writable_view(buf, "Stdin.read") as view:
                    size = len(view)
                if size:
                    _backend.wait_readable(self.fd, instant)
        n: int = _backend.read(self.fd, buf)
        return n

    def write(self, buf: Buffer, /) -> int:
        n: int = _backend.write(self.fd, buf)
        return n

    def write_all(self, buf: Buffer, /) -> None:
        # The common case (a pipe or terminal takes a short line whole) in
        # one call to the bare os.write; the generic loop only for the rest.
        try:
            n: int = _raw_write(self.fd, buf)
        except OSError as e:
            n = _backend.write_failed(e, buf)
        # Counts are bytes: a memoryview of an array('i') has 4-byte items.
        size = len(buf) if buf.__class__ is bytes else memoryview(buf).nbytes
        if n < size:
            try:
                Write.write_all(self, readable_view(buf, "write_all")[n:])
            except Error as e:
                raise e.with_progress(e.progress + n) from None

    def flush(self) -> None:
        pass

    def buffer(self) -> bytes:
        # Unbuffered: lets code treat a LineWriter and this alike.
        return b""


class _LockedRead(BufRead):
    # The reading operations shared by Stdin and StdinLock: each takes the
    # (re-entrant) stdin lock for its duration and goes through the one
    # shared BufReader.
    __slots__ = ()

    _lock: threading.RLock
    _inner: BufReader

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

    def is_terminal(self) -> bool:
        """Whether standard input is a terminal (``isatty(0)``)."""
        return bool(_backend.is_terminal(0))


class Stdin(_LockedRead):
    """The process's standard input (Rust's ``Stdin``); get it with `stdin()`.

    Buffered: reads take the stream's lock and go through one shared 8 KiB
    buffer, filled with one ``read(2)`` at a time. `lock` gives a
    `StdinLock` (a `BufRead`) for line-oriented work. Blocking reads honour
    an active `Deadline` (``poll`` first; `Error` TimedOut when it passes
    with no data). A closed descriptor 0 reads as end of file.
    """

    __slots__ = ("_inner", "_lock")

    _inner: BufReader
    _lock: threading.RLock

    def __init__(self) -> None:
        raise _no_constructor("Stdin", "stdin")

    @classmethod
    def _new(cls) -> Stdin:
        self = object.__new__(cls)
        self._lock = threading.RLock()
        self._inner = BufReader(_StdRaw(0), STDIN_CAPACITY)
        return self

    def lock(self) -> StdinLock:
        """Take the stdin lock (re-entrant) and return the guard; release it with ``with`` or ``unlock()``."""
        return StdinLock._acquire(self._lock, self._inner)

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

    if sys.platform != "win32":

        def as_fd(self) -> BorrowedFd:
            """Borrow descriptor 0 (never closed by stdio2)."""
            return borrow_permanent(_backend.cell(0))

        def as_raw_fd(self) -> int:
            """0."""
            return 0

    else:

        def as_handle(self) -> BorrowedHandle:
            """Borrow the standard input handle (``GetStdHandle``); NULL when there is none."""
            return BorrowedHandle._std(_backend.std_handle(0))

        def as_raw_handle(self) -> int:
            """``GetStdHandle(STD_INPUT_HANDLE)``, with "no handle" as NULL (0)."""
            return int(_backend.std_handle(0))

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


class StdinLock(_Guard, _LockedRead):
    """A locked handle to standard input (Rust's ``StdinLock``): a `BufRead`.

    Holds the stdin lock until `unlock` (or the end of a ``with`` block).
    `fill_buf` returns a read-only view of the shared buffer, valid until
    the next call.
    """

    __slots__ = ("_inner",)

    _inner: BufReader

    def __init__(self) -> None:
        raise _no_constructor("StdinLock", "stdin().lock")

    @classmethod
    def _acquire(cls, lock: threading.RLock, inner: BufReader) -> StdinLock:
        self = object.__new__(cls)
        self._inner = inner
        self._init_guard(lock)
        return self

    if sys.platform != "win32":

        def as_fd(self) -> BorrowedFd:
            """Borrow descriptor 0."""
            return borrow_permanent(_backend.cell(0))

    else:

        def as_handle(self) -> BorrowedHandle:
            """Borrow the standard input handle; NULL when there is none."""
            return BorrowedHandle._std(_backend.std_handle(0))


# ---------------------------------------------------------------------------
# stdout / stderr


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

    else:

        def as_handle(self) -> BorrowedHandle:
            """Borrow the standard handle (``GetStdHandle``); NULL when the process has none."""
            return BorrowedHandle._std(_backend.std_handle(self._fd))

        def as_raw_handle(self) -> int:
            """``GetStdHandle`` of this stream, with "no handle" as NULL (0)."""
            return int(_backend.std_handle(self._fd))


class _StdoutWrite(_LockedWrite):
    # Stdout and StdoutLock share the LineWriter; kept as a class so the
    # stdout types stay distinct from the stderr ones.
    __slots__ = ()

    _inner: LineWriter | _StdRaw


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
        self._inner = LineWriter(_StdRaw(1), STDOUT_CAPACITY)
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
        self._inner = _StdRaw(2)
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
        try:
            _STDOUT._inner.flush()
        except OSError:
            pass
        _STDOUT._inner = _StdRaw(1)
    finally:
        lock.release()


atexit.register(_flush_at_exit)
