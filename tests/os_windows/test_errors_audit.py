"""Audit (issue 9): Windows error codes map to the kinds Rust's ``decode_error_kind`` gives.

The table is pure data (`stdio2._sys.windows.errors`), so it is checked on
every platform; on Windows (under Wine here) the same codes also go through
`Error.from_raw_os_error`, the path every failed kernel32 call takes.
"""

from __future__ import annotations

import sys

import pytest

from stdio2._sys.windows.errors import WINDOWS_ERROR_KINDS
from stdio2.io import Error, ErrorKind

# Rust's library/std/src/sys/io/error/windows.rs, arm by arm (numbers from winerror.h).
RUST_WIN32 = {
    5: ErrorKind.PermissionDenied,  # ERROR_ACCESS_DENIED
    183: ErrorKind.AlreadyExists,  # ERROR_ALREADY_EXISTS
    80: ErrorKind.AlreadyExists,  # ERROR_FILE_EXISTS
    109: ErrorKind.BrokenPipe,  # ERROR_BROKEN_PIPE
    2: ErrorKind.NotFound,  # ERROR_FILE_NOT_FOUND
    3: ErrorKind.NotFound,  # ERROR_PATH_NOT_FOUND
    15: ErrorKind.NotFound,  # ERROR_INVALID_DRIVE
    53: ErrorKind.NotFound,  # ERROR_BAD_NETPATH
    67: ErrorKind.NotFound,  # ERROR_BAD_NET_NAME
    232: ErrorKind.BrokenPipe,  # ERROR_NO_DATA
    123: ErrorKind.InvalidFilename,  # ERROR_INVALID_NAME
    161: ErrorKind.InvalidFilename,  # ERROR_BAD_PATHNAME
    87: ErrorKind.InvalidInput,  # ERROR_INVALID_PARAMETER
    8: ErrorKind.OutOfMemory,  # ERROR_NOT_ENOUGH_MEMORY
    14: ErrorKind.OutOfMemory,  # ERROR_OUTOFMEMORY
    121: ErrorKind.TimedOut,  # ERROR_SEM_TIMEOUT
    258: ErrorKind.TimedOut,  # WAIT_TIMEOUT
    594: ErrorKind.TimedOut,  # ERROR_DRIVER_CANCEL_TIMEOUT
    995: ErrorKind.TimedOut,  # ERROR_OPERATION_ABORTED
    1053: ErrorKind.TimedOut,  # ERROR_SERVICE_REQUEST_TIMEOUT
    1121: ErrorKind.TimedOut,  # ERROR_COUNTER_TIMEOUT
    1460: ErrorKind.TimedOut,  # ERROR_TIMEOUT
    5910: ErrorKind.TimedOut,  # ERROR_RESOURCE_CALL_TIMED_OUT
    7012: ErrorKind.TimedOut,  # ERROR_CTX_MODEM_RESPONSE_TIMEOUT
    7040: ErrorKind.TimedOut,  # ERROR_CTX_CLIENT_QUERY_TIMEOUT
    8014: ErrorKind.TimedOut,  # FRS_ERR_SYSVOL_POPULATE_TIMEOUT
    8226: ErrorKind.TimedOut,  # ERROR_DS_TIMELIMIT_EXCEEDED
    9705: ErrorKind.TimedOut,  # DNS_ERROR_RECORD_TIMED_OUT
    13805: ErrorKind.TimedOut,  # ERROR_IPSEC_IKE_TIMED_OUT
    15402: ErrorKind.TimedOut,  # ERROR_RUNLEVEL_SWITCH_TIMEOUT
    15403: ErrorKind.TimedOut,  # ERROR_RUNLEVEL_SWITCH_AGENT_TIMEOUT
    120: ErrorKind.Unsupported,  # ERROR_CALL_NOT_IMPLEMENTED
    1232: ErrorKind.HostUnreachable,  # ERROR_HOST_UNREACHABLE
    1231: ErrorKind.NetworkUnreachable,  # ERROR_NETWORK_UNREACHABLE
    267: ErrorKind.NotADirectory,  # ERROR_DIRECTORY
    336: ErrorKind.IsADirectory,  # ERROR_DIRECTORY_NOT_SUPPORTED
    145: ErrorKind.DirectoryNotEmpty,  # ERROR_DIR_NOT_EMPTY
    19: ErrorKind.ReadOnlyFilesystem,  # ERROR_WRITE_PROTECT
    112: ErrorKind.StorageFull,  # ERROR_DISK_FULL
    39: ErrorKind.StorageFull,  # ERROR_HANDLE_DISK_FULL
    132: ErrorKind.NotSeekable,  # ERROR_SEEK_ON_DEVICE
    1295: ErrorKind.QuotaExceeded,  # ERROR_DISK_QUOTA_EXCEEDED
    223: ErrorKind.FileTooLarge,  # ERROR_FILE_TOO_LARGE
    170: ErrorKind.ResourceBusy,  # ERROR_BUSY
    1131: ErrorKind.Deadlock,  # ERROR_POSSIBLE_DEADLOCK
    17: ErrorKind.CrossesDevices,  # ERROR_NOT_SAME_DEVICE
    1142: ErrorKind.TooManyLinks,  # ERROR_TOO_MANY_LINKS
    206: ErrorKind.InvalidFilename,  # ERROR_FILENAME_EXCED_RANGE
    1921: ErrorKind.FilesystemLoop,  # ERROR_CANT_RESOLVE_FILENAME
}
RUST_WSA = {
    10013: ErrorKind.PermissionDenied,
    10048: ErrorKind.AddrInUse,
    10049: ErrorKind.AddrNotAvailable,
    10053: ErrorKind.ConnectionAborted,
    10061: ErrorKind.ConnectionRefused,
    10054: ErrorKind.ConnectionReset,
    10022: ErrorKind.InvalidInput,
    10057: ErrorKind.NotConnected,
    10035: ErrorKind.WouldBlock,
    10060: ErrorKind.TimedOut,
    10065: ErrorKind.HostUnreachable,
    10050: ErrorKind.NetworkDown,
    10051: ErrorKind.NetworkUnreachable,
    10069: ErrorKind.QuotaExceeded,
}
# stdio2's documented additions (docs/windows.md, Decisions): Rust leaves these Uncategorized.
STDIO2_EXTRA = {
    10004: ErrorKind.Interrupted,  # WSAEINTR
    10036: ErrorKind.InProgress,  # WSAEINPROGRESS
    10058: ErrorKind.BrokenPipe,  # WSAESHUTDOWN
}


