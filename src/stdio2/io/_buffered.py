"""Buffered I/O: `BufReader`, `BufWriter`, `LineWriter` and `IntoInnerError`.

These are the only places in stdio2 that buffer (DESIGN §1.5), and they
follow the rules of Rust's ``std::io`` buffered types exactly:

* `BufReader` reads from its inner reader in blocks of its capacity, one
  ``inner.read(view)`` call per fill, straight into its own ``bytearray``
  (the line iterators fill a larger one: up to 8x, at most 64 KiB).
  A read at least as large as the buffer, made while the buffer is empty,
  bypasses it. ``seek`` discards the buffer; ``seek_relative`` keeps it
  when the target is inside it.
* `BufWriter` collects small writes; a write that does not fit flushes the
  buffer first, and a write at least as large as the buffer goes straight to
  the inner writer. A flush that fails keeps every byte it did not write.
* `LineWriter` is a `BufWriter` that writes complete lines through as soon
  as they are complete (Rust's ``LineWriterShim`` rules).

The hot paths hand the per-byte work to C: ``bytearray.find``/``rfind``
locate delimiters, and the line iterators decode and split a whole buffer
at a time (``str(view, 'utf-8')`` then ``str.split``), keeping the decoded
look-ahead as a cache of bytes that still live in the reader's own buffer,
so direct reads interleaved with iteration see exactly the right bytes.

None of these types is thread-safe (Rust needs ``&mut self`` for them):
use one from one thread at a time.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any, Final, NoReturn

from stdio2.io._adapters import Lines, Split
from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import (
    BufRead,
    Read,
    Seek,
    SeekFrom,
    Write,
    _Current,
    as_error,
    byte_arg,
    decode_utf8,
    default_read_to_end,
    readable_view,
    seek_arg,
    writable_view,
)

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = ["BufReader", "BufWriter", "IntoInnerError", "LineWriter"]

_DEFAULT_BUF: Final = 8 * 1024
_DEFAULT_LINE_BUF: Final = 1024
# read_line decodes a whole buffer of lines at once only after this many
# consecutive read_line calls: a protocol that mixes one header line with
# binary reads should not pay for decoding look-ahead it never uses.
_STREAK: Final = 2
_DELIMS: Final = [bytes((i,)) for i in range(256)]
# The line iterators (lines(), split(), read_line's look-ahead) refill into a
# buffer of up to this many times the capacity, capped at _BIG_MAX: splitting
# a bigger region per Python-level step cuts split()'s per-line overhead at
# the default 8 KiB. Still one inner.read per fill, so a pipe or socket never
# waits for more than it has.
_BIG_FACTOR: Final = 8
_BIG_MAX: Final = 64 * 1024
# Where str.splitlines breaks a line besides '\n'.
_ODD_BREAKS: Final = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
# An exhausted iterator: read_line's look-ahead when it has none.
_NO_LINES: Final[Iterator[str]] = iter(())
_INVALID_UTF8: Final = "stream did not contain valid UTF-8"

# The modes of BufReader._batch.
_LINES: Final = 0  # str, '\n' / '\r\n' removed (lines())
_SPLIT: Final = 1  # bytes, delimiter removed (split())
_KEEPENDS: Final = 2  # str, newline kept (read_line())


# Writers that let LineWriter skip their `write` frame. A registered class
# keeps in its ``_write`` slot the C-level ``write(2)`` of its descriptor
# (``io.FileIO.write``: returns the count, None for EAGAIN, raises OSError;
# replaced by a stub that raises once closed) and converts that OSError with
# ``_error(exc)`` exactly as its own `write` does. For a one-line write to a
# file the saved Python frame is ~6% of the call.
_direct_writers: set[type] = set()


def register_direct_writer(cls: type) -> type:
    """Let the buffered writers call *cls*'s ``_write`` slot directly (see the comment above)."""
    _direct_writers.add(cls)
    return cls


def _err(exc: OSError) -> Error:
    # Inner objects written by users may raise plain OSErrors.
    return exc if isinstance(exc, Error) else Error.from_os_error(exc)


def _capacity_arg(capacity: object, owner: str) -> int:
    try:
        cap = operator.index(capacity)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"{owner}: capacity must be an int (bytes), got {type(capacity).__name__}"
        ) from None
    if cap < 0:
        raise ValueError(f"{owner}: capacity must be >= 0, got {cap}")
    return cap


def _reject_pyio(inner: object, owner: str, needs: tuple[str, ...]) -> None:
    import io
    import socket

    if isinstance(inner, (io.IOBase, socket.socket)):
        raise TypeError(
            f"{owner} takes a stdio2 reader/writer, not a Python {type(inner).__name__}; "
            f"wrap it first: {owner}(stdio2.io.from_pyio(obj))"
        )
    for name in needs:
        if not callable(getattr(inner, name, None)):
            raise TypeError(
                f"{owner}: the inner object must implement {' and '.join(needs)} "
                f"(a stdio2 Read/Write), got {type(inner).__name__}"
            )


