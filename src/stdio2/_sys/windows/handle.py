"""Windows handles and sockets: the values, and the kernel32/ws2_32 calls that own them.

**What a handle is.** A Windows ``HANDLE`` is a pointer-sized value (64 bits
in a 64-bit process, 32 in a 32-bit one) naming an entry in the process's
kernel handle table. Like a Unix descriptor it is recycled: after
``CloseHandle(h)`` the next ``CreateFileW`` may return the same value, so a
program that keeps using ``h`` touches somebody else's object. Handles are
created by the call that opens an object, copied with ``DuplicateHandle``
(which can also make a copy in another process, or change inheritability)
and destroyed with ``CloseHandle``. ``GetHandleInformation`` fails with
``ERROR_INVALID_HANDLE`` (6) for a value that names no open handle; stdio2
uses it, once, to refuse adopting such a value.

**One canonical form.** C sees a ``HANDLE`` as ``void *``; printed signed the
"invalid" value is -1, printed unsigned it is ``0xFFFF_FFFF_FFFF_FFFF``.
Python code meets both spellings: ctypes' ``c_void_p`` and CPython's
``_winapi``/``msvcrt`` return the unsigned form, while C headers and Rust
write ``(HANDLE)-1``. stdio2's `RawHandle` is a plain ``int`` in the
**unsigned** form, ``0 <= h < 2**POINTER_BITS``, because that is what
ctypes, ``_winapi.GetCurrentProcess()``, ``msvcrt.get_osfhandle`` and
``socket.fileno()`` hand out, so values compare equal to what the rest of
Python sees. Every entry point accepts either spelling (any int in
``-2**(bits-1) .. 2**bits - 1``) and converts it with `normalize_handle`;
anything outside that range is not a pointer and raises `ValueError`.

**Values with special meanings.**

- ``NULL`` (0) is never a handle. Some APIs return it to report failure
  (``CreateThread``, ``OpenProcess``, ``CreateEventW``: they are the
  "HandleOrNull" APIs), some accept it to mean "none" in an optional
  parameter, and ``GetStdHandle`` returns it when the process has no such
  standard handle (a GUI-subsystem program, a detached console).
- ``INVALID_HANDLE_VALUE`` (-1) is what *other* APIs return to report
  failure (``CreateFileW``, ``CreateNamedPipeW``, ``FindFirstFileW``: the
  "HandleOrInvalid" APIs). Confusingly, -1 is also the value of
  ``GetCurrentProcess()``, a perfectly valid handle meaning "this process".
  The two never meet in one API (the current-process handle is not an I/O
  handle, and no file API returns it), so the meaning of -1 depends on who
  produced it. That is why stdio2 has `HandleOrNull` and `HandleOrInvalid`:
  the wrapper records which sentinel the producing API uses.
- **Pseudo handles** are constants that need no table entry and are never
  closed: -1 the current process, -2 the current thread, -3 the current
  session, -4/-5/-6 the current process token, thread token and effective
  thread token (``GetCurrentProcessToken()`` and friends). All of them have
  the pointer's high bit set, which real user-mode handles never have (only
  kernel-mode handles do, and stdio2 does not run in the kernel); stdio2
  treats every high-bit value as a pseudo handle (`is_pseudo`), which also
  covers the predefined registry keys such as ``HKEY_CLASSES_ROOT``
  (``0x80000000`` sign-extended). ``CloseHandle`` on a pseudo handle does
  nothing; stdio2's owners do not even call it. ``DuplicateHandle`` of
  the current-process or current-thread pseudo handle yields a *real*
  handle to the same object.
- Real handles are small multiples of 4 in practice (the kernel ignores the
  low two bits), and Windows documents that only the low 32 bits of a
  handle are significant, so a 64-bit process may pass one to a 32-bit
  process (truncated) and back (sign-extended). stdio2 relies on neither
  fact.

**Standard handles.** ``GetStdHandle(STD_OUTPUT_HANDLE)`` (the selectors are
the DWORDs -10, -11, -12, not handles) returns whatever the parent or
``SetStdHandle`` stored: a real handle, NULL when there is none, or
INVALID_HANDLE_VALUE when a parent passed "no handle" (and also on failure).
Such handles belong to the process, not to any object, so they are only
ever *borrowed*. Rust (since rust-lang/rust#93263, 2022) presents an absent
standard handle as a NULL borrow in both cases, because -1 in a borrow
would mean the current process; stdio2 does the same.

**Sockets.** A Winsock ``SOCKET`` is a ``UINT_PTR`` (unsigned, pointer-sized)
whose failure value ``INVALID_SOCKET`` is ``~0``, the same bits as -1, so the
same normalisation applies; 0 is a possible socket. Sockets are closed with
``closesocket`` (not ``CloseHandle``: the Winsock provider keeps its own
state), duplicated with ``WSADuplicateSocketW`` (which fills a
``WSAPROTOCOL_INFOW`` describing the socket) followed by ``WSASocketW`` on
that description, and report errors through ``WSAGetLastError()``. Winsock
must be initialised with ``WSAStartup`` first; CPython's ``socket`` module
does that when it is imported, so this module imports it before the first
ws2_32 call. ``getsockopt(SO_TYPE)`` fails with ``WSAENOTSOCK`` for a value
that is not a socket: that is the adoption check for sockets.

**Inheritance.** Handles and sockets made here are not inheritable:
``DuplicateHandle`` is called with ``bInheritHandle=FALSE`` and
``DUPLICATE_SAME_ACCESS``, ``WSASocketW`` with ``WSA_FLAG_NO_HANDLE_INHERIT``
(falling back, as Rust does, to ``SetHandleInformation`` on systems that
reject the flag with ``WSAEPROTOTYPE``/``WSAEINVAL``).

**Where the calls live.** Everything above the ``ctypes`` section is pure
integer logic, importable and tested on every platform. The DLLs are loaded
the first time a call needs them (``ctypes.WinDLL("kernel32",
use_last_error=True)`` with explicit ``argtypes``/``restype``, so a 64-bit
handle is never truncated to a C ``int``), and on other platforms those
calls raise ``Error(Unsupported)`` instead of touching anything.
"""