def test_table_is_rusts_plus_the_documented_additions() -> None:
    assert WINDOWS_ERROR_KINDS == {**RUST_WIN32, **RUST_WSA, **STDIO2_EXTRA}


@pytest.mark.skipif(sys.platform != "win32", reason="the Windows table is used on Windows only")
def test_from_raw_os_error_gives_rusts_kind() -> None:
    for code, kind in {**RUST_WIN32, **RUST_WSA}.items():
        err = Error.from_raw_os_error(code)
        assert (code, err.kind, err.raw_os_error()) == (code, kind, code)


@pytest.mark.skipif(sys.platform != "win32", reason="the Windows table is used on Windows only")
@pytest.mark.parametrize("code", [15, 53, 67])
def test_missing_drive_or_share_is_a_file_not_found_error(code: int) -> None:
    # Rust reads a drive or network share that is not there as NotFound, so
    # `except FileNotFoundError` catches it too; stdio2 used to say Uncategorized.
    err = Error.from_raw_os_error(code)
    assert isinstance(err, FileNotFoundError)
    assert err.winerror == code


@pytest.mark.skipif(sys.platform != "win32", reason="the Windows table is used on Windows only")
def test_unknown_codes_stay_uncategorized() -> None:
    assert Error.from_raw_os_error(6).kind is ErrorKind.Uncategorized  # ERROR_INVALID_HANDLE, as in Rust
    assert Error.from_raw_os_error(0x7FFF).kind is ErrorKind.Uncategorized