class _Detached:
    """Stands in for the inner object after ``into_inner``/``close``: every use fails."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what

    def __getattr__(self, name: str) -> Any:
        raise Error(ErrorKind.InvalidInput, f"{self.what} was used after into_inner() or close()")

    def __repr__(self) -> str:
        return "<detached>"


# ---------------------------------------------------------------------------
# BufReader


class BufReader(BufRead):
    """A reader with a buffer (Rust's ``std::io::BufReader``).

    ``BufReader(inner, capacity=8192)`` wraps any stdio2 `Read`. Each refill
    makes one ``inner.read`` call into the buffer; a `read` at least as large
    as the capacity made while the buffer is empty goes straight to *inner*
    (bypassing the buffer). When *inner* implements `Seek` the BufReader does
    too (``isinstance(r, Seek)`` tells).

    `lines`, `split` and `read_line`'s look-ahead fill a larger buffer
    (``min(8 * capacity, 64 KiB)``, or the capacity if larger), still with
    one ``inner.read`` per fill.

    With capacity 0 every `read` goes straight through and the `BufRead`
    methods see end of file at once, as in Rust.

    Errors are those of the inner reader, as `Error`. Not thread-safe.
    """

    __slots__ = (
        "__weakref__",
        "_big",
        "_buf",
        "_cap",
        "_filled",
        "_inner",
        "_pdelim",
        "_pend",
        "_pit",
        "_pmode",
        "_pn",
        "_pos",
        "_pstart",
        "_rlit",
        "_rview",
        "_streak",
        "_view",
    )

    _inner: Any
    _buf: bytearray
    _view: memoryview
    _rview: memoryview
    _cap: int
    # The size of the buffer the line iterators fill (see _BIG_FACTOR).
    _big: int
    _pos: int
    _filled: int
    # The decoded look-ahead of the line iterators: a list iterator over the
    # items of buf[_pstart:_pend]; _pos already points past it, and `_sync`
    # moves it back to the first item not yet handed out.
    _pit: Iterator[Any] | None
    _pn: int
    _pstart: int
    _pend: int
    _pdelim: int
    _pmode: int
    # The same list iterator as _pit while read_line's batch is pending.
    # (_NO_LINES otherwise, so read_line needs no None test.)
    _rlit: Iterator[str]
    _streak: int

    def __new__(cls, inner: Read, capacity: int = _DEFAULT_BUF) -> BufReader:
        target = _SeekableBufReader if cls is BufReader and isinstance(inner, Seek) else cls
        return object.__new__(target)

    def __init__(self, inner: Read, capacity: int = _DEFAULT_BUF) -> None:
        cap = _capacity_arg(capacity, "BufReader")
        _reject_pyio(inner, "BufReader", ("read",))
        self._inner = inner
        self._cap = cap
        self._big = max(cap, min(_BIG_FACTOR * cap, _BIG_MAX))
        self._install(bytearray(cap), 0)
        self._pit = None
        self._rlit = _NO_LINES
        self._pn = self._pstart = self._pend = self._pdelim = self._pmode = 0
        self._streak = 0

    def _install(self, buf: bytearray, filled: int) -> None:
        self._buf = buf
        self._view = memoryview(buf)
        self._rview = self._view.toreadonly()
        self._pos = 0
        self._filled = filled

    def __repr__(self) -> str:
        return (
            f"BufReader({self._inner!r}, buffered={self._filled - self._pos}, "
            f"capacity={self._cap})"
        )

    # -- accessors ---------------------------------------------------------

    def get_ref(self) -> Any:
        """The inner reader (reading from it directly skips the buffered bytes)."""
        return self._inner

    def get_mut(self) -> Any:
        """The inner reader, for mutation (same object as `get_ref` in Python)."""
        return self._inner

    def capacity(self) -> int:
        """The buffer's capacity in bytes."""
        return self._cap

    def buffer(self) -> bytes:
        """A copy of the bytes buffered but not yet consumed. No I/O."""
        if self._pit is not None:
            self._sync()
        return self._view[self._pos : self._filled].tobytes()

    def into_inner(self) -> Any:
        """Give back the inner reader; buffered bytes are lost (as in Rust). No I/O.

        The BufReader is unusable afterwards.
        """
        inner = self._inner
        self._detach()
        return inner

    def close(self) -> None:
        """Drop the buffer and close the inner reader (its ``close()``, if it has one).

        Closing twice is harmless. Raises what the inner ``close()`` raises.
        """
        inner = self._inner
        if isinstance(inner, _Detached):
            return
        self._detach()
        close = getattr(inner, "close", None)
        if close is not None:
            try:
                close()
            except OSError as e:
                raise _err(e) from None

    def __enter__(self) -> BufReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _detach(self) -> None:
        if self._pit is not None:
            self._sync()
        self._inner = _Detached("BufReader")
        self._pos = self._filled = 0

    # -- the buffer --------------------------------------------------------

    def _refill(self) -> int:
        # Precondition: the buffer is empty. One inner.read into all of it.
        if len(self._buf) != self._cap:
            # A push-back (see _unread) had grown it; back to the real size.
            self._install(bytearray(self._cap), 0)
        try:
            n = self._inner.read(self._view)
        except OSError as e:
            self._pos = self._filled = 0
            raise _err(e) from None
        if n.__class__ is not int or not 0 <= n <= self._cap:
            self._pos = self._filled = 0
            raise _bad_count(self._inner, n, self._cap)
        self._pos = 0
        self._filled = n
        return n

    def _fill_more(self) -> int:
        """Move the unconsumed bytes to the front and read once into the free tail.

        Used by the line iterators only, so a line that straddles two fills
        still lives in the buffer. They fill the larger buffer of ``_big``
        bytes (direct reads go back to the capacity in `_refill`). Retries
        Interrupted. Returns the count read.
        """
        pos, filled = self._pos, self._filled
        rem = filled - pos
        if len(self._buf) != self._big:
            # The capacity-sized buffer of direct reads, or one grown by a
            # push-back (_unread): move to the iterators' size (or just big
            # enough for what it still holds).
            fresh = bytearray(max(self._big, rem + 1))
            fresh[:rem] = self._view[pos:filled]
            self._install(fresh, rem)
        elif pos:
            self._buf[:rem] = self._buf[pos:filled]
            self._pos, self._filled = 0, rem
        while True:
            try:
                n = self._inner.read(self._view[rem:])
            except InterruptedError:
                continue
            except OSError as e:
                raise _err(e) from None
            if n.__class__ is not int or not 0 <= n <= len(self._buf) - rem:
                raise _bad_count(self._inner, n, len(self._buf) - rem)
            self._filled = rem + n
            return n

    def _unread(self, data: bytearray) -> None:
        """Put *data* back in front of the (empty) buffer after a failed read.

        The line methods collect a line that is longer than what is buffered in
        a side bytearray; if the inner reader then fails, the bytes go back
        here so that nothing is lost and the call can be retried.
        """
        if not data:
            return
        rest = self._view[self._pos : self._filled].tobytes()
        size = len(data) + len(rest)
        buf = bytearray(max(size, self._cap))
        buf[: len(data)] = data
        buf[len(data) : size] = rest
        self._install(buf, size)

    def _sync(self) -> None:
        """Make the position exact again after a line iterator's look-ahead."""
        it = self._pit
        self._pit = None
        self._rlit = _NO_LINES
        assert it is not None
        left: int = it.__length_hint__()  # type: ignore[attr-defined]
        if left:
            n = self._pn
            # Exhaust the list iterator so an iterator suspended in
            # ``yield from`` starts afresh from the reader's real position.
            it.__setstate__(n)  # type: ignore[attr-defined]
            start, end = self._pstart, self._pend
            parts = self._view[start:end].tobytes().split(_DELIMS[self._pdelim], n - left)
            self._pos = end - len(parts[-1])
            self._streak = 0

    # -- BufRead -----------------------------------------------------------

    def fill_buf(self) -> memoryview:
        """Return the buffered bytes (a read-only view), making one ``inner.read`` if empty.

        The view is valid until the next call on this reader; an empty view
        means end of file. Does not retry `ErrorKind.Interrupted`.
        """
        if self._pit is not None:
            self._sync()
        self._streak = 0
        if self._pos >= self._filled:
            self._refill()
        return self._rview[self._pos : self._filled]

    def consume(self, n: int, /) -> None:
        """Mark *n* buffered bytes as read (clamped to what is buffered). No I/O."""
        if self._pit is not None:
            self._sync()
        n = operator.index(n)
        if n < 0:
            raise ValueError(f"consume: n must be >= 0, got {n}")
        self._streak = 0
        self._pos = min(self._pos + n, self._filled)

    def has_data_left(self) -> bool:
        """Whether more bytes can be read (fills the buffer if empty; retries Interrupted)."""
        while True:
            try:
                return len(self.fill_buf()) > 0
            except InterruptedError:
                continue

    # -- Read --------------------------------------------------------------

    def read(self, buf: Buffer, /) -> int:
        """Read into *buf* from the buffer, refilling it with one ``inner.read`` if empty.

        When the buffer is empty and *buf* is at least the capacity, the
        call goes straight to ``inner.read(buf)``. Returns the count; 0 at EOF.
        """
        if self._pit is not None:
            self._sync()
        self._streak = 0
        view = writable_view(buf, "read")
        want = len(view)
        pos = self._pos
        if pos >= self._filled:
            if want >= self._cap:
                self._pos = self._filled = 0
                try:
                    return int(self._inner.read(view))
                except OSError as e:
                    raise _err(e) from None
            self._refill()
            pos = 0
        n = min(want, self._filled - pos)
        view[:n] = self._view[pos : pos + n]
        self._pos = pos + n
        return n

    def read_vectored(self, bufs: Iterable[Buffer], /) -> int:
        """Fill the buffers in order from the buffer (one ``inner.read`` if it was empty).

        When the buffer is empty and the buffers together are at least the
        capacity, the inner reader's ``read_vectored`` is called directly.
        """
        if self._pit is not None:
            self._sync()
        self._streak = 0
        views = [writable_view(b, "read_vectored") for b in bufs]
        total = sum(len(v) for v in views)
        if self._pos >= self._filled:
            if total >= self._cap:
                self._pos = self._filled = 0
                rv = getattr(self._inner, "read_vectored", None)
                try:
                    if rv is not None:
                        return int(rv(views))
                    return Read.read_vectored(self._inner, views)
                except OSError as e:
                    raise _err(e) from None
            self._refill()
        nread = 0
        for v in views:
            pos = self._pos
            n = min(len(v), self._filled - pos)
            if not n:
                if len(v):
                    break
                continue
            v[:n] = self._view[pos : pos + n]
            self._pos = pos + n
            nread += n
        return nread

    def read_exact(self, buf: Buffer, /) -> None:
        """Fill *buf* completely: from the buffer when it holds enough, else by looping.

        Raises `Error` (UnexpectedEof) with ``progress`` if the reader ends first.
        """
        if self._pit is not None:
            self._sync()
        self._streak = 0
        view = writable_view(buf, "read_exact")
        n = len(view)
        pos = self._pos
        if self._filled - pos >= n:
            view[:] = self._view[pos : pos + n]
            self._pos = pos + n
            return
        Read.read_exact(self, view)

    def read_to_end(self, buf: bytearray, /) -> int:
        """Append the buffered bytes, then delegate to the inner reader's ``read_to_end``.

        On failure ``progress`` counts the buffered bytes plus what the inner
        reader appended; all of it stays in *buf*.
        """
        if not isinstance(buf, bytearray):
            raise TypeError(
                "read_to_end appends to a caller-owned bytearray: "
                f"buf = bytearray(); r.read_to_end(buf) (got {type(buf).__name__})"
            )
        if self._pit is not None:
            self._sync()
        self._streak = 0
        pos, filled = self._pos, self._filled
        buf += self._view[pos:filled]
        have = filled - pos
        self._pos = self._filled = 0
        inner = self._inner
        start = len(buf)
        try:
            rte = None if isinstance(inner, _Detached) else getattr(inner, "read_to_end", None)
            got = default_read_to_end(inner, buf) if rte is None else rte(buf)
        except OSError as e:
            raise as_error(e, have + len(buf) - start) from None
        return have + int(got)

    def read_to_string(self) -> str:
        """Read to end of file and decode as UTF-8 (`Error` InvalidData if it is not)."""
        data = bytearray()
        self.read_to_end(data)
        return decode_utf8(data)

    def _until(self, delim: int, out: bytearray) -> int:
        # Rust's read_until over our own buffer: bytes go to *out* as they are
        # consumed; Interrupted is retried; errors carry progress.
        total = 0
        buf, view = self._buf, self._view
        while True:
            pos, filled = self._pos, self._filled
            if pos >= filled:
                try:
                    n = self._refill()
                except InterruptedError:
                    continue
                except OSError as e:
                    raise as_error(e, total) from None
                if not n:
                    return total
                buf, view, pos, filled = self._buf, self._view, 0, n
            i = buf.find(delim, pos, filled)
            if i >= 0:
                i += 1
                out += view[pos:i]
                self._pos = i
                return total + i - pos
            out += view[pos:filled]
            self._pos = filled
            total += filled - pos

    def read_until(self, byte: int | bytes, buf: bytearray, /) -> int:
        """Append to *buf* up to and including the delimiter *byte* (or to EOF); return the count.

        Searches the buffer with ``bytearray.find``. On error the bytes read so
        far stay in *buf* and ``progress`` says how many.
        """
        delim = byte_arg(byte, "read_until")
        if not isinstance(buf, bytearray):
            raise TypeError(
                "read_until appends to a caller-owned bytearray: "
                f"buf = bytearray(); r.read_until(b'\\n', buf) (got {type(buf).__name__})"
            )
        if self._pit is not None:
            self._sync()
        self._streak = 0
        return self._until(delim, buf)

    def skip_until(self, byte: int | bytes, /) -> int:
        """Discard bytes up to and including the delimiter *byte*; return how many."""
        delim = byte_arg(byte, "skip_until")
        if self._pit is not None:
            self._sync()
        self._streak = 0
        total = 0
        while True:
            pos, filled = self._pos, self._filled
            if pos >= filled:
                try:
                    n = self._refill()
                except InterruptedError:
                    continue
                except OSError as e:
                    raise as_error(e, total) from None
                if not n:
                    return total
                pos, filled = 0, n
            i = self._buf.find(delim, pos, filled)
            if i >= 0:
                self._pos = i + 1
                return total + i + 1 - pos
            self._pos = filled
            total += filled - pos

    def read_line(self) -> str:
        """Read one line, '\\n' included ('' at end of file).

        All or nothing: a line that is not UTF-8 raises `Error` (InvalidData)
        and is consumed (as Rust's); if the inner reader fails part-way the
        bytes already taken go back into the buffer, so a retry sees them.
        """
        # read_line's look-ahead: one C-level step of the list iterator.
        for line in self._rlit:
            return line
        if self._pit is not None:
            self._sync()
        if self._streak >= _STREAK:
            batch = self._batch(_KEEPENDS, 10)
            if batch is None:
                return ""
            first: str = next(batch)
            return first
        self._streak += 1
        pos = self._pos
        i = self._buf.find(10, pos, self._filled)
        if i >= 0:
            i += 1
            self._pos = i
            try:
                return self._buf[pos:i].decode()
            except UnicodeDecodeError:
                raise Error(ErrorKind.InvalidData, _INVALID_UTF8) from None
        acc = bytearray()
        try:
            self._until(10, acc)
        except OSError:
            self._unread(acc)
            raise
        try:
            return acc.decode()
        except UnicodeDecodeError:
            raise Error(ErrorKind.InvalidData, _INVALID_UTF8) from None

    def split(self, byte: int | bytes, /) -> Split:
        """An iterator over the segments separated by *byte*, as bytes with the delimiter removed.

        It splits a whole buffer at a time in C; its look-ahead stays in this
        reader's buffer, so reads made between ``next`` calls see the right
        bytes. An error is raised from ``next``; the iterator stays usable.
        """
        return _BufSplit(self, byte_arg(byte, "split"))

    def lines(self) -> Lines:
        """An iterator over the lines as str, with '\\n' or '\\r\\n' removed.

        Decodes and splits a whole buffer at a time. A line that is not UTF-8
        raises `Error` (InvalidData) from ``next`` and is skipped (consumed);
        the iterator stays usable. Reads made between ``next`` calls see the
        right bytes.
        """
        return _BufLines(self)

    def _batch(self, mode: int, delim: int) -> Iterator[Any] | None:
        """Decode/split the buffered complete segments; return an iterator over them, None at EOF.

        Refills (keeping a partial segment at the front of the buffer) until
        the buffer holds a delimiter, the buffer is full (a segment longer than
        the capacity takes the slow path), or the reader ends.
        """
        it = self._pit
        buf = self._buf
        pos, filled = self._pos, self._filled
        if it is not None and not it.__length_hint__():  # type: ignore[attr-defined]
            # The previous batch was used up and nothing else ran since: what
            # follows it is a partial segment, with no delimiter to look for.
            self._pit = None
            self._rlit = _NO_LINES
            end = -1 if self._pdelim == delim else buf.rfind(delim, pos, filled)
        else:
            if it is not None:
                self._sync()
                pos = self._pos
            end = buf.rfind(delim, pos, filled)
        while True:
            if end >= 0:
                end += 1
                complete = True
                break
            if pos == 0 and filled >= len(buf):
                return self._long(mode, delim)
            if not self._fill_more():
                pos, filled = self._pos, self._filled
                if pos >= filled:
                    return None
                end = filled
                complete = False
                break
            buf = self._buf
            pos, filled = self._pos, self._filled
            end = buf.rfind(delim, pos, filled)
        return self._emit(mode, delim, pos, end, complete)

    def _emit(self, mode: int, delim: int, pos: int, end: int, complete: bool) -> Iterator[Any]:
        """Decode/split ``buf[pos:end]`` into the pending batch and return its iterator.

        *complete* says the region ends with the delimiter (else it is the
        last segment before end of file).
        """
        buf = self._buf
        if mode == _SPLIT:
            items: list[Any] = self._view[pos:end].tobytes().split(_DELIMS[delim])
            if complete:
                items.pop()
        else:
            while True:
                try:
                    text = str(self._view[pos:end], "utf-8")
                    break
                except UnicodeDecodeError as e:
                    bad = pos + e.start
                    ls = buf.rfind(10, pos, bad)
                    if ls < 0:
                        # The first line is the bad one: consume it and say so.
                        le = buf.find(10, bad, end)
                        self._pos = end if le < 0 else le + 1
                        self._streak = 0
                        raise Error(ErrorKind.InvalidData, _INVALID_UTF8) from None
                    end = ls + 1
                    complete = True
            if mode == _LINES:
                items = text.split("\n")
                last = None if complete else items[-1]
                items.pop()
                if "\r" in text:
                    items = [s[:-1] if s[-1:] == "\r" else s for s in items]
                if last is not None:
                    items.append(last)
            else:
                # splitlines(True) keeps the newlines without a second string
                # per line, but it also breaks at \r, \x0b, \x85, \u2028 ...;
                # without any of those (nine memchr-speed scans, a third of
                # the cost of counting '\n') it splits exactly at '\n'. With
                # them: when it found exactly one line per '\n' it agrees
                # with splitting at '\n' (a '\r\n' stays one line either way).
                items = text.splitlines(True)
                if any(map(text.__contains__, _ODD_BREAKS)) and (
                    len(items) != text.count("\n") + (not complete)
                    or (not complete and text[-1] == "\r")
                ):
                    items = text.split("\n")
                    last = None if complete else items[-1]
                    items.pop()
                    items = [s + "\n" for s in items]
                    if last is not None:
                        items.append(last)
        it = iter(items)
        self._pit = it
        self._pn = len(items)
        self._pstart = pos
        self._pend = end
        self._pdelim = delim
        self._pmode = mode
        if mode == _KEEPENDS:
            self._rlit = it
        self._pos = end
        return it

    def _long(self, mode: int, delim: int) -> Iterator[Any] | None:
        # The buffer is full and holds no delimiter: collect the segment
        # outside it, Rust's way; on failure, put it back (nothing is lost).
        # (Also the path of a zero-capacity reader, which sees EOF at once.)
        acc = bytearray()
        try:
            self._until(delim, acc)
        except OSError:
            self._unread(acc)
            raise
        if not acc:
            return None
        if mode == _SPLIT:
            if acc[-1:] == _DELIMS[delim]:
                del acc[-1]
            return iter((bytes(acc),))
        try:
            text = acc.decode()
        except UnicodeDecodeError:
            raise Error(ErrorKind.InvalidData, _INVALID_UTF8) from None
        if mode == _LINES and text[-1:] == "\n":
            text = text[:-2] if text[-2:] == "\r\n" else text[:-1]
        return iter((text,))

    # -- Seek (used when the inner reader is Seek) ---------------------------

    def _seeker(self, call: str) -> Any:
        inner = self._inner
        if not callable(getattr(inner, "seek", None)):
            raise TypeError(
                f"BufReader.{call} needs an inner reader that implements Seek; "
                f"{type(inner).__name__} does not"
            )
        return inner

    def seek(self, pos: SeekFrom, /) -> int:
        """Seek the inner reader and discard the buffer (Rust's rule); return the new position.

        ``_Current(n)`` is measured from the logical position, so the
        inner reader is asked for ``Current(n - buffered)``. One ``inner.seek``.
        On failure the buffer is kept.
        """
        pos = seek_arg(pos)
        if self._pit is not None:
            self._sync()
        self._streak = 0
        inner = self._seeker("seek")
        if pos.whence == 1:
            pos = _Current(pos.offset - (self._filled - self._pos))
        try:
            result = int(inner.seek(pos))
        except OSError as e:
            raise _err(e) from None
        self._pos = self._filled = 0
        return result

    def seek_relative(self, offset: int, /) -> None:
        """Move by *offset* bytes, keeping the buffer if the target is inside it.

        Otherwise this is ``seek(_Current(offset))`` (which discards it).
        """
        offset = operator.index(offset)
        if self._pit is not None:
            self._sync()
        self._streak = 0
        new = self._pos + offset
        if 0 <= new <= self._filled:
            self._pos = new
            return
        self.seek(_Current(offset))

    def stream_position(self) -> int:
        """The logical position: the inner reader's position minus what is buffered."""
        if self._pit is not None:
            self._sync()
        inner = self._seeker("stream_position")
        try:
            sp = getattr(inner, "stream_position", None)
            where = int(sp() if sp is not None else inner.seek(_Current(0)))
        except OSError as e:
            raise _err(e) from None
        return where - (self._filled - self._pos)


class _SeekableBufReader(BufReader, Seek):
    """A `BufReader` whose inner reader implements `Seek`."""

    __slots__ = ()

    seek = BufReader.seek
    seek_relative = BufReader.seek_relative
    stream_position = BufReader.stream_position


_SeekableBufReader.__name__ = _SeekableBufReader.__qualname__ = "BufReader"


def _bad_count(inner: object, n: object, room: int) -> Error:
    return Error(
        ErrorKind.InvalidData,
        f"{type(inner).__name__}.read returned {n!r} for a buffer of {room} bytes",
    )


def _batches(reader: BufReader, mode: int, delim: int) -> Iterator[Iterator[Any]]:
    """The batches of `BufReader.lines()` / `split()`, one per buffer-full.

    `BufReader._batch` handles every case. The loop below only inlines the
    steady state (the batch just handed out is used up, nothing else touched
    the reader since, the buffer has the iterators' size): move the partial
    segment to the front, one ``inner.read`` into the rest, find the last
    delimiter. That saves two Python calls per buffer, a sizeable share of
    the per-buffer cost. Anything unusual falls back to `_batch`.
    """
    batch = reader._batch
    emit = reader._emit
    dbytes = _DELIMS[delim]
    it = batch(mode, delim)
    while it is not None:
        yield it
        if (
            reader._pit is it
            and not it.__length_hint__()  # type: ignore[attr-defined]
            and reader._pdelim == delim
            and len(reader._buf) == reader._big
        ):
            reader._pit = None
            reader._rlit = _NO_LINES
            buf = reader._buf
            pos, filled = reader._pos, reader._filled
            rem = filled - pos
            if pos and rem:
                buf[:rem] = buf[pos:filled]
            reader._pos, reader._filled = 0, rem
            room = len(buf) - rem
            if room > 0:
                try:
                    n = reader._inner.read(reader._view[rem:])
                except InterruptedError:
                    n = -1  # let _batch retry
                except OSError as e:
                    raise _err(e) from None
                if n.__class__ is not int or not -1 <= n <= room:
                    raise _bad_count(reader._inner, n, room)
                if n > 0:
                    filled = rem + n
                    reader._filled = filled
                    end = buf.rfind(delim, 0, filled)
                    if end >= 0:
                        end += 1
                        if mode == _SPLIT:
                            items = reader._view[:end].tobytes().split(dbytes)
                            items.pop()
                            it = iter(items)
                            reader._pit = it
                            reader._pn = len(items)
                            reader._pstart = 0
                            reader._pend = reader._pos = end
                            reader._pmode = mode
                        else:
                            it = emit(mode, delim, 0, end, True)
                        continue
                elif n == 0:  # end of file: do not ask the reader again
                    if not rem:
                        return
                    it = emit(mode, delim, 0, rem, False)
                    continue
        it = batch(mode, delim)


class _BufLines(Lines):
    """The iterator `BufReader.lines()` returns (a `Lines`).

    ``iter(x)`` is an ``itertools.chain`` over the reader's batches (the
    lines of one decoded buffer each), so a ``for`` loop takes each line at C
    speed; ``next(x)`` goes through the same chain. A batch that raises ends
    its generator, so the next step starts a fresh chain: the position lives
    in the reader, not here.
    """

    __slots__ = ("_chain", "_gen")

    def __init__(self, reader: BufReader) -> None:
        self._reader = reader
        self._gen = _batches(reader, _LINES, 10)
        self._chain = chain.from_iterable(self._gen)

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        if self._gen.gi_frame is None:  # type: ignore[attr-defined]
            self._gen = _batches(self._reader, _LINES, 10)  # type: ignore[arg-type]
            self._chain = chain.from_iterable(self._gen)
        return self._chain

    def __next__(self) -> str:
        return next(self.__iter__())

    def __repr__(self) -> str:
        return f"<lines of {self._reader!r}>"


class _BufSplit(Split):
    """The iterator `BufReader.split()` returns (a `Split`); see `_BufLines`."""

    __slots__ = ("_chain", "_gen")

    def __init__(self, reader: BufReader, delim: int) -> None:
        self._reader = reader
        self._delim = delim
        self._gen = _batches(reader, _SPLIT, delim)
        self._chain = chain.from_iterable(self._gen)

    def __iter__(self) -> Iterator[bytes]:  # type: ignore[override]
        if self._gen.gi_frame is None:  # type: ignore[attr-defined]
            self._gen = _batches(self._reader, _SPLIT, self._delim)  # type: ignore[arg-type]
            self._chain = chain.from_iterable(self._gen)
        return self._chain

    def __next__(self) -> bytes:
        return next(self.__iter__())

    def __repr__(self) -> str:
        return f"<split({self._delim}) of {self._reader!r}>"


# ---------------------------------------------------------------------------
# Writers


class IntoInnerError(Error):
    """``into_inner()`` could not write out the buffer (Rust's ``IntoInnerError``).

    An `Error` of the same kind as the failure. ``error()`` is that failure,
    ``into_inner()`` returns the writer with its buffered bytes intact (so
    nothing is lost), ``into_error()`` the failure alone.
    """

    _writer: Any
    _error: Error

    def __new__(cls, writer: Any, error: BaseException, *args: Any) -> IntoInnerError:
        return OSError.__new__(cls, str(error))

    def __init__(self, writer: Any, error: BaseException) -> None:
        err = _err(error) if isinstance(error, OSError) else Error(ErrorKind.Other, str(error))
        self.kind = err.kind
        self.progress = err.progress
        self._code = err.raw_os_error()
        self._message = str(err)
        self.errno = err.errno
        self.strerror = err.strerror
        self._writer = writer
        self._error = err

    def error(self) -> Error:
        """The error that made writing out the buffer fail."""
        return self._error

    def into_inner(self) -> Any:
        """The writer (`BufWriter` / `LineWriter`) with its buffered bytes intact."""
        return self._writer

    def into_error(self) -> Error:
        """The error alone (the writer is dropped by the caller)."""
        return self._error

    def into_parts(self) -> tuple[Error, Any]:
        """``(error, writer)``."""
        return self._error, self._writer

    def __str__(self) -> str:
        return str(self._error)

    def __repr__(self) -> str:
        return f"IntoInnerError({self._error!r}, writer={self._writer!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (IntoInnerError, (None, self._error))


class _Buffered(Write):
    """The buffer logic `BufWriter` and `LineWriter` share (Rust's ``BufWriter`` core).

    The buffer is a list of immutable ``bytes`` pieces plus their total size:
    appending a reference to a caller's ``bytes`` is the cheapest buffering
    Python offers (other bytes-likes are copied, since they may change), and
    writing out joins the pieces once.
    """

    __slots__ = ("__weakref__", "_cap", "_capacity", "_direct", "_inner", "_parts", "_size")

    _inner: Any
    _parts: list[bytes]
    _size: int
    # Whether _inner is a registered direct writer (see register_direct_writer).
    _direct: bool
    # _cap is the limit the hot path compares with; it is -1 once the writer
    # is closed or taken apart, which sends every write to the cold path.
    _cap: int
    _capacity: int

    def __init__(self, inner: Write, capacity: int) -> None:
        name = type(self).__name__
        cap = _capacity_arg(capacity, name)
        _reject_pyio(inner, name, ("write", "flush"))
        self._inner = inner
        self._direct = type(inner) in _direct_writers
        self._parts = []
        self._size = 0
        self._cap = cap
        self._capacity = cap

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._inner!r}, buffered={self._size}, "
            f"capacity={self._capacity})"
        )

    # -- accessors ---------------------------------------------------------

    def get_ref(self) -> Any:
        """The inner writer (writing to it directly skips the buffered bytes)."""
        return self._inner

    def get_mut(self) -> Any:
        """The inner writer, for mutation (same object as `get_ref` in Python)."""
        return self._inner

    def buffer(self) -> bytes:
        """The bytes buffered but not yet written. No I/O."""
        parts = self._parts
        if len(parts) > 1:
            self._parts = parts = [b"".join(parts)]
        return parts[0] if parts else b""

    def capacity(self) -> int:
        """The buffer's capacity in bytes."""
        return self._capacity

    def _closed(self) -> NoReturn:
        raise Error(
            ErrorKind.InvalidInput,
            f"{type(self).__name__} was used after into_inner(), into_parts() or close()",
        )

    def _append(self, data: bytes) -> None:
        if data:
            self._parts.append(data)
            self._size += len(data)

    def _ends_with_newline(self) -> bool:
        if self._size:
            for part in reversed(self._parts):
                if part:
                    return part[-1] == 10
        return False

    # -- writing out ---------------------------------------------------------

    def _flush_buf(self) -> None:
        """Write the whole buffer with as many ``inner.write`` calls as it takes.

        Written bytes leave the buffer even when a later call fails; the rest
        stay. Retries Interrupted; a 0-byte write is `Error` (WriteZero).
        The raised error's ``progress`` counts the bytes written out here.
        """
        total = self._size
        if not total:
            return
        parts = self._parts
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        self._parts = [data]
        write = self._inner.write
        written = 0
        try:
            with memoryview(data) as view:
                while written < total:
                    try:
                        n = write(view[written:] if written else data)
                    except InterruptedError:
                        continue
                    except OSError as e:
                        raise as_error(e, written) from None
                    if n.__class__ is not int or not 0 <= n <= total - written:
                        raise Error(
                            ErrorKind.InvalidData,
                            f"{type(self._inner).__name__}.write returned {n!r} "
                            f"for {total - written} bytes",
                        ).with_progress(written)
                    if not n:
                        raise Error(
                            ErrorKind.WriteZero, "failed to write the buffered data"
                        ).with_progress(written)
                    written += n
        finally:
            if written:
                rest = data[written:]
                self._parts = [rest] if rest else []
                self._size = len(rest)

    def flush(self) -> None:
        """Write out the buffer (``inner.write`` calls), then call ``inner.flush()``.

        On failure the unwritten bytes stay buffered; ``progress`` counts the
        bytes written out before it.
        """
        if self._cap < 0:
            self._closed()
        self._flush_buf()
        try:
            self._inner.flush()
        except OSError as e:
            raise _err(e) from None

    def into_inner(self) -> Any:
        """Write out the buffer and return the inner writer, open; ``inner.flush()`` is not called.

        Raises `IntoInnerError` if writing out fails; its ``into_inner()``
        returns this writer with the unwritten bytes still buffered.
        """
        if self._cap < 0:
            self._closed()
        try:
            self._flush_buf()
        except OSError as e:
            raise IntoInnerError(self, e) from None
        inner = self._inner
        self._detach()
        return inner

    def _detach(self) -> None:
        self._inner = _Detached(type(self).__name__)
        self._direct = False
        self._cap = -1
        self._parts = []
        self._size = 0

    def close(self) -> None:
        """`flush`, then close the inner writer (its ``close()``, if it has one).

        If the flush fails, the error is raised, the bytes stay buffered and
        nothing is closed (call `close` again to retry). Closing twice is
        harmless.
        """
        if self._cap < 0:
            return
        self.flush()
        inner = self._inner
        self._detach()
        close = getattr(inner, "close", None)
        if close is not None:
            try:
                close()
            except OSError as e:
                raise _err(e) from None

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            count = self._size
            cap = self._cap
        except AttributeError:  # __init__ did not finish
            return
        if cap < 0 or not count:
            return
        try:
            self._flush_buf()
            outcome = "they were written out now"
        except BaseException as e:
            outcome = f"writing them failed ({e}), {self._size} bytes are lost"
        try:
            warnings.warn(
                f"{type(self).__name__} was garbage-collected holding {count} unflushed "
                f"bytes; {outcome}. Call flush() or close(), or use a with block",
                ResourceWarning,
                source=self,
                stacklevel=1,
            )
        except Exception:  # interpreter shutdown
            pass

    # -- BufWriter's write rules ------------------------------------------------

    def _write_slow(self, buf: Buffer) -> int:
        # Not a bytes object (or it did not fit): normalise and copy.
        view = readable_view(buf, "write")
        n = len(view)
        if self._size + n < self._cap:
            self._append(view.tobytes())
            return n
        return self._write_cold(view)

    def _write_cold(self, view: memoryview) -> int:
        if self._cap < 0:
            self._closed()
        n = len(view)
        if n > self._cap - self._size:
            try:
                self._flush_buf()
            except OSError as e:
                raise as_error(e, 0) from None
        if n >= self._cap:
            try:
                return int(self._inner.write(view))
            except OSError as e:
                raise _err(e) from None
        self._append(view.tobytes())
        return n

    def _buffered_write_all(self, buf: Buffer) -> None:
        if buf.__class__ is bytes:
            n = len(buf)
            size = self._size + n
            if size < self._cap:
                self._size = size
                self._parts.append(buf)
                return
        view = readable_view(buf, "write_all")
        n = len(view)
        if self._size + n < self._cap:
            self._append(view.tobytes())
            return
        if self._cap < 0:
            self._closed()
        if n > self._cap - self._size:
            try:
                self._flush_buf()
            except OSError as e:
                raise as_error(e, 0) from None
        if n >= self._cap:
            inner = self._inner
            wa = getattr(inner, "write_all", None)
            try:
                if wa is not None:
                    wa(view)
                else:
                    Write.write_all(inner, view)
            except OSError as e:
                raise _err(e) from None
            return
        self._append(view.tobytes())

    def _write_to_buf(self, data: Buffer) -> int:
        # Buffer as much of *data* as fits, without writing anything out.
        view = readable_view(data, "write")
        take = min(max(self._cap - self._size, 0), len(view))
        self._append(view[:take].tobytes())
        return take


