"""WTF-8: a lossless byte encoding for potentially ill-formed UTF-16.

Windows names (file names, environment variables, command lines) are
sequences of 16-bit code units that are *usually* UTF-16 but may contain
unpaired surrogates. WTF-8 ("Wobbly Transformation Format", Simon Sapin's
specification) stores such a sequence in bytes: it is UTF-8, generalised so
that a *lone* surrogate code point U+D800-U+DFFF may appear, encoded in three
bytes the way UTF-8 would encode it. A surrogate *pair* is never stored as two
3-byte sequences; it is always joined into the 4-byte form of the supplementary
code point it stands for. That single rule makes the encoding canonical: every
UTF-16 sequence has exactly one WTF-8 form, byte order equals code point order,
and valid UTF-8 is valid WTF-8 with the same meaning.

A Python `str` is a sequence of code points that may also hold lone surrogates,
so it maps onto WTF-8 almost directly. The one wrinkle: a `str` can hold a lead
surrogate followed by a trail surrogate as two separate code points
(``"\\ud83d\\ude00"``). UTF-16 cannot tell that apart from the joined character,
so WTF-8 stores it joined, and `Wtf8.from_str` does the join.

Speed: every conversion runs through CPython's C codecs (``utf-8``,
``utf-16`` with the ``surrogatepass`` error handler); surrogate pairs are found
with a compiled bytes regular expression, and any needed join is done by one
more pass through the C UTF-16 codec. No per-character Python loop runs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any, Final

import attrs

__all__ = ["Wtf8"]

# A lead surrogate (U+D800-U+DBFF: ED A0..AF xx) directly followed by a trail
# surrogate (U+DC00-U+DFFF: ED B0..BF xx), both in their 3-byte form. In bytes
# that decode as generalised UTF-8, ED is always a lead byte (continuation
# bytes are 80..BF), so every match starts on a character boundary.
_ENCODED_PAIR: Final = re.compile(rb"\xed[\xa0-\xaf][\x80-\xbf]\xed[\xb0-\xbf][\x80-\xbf]")
# Any surrogate in its 3-byte form (what to_string_lossy replaces).
_ENCODED_SURROGATE: Final = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")

_UTF16: Final = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"
_REPLACEMENT_UTF8: Final = "\ufffd".encode()


def _encode(s: str) -> bytes:
    """WTF-8 bytes of *s* (lone surrogates kept, adjacent lead+trail joined)."""
    try:
        # The common case: no surrogates at all, so plain UTF-8 is WTF-8.
        return s.encode("utf-8")
    except UnicodeEncodeError:
        pass
    data = s.encode("utf-8", "surrogatepass")
    if _ENCODED_PAIR.search(data) is None:
        return data
    # Joining pairs: the UTF-16 codec pairs adjacent lead/trail code units on
    # decode and passes lone ones through, all in C.
    joined = s.encode(_UTF16, "surrogatepass").decode(_UTF16, "surrogatepass")
    return joined.encode("utf-8", "surrogatepass")


def _decode(data: bytes) -> str:
    """The `str` for well-formed WTF-8 *data* (lone surrogates as code points)."""
    return data.decode("utf-8", "surrogatepass")


def _validate(data: bytes) -> None:
    """Raise ValueError unless *data* is well-formed WTF-8."""
    try:
        data.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    try:
        data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        raise ValueError(f"Wtf8.from_bytes: ill-formed WTF-8 at byte {exc.start}: {exc.reason}") from None
    m = _ENCODED_PAIR.search(data)
    if m is not None:
        raise ValueError(
            f"Wtf8.from_bytes: ill-formed WTF-8 at byte {m.start()}: a surrogate pair "
            "encoded as two 3-byte sequences (WTF-8 requires the 4-byte form)"
        )


def _lossy(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # One U+FFFD per lone surrogate (Python's own "replace" would give three,
    # one per byte of the 3-byte sequence).
    return _ENCODED_SURROGATE.sub(_REPLACEMENT_UTF8, data).decode("utf-8")


def _escaped(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Keep the valid text as is and show each lone surrogate as "\\udXXX".
        return _decode(data).encode("utf-8", "backslashreplace").decode("utf-8")


def _concat(left: bytes, right: bytes) -> bytes:
    """WTF-8 concatenation: a trailing lead surrogate joins a leading trail surrogate."""
    if (
        len(left) >= 3
        and len(right) >= 3
        and left[-3] == 0xED
        and 0xA0 <= left[-2] <= 0xAF
        and right[0] == 0xED
        and 0xB0 <= right[1] <= 0xBF
    ):
        lead = 0xD000 | ((left[-2] & 0x3F) << 6) | (left[-1] & 0x3F)
        trail = 0xD000 | ((right[1] & 0x3F) << 6) | (right[2] & 0x3F)
        cp = 0x10000 + ((lead - 0xD800) << 10) + (trail - 0xDC00)
        return b"".join((left[:-3], chr(cp).encode("utf-8"), right[3:]))
    return left + right


def _from_wide(units: Iterable[int]) -> bytes:
    from array import array

    if isinstance(units, (bytes, bytearray)):
        # array("H", b) would take the bytes as raw machine memory (two per
        # unit, native order); as an iterable they are one unit per byte.
        units = iter(units)
    try:
        packed = array("H", units)
    except OverflowError:
        raise ValueError("Wtf8.from_wide: every code unit must be in range(0x10000)") from None
    except TypeError as exc:
        raise TypeError(
            f"Wtf8.from_wide(units): units must be an iterable of ints in range(0x10000) ({exc})"
        ) from None
    # The UTF-16 decoder joins valid pairs and (surrogatepass) keeps lone
    # surrogates; the result has no adjacent lead+trail, so no fix-up is needed.
    return packed.tobytes().decode(_UTF16, "surrogatepass").encode("utf-8", "surrogatepass")


def _encode_wide(data: bytes) -> list[int]:
    wide = _decode(data).encode(_UTF16, "surrogatepass")
    return memoryview(wide).cast("H").tolist()


_new = object.__new__


@attrs.frozen(eq=False, order=False, repr=False, hash=False, init=False)
class Wtf8:
    """An immutable string of well-formed WTF-8: Unicode text that may hold lone surrogates.

    Platform-independent and pure (no system calls). Build one with
    `from_str`, `from_wide` or `from_bytes`; read it back with `to_str`,
    `to_string_lossy`, `encode_wide`, `as_bytes` or iteration over code points
    (ints). Values are hashable, compare by value and order by code point.
    ``len()`` is a method counting bytes; there is no ``__len__``.

    >>> w = Wtf8.from_wide([0x61, 0xD800])
    >>> w.as_bytes(), w.to_str(), w.to_string_lossy()
    (b'a\\xed\\xa0\\x80', None, 'a\\ufffd')
    >>> w + Wtf8.from_wide([0xDC00]) == Wtf8.from_str("a\\U00010000")
    True
    """

    _bytes: bytes

    # -- construction -------------------------------------------------------

    def __init__(self, *args: object) -> None:
        """The empty string (Rust's ``Wtf8Buf::new()``); the named constructors build the rest."""
        if args:
            raise TypeError(
                "Wtf8() takes no arguments (it is the empty string); build one with "
                "Wtf8.from_str(s), Wtf8.from_bytes(b) or Wtf8.from_wide(units)"
            )
        _set_bytes(self, b"")

    @classmethod
    def _unchecked(cls, data: bytes) -> Wtf8:
        self = _new(cls)
        _set_bytes(self, data)
        return self

    @classmethod
    def from_str(cls, s: str) -> Wtf8:
        """The WTF-8 form of *s*; lone surrogates are kept, an adjacent lead+trail pair is joined.

        Raises TypeError if *s* is not a `str`.
        """
        if not isinstance(s, str):
            raise TypeError(
                f"Wtf8.from_str(s) takes a str, not {type(s).__name__}; "
                "for bytes use Wtf8.from_bytes(b), for UTF-16 code units Wtf8.from_wide(units)"
            )
        return cls._unchecked(_encode(s))

    @classmethod
    def from_wide(cls, units: Iterable[int]) -> Wtf8:
        """Decode potentially ill-formed UTF-16 (*units*: ints in ``range(0x10000)``).

        Never fails on content: unpaired surrogates are kept. Raises ValueError
        for a unit out of range and TypeError for non-integers.
        """
        return cls._unchecked(_from_wide(units))

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> Wtf8:
        """Validate *data* as WTF-8 and wrap it.

        Raises ValueError for ill-formed input: invalid UTF-8 structure
        (overlong forms, truncated sequences, code points above U+10FFFF) and
        surrogate pairs encoded as two 3-byte sequences.
        """
        if isinstance(data, bytes):
            raw = data
        elif isinstance(data, (bytearray, memoryview)):
            raw = bytes(data)
        else:
            raise TypeError(
                f"Wtf8.from_bytes(data) takes bytes, not {type(data).__name__}; "
                "for a str use Wtf8.from_str(s)"
            )
        _validate(raw)
        return cls._unchecked(raw)

    # -- views ----------------------------------------------------------------

    def as_bytes(self) -> bytes:
        """The WTF-8 bytes."""
        return self._bytes

    def len(self) -> int:
        """The length in bytes of the WTF-8 form."""
        return len(self._bytes)

    def is_empty(self) -> bool:
        """True for the empty string."""
        return not self._bytes

    def __bool__(self) -> bool:
        return bool(self._bytes)

    def to_str(self) -> str | None:
        """The text as a `str`, or None if it holds a lone surrogate (it is then not Unicode)."""
        try:
            return self._bytes.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def to_string_lossy(self) -> str:
        """The text with each lone surrogate replaced by U+FFFD."""
        return _lossy(self._bytes)

    def to_surrogate_str(self) -> str:
        """The Python `str` of the same code points, lone surrogates included.

        Lossless: ``Wtf8.from_str(w.to_surrogate_str()) == w``. This is the form
        Python's `os` functions accept for names on Windows.
        """
        return _decode(self._bytes)

    def encode_wide(self) -> list[int]:
        """The UTF-16 code units (lone surrogates kept), inverse of `from_wide`."""
        return _encode_wide(self._bytes)

    def code_points(self) -> Iterator[int]:
        """The code points as ints (surrogates included); the same as iterating."""
        return map(ord, _decode(self._bytes))

    def __iter__(self) -> Iterator[int]:
        return map(ord, _decode(self._bytes))

    # -- operators ------------------------------------------------------------

    def __add__(self, other: Wtf8) -> Wtf8:
        if type(other) is not type(self):
            return NotImplemented
        return self._unchecked(_concat(self._bytes, other._bytes))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._bytes == other._bytes

    def __ne__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._bytes != other._bytes

    # Byte order of WTF-8 is code point order (as for UTF-8: the 3-byte
    # surrogates ED A0.. sort below the 4-byte supplementary forms F0..).
    def __lt__(self, other: Wtf8) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._bytes < other._bytes

    def __le__(self, other: Wtf8) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._bytes <= other._bytes

    def __gt__(self, other: Wtf8) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._bytes > other._bytes

    def __ge__(self, other: Wtf8) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._bytes >= other._bytes

    def __hash__(self) -> int:
        return hash(self._bytes)

    def __repr__(self) -> str:
        return f"Wtf8.from_str({_decode(self._bytes)!r})"

    def __str__(self) -> str:
        """The text when it is Unicode, else the text with lone surrogates escaped as ``\\udXXX``."""
        return _escaped(self._bytes)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._bytes,))


def _rebuild(data: bytes) -> Wtf8:
    return Wtf8.from_bytes(data)


_set_bytes: Final = Wtf8.__dict__["_bytes"].__set__
