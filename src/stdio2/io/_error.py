"""`Error` and `ErrorKind`: every failure stdio2 reports is one typed exception.

`Error` subclasses `OSError`, so ``except OSError`` keeps working, and each raised
object is also an instance of Python's builtin subclass for the same condition
(``except FileNotFoundError`` catches an `Error` of kind `ErrorKind.NotFound`).
It does that with a small family of hidden classes, one per builtin, each
inheriting from both `Error` and the builtin: ``isinstance`` is promised, the
exact class is not.
"""

from __future__ import annotations

import enum
import errno as _errno
import os
import sys
from typing import Any, ClassVar

__all__ = ["Error", "ErrorKind"]


class ErrorKind(enum.Enum):
    """The category of an I/O error, with Rust's variant names.

    ``str(kind)`` is Rust's display text, e.g. ``"entity not found"``.
    """

    NotFound = "entity not found"
    PermissionDenied = "permission denied"
    ConnectionRefused = "connection refused"
    ConnectionReset = "connection reset"
    HostUnreachable = "host unreachable"
    NetworkUnreachable = "network unreachable"
    ConnectionAborted = "connection aborted"
    NotConnected = "not connected"
    AddrInUse = "address in use"
    AddrNotAvailable = "address not available"
    NetworkDown = "network down"
    BrokenPipe = "broken pipe"
    AlreadyExists = "entity already exists"
    WouldBlock = "operation would block"
    NotADirectory = "not a directory"
    IsADirectory = "is a directory"
    DirectoryNotEmpty = "directory not empty"
    ReadOnlyFilesystem = "read-only filesystem or storage medium"
    StaleNetworkFileHandle = "stale network file handle"
    InvalidInput = "invalid input parameter"
    InvalidData = "invalid data"
    TimedOut = "timed out"
    WriteZero = "write zero"
    StorageFull = "no storage space"
    NotSeekable = "seek on unseekable file"
    QuotaExceeded = "quota exceeded"
    FileTooLarge = "file too large"
    ResourceBusy = "resource busy"
    ExecutableFileBusy = "executable file busy"
    Deadlock = "deadlock"
    CrossesDevices = "cross-device link or rename"
    TooManyLinks = "too many links"
    InvalidFilename = "invalid filename"
    ArgumentListTooLong = "argument list too long"
    Interrupted = "operation interrupted"
    Unsupported = "unsupported"
    UnexpectedEof = "unexpected end of file"
    OutOfMemory = "out of memory"
    InProgress = "in progress"
    FilesystemLoop = "filesystem loop or indirection limit (e.g. symlink loop)"
    Uncategorized = "uncategorized error"
    Other = "other error"

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"ErrorKind.{self.name}"


def _unix_errno_kinds() -> dict[int, ErrorKind]:
    # Rust's `decode_error_kind` for Unix, restricted to the codes this
    # platform's `errno` module defines (macOS lacks some Linux codes).
    table = {
        "E2BIG": ErrorKind.ArgumentListTooLong,
        "EADDRINUSE": ErrorKind.AddrInUse,
        "EADDRNOTAVAIL": ErrorKind.AddrNotAvailable,
        "EBUSY": ErrorKind.ResourceBusy,
        "ECONNABORTED": ErrorKind.ConnectionAborted,
        "ECONNREFUSED": ErrorKind.ConnectionRefused,
        "ECONNRESET": ErrorKind.ConnectionReset,
        "EDEADLK": ErrorKind.Deadlock,
        "EDQUOT": ErrorKind.QuotaExceeded,
        "EEXIST": ErrorKind.AlreadyExists,
        "EFBIG": ErrorKind.FileTooLarge,
        "EHOSTUNREACH": ErrorKind.HostUnreachable,
        "EINTR": ErrorKind.Interrupted,
        "EINVAL": ErrorKind.InvalidInput,
        "EISDIR": ErrorKind.IsADirectory,
        "ELOOP": ErrorKind.FilesystemLoop,
        "ENOENT": ErrorKind.NotFound,
        "ENOMEM": ErrorKind.OutOfMemory,
        "ENOSPC": ErrorKind.StorageFull,
        "ENOSYS": ErrorKind.Unsupported,
        "EMLINK": ErrorKind.TooManyLinks,
        "ENAMETOOLONG": ErrorKind.InvalidFilename,
        "ENETDOWN": ErrorKind.NetworkDown,
        "ENETUNREACH": ErrorKind.NetworkUnreachable,
        "ENOTCONN": ErrorKind.NotConnected,
        "ENOTDIR": ErrorKind.NotADirectory,
        "ENOTEMPTY": ErrorKind.DirectoryNotEmpty,
        "EPIPE": ErrorKind.BrokenPipe,
        "EROFS": ErrorKind.ReadOnlyFilesystem,
        "ESPIPE": ErrorKind.NotSeekable,
        "ESTALE": ErrorKind.StaleNetworkFileHandle,
        "ETIMEDOUT": ErrorKind.TimedOut,
        "ETXTBSY": ErrorKind.ExecutableFileBusy,
        "EXDEV": ErrorKind.CrossesDevices,
        "EINPROGRESS": ErrorKind.InProgress,
        "EACCES": ErrorKind.PermissionDenied,
        "EPERM": ErrorKind.PermissionDenied,
        "EAGAIN": ErrorKind.WouldBlock,
        "EWOULDBLOCK": ErrorKind.WouldBlock,
    }
    return {getattr(_errno, name): kind for name, kind in table.items() if hasattr(_errno, name)}