class BufWriter(_Buffered):
    """A writer with a buffer (Rust's ``std::io::BufWriter``).

    ``BufWriter(inner, capacity=8192)``. A write smaller than the free space
    is kept in the buffer (no I/O); one that does not fit first writes the
    buffer out; one at least as large as the capacity then goes straight to
    ``inner.write``. A failed write-out keeps the bytes it did not write.
    `flush` writes out and calls ``inner.flush()``; `close` (and leaving a
    ``with`` block) flushes and closes *inner*; `into_inner` writes out and
    hands *inner* back open. A BufWriter garbage-collected with bytes still
    buffered tries once to write them and emits a `ResourceWarning`.
    When *inner* implements `Seek`, so does the BufWriter (seeking writes the
    buffer out first). Not thread-safe.
    """

    __slots__ = ()

    def __new__(cls, inner: Write, capacity: int = _DEFAULT_BUF) -> BufWriter:
        target = _SeekableBufWriter if cls is BufWriter and isinstance(inner, Seek) else cls
        return object.__new__(target)

    def __init__(self, inner: Write, capacity: int = _DEFAULT_BUF) -> None:
        super().__init__(inner, capacity)

    def __enter__(self) -> BufWriter:
        return self

    def write(self, buf: Buffer, /) -> int:
        """Buffer *buf* (no I/O) if it fits; else write out the buffer, then buffer or write *buf*.

        Returns how many bytes were accepted; an error raised while writing
        out the buffer means none of *buf* was taken (``progress`` 0).
        """
        # The call made a million times: a bytes object that fits is kept by
        # reference (it cannot change); everything else takes _write_slow.
        if buf.__class__ is bytes:
            n = len(buf)
            size = self._size + n
            if size < self._cap:
                self._size = size
                self._parts.append(buf)
                return n
        return self._write_slow(buf)

    def write_all(self, buf: Buffer, /) -> None:
        """Write all of *buf*: into the buffer if it fits, else after writing the buffer out.

        A *buf* at least as large as the capacity goes to ``inner.write_all``.
        On failure ``progress`` counts the bytes of *buf* taken (0 when
        writing out the old buffer failed).
        """
        self._buffered_write_all(buf)

    def write_vectored(self, bufs: Iterable[Buffer], /) -> int:
        """Buffer as many whole buffers as fit (Rust's rule); a large first one goes straight through."""
        if self._cap < 0:
            self._closed()
        views = [readable_view(b, "write_vectored") for b in bufs]
        it = iter(views)
        first = next((v for v in it if len(v)), None)
        if first is None:
            return 0
        if len(first) > self._cap - self._size:
            try:
                self._flush_buf()
            except OSError as e:
                raise as_error(e, 0) from None
        if len(first) >= self._cap:
            try:
                return int(self._inner.write(first))
            except OSError as e:
                raise _err(e) from None
        self._append(first.tobytes())
        total = len(first)
        for v in it:
            if len(v) > self._cap - self._size:
                break
            self._append(v.tobytes())
            total += len(v)
        return total

    def into_parts(self) -> tuple[Any, bytes]:
        """``(inner, buffered_bytes)`` without writing anything; the BufWriter is used up."""
        if self._cap < 0:
            self._closed()
        inner, data = self._inner, self.buffer()
        self._detach()
        return inner, data

    # -- Seek (when the inner writer is Seek) ---------------------------------

    def seek(self, pos: SeekFrom, /) -> int:
        """Write out the buffer, then seek the inner writer (one ``inner.seek``)."""
        pos = seek_arg(pos)
        if self._cap < 0:
            self._closed()
        inner = self._inner
        if not callable(getattr(inner, "seek", None)):
            raise TypeError(
                f"BufWriter.seek needs an inner writer that implements Seek; "
                f"{type(inner).__name__} does not"
            )
        self._flush_buf()
        try:
            return int(inner.seek(pos))
        except OSError as e:
            raise _err(e) from None


