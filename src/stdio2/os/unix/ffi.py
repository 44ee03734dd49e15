"""Unix views of OS strings as bytes: `OsStrExt` and `OsStringExt` (Rust's ``std::os::unix::ffi``).

On Unix an `OsString` *is* its bytes, so these are free conversions. No
system call is made.

Off Unix (Windows) the functions still work, on the WTF-8 form: `as_bytes`
returns it and `from_bytes` accepts only well-formed WTF-8 (ValueError
otherwise), so a Windows `OsString` never holds something the OS could not.
"""

from __future__ import annotations

from stdio2.os_str import OsString, Wtf8, _OsStringBase

__all__ = ["OsStrExt", "OsStringExt"]


def _bytes_of(data: object, call: str) -> bytes:
    if isinstance(data, bytes):
        raw = data
    elif isinstance(data, (bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise TypeError(f"{call} takes bytes, not {type(data).__name__}; for a str use OsString(s)")
    if OsString._WIDE:
        raw = Wtf8.from_bytes(raw).as_bytes()
    return raw


def _inner_of(s: object, call: str) -> bytes:
    if not isinstance(s, _OsStringBase):
        raise TypeError(f"{call} takes an OsString, not {type(s).__name__}")
    return s.as_encoded_bytes()


class OsStrExt:
    """Unix-specific functions on `OsString` (Rust's ``OsStrExt``)."""

    __slots__ = ()

    @staticmethod
    def as_bytes(s: OsString) -> bytes:
        """The bytes of *s*, exactly as the OS sees them (WTF-8 off Unix)."""
        return _inner_of(s, "OsStrExt.as_bytes(s)")

    @staticmethod
    def from_bytes(data: bytes | bytearray | memoryview) -> OsString:
        """The OS string of the bytes *data*; any bytes are accepted on Unix.

        Off Unix, *data* must be WTF-8 (ValueError otherwise).
        """
        return OsString._from_inner(_bytes_of(data, "OsStrExt.from_bytes(data)"))


class OsStringExt:
    """Unix-specific functions on owned `OsString`s (Rust's ``OsStringExt``)."""

    __slots__ = ()

    @staticmethod
    def from_vec(vec: bytes | bytearray | memoryview) -> OsString:
        """The OS string of the bytes *vec* (copied: `OsString` is immutable)."""
        return OsString._from_inner(_bytes_of(vec, "OsStringExt.from_vec(vec)"))

    @staticmethod
    def into_vec(s: OsString) -> bytearray:
        """The bytes of *s* as a new, caller-owned `bytearray` (Rust's ``Vec<u8>``)."""
        return bytearray(_inner_of(s, "OsStringExt.into_vec(s)"))
