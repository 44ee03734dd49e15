"""Windows-specific extensions to `stdio2.fs` (Rust's ``std::os::windows::fs``).

The `OpenOptionsExt` setters are pure (they record values that
``stdio2._sys.windows.fs.open_parameters`` turns into ``CreateFileW``
arguments) and work on every platform; `symlink_file` / `symlink_dir` call
``CreateSymbolicLinkW`` and raise `Error` (Unsupported) off Windows.
"""

from __future__ import annotations

from typing import Any

from stdio2._sys.windows import fs as _sys
from stdio2.fs._options import OpenOptions
from stdio2.os_str import _to_os_str

__all__ = ["OpenOptionsExt", "symlink_dir", "symlink_file"]


def _dword(value: object, call: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{call} takes an int, got {type(value).__name__}")
    if not 0 <= value <= 0xFFFF_FFFF:
        raise ValueError(f"{call}: {value} does not fit a DWORD")
    return value


class OpenOptionsExt:
    """Windows knobs of `OpenOptions` (Rust's ``OpenOptionsExt``); each returns the options."""

    __slots__ = ()

    @staticmethod
    def access_mode(options: OpenOptions, access: int) -> OpenOptions:
        """``dwDesiredAccess`` to use instead of the one read/write/append imply."""
        options._win["access_mode"] = _dword(access, "OpenOptionsExt.access_mode")
        return options

    @staticmethod
    def share_mode(options: OpenOptions, share: int) -> OpenOptions:
        """``dwShareMode`` (default read | write | delete)."""
        options._win["share_mode"] = _dword(share, "OpenOptionsExt.share_mode")
        return options

    @staticmethod
    def custom_flags(options: OpenOptions, flags: int) -> OpenOptions:
        """Extra ``FILE_FLAG_*`` bits for ``dwFlagsAndAttributes``."""
        options._win["custom_flags"] = _dword(flags, "OpenOptionsExt.custom_flags")
        return options

    @staticmethod
    def attributes(options: OpenOptions, attributes: int) -> OpenOptions:
        """``FILE_ATTRIBUTE_*`` bits for a created file."""
        options._win["attributes"] = _dword(attributes, "OpenOptionsExt.attributes")
        return options

    @staticmethod
    def security_qos_flags(options: OpenOptions, flags: int) -> OpenOptions:
        """``SECURITY_*`` quality-of-service flags (``SECURITY_SQOS_PRESENT`` is added for you)."""
        options._win["security_qos_flags"] = _dword(flags, "OpenOptionsExt.security_qos_flags")
        return options


def symlink_file(original: Any, link: Any) -> None:
    """Make *link* a file symlink to *original*: ``CreateSymbolicLinkW``; Unsupported off Windows."""
    _sys.create_symlink(_to_os_str(original), _to_os_str(link), directory=False, shown=original, shown2=link)


def symlink_dir(original: Any, link: Any) -> None:
    """Make *link* a directory symlink to *original*: ``CreateSymbolicLinkW``; Unsupported off Windows."""
    _sys.create_symlink(_to_os_str(original), _to_os_str(link), directory=True, shown=original, shown2=link)