def _kind_table() -> dict[int, ErrorKind]:
    if sys.platform == "win32":
        from stdio2._sys.windows.errors import WINDOWS_ERROR_KINDS

        return WINDOWS_ERROR_KINDS
    return _unix_errno_kinds()


_KIND_OF_CODE: dict[int, ErrorKind] = _kind_table()
# On Windows, the C runtime's errno values (the POSIX names CPython's errno
# module defines there) for OSErrors that carry no Windows code.
_CRT_ERRNO_KINDS: dict[int, ErrorKind] = _unix_errno_kinds() if sys.platform == "win32" else {}


def decode_error_kind(code: int) -> ErrorKind:
    """Map a raw OS error code (errno, or a Windows error code on Windows) to its kind.

    Codes Rust does not categorise (``ECANCELED`` among them) are `ErrorKind.Uncategorized`.
    """
    return _KIND_OF_CODE.get(code, ErrorKind.Uncategorized)


# The builtin OSError subclass each kind corresponds to (Python's own errno
# mapping, PEP 3151, read in terms of kinds).
_BUILTIN_OF_KIND: dict[ErrorKind, type[OSError]] = {
    ErrorKind.NotFound: FileNotFoundError,
    ErrorKind.PermissionDenied: PermissionError,
    ErrorKind.ConnectionRefused: ConnectionRefusedError,
    ErrorKind.ConnectionReset: ConnectionResetError,
    ErrorKind.ConnectionAborted: ConnectionAbortedError,
    ErrorKind.BrokenPipe: BrokenPipeError,
    ErrorKind.AlreadyExists: FileExistsError,
    ErrorKind.WouldBlock: BlockingIOError,
    ErrorKind.InProgress: BlockingIOError,
    ErrorKind.NotADirectory: NotADirectoryError,
    ErrorKind.IsADirectory: IsADirectoryError,
    ErrorKind.TimedOut: TimeoutError,
    ErrorKind.Interrupted: InterruptedError,
}

# Conditions Python names that Rust leaves uncategorised.
_BUILTIN_OF_ERRNO: dict[int, type[OSError]] = {
    code: cls
    for name, cls in (
        ("ECHILD", ChildProcessError),
        ("ESRCH", ProcessLookupError),
        ("ESHUTDOWN", BrokenPipeError),
        ("EALREADY", BlockingIOError),
    )
    if (code := getattr(_errno, name, None)) is not None
}

_DISPLAY_MAX_PATH = 4096


