"""Bridges between stdio2's traits and Python's ``io`` objects: `from_pyio` and `to_pyio`.

`from_pyio(obj)` wraps a Python binary file (``io.RawIOBase`` /
``io.BufferedIOBase``, ``io.BytesIO`` included) or a ``socket.socket`` so that
it implements the stdio2 traits it supports. Every `read`/`write`/`seek` is
exactly one call into the wrapped object, and its ``OSError``s come out as
`Error`.

`to_pyio(x)` goes the other way: it presents a stdio2 reader and/or writer as
an ``io.RawIOBase``, so ``json.load``, ``csv`` (through ``io.TextIOWrapper``),
``tarfile``, ``shutil.copyfileobj`` and anything else that takes a binary
file object can use it. Each ``readinto``/``write`` is one `read`/`write`.
"""

from __future__ import annotations

import io
import socket
from typing import TYPE_CHECKING, Any, Final

from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import (
    Read,
    Seek,
    SeekFrom,
    Write,
    _Current,
    _End,
    _Start,
    readable_view,
    seek_arg,
    writable_view,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from stdio2._typing import Buffer

__all__ = ["from_pyio", "to_pyio"]


def _convert(exc: Exception) -> Error:
    """An exception from a Python io call as an `Error` (raw OSErrors never escape)."""
    if isinstance(exc, io.UnsupportedOperation):
        return Error(ErrorKind.Unsupported, str(exc) or None)
    if isinstance(exc, OSError):
        return Error.from_os_error(exc)
    # ValueError: an operation on a closed file, or a negative seek on BytesIO.
    return Error(ErrorKind.InvalidInput, str(exc) or None)


def _would_block() -> Error:
    return Error(ErrorKind.WouldBlock, "the non-blocking file is not ready")


# ---------------------------------------------------------------------------
# from_pyio


class _PyBase:
    __slots__ = ("_obj", "_readinto", "_write")

    _obj: Any
    _readinto: Callable[[Any], Any]
    _write: Callable[[Any], Any]

    def __init__(self, obj: Any, readinto: Any, write: Any) -> None:
        self._obj = obj
        self._readinto = readinto
        self._write = write

    def get_ref(self) -> Any:
        """The wrapped Python object."""
        return self._obj

    def into_inner(self) -> Any:
        """The wrapped Python object (it stays open)."""
        return self._obj

    def close(self) -> None:
        """Close the wrapped object (its ``close()``)."""
        try:
            self._obj.close()
        except (OSError, ValueError) as e:
            raise _convert(e) from None

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"from_pyio({self._obj!r})"


class _PyRead(Read):
    __slots__ = ()

    _readinto: Callable[[Any], Any]

    def read(self, buf: Buffer, /) -> int:
        """One ``readinto`` (``readinto1`` on buffered files, ``recv_into`` on sockets).

        Raises `Error` (WouldBlock) when a non-blocking file has no data.
        """
        try:
            n = self._readinto(buf)
        except TypeError:
            writable_view(buf, "read")
            raise
        except (OSError, ValueError) as e:
            raise _convert(e) from None
        if n is None:
            raise _would_block()
        return int(n)


class _PyWrite(Write):
    __slots__ = ()

    _obj: Any
    _write: Callable[[Any], Any]

    def write(self, buf: Buffer, /) -> int:
        """One ``write`` (``send`` on sockets); returns how many bytes were accepted.

        Raises `Error` (WouldBlock) when a non-blocking file takes nothing.
        """
        try:
            n = self._write(buf)
        except TypeError:
            readable_view(buf, "write")
            raise
        except BlockingIOError as e:
            # A buffered writer over a non-blocking raw file reports what it took.
            written = getattr(e, "characters_written", 0)
            if written:
                return int(written)
            raise _convert(e) from None
        except (OSError, ValueError) as e:
            raise _convert(e) from None
        if n is None:
            raise _would_block()
        return int(n)

    def flush(self) -> None:
        """The object's ``flush()`` (nothing for sockets)."""
        flush = getattr(self._obj, "flush", None)
        if flush is None:
            return
        try:
            flush()
        except (OSError, ValueError) as e:
            raise _convert(e) from None


class _PySeek(Seek):
    __slots__ = ()

    _obj: Any

    def seek(self, pos: SeekFrom, /) -> int:
        """One ``obj.seek(offset, whence)``; a negative target is `Error` (InvalidInput).

        A negative relative offset first asks where the target would be
        (``tell``, or ``seek(0, 2)``), because ``BytesIO`` would silently clamp
        it to 0.
        """
        pos = seek_arg(pos)
        obj = self._obj
        try:
            if pos.whence != 0 and pos.offset < 0:
                here = obj.tell()
                base = here if pos.whence == 1 else obj.seek(0, 2)
                target = base + pos.offset
                if target < 0:
                    if pos.whence == 2:
                        obj.seek(here, 0)
                    raise Error(ErrorKind.InvalidInput, "invalid seek to a negative or overflowing position")
                return int(obj.seek(target, 0))
            return int(obj.seek(pos.offset, pos.whence))
        except Error:
            raise
        except (OSError, ValueError) as e:
            raise _convert(e) from None

    def stream_position(self) -> int:
        """One ``obj.tell()``."""
        try:
            return int(self._obj.tell())
        except (OSError, ValueError) as e:
            raise _convert(e) from None


class _PyIO(_PyBase, _PyRead, _PyWrite, _PySeek):
    """A Python file object as a stdio2 Read + Write + Seek (what `from_pyio` returns)."""

    __slots__ = ()


_VARIANTS: Final[dict[tuple[bool, bool, bool], type]] = {(True, True, True): _PyIO}


def _variant(r: bool, w: bool, s: bool) -> type:
    cls = _VARIANTS.get((r, w, s))
    if cls is None:
        bases: list[type] = [_PyBase]
        if r:
            bases.append(_PyRead)
        if w:
            bases.append(_PyWrite)
        if s:
            bases.append(_PySeek)
        cls = type("_PyIO", tuple(bases), {"__slots__": (), "__doc__": _PyIO.__doc__})
        _VARIANTS[(r, w, s)] = cls
    return cls


def from_pyio(obj: Any) -> _PyIO:
    """Wrap a Python binary file, ``BytesIO`` or ``socket.socket`` as a stdio2 reader/writer.

    The result implements `Read`, `Write` and `Seek` according to the object's
    ``readable()``, ``writable()`` and ``seekable()`` (a socket is Read +
    Write). Each `read` is one ``readinto`` (``readinto1`` on a buffered
    file, so it makes at most one raw read; ``recv_into`` on a socket); each
    `write` is one ``write`` (``send``); `seek` is ``obj.seek``. OSErrors
    become `Error`; a non-blocking file that is not ready gives `Error`
    (WouldBlock). Text files raise `TypeError`: wrap their ``.buffer``.
    """
    if isinstance(obj, socket.socket):
        return _variant(True, True, False)(obj, obj.recv_into, obj.send)  # type: ignore[no-any-return]
    if isinstance(obj, io.TextIOBase):
        raise TypeError(
            "from_pyio takes a binary file; this is a text file: pass its binary layer, from_pyio(f.buffer)"
        )
    if isinstance(obj, (io.RawIOBase, io.BufferedIOBase)):
        if obj.closed:
            raise ValueError("from_pyio: the file is closed")
        r, w, s = obj.readable(), obj.writable(), obj.seekable()
        readinto = getattr(obj, "readinto1", None) if isinstance(obj, io.BufferedIOBase) else None
        if readinto is None:
            readinto = getattr(obj, "readinto", None)
        return _variant(r, w, s)(obj, readinto, obj.write)  # type: ignore[no-any-return]
    raise TypeError(
        "from_pyio takes a binary file object (io.RawIOBase / io.BufferedIOBase, e.g. "
        f"open(p, 'rb'), io.BytesIO) or a socket.socket, got {type(obj).__name__}"
    )


# ---------------------------------------------------------------------------
# to_pyio


class _RawAdapter(io.RawIOBase):
    """A stdio2 reader/writer presented as ``io.RawIOBase`` (what `to_pyio` returns)."""

    def __init__(self, inner: Any, close_inner: bool) -> None:
        super().__init__()
        self._inner = inner
        self._close_inner = close_inner
        self._r = isinstance(inner, Read)
        self._w = isinstance(inner, Write)
        self._s = isinstance(inner, Seek)

    def readable(self) -> bool:
        return self._r

    def writable(self) -> bool:
        return self._w

    def seekable(self) -> bool:
        return self._s

    def _check(self, ok: bool, what: str) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        if not ok:
            raise io.UnsupportedOperation(f"the wrapped {type(self._inner).__name__} is not {what}")

    def readinto(self, buffer: Any, /) -> int | None:
        """One `read` of the wrapped reader; None if it would block."""
        self._check(self._r, "a Read")
        try:
            return int(self._inner.read(buffer))
        except BlockingIOError:
            return None

    def readall(self) -> bytes:
        """The wrapped reader's `read_to_end`."""
        self._check(self._r, "a Read")
        buf = bytearray()
        self._inner.read_to_end(buf)
        return bytes(buf)

    def write(self, b: Any, /) -> int | None:
        """One `write` of the wrapped writer; None if it would block."""
        self._check(self._w, "a Write")
        try:
            return int(self._inner.write(b))
        except BlockingIOError:
            return None

    def flush(self) -> None:
        """The wrapped writer's `flush` (nothing for a reader)."""
        if self.closed:
            return
        if self._w:
            self._inner.flush()

    def seek(self, offset: int, whence: int = 0, /) -> int:
        """The wrapped object's `seek` with the matching `SeekFrom`."""
        self._check(self._s, "a Seek")
        if whence == 0:
            if offset < 0:
                raise ValueError(f"negative seek position {offset}")
            pos: SeekFrom = _Start(offset)
        elif whence == 1:
            pos = _Current(offset)
        elif whence == 2:
            pos = _End(offset)
        else:
            raise ValueError(f"invalid whence ({whence}, should be 0, 1 or 2)")
        return int(self._inner.seek(pos))

    def tell(self) -> int:
        """The wrapped object's `stream_position`."""
        self._check(self._s, "a Seek")
        return int(self._inner.stream_position())

    def isatty(self) -> bool:
        is_terminal = getattr(self._inner, "is_terminal", None)
        return bool(is_terminal()) if is_terminal is not None else False

    def close(self) -> None:
        """Flush, then close the wrapped object if it has ``close()`` (unless close_inner=False)."""
        if self.closed:
            return
        try:
            super().close()  # flushes
        finally:
            if self._close_inner:
                close = getattr(self._inner, "close", None)
                if close is not None:
                    close()

    def get_ref(self) -> Any:
        """The wrapped stdio2 object."""
        return self._inner

    def __repr__(self) -> str:
        return f"to_pyio({self._inner!r})"


def to_pyio(x: Read | Write, *, close_inner: bool = True) -> io.RawIOBase:
    """Present a stdio2 reader and/or writer as an ``io.RawIOBase``.

    ``readable()``/``writable()``/``seekable()`` say whether *x* is a `Read`,
    `Write`, `Seek`. ``readinto`` is one ``x.read``, ``write`` one
    ``x.write``, ``seek``/``tell`` map to `Seek`; ``close()`` flushes and
    then closes *x* if it has ``close()`` (pass ``close_inner=False`` to keep
    it open). Errors are raised as they come (an `Error` is an ``OSError``).
    Wrap the result in ``io.BufferedReader`` / ``io.TextIOWrapper`` as needed.
    """
    if not isinstance(x, (Read, Write)):
        raise TypeError(
            f"to_pyio takes a stdio2 Read or Write, got {type(x).__name__}"
            + ("; it already is a Python file object" if isinstance(x, io.IOBase) else "")
        )
    return _RawAdapter(x, close_inner)
