"""Windows error codes and how they map to `ErrorKind`.

Windows reports failures in two numbering schemes that matter here: the Win32
error codes returned by ``GetLastError()`` (``ERROR_FILE_NOT_FOUND`` = 2 ...)
and the Winsock codes returned by ``WSAGetLastError()`` (``WSAECONNRESET`` =
10054 ...). They do not overlap, so one table maps both, as Rust's
``decode_error_kind`` does for Windows. CPython's ``OSError.winerror`` carries
the Win32/Winsock code and ``errno`` a C-runtime translation of it; stdio2
treats the Windows code as the raw OS error, as Rust does.

This module is pure data plus one lazily bound call (``FormatMessageW``), so
the table is importable and tested on every platform.
"""

from __future__ import annotations

import sys

from stdio2.io._error import ErrorKind

__all__ = ["WINDOWS_ERROR_KINDS", "format_message"]

ERROR_FILE_NOT_FOUND = 2
ERROR_PATH_NOT_FOUND = 3
ERROR_ACCESS_DENIED = 5
ERROR_INVALID_HANDLE = 6
ERROR_NOT_ENOUGH_MEMORY = 8
ERROR_OUTOFMEMORY = 14
ERROR_INVALID_DRIVE = 15
ERROR_NOT_SAME_DEVICE = 17
ERROR_WRITE_PROTECT = 19
ERROR_HANDLE_EOF = 38
ERROR_HANDLE_DISK_FULL = 39
ERROR_BAD_NETPATH = 53
ERROR_BAD_NET_NAME = 67
ERROR_FILE_EXISTS = 80
ERROR_INVALID_PARAMETER = 87
ERROR_BROKEN_PIPE = 109
ERROR_DISK_FULL = 112
ERROR_CALL_NOT_IMPLEMENTED = 120
ERROR_SEM_TIMEOUT = 121
ERROR_INVALID_NAME = 123
ERROR_SEEK_ON_DEVICE = 132
ERROR_DIR_NOT_EMPTY = 145
ERROR_BUSY = 170
ERROR_ALREADY_EXISTS = 183
ERROR_FILENAME_EXCED_RANGE = 206
ERROR_FILE_TOO_LARGE = 223
ERROR_NO_DATA = 232
ERROR_DIRECTORY = 267
ERROR_DIRECTORY_NOT_SUPPORTED = 336
ERROR_OPERATION_ABORTED = 995
ERROR_POSSIBLE_DEADLOCK = 1131
ERROR_TOO_MANY_LINKS = 1142
ERROR_NETWORK_UNREACHABLE = 1231
ERROR_HOST_UNREACHABLE = 1232
ERROR_DISK_QUOTA_EXCEEDED = 1295
ERROR_CANT_RESOLVE_FILENAME = 1921
ERROR_TIMEOUT = 1460
ERROR_BAD_PATHNAME = 161
WAIT_TIMEOUT = 258
# The other Win32 codes that Rust's table reads as TimedOut.
ERROR_DRIVER_CANCEL_TIMEOUT = 594
ERROR_SERVICE_REQUEST_TIMEOUT = 1053
ERROR_COUNTER_TIMEOUT = 1121
ERROR_RESOURCE_CALL_TIMED_OUT = 5910
ERROR_CTX_MODEM_RESPONSE_TIMEOUT = 7012
ERROR_CTX_CLIENT_QUERY_TIMEOUT = 7040
FRS_ERR_SYSVOL_POPULATE_TIMEOUT = 8014
ERROR_DS_TIMELIMIT_EXCEEDED = 8226
DNS_ERROR_RECORD_TIMED_OUT = 9705
ERROR_IPSEC_IKE_TIMED_OUT = 13805
ERROR_RUNLEVEL_SWITCH_TIMEOUT = 15402
ERROR_RUNLEVEL_SWITCH_AGENT_TIMEOUT = 15403

WSAEINTR = 10004
WSAEACCES = 10013
WSAEINVAL = 10022
WSAEWOULDBLOCK = 10035
WSAEINPROGRESS = 10036
WSAEADDRINUSE = 10048
WSAEADDRNOTAVAIL = 10049
WSAENETDOWN = 10050
WSAENETUNREACH = 10051
WSAECONNABORTED = 10053
WSAECONNRESET = 10054
WSAENOTCONN = 10057
WSAESHUTDOWN = 10058
WSAETIMEDOUT = 10060
WSAECONNREFUSED = 10061
WSAEHOSTUNREACH = 10065
WSAEDQUOT = 10069

