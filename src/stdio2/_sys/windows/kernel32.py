"""The kernel32 calls behind stdio2's Windows I/O: one typed binding, loaded once.

**Why a private binding.** ``ctypes.windll.kernel32`` is shared by every
library in the process; setting ``argtypes`` there would change other code's
calls. stdio2 loads its own ``ctypes.WinDLL("kernel32", use_last_error=True)``
and declares every prototype it uses. Declaring them matters: without
``argtypes`` ctypes passes a Python int as a 32-bit C ``int``, which silently
truncates a 64-bit ``HANDLE``; without ``restype`` a ``HANDLE`` result comes
back truncated the same way. ``use_last_error=True`` makes ctypes save
``GetLastError()`` right after each call, before any other code on this
thread can overwrite it; `Error.last_os_error` reads that copy.

**ReadFile / WriteFile.** Both move at most a ``DWORD`` of bytes per call
(stdio2 caps a call at 1 GiB), write the count moved through a pointer, and
return FALSE on failure. For the *read end of a pipe* whose writers are all
closed ``ReadFile`` fails with ``ERROR_BROKEN_PIPE`` (109): that is end of
file, not an error (`read_handle` returns 0), as in Rust. For the *write end*
of a pipe whose reader is closed, ``WriteFile`` fails with
``ERROR_NO_DATA`` (232, "the pipe is being closed") or ``ERROR_BROKEN_PIPE``;
both are `ErrorKind.BrokenPipe`. Reading a file at its end returns TRUE with
0 bytes.

**Buffers.** A writable Python buffer (``bytearray``, a writable
``memoryview``) is passed to C without copying through
``(c_char * n).from_buffer(view)``; a read-only one is copied once into
``bytes``, whose storage ctypes passes directly.

Every function here raises ``Error(Unsupported)`` off Windows (the DLL cannot
be loaded) and `stdio2.io.Error` carrying the Windows error code on failure.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any, Final

from stdio2.io._error import Error, ErrorKind

__all__ = [
    "ERROR_BROKEN_PIPE",
    "ERROR_INVALID_HANDLE",
    "ERROR_NO_DATA",
    "k32",
    "read_handle",
    "set_prototypes",
    "write_handle",
]

ERROR_INVALID_HANDLE: Final = 6
ERROR_HANDLE_EOF: Final = 38
ERROR_BROKEN_PIPE: Final = 109
ERROR_NO_DATA: Final = 232

MAX_IO: Final = 1 << 30
"""The most bytes one ReadFile/WriteFile call is asked to move (a DWORD holds 4 GiB - 1)."""

_dll: Any = None


def k32() -> Any:
    """stdio2's private, fully typed ``kernel32`` (loaded on first use)."""
    dll = _dll
    if dll is None:
        dll = _load()
    return dll


def _load() -> Any:
    global _dll
    if sys.platform != "win32":
        raise Error(
            ErrorKind.Unsupported,
            f"kernel32 is a Windows library; it does not exist on {sys.platform}",
        )
    from ctypes import wintypes as w

    dll = ctypes.WinDLL("kernel32", use_last_error=True)
    P = ctypes.POINTER
    H, BOOL, DWORD, LPVOID = w.HANDLE, w.BOOL, w.DWORD, w.LPVOID
    protos: dict[str, tuple[Any, list[Any]]] = {
        "GetStdHandle": (H, [DWORD]),
        "GetConsoleMode": (BOOL, [H, P(DWORD)]),
        "SetConsoleMode": (BOOL, [H, DWORD]),
        "GetFileType": (DWORD, [H]),
        "ReadFile": (BOOL, [H, LPVOID, DWORD, P(DWORD), LPVOID]),
        "WriteFile": (BOOL, [H, LPVOID, DWORD, P(DWORD), LPVOID]),
        "WriteConsoleW": (BOOL, [H, LPVOID, DWORD, P(DWORD), LPVOID]),
        "ReadConsoleW": (BOOL, [H, LPVOID, DWORD, P(DWORD), LPVOID]),
        "PeekNamedPipe": (BOOL, [H, LPVOID, DWORD, P(DWORD), P(DWORD), P(DWORD)]),
        "WaitForSingleObject": (DWORD, [H, DWORD]),
        "CreatePipe": (BOOL, [P(H), P(H), LPVOID, DWORD]),
        "CloseHandle": (BOOL, [H]),
        "CreateFileW": (H, [w.LPCWSTR, DWORD, DWORD, LPVOID, DWORD, DWORD, H]),
        "SetFilePointerEx": (BOOL, [H, ctypes.c_int64, P(ctypes.c_int64), DWORD]),
        "GetFileSizeEx": (BOOL, [H, P(ctypes.c_int64)]),
        "FlushFileBuffers": (BOOL, [H]),
        "SetEndOfFile": (BOOL, [H]),
        "SetFileInformationByHandle": (BOOL, [H, ctypes.c_int, LPVOID, DWORD]),
        "GetFileInformationByHandle": (BOOL, [H, LPVOID]),
        "GetFileInformationByHandleEx": (BOOL, [H, ctypes.c_int, LPVOID, DWORD]),
        "SetFileTime": (BOOL, [H, LPVOID, LPVOID, LPVOID]),
        "LockFileEx": (BOOL, [H, DWORD, DWORD, DWORD, DWORD, LPVOID]),
        "UnlockFileEx": (BOOL, [H, DWORD, DWORD, DWORD, LPVOID]),
        "GetOverlappedResult": (BOOL, [H, LPVOID, P(DWORD), BOOL]),
        "GetEnvironmentVariableW": (DWORD, [w.LPCWSTR, w.LPWSTR, DWORD]),
        "SetEnvironmentVariableW": (BOOL, [w.LPCWSTR, w.LPCWSTR]),
        "GetConsoleWindow": (w.HWND, []),
        "CreateSymbolicLinkW": (ctypes.c_ubyte, [w.LPCWSTR, w.LPCWSTR, DWORD]),
        "MoveFileExW": (BOOL, [w.LPCWSTR, w.LPCWSTR, DWORD]),
    }
    set_prototypes(dll, protos)
    _dll = dll
    return dll


