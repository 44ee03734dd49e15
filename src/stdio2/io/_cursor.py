"""`Cursor`: an in-memory buffer with a position, usable as Read, BufRead, Seek and Write.

No OS call is ever made. ``Cursor(inner)`` takes one of three inner kinds,
and the constructor returns a private subclass specialised for it so that the
hot paths (`read`, `write`) carry no per-call branching on the kind:

* ``bytes`` — read-only. Reads go through one cached ``io.BytesIO(inner)``
  (which shares the bytes object's memory, no copy) so that `read` is a single
  C-level ``readinto`` call.
* ``bytearray`` — grows like Rust's ``Vec<u8>``: writing past the end
  extends it, writing after a seek beyond the end zero-fills the gap.
  Appending at the end is one ``bytearray +=``.
* a ``memoryview`` — fixed size; a write at or past the end returns 0. A
  read-only memoryview gives a read-only cursor.

The position may lie beyond the end (as in Rust); reads there return 0.
Cursors are not thread-safe (Rust needs ``&mut`` for them).
"""

from __future__ import annotations

import io
import reprlib
import sys
from typing import TYPE_CHECKING, Final, Generic, TypeVar

from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import (
    BufRead,
    Seek,
    SeekFrom,
    Write,
    byte_arg,
    decode_utf8,
    readable_view,
    seek_arg,
    writable_view,
)

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = ["Cursor"]

_B = TypeVar("_B", bytes, bytearray, memoryview)

# fill_buf on a bytearray-backed cursor hands out a copy (a view would pin the
# bytearray's size until released); copying at most this much per call keeps a
# fill_buf/consume loop linear.
_FILL_CHUNK: Final = 64 * 1024
# Positions are kept within what io.BytesIO and slicing accept.
_MAX_POS: Final = sys.maxsize


def _negative_seek() -> Error:
    return Error(ErrorKind.InvalidInput, "invalid seek to a negative or overflowing position")


def _read_only(cls_name: str) -> TypeError:
    return TypeError(
        f"this Cursor is read-only (its inner buffer is {cls_name}); to write, use "
        "Cursor(bytearray(...)) or Cursor(memoryview(bytearray(n)))"
    )


def _check_count(n: object, call: str) -> int:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"{call} takes an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"{call}: the count must be >= 0, got {n}")
    return n


def _need_bytearray(buf: object, call: str) -> None:
    if not isinstance(buf, bytearray):
        raise TypeError(
            f"{call} appends to a caller-owned bytearray: buf = bytearray(); "
            f"c.{call}(..., buf) (got {type(buf).__name__})"
        )