class _SeekableBufWriter(BufWriter, Seek):
    """A `BufWriter` whose inner writer implements `Seek`."""

    __slots__ = ()

    seek = BufWriter.seek


_SeekableBufWriter.__name__ = _SeekableBufWriter.__qualname__ = "BufWriter"


class LineWriter(_Buffered):
    """A `BufWriter` that writes complete lines through (Rust's ``std::io::LineWriter``).

    ``LineWriter(inner, capacity=1024)``. Rust's ``LineWriterShim`` rules:

    * data without '\\n': if the buffer holds a complete line (ends with
      '\\n') it is written out first; then the data is buffered as by
      `BufWriter`;
    * data with '\\n': the buffer is written out, then everything up to and
      including the last '\\n' goes to *inner* in ONE ``inner.write``; if that
      took anything, the rest is buffered (as much as fits; after a short
      write, only up to the last newline that fits).

    `buffer()` and `capacity()` are extensions (Rust's LineWriter has none).
    Not thread-safe.
    """

    __slots__ = ()

    def __init__(self, inner: Write, capacity: int = _DEFAULT_LINE_BUF) -> None:
        super().__init__(inner, capacity)

    def __enter__(self) -> LineWriter:
        return self

    def _flush_if_completed_line(self) -> None:
        if self._ends_with_newline():
            try:
                self._flush_buf()
            except OSError as e:
                raise as_error(e, 0) from None

    def write(self, buf: Buffer, /) -> int:
        """Write *buf* by the line rules; at most one ``inner.write`` with new data.

        Returns the count of bytes taken (written through or buffered).
        """
        if buf.__class__ is not bytes:
            buf = readable_view(buf, "write").tobytes()
        data: bytes = buf
        i = data.rfind(b"\n")
        if i < 0:
            if self._size:
                self._flush_if_completed_line()
            n = len(data)
            size = self._size + n
            if size < self._cap:
                self._size = size
                self._parts.append(data)
                return n
            return self._write_cold(memoryview(data))
        # (A closed LineWriter has an empty buffer and a detached inner
        # object, whose write raises the right error.)
        if self._size:
            try:
                self._flush_buf()
            except OSError as e:
                raise as_error(e, 0) from None
        i += 1
        size = len(data)
        inner = self._inner
        if i == size and self._direct:
            # The usual case (one or more whole lines) on a file: its write(2)
            # without the File.write frame; see register_direct_writer.
            # Loaded as an attribute, then called: CPython 3.11 specializes
            # a slot read (LOAD_ATTR) but not a slot method call (LOAD_METHOD).
            write = inner._write
            try:
                flushed = write(data)
            except OSError as e:
                raise inner._error(e) from None
            if flushed == size:
                return size
            if flushed is None:
                raise Error(ErrorKind.WouldBlock, "the descriptor is non-blocking and not ready")
        else:
            try:
                if i == size:  # the usual case: one or more whole lines
                    flushed = inner.write(data)
                    if flushed == size and flushed.__class__ is int:
                        return size
                else:
                    flushed = inner.write(data[:i])
            except OSError as e:
                raise _err(e) from None
        if flushed.__class__ is not int or not 0 <= flushed <= i:
            raise Error(
                ErrorKind.InvalidData,
                f"{type(self._inner).__name__}.write returned {flushed!r} for {i} bytes",
            )
        if flushed == size or not flushed:
            return int(flushed)
        if flushed >= i:
            tail = data[flushed:]
        elif i - flushed <= self._cap:
            tail = data[flushed:i]
        else:
            scan = data[flushed : flushed + self._cap]
            j = scan.rfind(b"\n")
            tail = scan[: j + 1] if j >= 0 else scan
        return int(flushed) + self._write_to_buf(tail)

    def write_all(self, buf: Buffer, /) -> None:
        """Write all of *buf* by the line rules (Rust's ``LineWriterShim::write_all``).

        Complete lines reach *inner* before this returns (``inner.write_all``
        when nothing was buffered, else appended to the buffer and written out
        together); the tail is buffered. On failure ``progress`` counts the
        bytes of *buf* taken (written through or buffered).
        """
        if buf.__class__ is not bytes:
            buf = readable_view(buf, "write_all").tobytes()
        data: bytes = buf
        if not self._size and data[-1:] == b"\n" and self._cap >= 0:
            # Whole lines with nothing buffered: straight through, as the
            # general path below would do, without its slicing.
            try:
                self._inner.write_all(data)
            except OSError as e:
                raise _err(e) from None
            return
        i = data.rfind(b"\n")
        if i < 0:
            self._flush_if_completed_line()
            self._buffered_write_all(data)
            return
        if self._cap < 0:
            self._closed()
        i += 1
        lines, tail = data[:i], data[i:]
        if not self._size:
            inner = self._inner
            wa = getattr(inner, "write_all", None)
            try:
                if wa is not None:
                    wa(lines)
                else:
                    Write.write_all(inner, lines)
            except OSError as e:
                raise _err(e) from None
        else:
            self._buffered_write_all(lines)
            try:
                self._flush_buf()
            except OSError as e:
                raise as_error(e, i) from None
        if not tail:
            return
        try:
            self._buffered_write_all(tail)
        except OSError as e:
            raise as_error(e, i + _err(e).progress) from None

    def write_vectored(self, bufs: Iterable[Buffer], /) -> int:
        """Rust's ``LineWriterShim::write_vectored``.

        The buffers up to the last one holding '\\n' go to *inner* in one
        ``write_vectored``; later ones are buffered if that wrote them all.
        """
        views = [readable_view(b, "write_vectored") for b in bufs]
        last = -1
        for k in range(len(views) - 1, -1, -1):
            if views[k].tobytes().find(b"\n") >= 0:
                last = k
                break
        if last < 0:
            self._flush_if_completed_line()
            return BufWriter.write_vectored(self, views)  # type: ignore[arg-type]
        if self._cap < 0:
            self._closed()
        try:
            self._flush_buf()
        except OSError as e:
            raise as_error(e, 0) from None
        lines, tail = views[: last + 1], views[last + 1 :]
        inner = self._inner
        wv = getattr(inner, "write_vectored", None)
        try:
            flushed = int(wv(lines) if wv is not None else Write.write_vectored(inner, lines))
        except OSError as e:
            raise _err(e) from None
        if not flushed:
            return 0
        if flushed < sum(len(v) for v in lines):
            return flushed
        buffered = 0
        for v in tail:
            if not len(v):
                continue
            n = self._write_to_buf(v)
            if not n:
                break
            buffered += n
        return flushed + buffered
