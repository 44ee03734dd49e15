"""The standard streams on Windows: ``GetStdHandle``, consoles and UTF-16.

**Where the handles come from.** A Windows process finds its standard
streams with ``GetStdHandle(STD_INPUT_HANDLE / STD_OUTPUT_HANDLE /
STD_ERROR_HANDLE)``; the values were put there by the parent
(``STARTUPINFO.hStdInput ...`` with ``STARTF_USESTDHANDLES``), by the console
the process attached to, or later by ``SetStdHandle``. stdio2 asks again on
every call, as Rust does, so a ``SetStdHandle`` takes effect at once. The
answer may be *nothing*: NULL for a GUI program, a process started with
``DETACHED_PROCESS``, or a parent that passed NULL handles; and
``INVALID_HANDLE_VALUE`` if a parent passed that. CPython then sets
``sys.stdout`` to ``None``. stdio2 follows Rust instead: an absent stream
reads as end of file and swallows writes (every byte "written"), so a
program never fails just because it has no console. A handle that stopped
being valid (``ERROR_INVALID_HANDLE``) is treated the same way.

**Consoles speak UTF-16.** If the handle is a console (``GetConsoleMode``
succeeds), bytes written with ``WriteFile`` would be decoded in the console's
*code page* (often 437 or 1252), mangling UTF-8. Rust, and stdio2, instead
decode the bytes as UTF-8 and write UTF-16 with ``WriteConsoleW``, so any
text shows correctly whatever the code page:

- a UTF-8 sequence cut between two writes (``"é"`` is two bytes; a program
  may write them separately) is not an error: the complete prefix is
  written and the one to three bytes of the unfinished character are kept
  and counted as written; the next write completes them;
- bytes that are not UTF-8 cannot be shown: the write fails with
  ``Error(InvalidData)`` and nothing is written (when the bad bytes are not at
  the start, the valid prefix is written and reported as a short write; the
  next write then starts with the bad bytes and fails);
- one write sends at most 8 KiB of UTF-8, the count reported is in *bytes*
  of the caller's buffer, as ``Write.write`` promises.

Reading a console uses ``ReadConsoleW`` (UTF-16) and re-encodes to UTF-8.
The console may hand out more UTF-8 than the caller's buffer holds (one
UTF-16 unit becomes up to three bytes); the rest is kept for the next read.
A high surrogate at the end of one read waits for its low half in the next.
Unpaired surrogates cannot become UTF-8 and fail with ``Error(InvalidData)``.
Ctrl-Z (``0x1A``) ends a read at once, without Enter (the read's
``CONSOLE_READCONSOLE_CONTROL`` wake-up mask, as Rust sets it) and is
dropped: typed first it is end of file, the DOS convention Rust keeps;
typed after some text, the read returns that text.

**Not a console.** Pipes and files are plain bytes: ``ReadFile`` /
``WriteFile``; a pipe whose writers are gone reads ``ERROR_BROKEN_PIPE``, which
is end of file. Waiting for input under a deadline uses
``WaitForSingleObject`` on a console handle (signalled while input events are
queued) and polls ``PeekNamedPipe`` on a pipe (anonymous pipes cannot be
waited on); a file is always ready.

The functions take the stream number (0, 1, 2), the same interface as the
Unix backend (`stdio2._sys.unix.stdio`), so `stdio2.io._stdio` stays
portable.
"""

from __future__ import annotations

import ctypes
import threading
import time
from typing import TYPE_CHECKING, Any, Final

from stdio2._sys.windows import handle as _h
from stdio2._sys.windows.kernel32 import (
    ERROR_INVALID_HANDLE,
    k32,
    read_handle,
    write_handle,
)
from stdio2.io._deadline import wait_ms
from stdio2.io._error import Error, ErrorKind

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = [
    "is_terminal",
    "raw_write",
    "read",
    "std_handle",
    "wait_readable",
    "write",
    "write_failed",
]

_SELECTORS: Final = (_h.STD_INPUT_HANDLE, _h.STD_OUTPUT_HANDLE, _h.STD_ERROR_HANDLE)
_FILE_TYPE_PIPE: Final = 3
_WAIT_OBJECT_0: Final = 0
_WAIT_TIMEOUT: Final = 258
_MAX_CONSOLE_WRITE: Final = 8192
_MAX_CONSOLE_READ_UNITS: Final = 4096
_CTRL_Z: Final = 0x1A

# Per stream: the unfinished UTF-8 sequence a console write kept (1 and 2),
# and the UTF-8 a console read produced beyond the caller's buffer plus a
# pending high surrogate (0). Callers hold the stream's lock; this lock
# only guards the dicts against writers of *different* streams.
_incomplete: dict[int, bytes] = {}
_pending_read: dict[int, bytes] = {}
_pending_surrogate: dict[int, int] = {}
_state_lock = threading.Lock()