from __future__ import annotations

import ctypes
import struct
import sys
from typing import Any, Final, Protocol

from stdio2.io._error import Error, ErrorKind

__all__ = [
    "CURRENT_PROCESS",
    "CURRENT_THREAD",
    "INVALID_HANDLE_VALUE",
    "INVALID_SOCKET",
    "KERNEL32",
    "NULL",
    "POINTER_BITS",
    "WINSOCK",
    "WSAPROTOCOL_INFOW",
    "HandleOps",
    "describe_handle",
    "get_std_handle",
    "is_closable",
    "is_invalid",
    "is_null",
    "is_pseudo",
    "normalize_handle",
    "normalize_socket",
    "pseudo_name",
    "to_signed",
]

# -- pure value rules ----------------------------------------------------------

POINTER_BITS: Final = struct.calcsize("P") * 8
"""Width of a HANDLE/SOCKET in this process (64 on 64-bit Python)."""

NULL: Final = 0
INVALID_HANDLE_VALUE: Final = (1 << POINTER_BITS) - 1
"""``(HANDLE)-1`` in canonical (unsigned) form; same bits as `CURRENT_PROCESS`."""
INVALID_SOCKET: Final = (1 << POINTER_BITS) - 1
"""``~(SOCKET)0``."""
CURRENT_PROCESS: Final = INVALID_HANDLE_VALUE
CURRENT_THREAD: Final = (1 << POINTER_BITS) - 2

# The named pseudo handles, by their signed value.
_PSEUDO_NAMES: Final = {
    -1: "current process",
    -2: "current thread",
    -3: "current session",
    -4: "current process token",
    -5: "current thread token",
    -6: "current thread effective token",
}


def _pointer_arg(value: object, bits: int, what: str) -> int:
    # bool is an int subclass, but True is never a handle someone meant.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"a raw {what} is an int, not {type(value).__name__}")
    if value < 0:
        if value < -(1 << (bits - 1)):
            raise ValueError(f"{value} does not fit in a {bits}-bit {what}")
        return value + (1 << bits)
    if value >> bits:
        raise ValueError(f"{value:#x} does not fit in a {bits}-bit {what}")
    return value


def normalize_handle(value: object, bits: int = POINTER_BITS) -> int:
    """The canonical (unsigned) form of a HANDLE given in either spelling.

    Accepts ints from ``-2**(bits-1)`` to ``2**bits - 1``; ``-1`` and
    ``2**bits - 1`` are the same handle. No system call. Raises `TypeError`
    for a non-int (``bool`` included) and `ValueError` for a value that does
    not fit in a pointer.

    >>> normalize_handle(-1, bits=32) == normalize_handle(0xFFFF_FFFF, bits=32) == 0xFFFF_FFFF
    True
    """
    return _pointer_arg(value, bits, "handle")


