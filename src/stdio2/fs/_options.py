"""`OpenOptions`: the builder behind `File.open`, with Rust's validity rules.

The rules are checked before any system call, so an impossible combination
(``create`` without write access, ``truncate`` together with ``append``)
fails with a clear `Error` of kind `InvalidInput` instead of whatever the OS
would make of the flags.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from stdio2.io._error import Error, ErrorKind

if TYPE_CHECKING:
    import sys

    if sys.platform == "win32":
        from stdio2.fs._file_windows import File
    else:
        from stdio2.fs._file import File

__all__ = ["AccessMode", "CreationMode", "OpenOptions"]


@attrs.frozen
class AccessMode:
    """What the opened handle may do (portable form of O_RDONLY/O_WRONLY/O_RDWR/O_APPEND)."""

    read: bool
    write: bool
    append: bool


@attrs.frozen
class CreationMode:
    """What happens when the file exists or not (portable form of O_CREAT/O_EXCL/O_TRUNC)."""

    create: bool
    create_new: bool
    truncate: bool


class OpenOptions:
    """How to open a file: ``OpenOptions().read(True).write(True).create(True).open(path)``.

    A mutable builder like Rust's: each setter returns the builder so calls
    chain. `open` makes one ``open(2)`` call (``CreateFileW`` on Windows)
    with close-on-exec set, and raises `Error` with the path on failure.
    Platform options (Unix ``mode`` and ``custom_flags``, Windows access and
    share modes) are set through ``stdio2.os.unix.fs.OpenOptionsExt`` /
    ``stdio2.os.windows.fs.OpenOptionsExt``.
    """

    __slots__ = (
        "_append",
        "_create",
        "_create_new",
        "_custom_flags",
        "_mode",
        "_read",
        "_truncate",
        "_win",
        "_write",
    )

    def __init__(self) -> None:
        self._read = False
        self._write = False
        self._append = False
        self._truncate = False
        self._create = False
        self._create_new = False
        self._mode = 0o666
        self._custom_flags = 0
        # Windows-only knobs (access_mode, share_mode, attributes ...), kept
        # opaque here and interpreted by the Windows backend.
        self._win: dict[str, int] = {}

    def read(self, read: bool) -> OpenOptions:
        """Open for reading."""
        self._read = _flag(read, "read")
        return self

    def write(self, write: bool) -> OpenOptions:
        """Open for writing (the position starts at 0; see `append`)."""
        self._write = _flag(write, "write")
        return self

    def append(self, append: bool) -> OpenOptions:
        """Open for appending: every write goes to the current end of file (implies write access)."""
        self._append = _flag(append, "append")
        return self

    def truncate(self, truncate: bool) -> OpenOptions:
        """Truncate an existing file to length 0 (needs write access, excludes append)."""
        self._truncate = _flag(truncate, "truncate")
        return self

    def create(self, create: bool) -> OpenOptions:
        """Create the file if it does not exist (needs write or append access)."""
        self._create = _flag(create, "create")
        return self

    def create_new(self, create_new: bool) -> OpenOptions:
        """Create the file, failing with `AlreadyExists` if it exists (atomic; ignores create/truncate)."""
        self._create_new = _flag(create_new, "create_new")
        return self

    def access_mode(self) -> AccessMode:
        """The validated access mode; `Error` (InvalidInput) when nothing was asked for."""
        if not (self._read or self._write or self._append):
            raise Error(
                ErrorKind.InvalidInput,
                "opening a file needs read, write or append access (OpenOptions().read(True) ...)",
            )
        return AccessMode(self._read, self._write or self._append, self._append)

    def creation_mode(self) -> CreationMode:
        """The validated creation mode; `Error` (InvalidInput) for Rust's invalid combinations."""
        if not self._write and not self._append:
            if self._truncate or self._create or self._create_new:
                raise Error(
                    ErrorKind.InvalidInput,
                    "create, create_new and truncate need write or append access",
                )
        elif self._append and self._truncate and not self._create_new:
            raise Error(ErrorKind.InvalidInput, "truncate cannot be combined with append")
        if self._create_new:
            return CreationMode(create=True, create_new=True, truncate=False)
        return CreationMode(create=self._create, create_new=False, truncate=self._truncate)

    def open(self, path: Any) -> File:
        """Open *path* with these options; one ``open(2)``/``CreateFileW`` call.

        Raises `Error` (InvalidInput) for an invalid combination before any
        system call, else the OS error (NotFound, PermissionDenied,
        AlreadyExists, IsADirectory ...) with ``path`` set.
        """
        from stdio2.fs import File

        return File._open(path, self)

    def __repr__(self) -> str:
        on = [
            name
            for name in ("read", "write", "append", "truncate", "create", "create_new")
            if getattr(self, "_" + name)
        ]
        return f"OpenOptions({', '.join(on) or 'nothing'})"


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"OpenOptions.{name}() takes True or False, got {type(value).__name__}")
    return value
