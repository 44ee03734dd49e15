"""`Error` and `ErrorKind`: kinds, Rust's errno mapping, builtin subclasses, display."""

from __future__ import annotations

import errno
import os
import pickle
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stdio2.io import Error, ErrorKind
from stdio2.io._error import decode_error_kind

RUST_UNIX_MAP = {
    "E2BIG": "ArgumentListTooLong",
    "EADDRINUSE": "AddrInUse",
    "EADDRNOTAVAIL": "AddrNotAvailable",
    "EBUSY": "ResourceBusy",
    "ECONNABORTED": "ConnectionAborted",
    "ECONNREFUSED": "ConnectionRefused",
    "ECONNRESET": "ConnectionReset",
    "EDEADLK": "Deadlock",
    "EDQUOT": "QuotaExceeded",
    "EEXIST": "AlreadyExists",
    "EFBIG": "FileTooLarge",
    "EHOSTUNREACH": "HostUnreachable",
    "EINTR": "Interrupted",
    "EINVAL": "InvalidInput",
    "EISDIR": "IsADirectory",
    "ELOOP": "FilesystemLoop",
    "ENOENT": "NotFound",
    "ENOMEM": "OutOfMemory",
    "ENOSPC": "StorageFull",
    "ENOSYS": "Unsupported",
    "EMLINK": "TooManyLinks",
    "ENAMETOOLONG": "InvalidFilename",
    "ENETDOWN": "NetworkDown",
    "ENETUNREACH": "NetworkUnreachable",
    "ENOTCONN": "NotConnected",
    "ENOTDIR": "NotADirectory",
    "ENOTEMPTY": "DirectoryNotEmpty",
    "EPIPE": "BrokenPipe",
    "EROFS": "ReadOnlyFilesystem",
    "ESPIPE": "NotSeekable",
    "ESTALE": "StaleNetworkFileHandle",
    "ETIMEDOUT": "TimedOut",
    "ETXTBSY": "ExecutableFileBusy",
    "EXDEV": "CrossesDevices",
    "EINPROGRESS": "InProgress",
    "EACCES": "PermissionDenied",
    "EPERM": "PermissionDenied",
    "EAGAIN": "WouldBlock",
}

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="errno mapping is the Unix table")


@unix_only
@pytest.mark.parametrize(("name", "kind"), sorted(RUST_UNIX_MAP.items()))
def test_errno_maps_as_rust(name: str, kind: str) -> None:
    code = getattr(errno, name)
    err = Error.from_raw_os_error(code)
    assert err.kind is ErrorKind[kind]
    assert err.raw_os_error() == code
    assert err.errno == code
    assert err.strerror == os.strerror(code)


@unix_only
def test_unmapped_codes_are_uncategorized() -> None:
    assert decode_error_kind(errno.ECANCELED) is ErrorKind.Uncategorized
    assert Error.from_raw_os_error(errno.ECHILD).kind is ErrorKind.Uncategorized


def test_all_rust_variants_present() -> None:
    names = {k.name for k in ErrorKind}
    for n in (
        "NotFound PermissionDenied ConnectionRefused ConnectionReset HostUnreachable "
        "NetworkUnreachable ConnectionAborted NotConnected AddrInUse AddrNotAvailable "
        "NetworkDown BrokenPipe AlreadyExists WouldBlock NotADirectory IsADirectory "
        "DirectoryNotEmpty ReadOnlyFilesystem StaleNetworkFileHandle InvalidInput "
        "InvalidData TimedOut WriteZero StorageFull NotSeekable QuotaExceeded FileTooLarge "
        "ResourceBusy ExecutableFileBusy Deadlock CrossesDevices TooManyLinks InvalidFilename "
        "ArgumentListTooLong Interrupted Unsupported UnexpectedEof OutOfMemory InProgress "
        "FilesystemLoop Uncategorized Other"
    ).split():
        assert n in names