def normalize_socket(value: object, bits: int = POINTER_BITS) -> int:
    """The canonical (unsigned) form of a SOCKET; same rules as `normalize_handle`."""
    return _pointer_arg(value, bits, "socket")


def to_signed(value: object, bits: int = POINTER_BITS) -> int:
    """The signed reading of a handle (``-1`` for INVALID_HANDLE_VALUE), as C headers write it."""
    h = _pointer_arg(value, bits, "handle")
    return h - (1 << bits) if h >> (bits - 1) else h


def is_null(value: object, bits: int = POINTER_BITS) -> bool:
    """Whether the handle is NULL (0): never a handle, the failure value of "HandleOrNull" APIs."""
    return _pointer_arg(value, bits, "handle") == 0


def is_invalid(value: object, bits: int = POINTER_BITS) -> bool:
    """Whether the handle has INVALID_HANDLE_VALUE's bits (-1).

    True for the current-process pseudo handle too: the bits are the same and
    only the API that produced the value says which one it is.
    """
    return _pointer_arg(value, bits, "handle") == (1 << bits) - 1


def is_pseudo(value: object, bits: int = POINTER_BITS) -> bool:
    """Whether the handle is a pseudo handle: the high bit is set (-1, -2, ... -6 and beyond).

    Pseudo handles are constants; they are never closed.
    """
    return _pointer_arg(value, bits, "handle") >> (bits - 1) == 1


def is_closable(value: object, bits: int = POINTER_BITS) -> bool:
    """Whether an owner of this value must call ``CloseHandle``: neither NULL nor a pseudo handle."""
    h = _pointer_arg(value, bits, "handle")
    return h != 0 and h >> (bits - 1) == 0


def pseudo_name(value: object, bits: int = POINTER_BITS) -> str | None:
    """What a named pseudo handle (-1 ... -6) stands for, e.g. ``"current process"``; else None."""
    return _PSEUDO_NAMES.get(to_signed(value, bits))


def describe_handle(value: object, bits: int = POINTER_BITS) -> str:
    """A short text for reprs: ``0x1a4``, ``NULL``, ``-1 (current process)``."""
    h = _pointer_arg(value, bits, "handle")
    if h == 0:
        return "NULL"
    name = pseudo_name(h, bits)
    if name is not None:
        return f"{to_signed(h, bits)} ({name})"
    if h >> (bits - 1):
        return f"{h:#x} (pseudo)"
    return f"{h:#x}"


# -- the OS calls, behind one small interface ----------------------------------


class HandleOps(Protocol):
    """The three OS calls an owner of a handle or socket needs.

    `KERNEL32` (handles) and `WINSOCK` (sockets) are the real ones; owners
    keep the ops they were made with, so a clone is closed the same way.
    """

    def close(self, raw: int) -> None:
        """Release *raw* (``CloseHandle`` / ``closesocket``); raise `Error` on failure."""

    def duplicate(self, raw: int) -> int:
        """A new, non-inheritable handle to the same object; raise `Error` on failure."""

    def check(self, raw: int) -> None:
        """Raise `Error` unless *raw* names an open object of the right kind."""


def _unsupported(call: str) -> Error:
    return Error(
        ErrorKind.Unsupported,
        f"{call} is a Windows library: Windows handles and sockets exist only on Windows, "
        f"not on {sys.platform}",
    )


# Constants of the Windows SDK used below.
DUPLICATE_SAME_ACCESS: Final = 0x2
HANDLE_FLAG_INHERIT: Final = 0x1
STD_INPUT_HANDLE: Final = 0xFFFF_FFF6  # (DWORD)-10
STD_OUTPUT_HANDLE: Final = 0xFFFF_FFF5  # (DWORD)-11
STD_ERROR_HANDLE: Final = 0xFFFF_FFF4  # (DWORD)-12
SOL_SOCKET: Final = 0xFFFF
SO_TYPE: Final = 0x1008
WSA_FLAG_OVERLAPPED: Final = 0x01
WSA_FLAG_NO_HANDLE_INHERIT: Final = 0x80
WSAEINVAL: Final = 10022
WSAEPROTOTYPE: Final = 10041
_MAX_PROTOCOL_CHAIN: Final = 7
_WSAPROTOCOL_LEN: Final = 255

# Fixed-width C types, so the structure has its Windows layout on every
# platform (ctypes.wintypes.DWORD is 8 bytes on 64-bit Linux).
_DWORD = ctypes.c_uint32
_WORD = ctypes.c_uint16


