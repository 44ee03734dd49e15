"""Lossless OS strings: `OsString` (alias `OsStr`) and the WTF-8 codec in `stdio2.os_str.wtf8`.

The strings an operating system hands a program (file names, environment
variables, command-line arguments) are not text:

* on Unix they are arbitrary byte strings without NUL; most are UTF-8, but
  nothing enforces it;
* on Windows they are sequences of 16-bit code units, usually UTF-16, but
  unpaired surrogates are allowed.

`OsString` holds such a string without loss: the raw bytes on Unix, WTF-8 (see
`stdio2.os_str.wtf8`) on Windows. Which of the two an `OsString` is follows
``sys.platform``, once, at import. Converting to text is explicit: `to_str`
returns None when the string is not Unicode, and the lossy views
(`to_string_lossy`, `display`) are always asked for by name.

Python itself represents OS strings as `str` with a trick: undecodable bytes
become lone surrogates U+DC80-U+DCFF on Unix (the ``surrogateescape`` error
handler of `os.fsdecode`), and unpaired UTF-16 surrogates stay lone surrogates
on Windows. `OsString.__fspath__` returns exactly that `str`, so an `OsString`
can be passed to every `os` function and to `pathlib`, and
``OsString.from_fspath`` inverts it.

No system calls are made here.
"""

from __future__ import annotations

import os
import sys
from typing import Any, ClassVar, Final, Self

import attrs

from stdio2.os_str import wtf8 as _wtf8
from stdio2.os_str.wtf8 import Wtf8

__all__ = ["OsStr", "OsString", "Wtf8"]

# Python's filesystem encoding is fixed at interpreter start-up (UTF-8 on
# every current Unix setup, PEP 538/540). On Unix the text view of OS bytes is
# defined by it, exactly as `os.fsencode` / `os.fsdecode` define it.
if sys.platform == "win32":
    _UNIX_ENC: Final = "utf-8"
    _UNIX_ERR: Final = "surrogateescape"
    _WIN_ENC: Final = sys.getfilesystemencoding()
    _WIN_ERR: Final = sys.getfilesystemencodeerrors()
else:
    _UNIX_ENC: Final = sys.getfilesystemencoding()
    _UNIX_ERR: Final = sys.getfilesystemencodeerrors()
    # What Python on Windows does with bytes paths (UTF-8, surrogatepass).
    _WIN_ENC: Final = "utf-8"
    _WIN_ERR: Final = "surrogatepass"

_new = object.__new__
_fspath = os.fspath


