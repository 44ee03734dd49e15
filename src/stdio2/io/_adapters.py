"""Adapters and small readers/writers: Chain, Take, Bytes, Tee, Broadcast, Split, Lines,
Empty, Repeat, Sink, and the free functions `copy` and `read_to_string`.

None of these makes an OS call of its own: each calls the methods of the
readers and writers it wraps, with Rust's ``std::io`` semantics.

`Chain` and `Take` are `BufRead` exactly when their inner readers are, as in
Rust. Python has no trait bounds, so the constructor decides once: ``Chain(a,
b)`` returns an instance of a private subclass that also derives from
`BufRead` when both *a* and *b* are `BufRead` instances. ``isinstance(x,
BufRead)`` therefore tells the truth, and a plain `Chain` has no ``fill_buf``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import (
    BufRead,
    Read,
    Seek,
    SeekFrom,
    Write,
    as_error,
    byte_arg,
    decode_utf8,
    readable_view,
    seek_arg,
    writable_view,
)

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = [
    "Broadcast",
    "Bytes",
    "Chain",
    "Empty",
    "Lines",
    "Repeat",
    "Sink",
    "Split",
    "Take",
    "Tee",
    "copy",
    "empty",
    "read_to_string",
    "repeat",
    "sink",
]

# copy()'s portable loop reads into one buffer of this size, reused.
_COPY_BUF: Final = 64 * 1024


def _need_reader(obj: object, call: str) -> None:
    if not isinstance(obj, Read):
        raise TypeError(
            f"{call} takes a stdio2 Read (got {type(obj).__name__}); "
            "wrap Python file objects and sockets with stdio2.io.from_pyio(obj)"
        )


def _need_writer(obj: object, call: str) -> None:
    if not isinstance(obj, Write):
        raise TypeError(
            f"{call} takes a stdio2 Write (got {type(obj).__name__}); "
            "wrap Python file objects and sockets with stdio2.io.from_pyio(obj)"
        )


# ---------------------------------------------------------------------------
# Chain


class Chain(Read):
    """Reads all of the first reader, then the second (Rust's ``Chain``, from `Read.chain`).

    Makes the calls of its inner readers, one `read` per `read`. `BufRead`
    too when both inner readers are.
    """

    __slots__ = ("_done_first", "_first", "_second")

    _first: Read
    _second: Read
    _done_first: bool

    def __new__(cls, first: Read, second: Read) -> Chain:
        if cls is Chain and isinstance(first, BufRead) and isinstance(second, BufRead):
            return super().__new__(_BufChain)
        return super().__new__(cls)

    def __init__(self, first: Read, second: Read) -> None:
        _need_reader(first, "chain")
        _need_reader(second, "chain")
        self._first = first
        self._second = second
        self._done_first = False

    def read(self, buf: Buffer, /) -> int:
        """One `read` of the first reader; once it reports EOF, one `read` of the second."""
        if not self._done_first:
            n = self._first.read(buf)
            if n:
                return n
            # 0 from an empty buffer says nothing about EOF (Rust checks the same).
            if not len(writable_view(buf, "Chain.read")):
                return 0
            self._done_first = True
        return self._second.read(buf)

    def get_ref(self) -> tuple[Read, Read]:
        """The two inner readers, as a pair."""
        return (self._first, self._second)

    def get_mut(self) -> tuple[Read, Read]:
        """The two inner readers, as a pair (same as `get_ref` in Python)."""
        return (self._first, self._second)

    def into_inner(self) -> tuple[Read, Read]:
        """The two inner readers, as a pair."""
        return (self._first, self._second)

    def __repr__(self) -> str:
        return f"Chain({self._first!r}, {self._second!r})"


class _BufChain(Chain, BufRead):
    __slots__ = ()

    _first: BufRead
    _second: BufRead

    def fill_buf(self) -> Buffer:
        if not self._done_first:
            data = self._first.fill_buf()
            if len(data):  # type: ignore[arg-type]
                return data
            self._done_first = True
        return self._second.fill_buf()

    def consume(self, n: int, /) -> None:
        if not self._done_first:
            self._first.consume(n)
        else:
            self._second.consume(n)


# ---------------------------------------------------------------------------
# Take


def _limit_arg(limit: object, call: str) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise TypeError(f"{call} takes an int limit, got {type(limit).__name__}")
    if limit < 0:
        raise ValueError(f"{call}: the limit must be >= 0, got {limit}")
    return limit


class Take(Read):
    """Reads at most ``limit`` bytes of the inner reader (Rust's ``Take``, from `Read.take`).

    Each `read` makes at most one `read` of the inner reader, into a prefix
    of *buf* no longer than the remaining limit. `BufRead` too when the inner
    reader is.
    """

    __slots__ = ("_inner", "_limit")

    _inner: Read
    _limit: int

    def __new__(cls, inner: Read, limit: int) -> Take:
        if cls is Take and isinstance(inner, BufRead):
            return super().__new__(_BufTake)
        return super().__new__(cls)

    def __init__(self, inner: Read, limit: int) -> None:
        _need_reader(inner, "take")
        self._inner = inner
        self._limit = _limit_arg(limit, "take")

    def read(self, buf: Buffer, /) -> int:
        """One `read` of the inner reader into at most ``limit()`` bytes of *buf* (0 once used up)."""
        view = writable_view(buf, "Take.read")
        limit = self._limit
        if limit == 0:
            return 0
        if len(view) > limit:
            view = view[:limit]
        n = self._inner.read(view)
        if n > len(view) or n < 0:
            raise Error(
                ErrorKind.InvalidData,
                f"the inner reader returned {n} for a buffer of {len(view)} bytes",
            )
        self._limit = limit - n
        return n

    def limit(self) -> int:
        """How many bytes may still be read."""
        return self._limit

    def set_limit(self, limit: int, /) -> None:
        """Allow *limit* more bytes (whatever was read so far)."""
        self._limit = _limit_arg(limit, "set_limit")

    def get_ref(self) -> Read:
        """The inner reader."""
        return self._inner

    def get_mut(self) -> Read:
        """The inner reader (same as `get_ref` in Python)."""
        return self._inner

    def into_inner(self) -> Read:
        """The inner reader."""
        return self._inner

    def __repr__(self) -> str:
        return f"Take({self._inner!r}, limit={self._limit})"


class _BufTake(Take, BufRead):
    __slots__ = ()

    _inner: BufRead

    def fill_buf(self) -> Buffer:
        limit = self._limit
        if limit == 0:
            return b""
        data = self._inner.fill_buf()
        view = memoryview(data)
        if len(view) > limit:
            return view[:limit]
        return data

    def consume(self, n: int, /) -> None:
        n = min(n, self._limit)
        self._limit -= n
        self._inner.consume(n)


# ---------------------------------------------------------------------------
# Bytes, Split, Lines


class Bytes(Iterator[int]):
    """Iterator over a reader's bytes as ints (Rust's ``Bytes``, from `Read.bytes`).

    Each step is one one-byte `read` (or a `fill_buf`/`consume` on a
    `BufRead`); ``Interrupted`` is retried. An error is raised from
    ``__next__`` and the iterator stays usable.
    """

    __slots__ = ("_buf", "_inner")

    def __init__(self, inner: Read) -> None:
        _need_reader(inner, "bytes")
        self._inner = inner
        self._buf = bytearray(1)

    def __iter__(self) -> Bytes:
        return self

    def __next__(self) -> int:
        inner = self._inner
        while True:
            try:
                if isinstance(inner, BufRead):
                    data = inner.fill_buf()
                    if not len(data):  # type: ignore[arg-type]
                        raise StopIteration
                    b: int = memoryview(data)[0]
                    inner.consume(1)
                    return b
                if inner.read(self._buf):
                    return self._buf[0]
                raise StopIteration
            except InterruptedError:
                continue
            except OSError as e:
                raise as_error(e, 0) from None


class Split(Iterator[bytes]):
    """Iterator over the segments of a `BufRead` separated by a byte (from `BufRead.split`).

    Yields ``bytes`` without the delimiter. Each step is one `read_until`. If
    it fails, the `Error` is raised and the bytes already read are kept: the
    next step continues the same segment, so nothing is lost.
    """

    __slots__ = ("_delim", "_pending", "_reader")

    def __init__(self, reader: BufRead, delim: int) -> None:
        if not isinstance(reader, BufRead):
            raise TypeError(f"split needs a BufRead (got {type(reader).__name__}); wrap it in BufReader")
        self._reader = reader
        self._delim = byte_arg(delim, "split")
        self._pending = bytearray()

    def __iter__(self) -> Split:
        return self

    def __next__(self) -> bytes:
        pending = self._pending
        self._reader.read_until(self._delim, pending)
        if not pending:
            raise StopIteration
        seg = bytes(pending[:-1]) if pending[-1] == self._delim else bytes(pending)
        pending.clear()
        return seg


class Lines(Iterator[str]):
    """Iterator over the lines of a `BufRead` as str (from `BufRead.lines`).

    Removes the trailing ``'\\n'`` or ``'\\r\\n'``. An I/O error is raised and
    the partial line is kept for the next step; a line that is not UTF-8
    raises `Error` (InvalidData) and is skipped (its bytes were consumed, as
    with `read_line`). The iterator stays usable after either.
    """

    __slots__ = ("_pending", "_reader")

    def __init__(self, reader: BufRead) -> None:
        if not isinstance(reader, BufRead):
            raise TypeError(f"lines needs a BufRead (got {type(reader).__name__}); wrap it in BufReader")
        self._reader = reader
        self._pending = bytearray()

    def __iter__(self) -> Lines:
        return self

    def __next__(self) -> str:
        pending = self._pending
        self._reader.read_until(10, pending)
        if not pending:
            raise StopIteration
        end = len(pending)
        if pending[-1] == 10:
            end -= 1
            if end and pending[end - 1] == 13:
                end -= 1
        data = pending[:end]
        pending.clear()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return decode_utf8(data)  # raises InvalidData naming the offset


# ---------------------------------------------------------------------------
# Tee, Broadcast


class Tee(Read):
    """A reader that copies everything it reads to a writer (``Read.tee``).

    Each `read` is one `read` of the inner reader followed by ``write_all``
    of those bytes to the writer. If the writer fails, its `Error` is raised
    (``progress`` = bytes that reached it); the bytes read are at the front of
    *buf* all the same.
    """

    __slots__ = ("_reader", "_writer")

    def __init__(self, reader: Read, writer: Write) -> None:
        _need_reader(reader, "tee")
        _need_writer(writer, "tee")
        self._reader = reader
        self._writer = writer

    def read(self, buf: Buffer, /) -> int:
        """One inner `read`, then ``write_all`` of the bytes read to the writer."""
        view = writable_view(buf, "Tee.read")
        n = self._reader.read(view)
        if n:
            self._writer.write_all(view[:n])
        return n

    def get_ref(self) -> tuple[Read, Write]:
        """The reader and the writer, as a pair."""
        return (self._reader, self._writer)

    def into_inner(self) -> tuple[Read, Write]:
        """The reader and the writer, as a pair."""
        return (self._reader, self._writer)


class Broadcast(Write):
    """A writer that writes to two writers (``Write.broadcast``).

    `write` is one `write` to the first writer, then ``write_all`` of the
    bytes it accepted to the second; `flush` flushes both (the first error is
    raised after both were tried).
    """

    __slots__ = ("_first", "_second")

    def __init__(self, first: Write, second: Write) -> None:
        _need_writer(first, "broadcast")
        _need_writer(second, "broadcast")
        self._first = first
        self._second = second

    def write(self, buf: Buffer, /) -> int:
        """One `write` to the first writer, ``write_all`` of what it took to the second."""
        view = readable_view(buf, "Broadcast.write")
        n = self._first.write(view)
        if n:
            self._second.write_all(view[:n])
        return n

    def flush(self) -> None:
        """Flush both writers; the first failure is raised after both were tried."""
        first_error: OSError | None = None
        try:
            self._first.flush()
        except OSError as e:
            first_error = e
        self._second.flush()
        if first_error is not None:
            raise first_error

    def get_ref(self) -> tuple[Write, Write]:
        """The two writers, as a pair."""
        return (self._first, self._second)

    def into_inner(self) -> tuple[Write, Write]:
        """The two writers, as a pair."""
        return (self._first, self._second)


# ---------------------------------------------------------------------------
# Empty, Repeat, Sink


class Empty(BufRead, Write, Seek):
    """Always at end of file, accepts and discards every write, seeks to 0 (Rust's ``Empty``)."""

    __slots__ = ()

    def read(self, buf: Buffer, /) -> int:
        """Return 0 (EOF). No call is made."""
        writable_view(buf, "Empty.read").release()
        return 0

    def fill_buf(self) -> Buffer:
        """Return an empty buffer."""
        return b""

    def consume(self, n: int, /) -> None:
        """Do nothing."""

    def write(self, buf: Buffer, /) -> int:
        """Accept and discard all of *buf*; return its length."""
        with readable_view(buf, "Empty.write") as view:
            return len(view)

    def flush(self) -> None:
        """Do nothing."""

    def seek(self, pos: SeekFrom, /) -> int:
        """Return 0: every position of an empty stream is 0."""
        seek_arg(pos)
        return 0

    def stream_len(self) -> int:
        """Return 0."""
        return 0

    def stream_position(self) -> int:
        """Return 0."""
        return 0

    def __repr__(self) -> str:
        return "Empty()"


class Repeat(Read):
    """An endless reader of one byte value (Rust's ``Repeat``); every `read` fills the whole buffer."""

    __slots__ = ("_byte",)

    def __init__(self, byte: int | bytes) -> None:
        self._byte = byte_arg(byte, "repeat")

    def read(self, buf: Buffer, /) -> int:
        """Fill all of *buf* with the byte; return its length."""
        view = writable_view(buf, "Repeat.read")
        n = len(view)
        view[:] = bytes((self._byte,)) * n
        return n

    def read_to_end(self, buf: bytearray, /) -> int:
        """Raise `Error` (OutOfMemory) at once: the stream never ends (Rust does the same)."""
        raise Error(ErrorKind.OutOfMemory, "cannot read an endless Repeat to the end")

    def read_to_string(self) -> str:
        """Raise `Error` (OutOfMemory) at once: the stream never ends."""
        raise Error(ErrorKind.OutOfMemory, "cannot read an endless Repeat to the end")

    def __repr__(self) -> str:
        return f"Repeat({self._byte})"


class Sink(Write):
    """A writer that accepts and discards everything (Rust's ``Sink``)."""

    __slots__ = ()

    def write(self, buf: Buffer, /) -> int:
        """Discard *buf*; return its length in bytes."""
        t = type(buf)
        if t is bytes or t is bytearray:
            return len(buf)  # type: ignore[arg-type]
        with readable_view(buf, "Sink.write") as view:
            return len(view)

    def write_all(self, buf: Buffer, /) -> None:
        """Discard *buf*."""
        readable_view(buf, "Sink.write_all").release()

    def flush(self) -> None:
        """Do nothing."""

    def __repr__(self) -> str:
        return "Sink()"


def empty() -> Empty:
    """A reader at EOF that also discards writes and seeks to 0 (Rust's ``io::empty``)."""
    return Empty()


def repeat(byte: int | bytes) -> Repeat:
    """An endless reader of *byte* (an int 0-255 or a 1-byte bytes)."""
    return Repeat(byte)


def sink() -> Sink:
    """A writer that discards everything (Rust's ``io::sink``)."""
    return Sink()


# ---------------------------------------------------------------------------
# copy, read_to_string


def _kernel_copy(reader: Read, writer: Write) -> int | None:
    """The kernel fast path of `copy`: copy_file_range / sendfile / splice between descriptors.

    Returns the byte count when it copied everything, or None when the pair
    does not qualify (not both stdio2 descriptor owners, a deadline active on
    a pipe, no kernel path for these file types) and the portable loop must
    run. Which path a copy took is reported by ``stdio2.fs.last_copy_method()``.
    """
    if sys.platform == "win32":
        return None
    from stdio2.fs._copy import kernel_copy_objects

    return kernel_copy_objects(reader, writer)


def copy(reader: Read, writer: Write) -> int:
    """Copy everything from *reader* to *writer*; return the byte count.

    Tries the kernel fast path first, then loops in user space: from a
    `BufRead` straight out of its buffer (``fill_buf``/``consume``), otherwise
    through one reused 64 KiB buffer, writing each chunk with ``write_all``.
    ``Interrupted`` is retried. On failure the raised `Error` has
    ``progress`` = bytes that reached *writer*. From a `BufRead`, bytes not
    yet written stay in the reader's buffer.
    """
    _need_reader(reader, "copy")
    _need_writer(writer, "copy")
    done = _kernel_copy(reader, writer)
    if done is not None:
        return done
    total = 0
    write_all = writer.write_all
    if isinstance(reader, BufRead):
        fill_buf, consume = reader.fill_buf, reader.consume
        while True:
            try:
                data = fill_buf()
            except InterruptedError:
                continue
            except OSError as e:
                raise as_error(e, total) from None
            n = len(memoryview(data))
            if not n:
                return total
            try:
                write_all(data)
            except OSError as e:
                err = as_error(e, getattr(e, "progress", 0))
                consume(err.progress)  # what was written leaves the buffer; the rest stays
                err.progress += total
                raise err from None
            consume(n)
            total += n
    buf = bytearray(_COPY_BUF)
    with memoryview(buf) as view:
        read = reader.read
        while True:
            try:
                n = read(view)
            except InterruptedError:
                continue
            except OSError as e:
                raise as_error(e, total) from None
            if not n:
                return total
            try:
                write_all(view[:n] if n < _COPY_BUF else view)
            except OSError as e:
                err = as_error(e, getattr(e, "progress", 0))
                err.progress += total
                raise err from None
            total += n


def read_to_string(reader: Read) -> str:
    """Read all of *reader* and decode it as UTF-8 (``reader.read_to_string()``).

    Raises `Error` (InvalidData) for bad UTF-8 and whatever the reader raises.
    """
    _need_reader(reader, "read_to_string")
    return reader.read_to_string()