class _GUID(ctypes.Structure):
    _fields_ = [
        ("Data1", _DWORD),
        ("Data2", _WORD),
        ("Data3", _WORD),
        ("Data4", ctypes.c_ubyte * 8),
    ]


class _WSAPROTOCOLCHAIN(ctypes.Structure):
    _fields_ = [
        ("ChainLen", ctypes.c_int32),
        ("ChainEntries", _DWORD * _MAX_PROTOCOL_CHAIN),
    ]


class WSAPROTOCOL_INFOW(ctypes.Structure):
    """``WSAPROTOCOL_INFOW``: what ``WSADuplicateSocketW`` writes and ``WSASocketW`` reads (628 bytes)."""

    _fields_ = [
        ("dwServiceFlags1", _DWORD),
        ("dwServiceFlags2", _DWORD),
        ("dwServiceFlags3", _DWORD),
        ("dwServiceFlags4", _DWORD),
        ("dwProviderFlags", _DWORD),
        ("ProviderId", _GUID),
        ("dwCatalogEntryId", _DWORD),
        ("ProtocolChain", _WSAPROTOCOLCHAIN),
        ("iVersion", ctypes.c_int32),
        ("iAddressFamily", ctypes.c_int32),
        ("iMaxSockAddr", ctypes.c_int32),
        ("iMinSockAddr", ctypes.c_int32),
        ("iSocketType", ctypes.c_int32),
        ("iProtocol", ctypes.c_int32),
        ("iProtocolMaxOffset", ctypes.c_int32),
        ("iNetworkByteOrder", ctypes.c_int32),
        ("iSecurityScheme", ctypes.c_int32),
        ("dwMessageSize", _DWORD),
        ("dwProviderReserved", _DWORD),
        # WCHAR is 2 bytes on Windows; c_wchar is 4 on Linux, so spell it out.
        ("szProtocol", ctypes.c_uint16 * (_WSAPROTOCOL_LEN + 1)),
    ]


_kernel32: Any = None
_ws2_32: Any = None


def _k32() -> Any:
    global _kernel32
    dll = _kernel32
    if dll is None:
        dll = _kernel32 = _load_kernel32()
    return dll


def _ws2() -> Any:
    global _ws2_32
    dll = _ws2_32
    if dll is None:
        dll = _ws2_32 = _load_ws2_32()
    return dll


def _load_kernel32() -> Any:
    if sys.platform != "win32":
        raise _unsupported("kernel32")
    from ctypes import wintypes

    # A private WinDLL object: argtypes set here do not leak into
    # ctypes.windll.kernel32, which other code may use differently.
    dll = ctypes.WinDLL("kernel32", use_last_error=True)
    HANDLE, BOOL, DWORD = wintypes.HANDLE, wintypes.BOOL, wintypes.DWORD
    dll.CloseHandle.argtypes = [HANDLE]
    dll.CloseHandle.restype = BOOL
    dll.DuplicateHandle.argtypes = [
        HANDLE,
        HANDLE,
        HANDLE,
        ctypes.POINTER(HANDLE),
        DWORD,
        BOOL,
        DWORD,
    ]
    dll.DuplicateHandle.restype = BOOL
    dll.GetCurrentProcess.argtypes = []
    dll.GetCurrentProcess.restype = HANDLE
    dll.GetCurrentProcessId.argtypes = []
    dll.GetCurrentProcessId.restype = DWORD
    dll.GetHandleInformation.argtypes = [HANDLE, ctypes.POINTER(DWORD)]
    dll.GetHandleInformation.restype = BOOL
    dll.SetHandleInformation.argtypes = [HANDLE, DWORD, DWORD]
    dll.SetHandleInformation.restype = BOOL
    dll.GetStdHandle.argtypes = [DWORD]
    dll.GetStdHandle.restype = HANDLE
    return dll


def _load_ws2_32() -> Any:
    if sys.platform != "win32":
        raise _unsupported("ws2_32")
    import socket  # CPython's socket module calls WSAStartup when imported.

    del socket
    from ctypes import wintypes

    dll = ctypes.WinDLL("ws2_32", use_last_error=True)
    SOCKET, DWORD, c_int = ctypes.c_size_t, wintypes.DWORD, ctypes.c_int
    info_p = ctypes.POINTER(WSAPROTOCOL_INFOW)
    dll.closesocket.argtypes = [SOCKET]
    dll.closesocket.restype = c_int
    dll.WSADuplicateSocketW.argtypes = [SOCKET, DWORD, info_p]
    dll.WSADuplicateSocketW.restype = c_int
    dll.WSASocketW.argtypes = [c_int, c_int, c_int, info_p, ctypes.c_uint, DWORD]
    dll.WSASocketW.restype = SOCKET
    dll.WSAGetLastError.argtypes = []
    dll.WSAGetLastError.restype = c_int
    dll.getsockopt.argtypes = [SOCKET, c_int, c_int, ctypes.c_void_p, ctypes.POINTER(c_int)]
    dll.getsockopt.restype = c_int
    return dll