class Error(OSError):
    """An I/O error: an OS error code, or a kind with an optional message.

    ``Error(kind, message=None)`` makes an error of `ErrorKind` *kind*. Errors
    coming from the OS carry their code (`raw_os_error`), which also sets the
    standard `OSError` attributes ``errno`` and ``strerror``; filesystem errors
    carry the path(s) involved (``path``, ``path2``, mirrored in ``filename``
    and ``filename2``). ``progress`` is the number of bytes a looping call
    (``write_all``, ``read_exact``, ``copy`` ...) moved before it failed.
    """

    kind: ErrorKind
    progress: int
    _code: int | None
    _message: str | None

    # The hidden per-builtin subclasses, filled in at import below.
    _variants: ClassVar[dict[type[OSError], type[Error]]] = {}

    def __new__(cls, kind: ErrorKind, message: str | None = None, *args: Any) -> Error:
        target = cls
        if cls is Error:
            target = _class_for(kind, None)
        text = message if isinstance(message, str) else kind.value if isinstance(kind, ErrorKind) else ""
        return OSError.__new__(target, text)

    def __init__(self, kind: ErrorKind, message: str | None = None) -> None:
        if not isinstance(kind, ErrorKind):
            raise TypeError(
                f"Error(kind, message): kind must be an ErrorKind, not {type(kind).__name__}; "
                "for an OS error code use Error.from_raw_os_error(code)"
            )
        if message is not None and not isinstance(message, str):
            message = str(message)
        self.kind = kind
        self.progress = 0
        self._code = None
        self._message = message

    # -- constructors --------------------------------------------------------

    @classmethod
    def from_raw_os_error(
        cls,
        code: int,
        *,
        path: Any = None,
        path2: Any = None,
        progress: int = 0,
    ) -> Error:
        """An error for the raw OS error *code* (``errno``, or a Windows error code on Windows).

        No system call; the message is ``os.strerror(code)`` (the system's text).
        """
        kind = decode_error_kind(code)
        target = _class_for(kind, code)
        strerror = _strerror(code)
        # OSError(errno, strerror, filename, winerror, filename2) sets the
        # standard attributes; on Windows CPython derives errno from the
        # Windows code, as it does for its own errors. (The arguments go to
        # __new__: OSError parses them there for classes with their own __new__.)
        if sys.platform == "win32":
            self = OSError.__new__(target, 0, strerror, path, code, path2)
        else:
            self = OSError.__new__(target, code, strerror, path, None, path2)
        self.kind = kind
        self.progress = progress
        self._code = code
        self._message = None
        return self

    @classmethod
    def last_os_error(cls) -> Error:
        """The error of the last failed ctypes call on this thread.

        Reads ``ctypes.get_last_error()`` on Windows and ``ctypes.get_errno()``
        elsewhere; the foreign function must have been loaded with
        ``use_last_error=True`` / ``use_errno=True``.
        """
        import ctypes

        if sys.platform == "win32":
            return cls.from_raw_os_error(ctypes.get_last_error())  # type: ignore[attr-defined,unused-ignore]
        return cls.from_raw_os_error(ctypes.get_errno())

    @classmethod
    def other(cls, message: str) -> Error:
        """An error of kind `ErrorKind.Other` with *message* (Rust's ``Error::other``)."""
        return Error(ErrorKind.Other, message)

    @classmethod
    def from_os_error(cls, exc: OSError, *, path: Any = None, path2: Any = None) -> Error:
        """Convert a standard-library `OSError` into an `Error`, keeping its code and paths.

        An `Error` is returned as it is. Used at the boundary of every backend
        call so raw `OSError`s never leave stdio2.
        """
        if isinstance(exc, Error):
            return exc
        code = getattr(exc, "winerror", None) if sys.platform == "win32" else None
        if code is None and sys.platform == "win32" and exc.errno is not None:
            # A C-runtime errno (os.read on a descriptor, a hand-made
            # OSError(28, ...)): not a Windows error code, so it is mapped by
            # the errno table and kept in ``errno``, and raw_os_error() is None.
            err = cls(_CRT_ERRNO_KINDS.get(exc.errno, ErrorKind.Uncategorized), exc.strerror)
            err.errno = exc.errno
            err.path = path if path is not None else exc.filename
            err.path2 = path2 if path2 is not None else exc.filename2
            return err
        if code is None:
            code = exc.errno
        if code is None:
            # socket.timeout without errno, or an OSError made by hand.
            kind = ErrorKind.TimedOut if isinstance(exc, TimeoutError) else ErrorKind.Other
            err = Error(kind, str(exc) or None)
        else:
            err = cls.from_raw_os_error(
                code,
                path=path if path is not None else exc.filename,
                path2=path2 if path2 is not None else exc.filename2,
            )
        err.__cause__ = None
        return err

    # -- queries ---------------------------------------------------------------

    @property
    def path(self) -> Any:
        """The path a filesystem operation failed on (the standard ``filename``), or None."""
        return self.filename

    @path.setter
    def path(self, value: Any) -> None:
        self.filename = value

    @property
    def path2(self) -> Any:
        """The second path of a two-path operation such as rename (``filename2``), or None."""
        return self.filename2

    @path2.setter
    def path2(self, value: Any) -> None:
        self.filename2 = value

    def raw_os_error(self) -> int | None:
        """The OS error code this error came from, or None for errors made by stdio2 or users."""
        return self._code

    def with_progress(self, progress: int) -> Error:
        """Set `progress` to *progress* and return this error (for ``raise e.with_progress(n)``)."""
        self.progress = progress
        return self

    def __str__(self) -> str:
        if self._code is not None:
            text = f"{_strerror(self._code)} (os error {self._code})"
        elif self._message is not None:
            text = self._message
        else:
            text = self.kind.value
        if self.path is not None:
            text += f": {_show_path(self.path)}"
            if self.path2 is not None:
                text += f" -> {_show_path(self.path2)}"
        return text

    def __repr__(self) -> str:
        parts = [f"kind={self.kind!r}"]
        if self._code is not None:
            parts.append(f"code={self._code}")
        if self._message is not None:
            parts.append(f"message={self._message!r}")
        if self.path is not None:
            parts.append(f"path={self.path!r}")
        if self.path2 is not None:
            parts.append(f"path2={self.path2!r}")
        if self.progress:
            parts.append(f"progress={self.progress}")
        return f"Error({', '.join(parts)})"

    def __reduce__(self) -> tuple[Any, ...]:
        state = {
            "progress": self.progress,
            "path": self.path,
            "path2": self.path2,
        }
        if self._code is not None:
            return (_rebuild_os, (self._code, state))
        return (_rebuild_kind, (self.kind.name, self._message, state))


