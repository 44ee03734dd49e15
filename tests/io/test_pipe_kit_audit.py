"""Audit (issues 2 and 3): the pipe ends pass the public conformance kit, with real pipes.

Issue 2 asks that the project's own types be run through `stdio2.testing`;
the pipes were only tested by hand. The kit's samples go up to 200 000 bytes,
more than a pipe holds, so a thread feeds (or drains) the other end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from stdio2.io import BufReader, PipeReader, PipeWriter, Write, pipe
from stdio2.testing import check_bufread, check_read, check_write


class _Ends:
    """Every pipe end and thread a check made, to close and join afterwards."""

    def __init__(self) -> None:
        self.ends: list[PipeReader | PipeWriter] = []
        self.threads: list[threading.Thread] = []

    def start(self, fn: Callable[[], None]) -> None:
        t = threading.Thread(target=fn, daemon=True)
        self.threads.append(t)
        t.start()

    def reader_of(self, data: bytes) -> PipeReader:
        r, w = pipe()
        self.ends += [r, w]

        def feed() -> None:
            try:
                w.write_all(data)
            except BrokenPipeError:
                pass  # the check stopped reading early (take, read_exact ...) and we closed it
            finally:
                w.close()

        self.start(feed)
        return r

    def writer_into(self, data: bytes) -> tuple[Write, Callable[[], bytes]]:
        r, w = pipe()
        self.ends += [r, w]
        got = bytearray()

        def drain() -> None:
            buf = bytearray(65536)
            while n := r.read(buf):
                got.extend(buf[:n])
            r.close()

        self.start(drain)
        drainer = self.threads[-1]

        def getvalue() -> bytes:
            w.close()  # EOF for the drainer: everything written is then in `got`
            drainer.join(10)
            return bytes(got)

        return w, getvalue

    def close(self) -> None:
        # Readers first: a feeder still writing then fails with BrokenPipe and ends.
        for end in self.ends:
            if isinstance(end, PipeReader):
                end.close()
        for t in self.threads:
            t.join(10)
            assert not t.is_alive()
        for end in self.ends:
            end.close()


@pytest.fixture
def ends() -> Iterator[_Ends]:
    e = _Ends()
    try:
        yield e
    finally:
        e.close()


def test_pipe_reader_passes_check_read(ends: _Ends) -> None:
    check_read(ends.reader_of)


def test_bufreader_over_a_pipe_passes_check_bufread(ends: _Ends) -> None:
    check_bufread(lambda data: BufReader(ends.reader_of(data), 64))


def test_pipe_writer_passes_check_write(ends: _Ends) -> None:
    check_write(ends.writer_into)
