"""Windows views of OS strings as UTF-16: `OsStrExt` and `OsStringExt` (Rust's ``std::os::windows::ffi``).

A Windows `OsString` holds WTF-8, so `OsStrExt.encode_wide` gives back the
exact 16-bit code units the OS handed over (unpaired surrogates included), and
`OsStringExt.from_wide` accepts any sequence of them. No system call is made.

Off Windows (Unix) the functions still work, through WTF-8: `from_wide`
makes the `OsString` whose bytes are the WTF-8 form of the code units (plain
UTF-8 when they are well-formed UTF-16), and `encode_wide` decodes an
`OsString`'s bytes as WTF-8, raising ValueError for bytes that are not (a Unix
name may be any bytes). ``encode_wide(from_wide(units)) == units`` holds
everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from stdio2.os_str import OsString, Wtf8, _OsStringBase

__all__ = ["OsStrExt", "OsStringExt"]


class OsStrExt:
    """Windows-specific functions on `OsString` (Rust's ``OsStrExt``)."""

    __slots__ = ()

    @staticmethod
    def encode_wide(s: OsString) -> list[int]:
        """The UTF-16 code units of *s* as ints (Rust returns an iterator; this is a list).

        Off Windows, raises ValueError when *s*'s bytes are not WTF-8.
        """
        if not isinstance(s, _OsStringBase):
            raise TypeError(f"OsStrExt.encode_wide(s) takes an OsString, not {type(s).__name__}")
        data = s.as_encoded_bytes()
        if s._WIDE:
            return Wtf8._unchecked(data).encode_wide()
        try:
            return Wtf8.from_bytes(data).encode_wide()
        except ValueError as exc:
            raise ValueError(
                f"OsStrExt.encode_wide: this OS string's bytes are not WTF-8, "
                f"so it has no UTF-16 form ({exc})"
            ) from None


class OsStringExt:
    """Windows-specific functions on owned `OsString`s (Rust's ``OsStringExt``)."""

    __slots__ = ()

    @staticmethod
    def from_wide(wide: Iterable[int]) -> OsString:
        """The OS string of the UTF-16 code units *wide* (ints in ``range(0x10000)``).

        Unpaired surrogates are kept. Raises ValueError for out-of-range units,
        TypeError for non-integers.
        """
        return OsString._from_inner(Wtf8.from_wide(wide).as_bytes())