def std_handle(fd: int) -> int:
    """``GetStdHandle`` for stream *fd* (0, 1, 2), with "no handle" (INVALID) presented as NULL."""
    raw = _h.get_std_handle(_SELECTORS[fd])
    return _h.NULL if raw == _h.INVALID_HANDLE_VALUE else raw


def _is_console(handle: int) -> bool:
    mode = ctypes.c_uint32()
    return bool(k32().GetConsoleMode(handle, ctypes.byref(mode)))


def is_terminal(fd: int) -> bool:
    """Whether stream *fd* is a console (``GetConsoleMode`` succeeds on its handle)."""
    handle = std_handle(fd)
    return handle != _h.NULL and _is_console(handle)


# -- writing -----------------------------------------------------------------


def write(fd: int, data: Buffer) -> int:
    """One write of *data* to stream 1 or 2; an absent stream counts everything as written.

    Consoles get UTF-16 through ``WriteConsoleW`` (see the module text);
    other handles get the bytes through ``WriteFile``. Raises `Error`
    (InvalidData for non-UTF-8 bytes on a console, BrokenPipe ...).
    """
    with memoryview(data) as view:
        size = view.nbytes
        handle = std_handle(fd)
        if handle == _h.NULL:
            return size
        if size == 0:
            return 0
        try:
            if _is_console(handle):
                return _write_console(fd, handle, view)
            return write_handle(handle, view)
        except Error as e:
            return write_failed(e, view)


raw_write = write
"""The fast-path call of the std streams; on Windows the same as `write`."""


def write_failed(exc: OSError, data: Buffer) -> int:
    """What a failed write means: an invalid handle is a sink (returns the length), else `Error`."""
    if getattr(exc, "winerror", None) == ERROR_INVALID_HANDLE or (
        isinstance(exc, Error) and exc.raw_os_error() == ERROR_INVALID_HANDLE
    ):
        with memoryview(data) as v:
            return v.nbytes
    raise Error.from_os_error(exc) from None