class Cursor(BufRead, Seek, Write, Generic[_B]):
    """An in-memory buffer with a read/write position (Rust's ``std::io::Cursor``).

    ``Cursor(inner)``: *inner* is ``bytes`` (read-only), ``bytearray``
    (writable, grows) or a ``memoryview`` (fixed size; writable if the view
    is). Makes no OS calls and raises `Error` only for a seek to a negative
    position (kind ``InvalidInput``; the position is left as it was). Writing
    to a read-only cursor raises `TypeError`.
    """

    __slots__ = ()

    def __new__(cls, inner: _B) -> Cursor[_B]:
        if cls is not Cursor:
            # The kind classes below carry the implementation; a user subclass
            # would get none of it.
            raise TypeError("Cursor is not meant to be subclassed; wrap a Cursor instead")
        if isinstance(inner, bytes):
            return object.__new__(_BytesCursor)
        if isinstance(inner, bytearray):
            return object.__new__(_ArrayCursor)
        if isinstance(inner, memoryview):
            return object.__new__(_ViewCursor)
        if isinstance(inner, str):
            raise TypeError("Cursor takes bytes, not str; encode first (Cursor(text.encode()))")
        raise TypeError(
            "Cursor takes bytes, bytearray or a memoryview "
            f"(got {type(inner).__name__}; wrap other buffers as memoryview(obj))"
        )

    # -- the state every kind provides ----------------------------------------

    @property
    def position(self) -> int:
        """The current position (may be past the end)."""
        raise NotImplementedError  # pragma: no cover - every kind overrides

    def set_position(self, pos: int, /) -> None:
        """Move to *pos* (an int >= 0; past the end is allowed). No OS call."""
        raise NotImplementedError  # pragma: no cover

    def _data(self) -> bytes | bytearray | memoryview:
        raise NotImplementedError  # pragma: no cover

    def _set(self, pos: int) -> None:
        raise NotImplementedError  # pragma: no cover

    # -- accessors ----------------------------------------------------------

    def get_ref(self) -> _B:
        """The inner buffer (the object given to the constructor)."""
        return self._inner  # type: ignore[attr-defined,no-any-return]

    def get_mut(self) -> _B:
        """The inner buffer, for mutation (Python has no separate ``&mut``; same as `get_ref`)."""
        return self._inner  # type: ignore[attr-defined,no-any-return]

    def into_inner(self) -> _B:
        """The inner buffer. The cursor stays usable (Python cannot consume it)."""
        return self._inner  # type: ignore[attr-defined,no-any-return]

    def remaining_slice(self) -> bytes:
        """A copy of the bytes from the position to the end (empty if the position is past it)."""
        return bytes(self._data()[self.position :])

    def is_empty(self) -> bool:
        """Whether no bytes remain to be read (the position is at or past the end)."""
        return self.position >= len(self._data())

    # -- Read / BufRead -------------------------------------------------------

    def read(self, buf: Buffer, /) -> int:
        """Copy bytes at the position into *buf*; return the count (0 at or past the end)."""
        view = writable_view(buf, "Cursor.read")
        pos = self.position
        chunk = self._data()[pos : pos + len(view)]
        n = len(chunk)
        view[:n] = chunk
        self._set(pos + n)
        return n

    def read_exact(self, buf: Buffer, /) -> None:
        """Fill *buf* from the cursor, or raise `Error` (UnexpectedEof) with ``progress`` set.

        On failure the remaining bytes are at the front of *buf* and the
        position is at the end.
        """
        view = writable_view(buf, "Cursor.read_exact")
        pos = self.position
        chunk = self._data()[pos : pos + len(view)]
        n = len(chunk)
        view[:n] = chunk
        self._set(pos + n)
        if n < len(view):
            raise Error(ErrorKind.UnexpectedEof, "failed to fill whole buffer").with_progress(n)

    def read_to_end(self, buf: bytearray, /) -> int:
        """Append everything from the position to the end to *buf*; return the count."""
        _need_bytearray(buf, "read_to_end")
        data = self._data()
        pos = self.position
        if pos >= len(data):
            return 0
        before = len(buf)
        buf += data[pos:]
        self._set(len(data))
        return len(buf) - before

    def read_to_string(self) -> str:
        """The rest as str; `Error` (InvalidData) if not UTF-8 (the bytes are consumed anyway)."""
        data = self._data()
        pos = self.position
        if pos >= len(data):
            return ""
        rest = data[pos:]
        self._set(len(data))
        return decode_utf8(rest)

    def _find(self, delim: int, pos: int) -> int:
        data = self._data()
        return data.find(delim, pos)  # type: ignore[union-attr]

    def read_until(self, byte: int | bytes, buf: bytearray, /) -> int:
        """Append to *buf* through the next *byte* (or the end); return the count."""
        delim = byte_arg(byte, "read_until")
        _need_bytearray(buf, "read_until")
        data = self._data()
        pos = self.position
        size = len(data)
        if pos >= size:
            return 0
        i = self._find(delim, pos)
        end = size if i < 0 else i + 1
        buf += data[pos:end]
        self._set(end)
        return end - pos

    def skip_until(self, byte: int | bytes, /) -> int:
        """Skip through the next *byte* (or the end); return how many bytes were skipped."""
        delim = byte_arg(byte, "skip_until")
        size = len(self._data())
        pos = self.position
        if pos >= size:
            return 0
        i = self._find(delim, pos)
        end = size if i < 0 else i + 1
        self._set(end)
        return end - pos

    def read_line(self) -> str:
        """The next line with its newline ('' at the end); InvalidData if not UTF-8 (consumed)."""
        data = self._data()
        pos = self.position
        size = len(data)
        if pos >= size:
            return ""
        i = self._find(10, pos)
        end = size if i < 0 else i + 1
        line = data[pos:end]
        self._set(end)
        return decode_utf8(line)

    def fill_buf(self) -> Buffer:
        """A read-only view of the bytes from the position (empty at or past the end)."""
        data = self._data()
        pos = self.position
        if pos >= len(data):
            return b""
        return memoryview(data)[pos:].toreadonly()

    def consume(self, n: int, /) -> None:
        """Advance the position by *n* (not clamped, as in Rust)."""
        _check_count(n, "consume")
        self._set(self.position + n)

    # -- Seek -------------------------------------------------------------------

    def seek(self, pos: SeekFrom, /) -> int:
        """Move the position; `Error` (InvalidInput) for a negative target, position unchanged."""
        pos = seek_arg(pos)
        whence = pos.whence
        if whence == 0:
            new = pos.offset
        elif whence == 1:
            new = self.position + pos.offset
        else:
            new = len(self._data()) + pos.offset
        if new < 0 or new > _MAX_POS:
            raise _negative_seek()
        self._set(new)
        return new

    def stream_position(self) -> int:
        """The position (no seek needed)."""
        return self.position

    def stream_len(self) -> int:
        """The length of the inner buffer."""
        return len(self._data())

    # -- Write ------------------------------------------------------------------

    def write(self, buf: Buffer, /) -> int:
        """Write at the position; see the inner kinds for growth rules."""
        raise _read_only(type(self._inner).__name__)  # type: ignore[attr-defined]

    def write_all(self, buf: Buffer, /) -> None:
        """Write all of *buf* (`Error` WriteZero with ``progress`` when a fixed buffer fills up)."""
        Write.write_all(self, buf)

    def flush(self) -> None:
        """Nothing to do: a cursor has no buffer of its own."""

    # -- Python protocol ----------------------------------------------------------

    def __repr__(self) -> str:
        return f"Cursor({reprlib.repr(self._inner)}, position={self.position})"  # type: ignore[attr-defined]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cursor):
            return NotImplemented
        return bool(self.position == other.position and self._data() == other._data())

    __hash__ = None  # type: ignore[assignment]


