"""The four I/O traits: `Read`, `Write`, `Seek`, `BufRead`, and `SeekFrom`.

Each trait is an ABC with one or two abstract *primitives* and many provided
methods built on them. The primitives (`Read.read`, `Write.write`,
`Seek.seek`, `BufRead.fill_buf`) make exactly one underlying call and never
loop; the provided conveniences loop, retry `ErrorKind.Interrupted`, and
report partial progress on failure through `Error.progress`.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from stdio2.io._error import Error, ErrorKind

if TYPE_CHECKING:
    from stdio2._typing import Buffer
    from stdio2.io._adapters import Broadcast, Bytes, Chain, Lines, Split, Take, Tee

__all__ = ["BufRead", "Read", "Seek", "SeekFrom", "Write"]

_W = TypeVar("_W", bound="Write")
_R = TypeVar("_R", bound="Read")

# How much read_to_end asks for per call once a reader has proved it has more
# than the first probe; doubling up to this cap keeps big reads to few calls.
_MIN_CHUNK: Final = 8 * 1024
_MAX_CHUNK: Final = 2 * 1024 * 1024
_PROBE: Final = 32


def byte_arg(byte: object, call: str) -> int:
    """Validate a "byte" argument: an int 0-255 or a 1-byte bytes (DESIGN §1a)."""
    if isinstance(byte, int) and not isinstance(byte, bool):
        if 0 <= byte <= 255:
            return byte
        raise ValueError(f"{call}: byte must be in range 0..=255, got {byte}")
    if isinstance(byte, (bytes, bytearray)) and len(byte) == 1:
        return byte[0]
    raise TypeError(
        f"{call}: expected a byte (an int 0-255 or a 1-byte bytes such as b'\\n'), "
        f"got {type(byte).__name__}"
    )


def writable_view(buf: object, call: str) -> memoryview:
    """A flat, contiguous, byte-format, writable memoryview of *buf*, or a TypeError naming the right call."""
    try:
        view = memoryview(buf)  # type: ignore[arg-type]
    except TypeError:
        if isinstance(buf, int):
            raise TypeError(
                f"{call} takes a writable buffer to fill, not an int; to read n bytes "
                "use buf = bytearray(n); count = r.read(buf), or r.read_exact(buf)"
            ) from None
        raise TypeError(
            f"{call}: expected a writable buffer (bytearray or writable memoryview), "
            f"got {type(buf).__name__}"
        ) from None
    if view.readonly:
        view.release()
        raise TypeError(
            f"{call}: the buffer is read-only ({type(buf).__name__}); pass a bytearray "
            "or a writable memoryview"
        )
    if view.format != "B" or view.ndim != 1 or not view.c_contiguous:
        if not view.c_contiguous:
            # The OS fills one run of memory; a strided view is not one.
            view.release()
            raise TypeError(
                f"{call}: the buffer must be contiguous (got a strided memoryview); "
                "read into a bytearray and copy it into place"
            )
        view = view.cast("B")
    return view


def readable_view(data: object, call: str) -> memoryview:
    """A flat, contiguous byte memoryview of any bytes-like *data*, or a TypeError naming the right call.

    A strided view is copied (its bytes in order): the OS takes one run of memory.
    """
    try:
        view = memoryview(data)  # type: ignore[arg-type]
    except TypeError:
        if isinstance(data, str):
            raise TypeError(
                f"{call} takes bytes, not str; encode first (data.encode()) "
                "or use write_fmt(...) for text"
            ) from None
        raise TypeError(
            f"{call}: expected a bytes-like object, got {type(data).__name__}"
        ) from None
    if view.format != "B" or view.ndim != 1 or not view.c_contiguous:
        if not view.c_contiguous:
            flat = memoryview(view.tobytes())
            view.release()
            return flat
        view = view.cast("B")
    return view


def _interrupted(exc: BaseException) -> bool:
    return isinstance(exc, InterruptedError)


def as_error(exc: OSError, progress: int) -> Error:
    """*exc* as an `Error` with `progress` set (user readers may raise plain OSErrors)."""
    err = exc if isinstance(exc, Error) else Error.from_os_error(exc)
    err.progress = progress
    return err


# ---------------------------------------------------------------------------
# SeekFrom


class SeekFrom:
    """Where `Seek.seek` measures from: ``SeekFrom.Start(n)``, ``SeekFrom.End(n)``, ``SeekFrom.Current(n)``.

    Each variant is a frozen value object with one attribute, ``offset``.
    """

    __slots__ = ()
    offset: int
    whence: int

    Start: type[_Start]
    End: type[_End]
    Current: type[_Current]


def _offset(_inst: object, _attr: object, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"SeekFrom offset must be an int, got {type(value).__name__}")


def _non_negative(_inst: object, _attr: object, value: int) -> None:
    if value < 0:
        raise ValueError(f"SeekFrom.Start offset must be >= 0, got {value}")


@attrs.frozen(repr=False)
class _Start(SeekFrom):
    offset: int = attrs.field(validator=[_offset, _non_negative])
    whence: int = attrs.field(default=0, init=False, eq=False, hash=False)

    def __repr__(self) -> str:
        return f"SeekFrom.Start({self.offset})"


@attrs.frozen(repr=False)
class _End(SeekFrom):
    offset: int = attrs.field(validator=_offset)
    whence: int = attrs.field(default=2, init=False, eq=False, hash=False)

    def __repr__(self) -> str:
        return f"SeekFrom.End({self.offset})"


@attrs.frozen(repr=False)
class _Current(SeekFrom):
    offset: int = attrs.field(validator=_offset)
    whence: int = attrs.field(default=1, init=False, eq=False, hash=False)

    def __repr__(self) -> str:
        return f"SeekFrom.Current({self.offset})"


for _cls, _name in ((_Start, "Start"), (_End, "End"), (_Current, "Current")):
    _cls.__name__ = _name
    _cls.__qualname__ = f"SeekFrom.{_name}"
    setattr(SeekFrom, _name, _cls)


# ---------------------------------------------------------------------------
# Read


class Read(abc.ABC):
    """A source of bytes (Rust's ``std::io::Read``).

    Implement `read`; everything else is provided. `read` makes one call and
    may return fewer bytes than asked for; 0 means end of file (or an empty
    *buf*). The conveniences loop until done, retry `ErrorKind.Interrupted`,
    and on failure raise an `Error` whose ``progress`` says what they moved.
    """

    __slots__ = ()

    @abc.abstractmethod
    def read(self, buf: Buffer, /) -> int:
        """Read once into the writable buffer *buf*; return the byte count (0 at end of file)."""

    def read_vectored(self, bufs: Iterable[Buffer], /) -> int:
        """Read into the first non-empty buffer of *bufs* with one `read` (Rust's default)."""
        for buf in bufs:
            view = writable_view(buf, "read_vectored")
            if len(view):
                return self.read(view)
        return 0

    def read_to_end(self, buf: bytearray, /) -> int:
        """Read until end of file, appending to the caller's *buf*; return the count appended.

        On failure the bytes read so far stay appended to *buf* and the raised
        `Error` has ``progress`` set to their count.
        """
        if not isinstance(buf, bytearray):
            raise TypeError(
                "read_to_end appends to a caller-owned bytearray: "
                f"buf = bytearray(); r.read_to_end(buf) (got {type(buf).__name__})"
            )
        return default_read_to_end(self, buf)

    def read_to_string(self) -> str:
        """Read until end of file and decode it as UTF-8.

        Raises `Error` (InvalidData) when the bytes are not UTF-8; they are then
        consumed and gone — `read_to_end` is the lossless route.
        """
        buf = bytearray()
        self.read_to_end(buf)
        return decode_utf8(buf)

    def read_exact(self, buf: Buffer, /) -> None:
        """Fill *buf* completely, calling `read` as often as needed.

        Raises `Error` (UnexpectedEof) if the reader ends first; ``progress``
        says how many bytes were placed at the front of *buf*.
        """
        view = writable_view(buf, "read_exact")
        with view:
            filled, total = 0, len(view)
            read = self.read
            while filled < total:
                try:
                    n = read(view[filled:])
                except OSError as e:
                    if _interrupted(e):
                        continue
                    raise as_error(e, filled) from None
                if not n:
                    raise Error(ErrorKind.UnexpectedEof, "failed to fill whole buffer").with_progress(
                        filled
                    )
                filled += n

    def bytes(self) -> Bytes:
        """An iterator over the bytes of this reader, one `read` per byte (wrap in BufReader)."""
        from stdio2.io._adapters import Bytes

        return Bytes(self)

    def chain(self, next: Read, /) -> Chain:
        """A reader that yields this reader's bytes, then *next*'s."""
        from stdio2.io._adapters import Chain

        return Chain(self, next)

    def take(self, limit: int, /) -> Take:
        """A reader that yields at most *limit* bytes of this one."""
        from stdio2.io._adapters import Take

        return Take(self, limit)

    def tee(self, writer: Write, /) -> Tee:
        """A reader that also writes (``write_all``) every byte it reads to *writer*."""
        from stdio2.io._adapters import Tee

        return Tee(self, writer)

    def by_ref(self: _R) -> _R:
        """This reader itself, so an adapter can borrow it without consuming it (Rust's ``by_ref``)."""
        return self


def default_read_to_end(reader: Read, buf: bytearray, size_hint: int | None = None) -> int:
    """The portable read_to_end loop: read into a scratch bytearray, append each result to *buf*.

    The reader never receives a view of *buf*: a reader that keeps the
    buffer it was handed (or a traceback of its failure that does) could
    otherwise stop *buf* from growing. Bytes are appended only after a read
    returns them, so on failure *buf* holds exactly what was read. A small
    probe read first avoids large allocations for empty or tiny sources, as
    Rust does; the scratch buffer then doubles while reads fill it. The
    cost is one memcpy per chunk; types with a C-level path (File, Cursor,
    BufReader) override ``read_to_end``.
    """
    read = reader.read
    total = 0
    size = size_hint + 1 if size_hint is not None and size_hint > 0 else _PROBE
    scratch = bytearray(size)
    while True:
        try:
            n = read(scratch)
        except OSError as e:
            if _interrupted(e):
                continue
            raise as_error(e, total) from None
        if not n:
            return total
        if n == size:
            buf += scratch
            if size < _MAX_CHUNK:
                size = max(_MIN_CHUNK, size * 2)
                scratch = bytearray(size)
        else:
            with memoryview(scratch) as view:
                buf += view[:n]
        total += n


def decode_utf8(data: Buffer) -> str:
    """Decode UTF-8 strictly; invalid data is `Error` (InvalidData) naming the offset."""
    try:
        return bytes(data).decode("utf-8") if not isinstance(data, bytes) else data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Error(
            ErrorKind.InvalidData,
            f"stream did not contain valid UTF-8 (invalid byte at offset {e.start})",
        ) from None


# ---------------------------------------------------------------------------
# Write


class Write(abc.ABC):
    """A sink of bytes (Rust's ``std::io::Write``).

    Implement `write` and `flush`. `write` makes one call and may accept
    fewer bytes than offered; `write_all` loops and reports ``progress``.
    """

    __slots__ = ()

    @abc.abstractmethod
    def write(self, buf: Buffer, /) -> int:
        """Write once from the bytes-like *buf*; return how many bytes were accepted."""

    @abc.abstractmethod
    def flush(self) -> None:
        """Push buffered data toward its destination (a no-op for unbuffered writers)."""

    def write_vectored(self, bufs: Iterable[Buffer], /) -> int:
        """Write the first non-empty buffer of *bufs* with one `write` (Rust's default)."""
        for buf in bufs:
            view = readable_view(buf, "write_vectored")
            if len(view):
                return self.write(view)
        return 0

    def write_all(self, buf: Buffer, /) -> None:
        """Write all of *buf*, calling `write` as often as needed.

        Raises `Error` (WriteZero) if `write` accepts nothing; on any failure
        ``progress`` says how many bytes were written first.
        """
        view = readable_view(buf, "write_all")
        with view:
            written, total = 0, len(view)
            write = self.write
            while written < total:
                try:
                    n = write(view[written:] if written else view)
                except OSError as e:
                    if _interrupted(e):
                        continue
                    raise as_error(e, written) from None
                if not n:
                    raise Error(ErrorKind.WriteZero, "failed to write whole buffer").with_progress(
                        written
                    )
                written += n

    def write_fmt(self, fmt: str, /, *args: Any, **kwargs: Any) -> None:
        """Format with ``str.format``, encode as UTF-8 and `write_all` the result."""
        if not isinstance(fmt, str):
            raise TypeError(f"write_fmt takes a format string, got {type(fmt).__name__}")
        text = fmt.format(*args, **kwargs) if (args or kwargs) else fmt
        self.write_all(text.encode("utf-8"))

    def by_ref(self: _W) -> _W:
        """This writer itself, so an adapter can borrow it without consuming it."""
        return self

    def broadcast(self, other: Write, /) -> Broadcast:
        """A writer that writes everything to this writer and then to *other* (``write_all`` each)."""
        from stdio2.io._adapters import Broadcast

        return Broadcast(self, other)


# ---------------------------------------------------------------------------
# Seek


class Seek(abc.ABC):
    """A cursor that can move within a stream (Rust's ``std::io::Seek``)."""

    __slots__ = ()

    @abc.abstractmethod
    def seek(self, pos: SeekFrom, /) -> int:
        """Move to *pos* (a `SeekFrom`); return the new position from the start."""

    def rewind(self) -> None:
        """Seek to the start (``seek(SeekFrom.Start(0))``)."""
        self.seek(_Start(0))

    def stream_position(self) -> int:
        """The current position (``seek(SeekFrom.Current(0))``)."""
        return self.seek(_Current(0))

    def stream_len(self) -> int:
        """The stream's length: seek to the end and back (three seeks, as Rust's default)."""
        old = self.stream_position()
        length = self.seek(_End(0))
        if old != length:
            self.seek(_Start(old))
        return length

    def seek_relative(self, offset: int, /) -> None:
        """Seek *offset* bytes from the current position; returns None."""
        self.seek(_Current(offset))


def offset_arg(offset: object, call: str, maximum: int | None = None) -> int:
    """A file offset for a positioned call.

    TypeError for a non-int; `Error` (InvalidInput) below 0 or above *maximum*.
    """
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise TypeError(f"{call} takes an int offset, got {type(offset).__name__}")
    if offset < 0:
        raise Error(ErrorKind.InvalidInput, f"{call}: negative offset {offset}")
    if maximum is not None and offset > maximum:
        raise Error(ErrorKind.InvalidInput, f"{call}: offset {offset} is past {maximum}")
    return offset


def seek_arg(pos: object) -> SeekFrom:
    """Validate a `Seek.seek` argument, naming `SeekFrom` when given a bare int."""
    if isinstance(pos, SeekFrom):
        return pos
    if isinstance(pos, int):
        raise TypeError(
            f"seek takes a SeekFrom, not an int: use seek(SeekFrom.Start({pos})) "
            "(or SeekFrom.Current / SeekFrom.End)"
        )
    raise TypeError(f"seek takes a SeekFrom, got {type(pos).__name__}")


# ---------------------------------------------------------------------------
# BufRead


class BufRead(Read):
    """A reader with an internal buffer (Rust's ``std::io::BufRead``).

    Implement `fill_buf` and `consume` (and `read`). The provided line and
    delimiter methods scan the buffer with C-level searches.
    """

    __slots__ = ()

    @abc.abstractmethod
    def fill_buf(self) -> Buffer:
        """Return the buffered bytes, reading once if the buffer is empty (empty at EOF).

        The returned read-only view is valid until the next call on this reader.
        """

    @abc.abstractmethod
    def consume(self, n: int, /) -> None:
        """Mark *n* bytes of the buffer returned by `fill_buf` as used."""

    def has_data_left(self) -> bool:
        """Whether there is more to read (fills the buffer if needed)."""
        return len(self._fill()) > 0

    def _fill(self) -> memoryview | bytes:
        while True:
            try:
                data = self.fill_buf()
            except OSError as e:
                if _interrupted(e):
                    continue
                raise
            return data if isinstance(data, (memoryview, bytes)) else memoryview(data)

    def read_until(self, byte: int | bytes, buf: bytearray, /) -> int:
        """Append to *buf* up to and including the delimiter *byte* (or to EOF); return the count.

        On error, bytes read so far stay appended and ``progress`` is set.
        """
        delim = byte_arg(byte, "read_until")
        if not isinstance(buf, bytearray):
            raise TypeError(
                "read_until appends to a caller-owned bytearray: "
                f"buf = bytearray(); r.read_until(b'\\n', buf) (got {type(buf).__name__})"
            )
        total = 0
        while True:
            try:
                data = self._fill()
            except OSError as e:
                raise as_error(e, total) from None
            if not len(data):
                return total
            i = _find(data, delim)
            if i >= 0:
                buf += data[: i + 1]
                self.consume(i + 1)
                return total + i + 1
            n = len(data)
            buf += data
            self.consume(n)
            total += n

    def skip_until(self, byte: int | bytes, /) -> int:
        """Discard bytes up to and including the delimiter *byte*; return how many were skipped."""
        delim = byte_arg(byte, "skip_until")
        total = 0
        while True:
            try:
                data = self._fill()
            except OSError as e:
                raise as_error(e, total) from None
            if not len(data):
                return total
            i = _find(data, delim)
            if i >= 0:
                self.consume(i + 1)
                return total + i + 1
            n = len(data)
            self.consume(n)
            total += n

    def read_line(self) -> str:
        """Read one line, newline included ('' at EOF).

        All or nothing: if the line is not UTF-8, `Error` (InvalidData) is
        raised and no partial text is returned. If the reader fails part-way,
        the bytes of the unfinished line are consumed and the error's
        ``progress`` counts them; `BufReader` and `stdin()` put them back
        instead, and ``read_until(10, buf)`` keeps them in *buf*.
        """
        line = bytearray()
        self.read_until(10, line)
        return decode_utf8(line)

    def split(self, byte: int | bytes, /) -> Split:
        """An iterator over the byte segments separated by *byte* (delimiter removed)."""
        from stdio2.io._adapters import Split

        return Split(self, byte_arg(byte, "split"))

    def lines(self) -> Lines:
        """An iterator over the lines as str, with '\\n' or '\\r\\n' removed."""
        from stdio2.io._adapters import Lines

        return Lines(self)


def _find(data: memoryview | bytes, delim: int) -> int:
    # memoryview has no find(); a bytes copy of one buffer-full is cheap next
    # to the Python-level loop. BufReader overrides these methods to search
    # its own bytearray in place.
    return (data if isinstance(data, bytes) else bytes(data)).find(delim)
