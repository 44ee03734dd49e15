"""The conformance kit passes the project's own types and catches broken implementations."""

from __future__ import annotations

import io
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from _iofaults import ChunkReader, CollectWriter

from stdio2.io import BufRead, Cursor, Read, Seek, SeekFrom, Write, _buffered, from_pyio
from stdio2.testing import check_bufread, check_read, check_seek, check_write


def _bytearray_writer(data: bytes) -> tuple[Write, Callable[[], bytes]]:
    c = Cursor(bytearray())
    return c, lambda: bytes(c.get_ref())


def _view_writer(data: bytes) -> tuple[Write, Callable[[], bytes]]:
    backing = bytearray(len(data))
    c = Cursor(memoryview(backing))
    return c, lambda: bytes(backing[: c.position])


def test_cursor_all_kinds() -> None:
    check_bufread(Cursor)
    check_bufread(lambda d: Cursor(bytearray(d)))
    check_bufread(lambda d: Cursor(memoryview(bytearray(d))))
    for make in (Cursor, lambda d: Cursor(bytearray(d)), lambda d: Cursor(memoryview(d))):
        check_seek(make)
    check_write(_bytearray_writer)
    check_write(_view_writer)


def test_adapters() -> None:
    check_bufread(lambda d: Cursor(d[: len(d) // 3]).chain(Cursor(d[len(d) // 3 :])))
    check_bufread(lambda d: Cursor(d + b"ignored tail").take(len(d)))
    check_read(lambda d: ChunkReader(d, [5, 1, 9000]).chain(ChunkReader(b"")))
    check_read(lambda d: ChunkReader(d + b"tail", [777]).take(len(d)))

    def broadcast(d: bytes) -> tuple[Write, Callable[[], bytes]]:
        a, b = CollectWriter(limit=100), CollectWriter(limit=3)

        def value() -> bytes:
            assert a.data == b.data
            return bytes(a.data)

        return a.broadcast(b), value

    check_write(broadcast)


def test_from_pyio_bytesio_and_real_file(tmp_path: pathlib.Path) -> None:
    check_read(lambda d: from_pyio(io.BytesIO(d)))
    check_seek(lambda d: from_pyio(io.BytesIO(d)))

    def bio_writer(d: bytes) -> tuple[Write, Callable[[], bytes]]:
        b = io.BytesIO()
        return from_pyio(b), b.getvalue

    check_write(bio_writer)
    opened: list[Any] = []
    counter = iter(range(10**6))

    def file_reader(d: bytes) -> Any:
        p = tmp_path / f"r{next(counter)}"
        p.write_bytes(d)
        fh = open(p, "rb")  # noqa: SIM115 - closed in the finally below
        opened.append(fh)
        return from_pyio(fh)

    def file_writer(d: bytes) -> tuple[Write, Callable[[], bytes]]:
        p = tmp_path / f"w{next(counter)}"
        fh = open(p, "wb")  # noqa: SIM115 - closed in the finally below
        opened.append(fh)
        return from_pyio(fh), p.read_bytes

    try:
        check_read(file_reader)
        check_seek(file_reader)
        check_write(file_writer)
    finally:
        for fh in opened:
            fh.close()


def test_bufreader_if_available() -> None:
    if getattr(_buffered, "BufReader", None) is None:
        pytest.skip("BufReader not written yet")
    BufReader = _buffered.BufReader
    check_bufread(lambda d: BufReader(ChunkReader(d, [100, 7, 5000])))
    check_bufread(lambda d: BufReader(Cursor(d), 16))
    check_seek(lambda d: BufReader(Cursor(d), 16))


def test_bufwriter_if_available() -> None:
    if getattr(_buffered, "BufWriter", None) is None:
        pytest.skip("BufWriter not written yet")
    BufWriter = _buffered.BufWriter

    def make(d: bytes) -> tuple[Write, Callable[[], bytes]]:
        sink = CollectWriter(limit=300)
        return BufWriter(sink, 64), lambda: bytes(sink.data)

    check_write(make)


# -- broken implementations the kit must catch ---------------------------------


class _Overcount(Read):
    def __init__(self, data: bytes) -> None:
        self.c = Cursor(data)

    def read(self, buf: Any, /) -> int:
        n = self.c.read(buf)
        return n + 1 if n else 0


class _NotStickyEof(Read):
    def __init__(self, data: bytes) -> None:
        self.c = Cursor(data)
        self.eofs = 0

    def read(self, buf: Any, /) -> int:
        n = self.c.read(buf)
        if not n and len(buf):
            self.eofs += 1
            if self.eofs == 2:
                memoryview(buf).cast("B")[0] = 33
                return 1
        return n


class _AcceptsInt(Read):
    def __init__(self, data: bytes) -> None:
        self.c = Cursor(data)

    def read(self, buf: Any, /) -> int:
        if isinstance(buf, int):
            return 0
        return self.c.read(buf)


class _WritableFillBuf(BufRead):
    def __init__(self, data: bytes) -> None:
        self.c = Cursor(data)

    def read(self, buf: Any, /) -> int:
        return self.c.read(buf)

    def fill_buf(self) -> bytearray:
        return bytearray(memoryview(self.c.fill_buf()))  # type: ignore[arg-type]

    def consume(self, n: int, /) -> None:
        self.c.consume(n)


class _ClampingSeek(Seek):
    def __init__(self, data: bytes) -> None:
        self.size, self.pos = len(data), 0

    def seek(self, pos: SeekFrom, /) -> int:
        base = (0, self.pos, self.size)[pos.whence]
        self.pos = max(0, base + pos.offset)  # BytesIO-style clamping: a contract violation
        return self.pos


class _Lossy(Write):
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, buf: Any, /) -> int:
        b = bytes(memoryview(buf))
        if len(b) > 100:
            self.data += b[:-1]  # drops a byte but claims it all
        else:
            self.data += b
        return len(b)

    def flush(self) -> None:
        pass


def _lossy_factory(data: bytes) -> tuple[Write, Callable[[], bytes]]:
    w = _Lossy()
    return w, lambda: bytes(w.data)


@pytest.mark.parametrize(
    ("check", "factory", "match"),
    [
        (check_read, _Overcount, "got 2 bytes, expected 1"),
        (check_read, _NotStickyEof, "EOF"),
        (check_read, _AcceptsInt, "TypeError"),
        (check_bufread, _WritableFillBuf, "read-only"),
        (check_seek, _ClampingSeek, "InvalidInput"),
        (check_write, _lossy_factory, "first difference"),
    ],
)
def test_kit_catches_violations(check: Any, factory: Any, match: str) -> None:
    with pytest.raises(AssertionError, match=match):
        check(factory)