def _utf8_prefix(data: bytes) -> tuple[int, bool]:
    """(length of the longest valid UTF-8 prefix, whether the rest is an unfinished sequence)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        # "unexpected end of data" marks a sequence cut short at the end.
        return e.start, e.end == len(data) and e.reason == "unexpected end of data"
    return len(data), False


def _write_console(fd: int, handle: int, view: memoryview) -> int:
    with _state_lock:
        kept = _incomplete.pop(fd, b"")
    if kept:
        # Complete the kept sequence first, one byte at a time, as Rust does.
        chunk = kept + view[:1].tobytes()
        valid, unfinished = _utf8_prefix(chunk)
        if valid == len(chunk):
            _write_utf16(handle, chunk.decode("utf-8"))
            return 1
        if unfinished:
            with _state_lock:
                _incomplete[fd] = chunk
            return 1
        with _state_lock:
            _incomplete.pop(fd, None)
        raise Error(
            ErrorKind.InvalidData,
            "Windows stdio in console mode does not support writing non-UTF-8 byte sequences",
        )
    data = view[:_MAX_CONSOLE_WRITE].tobytes()
    valid, unfinished = _utf8_prefix(data)
    if valid == 0:
        if unfinished and len(data) < 4:
            with _state_lock:
                _incomplete[fd] = data
            return len(data)
        if not unfinished or len(view) <= _MAX_CONSOLE_WRITE:
            if unfinished:  # an unfinished sequence at the very end of the caller's data
                with _state_lock:
                    _incomplete[fd] = data
                return len(data)
            raise Error(
                ErrorKind.InvalidData,
                "Windows stdio in console mode does not support writing non-UTF-8 byte sequences",
            )
    text = data[:valid].decode("utf-8")
    _write_utf16(handle, text)
    return valid


def _write_utf16(handle: int, text: str) -> None:
    units = text.encode("utf-16-le")
    total = len(units) // 2
    buf = ctypes.create_string_buffer(units, len(units))
    done = 0
    written = ctypes.c_uint32()
    while done < total:
        ptr = ctypes.byref(buf, done * 2)
        if not k32().WriteConsoleW(handle, ptr, total - done, ctypes.byref(written), None):
            raise Error.last_os_error()
        if written.value == 0:
            raise Error(ErrorKind.WriteZero, "WriteConsoleW wrote nothing")
        done += written.value


# -- reading -------------------------------------------------------------------


def read(fd: int, buf: Buffer) -> int:
    """One read from stream 0 into *buf*; an absent stream reads as end of file (0).

    A console is read with ``ReadConsoleW`` and re-encoded as UTF-8 (see the
    module text); pipes and files with ``ReadFile`` (``ERROR_BROKEN_PIPE`` is
    end of file). Raises `Error` (InvalidData for unpaired surrogates ...).
    """
    with memoryview(buf) as whole, whole.cast("B") as view:
        if len(view) == 0:
            return 0
        with _state_lock:
            pending = _pending_read.pop(fd, b"")
        if pending:
            n = min(len(pending), len(view))
            view[:n] = pending[:n]
            if n < len(pending):
                with _state_lock:
                    _pending_read[fd] = pending[n:]
            return n
        handle = std_handle(fd)
        if handle == _h.NULL:
            return 0
        try:
            if _is_console(handle):
                return _read_console(fd, handle, view)
            return read_handle(handle, view)
        except Error as e:
            if e.raw_os_error() == ERROR_INVALID_HANDLE:
                return 0
            raise


class _ReadConsoleControl(ctypes.Structure):
    # CONSOLE_READCONSOLE_CONTROL: which control characters end a read at once.
    _fields_ = [
        ("nLength", ctypes.c_uint32),
        ("nInitialChars", ctypes.c_uint32),
        ("dwCtrlWakeupMask", ctypes.c_uint32),
        ("dwControlKeyState", ctypes.c_uint32),
    ]


def _read_console(fd: int, handle: int, view: memoryview) -> int:
    units = max(1, min(len(view) // 3, _MAX_CONSOLE_READ_UNITS))
    raw = (ctypes.c_uint16 * units)()
    got = ctypes.c_uint32()
    # Ctrl-Z wakes the read up without Enter (Rust's mask); it arrives as
    # the last unit and is dropped: alone it is end of file.
    control = _ReadConsoleControl(ctypes.sizeof(_ReadConsoleControl), 0, 1 << _CTRL_Z, 0)
    if not k32().ReadConsoleW(handle, raw, units, ctypes.byref(got), ctypes.byref(control)):
        raise Error.last_os_error()
    codes = list(raw[: got.value])
    ctrl_z = bool(codes) and codes[-1] == _CTRL_Z
    if ctrl_z:
        codes.pop()
    with _state_lock:
        high = _pending_surrogate.pop(fd, None)
    if high is not None:
        codes.insert(0, high)
    if not codes:
        return 0
    if 0xD800 <= codes[-1] < 0xDC00:
        # A high surrogate: its low half comes with the next read.
        with _state_lock:
            _pending_surrogate[fd] = codes.pop()
        if not codes:
            return _read_console(fd, handle, view)
    data = b"".join(c.to_bytes(2, "little") for c in codes)
    try:
        out = data.decode("utf-16-le").encode("utf-8")
    except UnicodeError:
        raise Error(
            ErrorKind.InvalidData,
            "Windows stdin in console mode does not support non-UTF-16 input; "
            "encountered unpaired surrogate",
        ) from None
    n = min(len(out), len(view))
    view[:n] = out[:n]
    if n < len(out):
        with _state_lock:
            _pending_read[fd] = out[n:]
    return n


def wait_readable(fd: int, instant: float) -> None:
    """Wait until stream *fd* has input (or EOF), or raise ``Error(TimedOut)`` at *instant*.

    Console: ``WaitForSingleObject``; pipe: polls ``PeekNamedPipe`` (a pipe
    whose writers are gone is ready: the read reports EOF); anything else
    (a file, an absent stream) is ready at once.
    """
    with _state_lock:
        if _pending_read.get(fd):
            return
    handle = std_handle(fd)
    if handle == _h.NULL:
        return
    dll = k32()
    if _is_console(handle):
        while True:
            ms = wait_ms(instant)  # at most a day per wait: the instant may be far off
            rc = dll.WaitForSingleObject(handle, ms)
            if rc != _WAIT_TIMEOUT:
                return
            if ms == 0:
                raise Error(ErrorKind.TimedOut, "reading standard input: the deadline passed")
    if dll.GetFileType(handle) != _FILE_TYPE_PIPE:
        return
    _wait_pipe(handle, instant, "reading standard input")


def _wait_pipe(handle: int, instant: float, what: str) -> None:
    avail = ctypes.c_uint32()
    delay = 0.0005
    peek: Any = k32().PeekNamedPipe
    while True:
        if not peek(handle, None, 0, None, ctypes.byref(avail), None):
            return  # broken pipe or not a pipe: the read reports it
        if avail.value:
            return
        now = time.monotonic()
        if now >= instant:
            raise Error(ErrorKind.TimedOut, f"{what}: the deadline passed")
        time.sleep(min(delay, instant - now))
        delay = min(delay * 2, 0.02)