def _handle_result(value: int | None) -> int:
    # c_void_p results come back as None for NULL.
    return 0 if value is None else normalize_handle(value)


class _Kernel32Handles:
    """`HandleOps` for kernel handles: ``CloseHandle``, ``DuplicateHandle``, ``GetHandleInformation``."""

    __slots__ = ()

    def close(self, raw: int) -> None:
        if not _k32().CloseHandle(raw):
            raise Error.last_os_error()

    def duplicate(self, raw: int) -> int:
        k = _k32()
        out = ctypes.c_void_p()
        me = k.GetCurrentProcess()
        if not k.DuplicateHandle(me, raw, me, ctypes.byref(out), 0, False, DUPLICATE_SAME_ACCESS):
            raise Error.last_os_error()
        return _handle_result(out.value)

    def check(self, raw: int) -> None:
        k = _k32()
        from ctypes import wintypes

        flags = wintypes.DWORD()  # the exact type of the argtype (c_uint32 is c_uint there)
        if not k.GetHandleInformation(raw, ctypes.byref(flags)):
            raise Error.last_os_error()

    def __repr__(self) -> str:
        return "KERNEL32"


class _WinsockSockets:
    """`HandleOps` for sockets: ``closesocket``, ``WSADuplicateSocketW`` + ``WSASocketW``, ``getsockopt``."""

    __slots__ = ()

    @staticmethod
    def _error() -> Error:
        return Error.from_raw_os_error(int(_ws2().WSAGetLastError()))

    def close(self, raw: int) -> None:
        if _ws2().closesocket(raw) != 0:
            raise self._error()

    def duplicate(self, raw: int) -> int:
        ws, k = _ws2(), _k32()
        info = WSAPROTOCOL_INFOW()
        if ws.WSADuplicateSocketW(raw, k.GetCurrentProcessId(), ctypes.byref(info)) != 0:
            raise self._error()
        family, kind, proto = info.iAddressFamily, info.iSocketType, info.iProtocol
        flags = WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT
        new = int(ws.WSASocketW(family, kind, proto, ctypes.byref(info), 0, flags))
        if new != INVALID_SOCKET:
            return new
        code = int(ws.WSAGetLastError())
        if code not in (WSAEPROTOTYPE, WSAEINVAL):
            raise Error.from_raw_os_error(code)
        # Systems older than Windows 7 SP1 reject WSA_FLAG_NO_HANDLE_INHERIT.
        new = int(ws.WSASocketW(family, kind, proto, ctypes.byref(info), 0, WSA_FLAG_OVERLAPPED))
        if new == INVALID_SOCKET:
            raise self._error()
        if not k.SetHandleInformation(new, HANDLE_FLAG_INHERIT, 0):
            err = Error.last_os_error()
            ws.closesocket(new)
            raise err
        return new

    def check(self, raw: int) -> None:
        value = ctypes.c_int()
        size = ctypes.c_int(ctypes.sizeof(value))
        if _ws2().getsockopt(raw, SOL_SOCKET, SO_TYPE, ctypes.byref(value), ctypes.byref(size)):
            raise self._error()

    def __repr__(self) -> str:
        return "WINSOCK"


KERNEL32: Final[HandleOps] = _Kernel32Handles()
"""The real handle calls (lazy ``kernel32``); raise ``Error(Unsupported)`` off Windows."""
WINSOCK: Final[HandleOps] = _WinsockSockets()
"""The real socket calls (lazy ``ws2_32``); raise ``Error(Unsupported)`` off Windows."""


def get_std_handle(which: int) -> int:
    """``GetStdHandle(which)`` for `STD_INPUT_HANDLE` / `STD_OUTPUT_HANDLE` / `STD_ERROR_HANDLE`.

    Returns the raw value as stored, NULL and INVALID_HANDLE_VALUE included
    (both mean "no handle" to the std streams). Raises ``Error(Unsupported)``
    off Windows.
    """
    return _handle_result(_k32().GetStdHandle(which))