def _check_pos(pos: object) -> int:
    if not isinstance(pos, int) or isinstance(pos, bool):
        raise TypeError(f"set_position takes an int, got {type(pos).__name__}")
    if pos < 0:
        raise ValueError(f"set_position: the position must be >= 0, got {pos}")
    if pos > _MAX_POS:
        raise ValueError(f"set_position: {pos} exceeds the largest supported position")
    return pos


class _BytesCursor(Cursor[bytes]):
    # The BytesIO shares the bytes object's memory and keeps the position, so
    # read() is one C call.
    __slots__ = ("_bio", "_inner")

    _inner: bytes
    _bio: io.BytesIO

    def __init__(self, inner: bytes) -> None:
        self._inner = inner
        self._bio = io.BytesIO(inner)

    @property
    def position(self) -> int:
        return self._bio.tell()

    def set_position(self, pos: int, /) -> None:
        self._bio.seek(_check_pos(pos))

    def _data(self) -> bytes:
        return self._inner

    def _set(self, pos: int) -> None:
        self._bio.seek(pos)

    def read(self, buf: Buffer, /) -> int:
        try:
            return self._bio.readinto(buf)
        except TypeError:
            writable_view(buf, "Cursor.read")
            raise

    def read_line(self) -> str:
        # BytesIO.readline stops after b"\n" in C: one call per line.
        line = self._bio.readline()
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError:
            return decode_utf8(line)  # raises InvalidData naming the offset

    def read_until(self, byte: int | bytes, buf: bytearray, /) -> int:
        if byte in (10, b"\n"):
            if type(buf) is not bytearray:
                _need_bytearray(buf, "read_until")
            line = self._bio.readline()
            buf += line
            return len(line)
        return Cursor.read_until(self, byte, buf)

    def fill_buf(self) -> Buffer:
        pos = self._bio.tell()
        if pos >= len(self._inner):
            return b""
        return memoryview(self._inner)[pos:]

    def write(self, buf: Buffer, /) -> int:
        raise _read_only("bytes")