@pytest.mark.parametrize(
    ("kind", "builtin"),
    [
        (ErrorKind.NotFound, FileNotFoundError),
        (ErrorKind.PermissionDenied, PermissionError),
        (ErrorKind.BrokenPipe, BrokenPipeError),
        (ErrorKind.TimedOut, TimeoutError),
        (ErrorKind.Interrupted, InterruptedError),
        (ErrorKind.AlreadyExists, FileExistsError),
        (ErrorKind.ConnectionReset, ConnectionResetError),
        (ErrorKind.ConnectionRefused, ConnectionRefusedError),
        (ErrorKind.ConnectionAborted, ConnectionAbortedError),
        (ErrorKind.WouldBlock, BlockingIOError),
        (ErrorKind.IsADirectory, IsADirectoryError),
        (ErrorKind.NotADirectory, NotADirectoryError),
    ],
)
def test_builtin_subclasses_are_caught(kind: ErrorKind, builtin: type[OSError]) -> None:
    with pytest.raises(builtin) as info:
        raise Error(kind, "made by a test")
    assert isinstance(info.value, Error)
    assert isinstance(info.value, OSError)
    assert info.value.kind is kind


@unix_only
def test_errno_only_builtins() -> None:
    assert isinstance(Error.from_raw_os_error(errno.ECHILD), ChildProcessError)
    assert isinstance(Error.from_raw_os_error(errno.ESRCH), ProcessLookupError)


def test_kind_display_is_rust_text() -> None:
    assert str(ErrorKind.NotFound) == "entity not found"
    assert str(ErrorKind.UnexpectedEof) == "unexpected end of file"
    assert str(Error(ErrorKind.WriteZero)) == "write zero"
    assert str(Error(ErrorKind.Other, "custom")) == "custom"


@unix_only
def test_os_error_display_and_paths() -> None:
    e = Error.from_raw_os_error(errno.ENOENT, path="/no/such")
    assert str(e) == "No such file or directory (os error 2): '/no/such'"
    assert e.path == e.filename == "/no/such"
    e2 = Error.from_raw_os_error(errno.EXDEV, path="a", path2="b")
    assert e2.path2 == e2.filename2 == "b"
    assert str(e2).endswith(": 'a' -> 'b'")


def test_other_and_progress() -> None:
    e = Error.other("boom")
    assert e.kind is ErrorKind.Other
    assert e.raw_os_error() is None
    assert e.progress == 0
    assert e.with_progress(7) is e and e.progress == 7


def test_constructor_type_errors_name_the_right_call() -> None:
    with pytest.raises(TypeError, match="from_raw_os_error"):
        Error(2)  # type: ignore[arg-type]


def test_from_os_error_converts_real_failures(tmp_path: object) -> None:
    try:
        os.open(os.path.join(str(tmp_path), "missing"), os.O_RDONLY)
    except OSError as raw:
        e = Error.from_os_error(raw)
    assert e.kind is ErrorKind.NotFound
    assert isinstance(e, FileNotFoundError)
    assert e.path is not None and e.path.endswith("missing")
    assert Error.from_os_error(e) is e


def test_from_os_error_without_errno() -> None:
    assert Error.from_os_error(TimeoutError()).kind is ErrorKind.TimedOut
    assert Error.from_os_error(OSError("odd")).kind is ErrorKind.Other


@unix_only
def test_last_os_error_reads_ctypes_errno() -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.close.argtypes = [ctypes.c_int]
    assert libc.close(-1) == -1
    assert Error.last_os_error().raw_os_error() == errno.EBADF


@given(st.sampled_from(sorted(RUST_UNIX_MAP)), st.integers(0, 1 << 40), st.text(max_size=8))
def test_pickle_round_trip(name: str, progress: int, path: str) -> None:
    code = getattr(errno, name, errno.ENOENT)
    e = Error.from_raw_os_error(code, path=path or None, progress=progress)
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is type(e)
    assert (back.kind, back.raw_os_error(), back.path, back.progress) == (
        e.kind,
        e.raw_os_error(),
        e.path,
        e.progress,
    )
    k = Error(ErrorKind.InvalidData, "msg")
    k2 = pickle.loads(pickle.dumps(k))
    assert (k2.kind, str(k2)) == (k.kind, str(k))