def _rebuild_os(code: int, state: dict[str, Any]) -> Error:
    return Error.from_raw_os_error(code, **state)


def _rebuild_kind(kind: str, message: str | None, state: dict[str, Any]) -> Error:
    err = Error(ErrorKind[kind], message)
    err.progress = state["progress"]
    err.path = state["path"]
    err.path2 = state["path2"]
    return err


def _strerror(code: int) -> str:
    if sys.platform == "win32":
        from stdio2._sys.windows.errors import format_message

        return format_message(code)
    return os.strerror(code)


def _show_path(path: Any) -> str:
    text = repr(os.fspath(path)) if isinstance(path, os.PathLike) else repr(path)
    return text if len(text) <= _DISPLAY_MAX_PATH else text[:_DISPLAY_MAX_PATH] + "..."


def _class_for(kind: ErrorKind, code: int | None) -> type[Error]:
    builtin = None
    if code is not None and sys.platform != "win32":
        builtin = _BUILTIN_OF_ERRNO.get(code)
    if builtin is None:
        builtin = _BUILTIN_OF_KIND.get(kind)
    if builtin is None:
        return Error
    return Error._variants[builtin]


def _make_variants() -> None:
    builtins_needed = set(_BUILTIN_OF_KIND.values()) | set(_BUILTIN_OF_ERRNO.values())
    for builtin in sorted(builtins_needed, key=lambda c: c.__name__):
        name = builtin.__name__
        variant = type(
            f"Error[{name}]",
            (Error, builtin),
            {"__module__": __name__, "__doc__": f"An `Error` that is also a `{name}`."},
        )
        # Keep the class picklable and its repr readable.
        variant.__qualname__ = f"Error[{name}]"
        Error._variants[builtin] = variant


_make_variants()
