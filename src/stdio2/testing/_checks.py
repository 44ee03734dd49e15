"""The checks behind `stdio2.testing` (see the package docstring for the factory signatures).

Each check builds fresh objects from deterministic sample data and drives
them through the trait contract. Failures are ``AssertionError`` with a
message of the form ``"check_read[case]: what was expected; what happened"``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final

from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import BufRead, Read, Seek, SeekFrom, Write

__all__ = ["check_bufread", "check_read", "check_seek", "check_write"]


def _samples() -> list[tuple[str, bytes]]:
    rng = random.Random(0x5D10)
    text = "".join(rng.choice("ab\u00e9\u4e2d\n\r ") for _ in range(3000)).encode()
    return [
        ("empty", b""),
        ("one byte", b"x"),
        ("small", b"hello\nworld\r\nlast"),
        ("newlines", b"\n\n\r\n\n"),
        ("binary 1000", bytes(rng.randrange(256) for _ in range(1000))),
        ("utf-8 text", text),
        ("large 200000", rng.randbytes(200_000)),
    ]


SAMPLES: Final = _samples()
_SIZES: Final = (1, 2, 3, 7, 64, 4096, 70_000)


def _fail(check: str, case: str, msg: str) -> AssertionError:
    return AssertionError(f"{check}[{case}]: {msg}")


def _expect_type_error(check: str, case: str, what: str, fn: Callable[[], object]) -> None:
    try:
        fn()
    except TypeError:
        return
    except Exception as e:
        raise _fail(check, case, f"{what} must raise TypeError, raised {e!r}") from e
    raise _fail(check, case, f"{what} must raise TypeError, returned normally")


def _one_read(check: str, case: str, r: Read, buf: Any) -> int:
    n = r.read(buf)
    size = memoryview(buf).nbytes
    if not isinstance(n, int) or isinstance(n, bool):
        raise _fail(check, case, f"read must return an int, returned {n!r}")
    if not 0 <= n <= size:
        raise _fail(check, case, f"read into a {size}-byte buffer returned {n}")
    return n


def _drain(check: str, case: str, r: Read, size: int) -> bytes:
    out = bytearray()
    buf = bytearray(size)
    while True:
        n = _one_read(check, case, r, buf)
        if not n:
            return bytes(out)
        out += buf[:n]


def _same(check: str, case: str, what: str, got: bytes, want: bytes) -> None:
    if got != want:
        where = next(
            (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want))
        )
        raise _fail(
            check,
            case,
            f"{what}: got {len(got)} bytes, expected {len(want)}; first difference at offset {where}",
        )


def _need(check: str, obj: object, trait: type) -> None:
    if not isinstance(obj, trait):
        raise AssertionError(
            f"{check}: the factory returned {type(obj).__name__}, which is not a {trait.__name__}"
        )


# ---------------------------------------------------------------------------


def check_read(factory: Callable[[bytes], Read]) -> None:
    """Check a `Read` implementation; *factory(data)* returns a fresh reader of *data*.

    Checks: read into an empty buffer returns 0 and consumes nothing; every
    read returns 0 <= n <= len(buf); reading with each of several buffer
    sizes (bytearray and memoryview) yields exactly *data*; end of file stays
    end of file; ``read_exact`` fills or raises UnexpectedEof with
    ``progress`` = bytes placed; ``read_to_end`` appends to a non-empty
    bytearray and returns the count; ``read_to_string``; ``bytes()``,
    ``take`` and ``chain``; an int or a read-only buffer passed to ``read`` is
    a TypeError.
    """
    c = "check_read"
    for case, data in SAMPLES:
        r = factory(data)
        _need(c, r, Read)
        if _one_read(c, case, r, bytearray()) != 0:
            raise _fail(c, case, "read into an empty buffer must return 0")
        _expect_type_error(c, case, "read(10) (an int)", lambda r=r: r.read(10))  # type: ignore[misc]
        _expect_type_error(c, case, "read(b'...') (read-only)", lambda r=r: r.read(b"1234"))  # type: ignore[misc]
        _same(c, case, "read with 1000-byte buffers", _drain(c, case, r, 1000), data)
        for _ in range(3):
            if _one_read(c, case, r, bytearray(16)) != 0:
                raise _fail(c, case, "a read after end of file returned data (EOF must stay EOF)")

        for size in _SIZES:
            if (size > 2 * len(data) + 8 and size != _SIZES[0]) or (size < 64 and len(data) > 5000):
                continue
            got = _drain(c, f"{case}, {size}-byte reads", factory(data), size)
            _same(c, case, f"read with {size}-byte buffers", got, data)
        # memoryview buffers, and a view onto the middle of a larger buffer
        r = factory(data)
        big = bytearray(b"\xaa" * 50)
        out = bytearray()
        while True:
            with memoryview(big)[10:40] as view:
                n = _one_read(c, case, r, view)
            if big[:10] != b"\xaa" * 10 or big[40:] != b"\xaa" * 10:
                raise _fail(c, case, "read wrote outside the memoryview it was given")
            if not n:
                break
            out += big[10 : 10 + n]
        _same(c, case, "read into memoryview slices", bytes(out), data)

        # read_exact: exact size, then one byte too many
        r = factory(data)
        buf = bytearray(len(data))
        r.read_exact(buf)
        _same(c, case, "read_exact of the whole length", bytes(buf), data)
        r = factory(data)
        buf = bytearray(len(data) + 1)
        try:
            r.read_exact(buf)
        except Error as e:
            if e.kind is not ErrorKind.UnexpectedEof:
                raise _fail(c, case, f"read_exact past the end must be UnexpectedEof, got {e.kind}") from e
            if e.progress != len(data) or bytes(buf[: len(data)]) != data:
                raise _fail(
                    c,
                    case,
                    f"read_exact past the end: progress {e.progress}, expected {len(data)} "
                    "with those bytes at the front of the buffer",
                ) from e
        else:
            raise _fail(c, case, "read_exact past the end must raise Error(UnexpectedEof)")

        # read_to_end appends and returns the count
        r = factory(data)
        acc = bytearray(b"prefix")
        n = r.read_to_end(acc)
        if n != len(data) or bytes(acc) != b"prefix" + data:
            raise _fail(c, case, f"read_to_end returned {n}; must append exactly the data after the prefix")
        if r.read_to_end(acc) != 0:
            raise _fail(c, case, "read_to_end at end of file must return 0")
        _expect_type_error(c, case, "read_to_end(bytes)", lambda r=r: r.read_to_end(b""))  # type: ignore[misc]

        # read_to_string
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                factory(data).read_to_string()
            except Error as bad:
                if bad.kind is not ErrorKind.InvalidData:
                    raise _fail(
                        c, case, f"read_to_string of bad UTF-8 must be InvalidData, got {bad.kind}"
                    ) from bad
            else:
                raise _fail(c, case, "read_to_string of bad UTF-8 must raise Error(InvalidData)")
        else:
            if factory(data).read_to_string() != text:
                raise _fail(c, case, "read_to_string did not return the data decoded")

        # adapters built from the provided methods
        if len(data) <= 5000:
            got = bytes(factory(data).bytes())
            _same(c, case, "bytes()", got, data)
        half = len(data) // 2
        acc = bytearray()
        factory(data).take(half).read_to_end(acc)
        _same(c, case, "take(len/2).read_to_end", bytes(acc), data[:half])
        acc = bytearray()
        factory(data).chain(factory(data)).read_to_end(acc)
        _same(c, case, "chain(self).read_to_end", bytes(acc), data + data)


def check_bufread(factory: Callable[[bytes], BufRead]) -> None:
    """Check a `BufRead`; *factory(data)* returns a fresh buffered reader of *data*.

    Runs `check_read` too, then checks that ``fill_buf`` returns a non-empty
    read-only bytes-like prefix of what remains (empty only at EOF) and does
    not consume; ``consume`` advances; ``read_until``, ``skip_until``,
    ``read_line``, ``split``, ``lines`` and ``has_data_left`` agree with
    splitting *data* directly, also when interleaved with ``read``.
    """
    c = "check_bufread"
    check_read(factory)
    for case, data in SAMPLES:
        r = factory(data)
        _need(c, r, BufRead)
        # fill_buf / consume walk
        out = bytearray()
        step = 1
        while True:
            chunk = r.fill_buf()
            try:
                view = memoryview(chunk)
            except TypeError:
                raise _fail(
                    c, case, f"fill_buf must return a bytes-like object, got {type(chunk).__name__}"
                ) from None
            if not view.readonly:
                raise _fail(
                    c, case, "fill_buf must return a read-only view (bytes or memoryview.toreadonly())"
                )
            first = bytes(view)
            again = bytes(memoryview(r.fill_buf()))
            if again != first:
                raise _fail(c, case, "fill_buf twice without consume returned different data")
            if len(view) == 0:
                break
            rest = data[len(out) :]
            if not rest.startswith(bytes(view)):
                raise _fail(c, case, f"fill_buf at offset {len(out)} did not return the next bytes")
            k = min(step, len(view))
            out += view[:k]
            r.consume(k)
            r.consume(0)
            step = step * 3 + 1
        _same(c, case, "fill_buf/consume walk", bytes(out), data)
        if r.has_data_left():
            raise _fail(c, case, "has_data_left() true at end of file")
        if factory(data).has_data_left() != bool(data):
            raise _fail(c, case, "has_data_left() wrong at the start")

        # read_until / skip_until / read_line
        for delim in (10, ord("a"), 0):
            r = factory(data)
            pieces: list[bytes] = []
            while True:
                acc = bytearray(b">")
                n = r.read_until(delim, acc)
                if n != len(acc) - 1:
                    raise _fail(c, case, f"read_until returned {n} but appended {len(acc) - 1} bytes")
                if not n:
                    break
                pieces.append(bytes(acc[1:]))
            want = _split_keep(data, delim)
            if pieces != want:
                raise _fail(c, case, f"read_until({delim}) pieces differ from splitting the data")
            r = factory(data)
            skipped = []
            while n := r.skip_until(delim):
                skipped.append(n)
            if skipped != [len(p) for p in want]:
                raise _fail(c, case, f"skip_until({delim}) counts differ from splitting the data")
            segs = list(factory(data).split(delim))
            if segs != [p[:-1] if p.endswith(bytes((delim,))) else p for p in want]:
                raise _fail(c, case, f"split({delim}) differs from splitting the data")

        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            r = factory(data)
            lines = []
            while line := r.read_line():
                lines.append(line)
            if lines != text.splitlines(keepends=True) and "".join(lines) != text:
                raise _fail(c, case, "read_line pieces do not rebuild the text")
            if [ln for ln in lines if not ln.endswith("\n")][:-1]:
                raise _fail(c, case, "read_line returned a line without newline before the end")
            want_lines = [ln[:-1].removesuffix("\r") if ln.endswith("\n") else ln for ln in lines]
            if list(factory(data).lines()) != want_lines:
                raise _fail(c, case, "lines() differs from read_line with the line ending removed")

        # interleave read and read_until
        r = factory(data)
        out = bytearray()
        small = bytearray(5)
        while True:
            n = r.read_until(10, out)
            m = r.read(small)
            out += small[:m]
            if not n and not m:
                break
        _same(c, case, "read_until interleaved with read", bytes(out), data)


def _split_keep(data: bytes, delim: int) -> list[bytes]:
    out = []
    start = 0
    while start < len(data):
        i = data.find(delim, start)
        end = len(data) if i < 0 else i + 1
        out.append(data[start:end])
        start = end
    return out


def check_seek(factory: Callable[[bytes], Seek]) -> None:
    """Check a `Seek`; *factory(data)* returns a fresh seekable object over *data*, at 0.

    Checks: ``seek`` returns the new position for Start/Current/End;
    ``stream_position``, ``stream_len`` (which must not move the position),
    ``rewind``, ``seek_relative``; a seek to a negative position raises
    `Error` (InvalidInput) and leaves the position unchanged; a seek past the
    end is allowed (or refused with InvalidInput) and then reads give 0; an
    int instead of a `SeekFrom` is a TypeError. With a `Read`, the bytes read
    after each seek are checked.
    """
    c = "check_seek"
    for case, data in SAMPLES:
        s = factory(data)
        _need(c, s, Seek)
        size = len(data)
        readable = isinstance(s, Read)

        def at(
            s: Seek,
            want: int,
            what: str,
            *,
            case: str = case,
            size: int = size,
            readable: bool = readable,
            data: bytes = data,
        ) -> None:
            got = s.stream_position()
            if got != want:
                raise _fail(c, case, f"after {what}: position {got}, expected {want}")
            if readable and want <= size:
                buf = bytearray(8)
                n = s.read(buf)  # type: ignore[attr-defined]
                if bytes(buf[:n]) != data[want : want + n] or (n == 0 and want < size):
                    raise _fail(c, case, f"after {what}: read did not return the bytes at {want}")
                s.seek(SeekFrom.Start(want))

        at(s, 0, "creation")
        for target in sorted({0, 1, size // 2, size}):
            if s.seek(SeekFrom.Start(target)) != target:
                raise _fail(c, case, f"seek(Start({target})) returned the wrong position")
            at(s, target, f"seek(Start({target}))")
        if s.seek(SeekFrom.End(0)) != size:
            raise _fail(c, case, "seek(End(0)) must return the length")
        if size:
            if s.seek(SeekFrom.End(-1)) != size - 1:
                raise _fail(c, case, "seek(End(-1)) must return length - 1")
            at(s, size - 1, "seek(End(-1))")
            s.seek(SeekFrom.Start(1))
            if s.seek(SeekFrom.Current(-1)) != 0:
                raise _fail(c, case, "seek(Current(-1)) from 1 must return 0")
        s.seek(SeekFrom.Start(size // 2))
        if s.seek(SeekFrom.Current(0)) != size // 2:
            raise _fail(c, case, "seek(Current(0)) must return the position")
        if s.stream_len() != size:
            raise _fail(c, case, f"stream_len() returned {s.stream_len()}, expected {size}")
        at(s, size // 2, "stream_len()")
        s.seek_relative(0)
        at(s, size // 2, "seek_relative(0)")
        s.rewind()
        at(s, 0, "rewind()")

        # negative targets
        s.seek(SeekFrom.Start(size // 2))
        for bad in (SeekFrom.Current(-(size // 2) - 1), SeekFrom.End(-size - 1)):
            try:
                s.seek(bad)
            except Error as e:
                if e.kind is not ErrorKind.InvalidInput:
                    raise _fail(c, case, f"seek({bad!r}) must be InvalidInput, got {e.kind}") from e
            else:
                raise _fail(c, case, f"seek({bad!r}) to a negative position must raise Error(InvalidInput)")
            at(s, size // 2, f"the refused seek({bad!r})")
        _expect_type_error(c, case, "seek(3) (an int)", lambda s=s: s.seek(3))  # type: ignore[misc]

        # past the end
        try:
            got = s.seek(SeekFrom.Start(size + 10))
        except Error as e:
            if e.kind is not ErrorKind.InvalidInput:
                raise _fail(c, case, f"a refused seek past the end must be InvalidInput, got {e.kind}") from e
        else:
            if got != size + 10:
                raise _fail(c, case, "seek(Start(len + 10)) returned the wrong position")
            if readable and s.read(bytearray(4)) != 0:  # type: ignore[attr-defined]
                raise _fail(c, case, "a read past the end must return 0")


def check_write(factory: Callable[[bytes], tuple[Write, Callable[[], bytes]]]) -> None:
    """Check a `Write`; *factory(data)* returns ``(writer, getvalue)`` (see the package docs).

    Checks: write of an empty buffer returns 0; every write returns 0 <= n <=
    len(buf) and the destination (after ``flush``) receives exactly the
    accepted bytes, in order; ``write_all`` with bytes, bytearray and
    memoryview; ``write_vectored``; ``write_fmt``; str or int arguments are
    TypeError.
    """
    c = "check_write"
    for case, data in SAMPLES:
        w, getvalue = factory(data)
        _need(c, w, Write)
        _expect_type_error(c, case, "write('text') (a str)", lambda w=w: w.write("text"))  # type: ignore[misc]
        _expect_type_error(c, case, "write(5) (an int)", lambda w=w: w.write(5))  # type: ignore[misc]
        _expect_type_error(c, case, "write_all('text')", lambda w=w: w.write_all("text"))  # type: ignore[misc]
        n = w.write(b"")
        if n != 0:
            raise _fail(c, case, f"write(b'') returned {n}, expected 0")
        # single writes of varying sizes, each honouring the count it returns
        pos = 0
        step = 1
        stuck = 0
        while pos < len(data):
            chunk = data[pos : pos + step]
            n = w.write(memoryview(chunk) if step % 2 else chunk)
            if not isinstance(n, int) or not 0 <= n <= len(chunk):
                raise _fail(c, case, f"write of {len(chunk)} bytes returned {n!r}")
            if n == 0:
                stuck += 1
                if stuck > 3:
                    break  # a full fixed-size destination; what it took is checked below
            pos += n
            step = step * 2 + 1 if step < 5000 else 7
        w.flush()
        _same(c, case, "bytes reaching the destination after write + flush", bytes(getvalue()), data[:pos])

        for how, wrap in (("bytes", bytes), ("bytearray", bytearray), ("memoryview", memoryview)):
            w, getvalue = factory(data)
            w.write_all(wrap(data))
            w.flush()
            _same(c, case, f"write_all({how}) + flush", bytes(getvalue()), data)

        w, getvalue = factory(data)
        half = len(data) // 2
        written = 0
        while written < len(data):
            n = w.write_vectored(
                [b"", data[written:half] if written < half else b"", data[max(written, half) :]]
            )
            if not n:
                break
            written += n
        w.flush()
        _same(c, case, "write_vectored + flush", bytes(getvalue()), data[:written])

        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        w, getvalue = factory(data)
        w.write_fmt("{}", text)
        w.flush()
        _same(c, case, "write_fmt('{}', text) + flush", bytes(getvalue()), data)