@attrs.frozen(eq=False, order=False, repr=False, hash=False, init=False)
class _OsStringBase:
    """The code both flavours share; see `OsString`."""

    _inner: bytes

    # True for the flavour whose internal form is WTF-8 (Windows).
    _WIDE: ClassVar[bool] = False
    _NAME: ClassVar[str] = "OsString"

    def __init__(self, s: str) -> None:
        if isinstance(s, str):
            _set_inner(self, _wtf8._encode(s) if self._WIDE else s.encode(_UNIX_ENC, _UNIX_ERR))
        elif type(s) is type(self):
            _set_inner(self, s._inner)
        else:
            raise TypeError(
                f"{self._NAME}(s) takes a str, not {type(s).__name__}; for bytes or a path "
                f"use {self._NAME}.from_fspath(p) (or stdio2.os.unix.ffi.OsStrExt.from_bytes(b))"
            )

    # -- flavour hooks (overridden) -----------------------------------------

    @staticmethod
    def _text_to_inner(s: str) -> bytes:
        raise NotImplementedError

    @staticmethod
    def _bytes_to_inner(b: bytes) -> bytes:
        raise NotImplementedError

    @staticmethod
    def _concat(left: bytes, right: bytes) -> bytes:
        raise NotImplementedError

    # -- construction -------------------------------------------------------

    @classmethod
    def _from_inner(cls, data: bytes) -> Self:
        self = _new(cls)
        _set_inner(self, data)
        return self

    @classmethod
    def from_str(cls, s: str) -> Self:
        """The OS string for *s* (the same rules as ``OsString(s)``).

        Unix: ``os.fsencode(s)``, so surrogate escapes U+DC80-U+DCFF become the
        bytes they stand for; other lone surrogates raise ValueError
        (`UnicodeEncodeError`). Windows: the code points as WTF-8, an adjacent
        surrogate pair joined. No system call.
        """
        if not isinstance(s, str):
            raise TypeError(
                f"{cls._NAME}.from_str(s) takes a str, not {type(s).__name__}; "
                f"use {cls._NAME}.from_fspath(p) for bytes or paths"
            )
        self = _new(cls)
        _set_inner(self, cls._text_to_inner(s))
        return self

    @classmethod
    def from_fspath(cls, path_like: Any) -> Self:
        """The OS string for a `str`, `bytes` or `os.PathLike` (what `os` functions accept).

        A `str` follows the rules of ``OsString(s)``; `bytes` are the OS bytes
        on Unix and are decoded as Python on Windows decodes bytes paths
        (UTF-8, surrogatepass). The inverse of ``os.fspath(OsString)``.
        Raises TypeError for other types, ValueError for bytes that Windows
        cannot represent. No system call.
        """
        t = type(path_like)
        if t is str:
            # Inlined for the Unix flavour: this is the per-path hot call.
            data = _wtf8._encode(path_like) if cls._WIDE else path_like.encode(_UNIX_ENC, _UNIX_ERR)
        elif t is bytes:
            data = cls._bytes_to_inner(path_like)
        elif t is cls:
            same: Self = path_like
            return same
        else:
            if isinstance(path_like, _OsStringBase):
                raise TypeError(
                    f"{cls._NAME}.from_fspath: cannot mix OS string flavours ({type(path_like)._NAME} given)"
                )
            try:
                fs = _fspath(path_like)
            except TypeError:
                raise TypeError(
                    f"{cls._NAME}.from_fspath(p) takes a str, bytes or os.PathLike, not {t.__name__}"
                ) from None
            data = cls._text_to_inner(fs) if isinstance(fs, str) else cls._bytes_to_inner(fs)
        self = _new(cls)
        _set_inner(self, data)
        return self

    # -- views ----------------------------------------------------------------

    def as_encoded_bytes(self) -> bytes:
        """The internal bytes: the OS bytes on Unix, WTF-8 on Windows.

        Only meaningful to code that knows the platform; portable code may
        split them on ASCII bytes and rejoin them, nothing more (as in Rust).
        """
        return self._inner

    def len(self) -> int:
        """The length in bytes of the internal encoding (not in characters)."""
        return len(self._inner)

    def is_empty(self) -> bool:
        """True for the empty string."""
        return not self._inner

    def __bool__(self) -> bool:
        return bool(self._inner)

    def to_str(self) -> str | None:
        """The text, or None if the string is not valid Unicode."""
        raise NotImplementedError

    def to_string_lossy(self) -> str:
        """The text with every invalid part replaced by U+FFFD."""
        raise NotImplementedError

    def display(self) -> str:
        """The lossy text view for showing to people (the same as `to_string_lossy`)."""
        return self.to_string_lossy()

    def __fspath__(self) -> str:
        raise NotImplementedError

    # -- operators ------------------------------------------------------------

    def __add__(self, other: Self | str) -> Self:
        if type(other) is type(self):
            right = other._inner
        elif isinstance(other, str):
            right = self._text_to_inner(other)
        else:
            return NotImplemented
        return self._from_inner(self._concat(self._inner, right))

    def __radd__(self, other: str) -> Self:
        if isinstance(other, str):
            return self._from_inner(self._concat(self._text_to_inner(other), self._inner))
        return NotImplemented

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._inner == other._inner

    def __ne__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._inner != other._inner

    def __lt__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._inner < other._inner

    def __le__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._inner <= other._inner

    def __gt__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._inner > other._inner

    def __ge__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._inner >= other._inner

    def __hash__(self) -> int:
        return hash(self._inner)

    def __repr__(self) -> str:
        # The argument is the fspath str: evaluating the repr gives the value back.
        return f"{self._NAME}({self.__fspath__()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._WIDE, self._inner))