class _PositionedCursor(Cursor[_B]):
    # The mutable inner kinds keep the position in a plain slot (a bytes
    # cursor keeps it in its BytesIO).
    __slots__ = ("_pos",)

    _pos: int

    @property
    def position(self) -> int:
        return self._pos

    def set_position(self, pos: int, /) -> None:
        self._pos = _check_pos(pos)

    def _set(self, pos: int) -> None:
        self._pos = pos


class _ArrayCursor(_PositionedCursor[bytearray]):
    __slots__ = ("_inner",)

    _inner: bytearray

    def __init__(self, inner: bytearray) -> None:
        self._inner = inner
        self._pos = 0

    def _data(self) -> bytearray:
        return self._inner

    def read(self, buf: Buffer, /) -> int:
        if type(buf) is bytearray:
            # The hot case; same-length slice assignment cannot fail or resize.
            pos = self._pos
            chunk = self._inner[pos : pos + len(buf)]
            n = len(chunk)
            buf[:n] = chunk
            self._pos = pos + n
            return n
        return Cursor.read(self, buf)

    def read_line(self) -> str:
        inner = self._inner
        pos = self._pos
        if pos >= len(inner):
            return ""
        i = inner.find(10, pos)
        end = len(inner) if i < 0 else i + 1
        self._pos = end
        line = inner[pos:end]
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError:
            return decode_utf8(line)  # raises InvalidData naming the offset

    def fill_buf(self) -> Buffer:
        pos = self._pos
        if pos >= len(self._inner):
            return b""
        # A copy: a view would pin the bytearray's size while the caller holds it.
        return bytes(self._inner[pos : pos + _FILL_CHUNK])

    def write(self, buf: Buffer, /) -> int:
        inner = self._inner
        pos = self._pos
        if pos == len(inner):
            # Appending, the common case: one C-level extend.
            try:
                inner += buf
            except TypeError:
                readable_view(buf, "Cursor.write")
                raise
            self._pos = n = len(inner)
            return n - pos
        view = readable_view(buf, "Cursor.write")
        k = len(view)
        gap = pos - len(inner)
        if gap > 0:
            inner += bytes(gap)  # Rust zero-fills when writing past the end
        inner[pos : pos + k] = view
        self._pos = pos + k
        return k

    def write_all(self, buf: Buffer, /) -> None:
        # A growing buffer always takes everything in one write.
        self.write(buf)


class _ViewCursor(_PositionedCursor[memoryview]):
    __slots__ = ("_inner", "_view")

    _inner: memoryview
    _view: memoryview

    def __init__(self, inner: memoryview) -> None:
        if not inner.c_contiguous:
            raise TypeError("Cursor needs a contiguous memoryview")
        self._inner = inner
        self._view = inner if (inner.format == "B" and inner.ndim == 1) else inner.cast("B")
        self._pos = 0

    def _data(self) -> memoryview:
        return self._view

    def _find(self, delim: int, pos: int) -> int:
        # memoryview has no find(); search bounded copies so a long line
        # costs O(line) rather than O(rest of buffer) per call.
        view = self._view
        size = len(view)
        step = 4096
        start = pos
        while start < size:
            i = bytes(view[start : start + step]).find(delim)
            if i >= 0:
                return start + i
            start += step
            step = min(step * 2, 1 << 20)
        return -1

    def fill_buf(self) -> Buffer:
        pos = self._pos
        if pos >= len(self._view):
            return b""
        return self._view[pos:].toreadonly()

    def write(self, buf: Buffer, /) -> int:
        view = self._view
        if view.readonly:
            raise _read_only("a read-only memoryview")
        src = readable_view(buf, "Cursor.write")
        pos = self._pos
        room = len(view) - pos
        if room <= 0:
            return 0
        k = len(src)
        k = min(k, room)
        view[pos : pos + k] = src[:k]
        self._pos = pos + k
        return k
