"""Windows file opening: how `OpenOptions` becomes ``CreateFileW`` arguments.

``CreateFileW(name, dwDesiredAccess, dwShareMode, security, dwCreationDisposition,
dwFlagsAndAttributes, template)`` opens or creates every kind of file object.
Four of its arguments carry what Unix folds into ``open(2)`` flags:

* **desired access**: ``GENERIC_READ``/``GENERIC_WRITE`` map to the file's
  specific rights. Append is not a mode but an access right: the handle gets
  ``FILE_GENERIC_WRITE`` *without* ``FILE_WRITE_DATA``, keeping
  ``FILE_APPEND_DATA``, so every write goes to the end and nothing else can
  be overwritten.
* **share mode**: Windows locks files against other openers by default
  (share mode 0). Rust (and stdio2) ask for ``FILE_SHARE_READ |
  FILE_SHARE_WRITE | FILE_SHARE_DELETE`` so files behave as on Unix: others
  may read, write, rename and delete an open file.
* **creation disposition**: one of five values instead of three flags
  (``OPEN_EXISTING``, ``OPEN_ALWAYS``, ``TRUNCATE_EXISTING``,
  ``CREATE_ALWAYS``, ``CREATE_NEW``).
* **flags and attributes**: ``FILE_FLAG_BACKUP_SEMANTICS`` lets the call
  open directories (needed for metadata on them);
  ``FILE_FLAG_OPEN_REPARSE_POINT`` with ``CREATE_NEW`` makes an existing
  symlink an AlreadyExists instead of being followed; security quality of
  service flags need ``SECURITY_SQOS_PRESENT`` to count.

`open_parameters` computes them with Rust's rules and no system call, so it
is tested on every platform. The calls themselves (`create_symlink`) load
``kernel32`` lazily and only on Windows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

from stdio2._sys.windows.kernel32 import k32
from stdio2.io._error import Error

if TYPE_CHECKING:
    from stdio2.fs._options import OpenOptions

__all__ = ["CreateFileParameters", "create_symlink", "open_parameters", "replace_durably"]

GENERIC_READ: Final = 0x8000_0000
GENERIC_WRITE: Final = 0x4000_0000
FILE_WRITE_DATA: Final = 0x0002
FILE_APPEND_DATA: Final = 0x0004
FILE_GENERIC_WRITE: Final = 0x0012_0116
FILE_SHARE_READ: Final = 0x1
FILE_SHARE_WRITE: Final = 0x2
FILE_SHARE_DELETE: Final = 0x4
CREATE_NEW: Final = 1
CREATE_ALWAYS: Final = 2
OPEN_EXISTING: Final = 3
OPEN_ALWAYS: Final = 4
TRUNCATE_EXISTING: Final = 5
FILE_FLAG_BACKUP_SEMANTICS: Final = 0x0200_0000
FILE_FLAG_OPEN_REPARSE_POINT: Final = 0x0020_0000
SECURITY_SQOS_PRESENT: Final = 0x0010_0000
SYMBOLIC_LINK_FLAG_DIRECTORY: Final = 0x1
MOVEFILE_REPLACE_EXISTING: Final = 0x1
MOVEFILE_WRITE_THROUGH: Final = 0x8
SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE: Final = 0x2

DEFAULT_SHARE: Final = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE


@attrs.frozen
class CreateFileParameters:
    """The four ``CreateFileW`` arguments derived from an `OpenOptions`."""

    desired_access: int
    share_mode: int
    creation_disposition: int
    flags_and_attributes: int


def open_parameters(options: OpenOptions) -> CreateFileParameters:
    """``CreateFileW`` arguments for *options*; `Error` (InvalidInput) for Rust's invalid combinations.

    No system call.
    """
    win: dict[str, int] = options._win
    custom_access = win.get("access_mode")
    # OpenOptionsExt.access_mode replaces read/write/append, as in Rust:
    # access_mode(0) (no rights: attributes, times, metadata only) is a
    # valid open with none of the three set.
    desired = _desired_access(options) if custom_access is None else custom_access
    creation = options.creation_mode()
    if creation.create_new:
        disposition = CREATE_NEW
    elif creation.create and creation.truncate:
        disposition = CREATE_ALWAYS
    elif creation.create:
        disposition = OPEN_ALWAYS
    elif creation.truncate:
        disposition = TRUNCATE_EXISTING
    else:
        disposition = OPEN_EXISTING
    flags = win.get("custom_flags", 0) | win.get("attributes", 0) | FILE_FLAG_BACKUP_SEMANTICS
    qos = win.get("security_qos_flags", 0)
    if qos:
        flags |= qos | SECURITY_SQOS_PRESENT
    if creation.create_new:
        flags |= FILE_FLAG_OPEN_REPARSE_POINT
    return CreateFileParameters(
        desired_access=desired,
        share_mode=win.get("share_mode", DEFAULT_SHARE),
        creation_disposition=disposition,
        flags_and_attributes=flags,
    )


def _desired_access(options: OpenOptions) -> int:
    access = options.access_mode()  # raises InvalidInput when nothing was asked for
    if access.append:
        desired = FILE_GENERIC_WRITE & ~FILE_WRITE_DATA
        return desired | GENERIC_READ if access.read else desired
    return (GENERIC_READ if access.read else 0) | (GENERIC_WRITE if access.write else 0)


def create_symlink(original: str, link: str, *, directory: bool, shown: Any, shown2: Any) -> None:
    """``CreateSymbolicLinkW(link, original, flags)`` (unprivileged creation allowed in developer mode)."""
    dll = k32()
    flags = SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE
    if directory:
        flags |= SYMBOLIC_LINK_FLAG_DIRECTORY
    if not dll.CreateSymbolicLinkW(link, original, flags):
        err = Error.last_os_error()
        err.path, err.path2 = shown, shown2
        raise err


def replace_durably(src: str, dst: str, *, shown: Any) -> None:
    """``MoveFileExW(src, dst, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)``.

    The replace `os.replace` makes, plus write-through: the call returns
    only once the move is on the disk, which is as close as Windows comes
    to Unix's ``fsync`` of the directory after a ``rename``. Raises `Error`
    (PermissionDenied for a read-only or open-without-sharing target,
    NotFound ...) carrying *shown* as its path.
    """
    dll = k32()
    if not dll.MoveFileExW(src, dst, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH):
        err = Error.last_os_error()
        err.path = shown
        raise err