class _UnixOsString(_OsStringBase):
    """An OS string of the Unix flavour: arbitrary bytes."""

    __slots__ = ()
    _WIDE: ClassVar[bool] = False

    @staticmethod
    def _text_to_inner(s: str) -> bytes:
        return s.encode(_UNIX_ENC, _UNIX_ERR)

    @staticmethod
    def _bytes_to_inner(b: bytes) -> bytes:
        return b

    @staticmethod
    def _concat(left: bytes, right: bytes) -> bytes:
        return left + right

    def to_str(self) -> str | None:
        try:
            return self._inner.decode(_UNIX_ENC)
        except UnicodeDecodeError:
            return None

    def to_string_lossy(self) -> str:
        return self._inner.decode(_UNIX_ENC, "replace")

    def __fspath__(self) -> str:
        return self._inner.decode(_UNIX_ENC, _UNIX_ERR)

    def __str__(self) -> str:
        """The text when valid, else the text with each invalid byte escaped as ``\\xNN``."""
        return self._inner.decode(_UNIX_ENC, "backslashreplace")


class _WindowsOsString(_OsStringBase):
    """An OS string of the Windows flavour: WTF-8 (potentially ill-formed UTF-16)."""

    __slots__ = ()
    _WIDE: ClassVar[bool] = True

    @staticmethod
    def _text_to_inner(s: str) -> bytes:
        return _wtf8._encode(s)

    @staticmethod
    def _bytes_to_inner(b: bytes) -> bytes:
        return _wtf8._encode(b.decode(_WIN_ENC, _WIN_ERR))

    @staticmethod
    def _concat(left: bytes, right: bytes) -> bytes:
        return _wtf8._concat(left, right)

    def to_str(self) -> str | None:
        try:
            return self._inner.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def to_string_lossy(self) -> str:
        return _wtf8._lossy(self._inner)

    def __fspath__(self) -> str:
        return _wtf8._decode(self._inner)

    def __str__(self) -> str:
        """The text when valid, else the text with each lone surrogate escaped as ``\\udXXX``."""
        return _wtf8._escaped(self._inner)


_set_inner: Final = _OsStringBase.__dict__["_inner"].__set__

# The running platform decides the flavour, once. The other flavour stays
# importable under a private name so its rules are tested everywhere.
if sys.platform == "win32":
    OsString = _WindowsOsString
    _OtherFlavour = _UnixOsString
    _UnixOsString._NAME = "_UnixOsString"
else:
    OsString = _UnixOsString
    _OtherFlavour = _WindowsOsString
    _WindowsOsString._NAME = "_WindowsOsString"
OsString.__name__ = OsString.__qualname__ = "OsString"
OsString.__module__ = __name__
OsString.__doc__ = """An immutable, hashable, ordered string of the operating system, held losslessly.

Unix: the raw bytes. Windows: WTF-8 of the UTF-16 code units.
``OsString(s)`` takes a `str` (Unix: ``os.fsencode(s)``; Windows: the code
points, an adjacent surrogate pair joined); `from_fspath` also takes `bytes` and
`os.PathLike`. ``os.fspath(x)`` gives the `str` Python's `os` functions
understand (surrogate escapes on Unix), so an `OsString` works as a path.
``len()`` is a method counting bytes of the internal form; there is no
``__len__``. It never equals a `str` or `bytes`. No method makes a system call.

>>> name = OsString("caf\\u00e9")
>>> name.to_str(), name.len(), name == "caf\\u00e9"
('café', 5, False)
"""
OsStr = OsString


def _rebuild(wide: bool, data: bytes) -> _OsStringBase:
    cls = _WindowsOsString if wide else _UnixOsString
    if wide:
        _wtf8._validate(data)
    return cls._from_inner(data)


def _to_os_bytes(path_like: Any) -> bytes:
    """The platform bytes for a str, bytes or os.PathLike (Unix: ``os.fsencode``; Windows: WTF-8).

    The fast path fs and process use to hand names to the OS. No NUL check.
    """
    t = type(path_like)
    data: bytes
    if t is OsString:
        data = path_like._inner
    elif t is str:
        data = OsString._text_to_inner(path_like)
    elif t is bytes:
        data = OsString._bytes_to_inner(path_like)
    else:
        data = OsString.from_fspath(path_like)._inner
    return data


def _to_os_str(path_like: Any) -> str:
    """The `str` Python's `os` functions accept for a str, bytes or os.PathLike (lossless)."""
    t = type(path_like)
    text: str
    if t is str:
        text = path_like
    elif t is OsString:
        text = path_like.__fspath__()
    else:
        text = OsString.from_fspath(path_like).__fspath__()
    return text