WINDOWS_ERROR_KINDS: dict[int, ErrorKind] = {
    ERROR_ACCESS_DENIED: ErrorKind.PermissionDenied,
    ERROR_ALREADY_EXISTS: ErrorKind.AlreadyExists,
    ERROR_FILE_EXISTS: ErrorKind.AlreadyExists,
    ERROR_BROKEN_PIPE: ErrorKind.BrokenPipe,
    ERROR_NO_DATA: ErrorKind.BrokenPipe,
    ERROR_FILE_NOT_FOUND: ErrorKind.NotFound,
    ERROR_PATH_NOT_FOUND: ErrorKind.NotFound,
    # A drive letter or network share that does not exist: still "no such
    # path" to the caller, as Rust reads them.
    ERROR_INVALID_DRIVE: ErrorKind.NotFound,
    ERROR_BAD_NETPATH: ErrorKind.NotFound,
    ERROR_BAD_NET_NAME: ErrorKind.NotFound,
    ERROR_INVALID_PARAMETER: ErrorKind.InvalidInput,
    ERROR_NOT_ENOUGH_MEMORY: ErrorKind.OutOfMemory,
    ERROR_OUTOFMEMORY: ErrorKind.OutOfMemory,
    ERROR_SEM_TIMEOUT: ErrorKind.TimedOut,
    WAIT_TIMEOUT: ErrorKind.TimedOut,
    ERROR_TIMEOUT: ErrorKind.TimedOut,
    ERROR_OPERATION_ABORTED: ErrorKind.TimedOut,
    ERROR_DRIVER_CANCEL_TIMEOUT: ErrorKind.TimedOut,
    ERROR_SERVICE_REQUEST_TIMEOUT: ErrorKind.TimedOut,
    ERROR_COUNTER_TIMEOUT: ErrorKind.TimedOut,
    ERROR_RESOURCE_CALL_TIMED_OUT: ErrorKind.TimedOut,
    ERROR_CTX_MODEM_RESPONSE_TIMEOUT: ErrorKind.TimedOut,
    ERROR_CTX_CLIENT_QUERY_TIMEOUT: ErrorKind.TimedOut,
    FRS_ERR_SYSVOL_POPULATE_TIMEOUT: ErrorKind.TimedOut,
    ERROR_DS_TIMELIMIT_EXCEEDED: ErrorKind.TimedOut,
    DNS_ERROR_RECORD_TIMED_OUT: ErrorKind.TimedOut,
    ERROR_IPSEC_IKE_TIMED_OUT: ErrorKind.TimedOut,
    ERROR_RUNLEVEL_SWITCH_TIMEOUT: ErrorKind.TimedOut,
    ERROR_RUNLEVEL_SWITCH_AGENT_TIMEOUT: ErrorKind.TimedOut,
    ERROR_CALL_NOT_IMPLEMENTED: ErrorKind.Unsupported,
    ERROR_HOST_UNREACHABLE: ErrorKind.HostUnreachable,
    ERROR_NETWORK_UNREACHABLE: ErrorKind.NetworkUnreachable,
    ERROR_DIRECTORY: ErrorKind.NotADirectory,
    ERROR_DIRECTORY_NOT_SUPPORTED: ErrorKind.IsADirectory,
    ERROR_DIR_NOT_EMPTY: ErrorKind.DirectoryNotEmpty,
    ERROR_WRITE_PROTECT: ErrorKind.ReadOnlyFilesystem,
    ERROR_DISK_FULL: ErrorKind.StorageFull,
    ERROR_HANDLE_DISK_FULL: ErrorKind.StorageFull,
    ERROR_SEEK_ON_DEVICE: ErrorKind.NotSeekable,
    ERROR_DISK_QUOTA_EXCEEDED: ErrorKind.QuotaExceeded,
    ERROR_FILE_TOO_LARGE: ErrorKind.FileTooLarge,
    ERROR_BUSY: ErrorKind.ResourceBusy,
    ERROR_POSSIBLE_DEADLOCK: ErrorKind.Deadlock,
    ERROR_NOT_SAME_DEVICE: ErrorKind.CrossesDevices,
    ERROR_TOO_MANY_LINKS: ErrorKind.TooManyLinks,
    ERROR_INVALID_NAME: ErrorKind.InvalidFilename,
    ERROR_BAD_PATHNAME: ErrorKind.InvalidFilename,
    ERROR_FILENAME_EXCED_RANGE: ErrorKind.InvalidFilename,
    ERROR_CANT_RESOLVE_FILENAME: ErrorKind.FilesystemLoop,
    # Three Winsock codes Rust leaves Uncategorized, mapped here like their
    # Unix counterparts (EINTR, EINPROGRESS, and EPIPE for a send after
    # shutdown) so portable socket code sees one kind on both platforms.
    WSAEINTR: ErrorKind.Interrupted,
    WSAEACCES: ErrorKind.PermissionDenied,
    WSAEINVAL: ErrorKind.InvalidInput,
    WSAEWOULDBLOCK: ErrorKind.WouldBlock,
    WSAEINPROGRESS: ErrorKind.InProgress,
    WSAEADDRINUSE: ErrorKind.AddrInUse,
    WSAEADDRNOTAVAIL: ErrorKind.AddrNotAvailable,
    WSAENETDOWN: ErrorKind.NetworkDown,
    WSAENETUNREACH: ErrorKind.NetworkUnreachable,
    WSAECONNABORTED: ErrorKind.ConnectionAborted,
    WSAECONNRESET: ErrorKind.ConnectionReset,
    WSAENOTCONN: ErrorKind.NotConnected,
    WSAESHUTDOWN: ErrorKind.BrokenPipe,
    WSAETIMEDOUT: ErrorKind.TimedOut,
    WSAECONNREFUSED: ErrorKind.ConnectionRefused,
    WSAEHOSTUNREACH: ErrorKind.HostUnreachable,
    WSAEDQUOT: ErrorKind.QuotaExceeded,
}


def format_message(code: int) -> str:
    """The system's text for Windows error *code* (``FormatMessageW``); a generic text elsewhere."""
    if sys.platform != "win32":
        return f"Windows error {code}"
    import ctypes

    text: str = ctypes.FormatError(code)  # type: ignore[attr-defined,unused-ignore]
    return text.strip()