def set_prototypes(dll: Any, protos: dict[str, tuple[Any, list[Any]]]) -> None:
    """Give each function *name* of the private *dll* its ``(restype, argtypes)``."""
    for name, (restype, argtypes) in protos.items():
        fn = getattr(dll, name)
        fn.restype = restype
        fn.argtypes = argtypes


def _writable_ptr(view: memoryview) -> Any:
    # Zero-copy pointer into a writable buffer (keeps the buffer exported
    # for as long as the ctypes array object lives).
    return (ctypes.c_char * len(view)).from_buffer(view)


def read_handle(handle: int, view: memoryview, *, eof_on_broken_pipe: bool = True) -> int:
    """One ``ReadFile`` into *view* (writable, byte-formatted); returns the count.

    ``ERROR_BROKEN_PIPE`` (all writers of a pipe closed) and
    ``ERROR_HANDLE_EOF`` read as end of file (0). Raises `Error` otherwise.
    """
    n = min(len(view), MAX_IO)
    if n == 0:
        return 0
    got = ctypes.c_uint32()
    buf = _writable_ptr(view[:n] if n < len(view) else view)
    ok = k32().ReadFile(handle, buf, n, ctypes.byref(got), None)
    del buf
    if not ok:
        code = ctypes.get_last_error()  # type: ignore[attr-defined,unused-ignore]
        if code == ERROR_HANDLE_EOF or (eof_on_broken_pipe and code == ERROR_BROKEN_PIPE):
            return 0
        raise Error.from_raw_os_error(code)
    return int(got.value)


def write_handle(handle: int, data: Any) -> int:
    """One ``WriteFile`` of *data* (any bytes-like); returns the count written. Raises `Error`."""
    with memoryview(data) as v, v.cast("B") if v.format != "B" or v.ndim != 1 else v as view:
        n = min(len(view), MAX_IO)
        if n == 0:
            return 0
        done = ctypes.c_uint32()
        if view.readonly:
            ok = k32().WriteFile(handle, view[:n].tobytes(), n, ctypes.byref(done), None)
        else:
            buf = _writable_ptr(view[:n] if n < len(view) else view)
            ok = k32().WriteFile(handle, buf, n, ctypes.byref(done), None)
            del buf
    if not ok:
        raise Error.last_os_error()
    return int(done.value)


def create_pipe() -> tuple[int, int]:
    """``CreatePipe`` (not inheritable, default size): the raw ``(read, write)`` handle values.

    Raises `Error` (e.g. ERROR_NOT_ENOUGH_MEMORY). The caller owns both
    handles and must wrap them at once.
    """
    r, w = ctypes.c_void_p(), ctypes.c_void_p()
    if not k32().CreatePipe(ctypes.byref(r), ctypes.byref(w), None, 0):
        raise Error.last_os_error()
    return r.value or 0, w.value or 0
