"""Fault-injecting readers and writers for the io tests (real objects, no OS mocks)."""

from __future__ import annotations

from typing import Any

from stdio2.io import BufRead, Error, ErrorKind, Read, Write


class ChunkReader(Read):
    """Yields *data* in pieces no larger than the next value of *chunks* (cycled)."""

    def __init__(self, data: bytes, chunks: list[int] | None = None) -> None:
        self.data = data
        self.pos = 0
        self.chunks = chunks or [3]
        self.calls = 0

    def read(self, buf: Any, /) -> int:
        view = memoryview(buf).cast("B")
        k = min(len(view), self.chunks[self.calls % len(self.chunks)], len(self.data) - self.pos)
        self.calls += 1
        view[:k] = self.data[self.pos : self.pos + k]
        self.pos += k
        return k


class FailingReader(Read):
    """Yields *data* up to *fail_at*, then raises *error* (*times* times, then continues)."""

    def __init__(
        self, data: bytes, fail_at: int, error: OSError | None = None, times: int = 10**9, chunk: int = 4
    ):
        self.data = data
        self.pos = 0
        self.fail_at = fail_at
        self.error = error if error is not None else Error(ErrorKind.ConnectionReset)
        self.times = times
        self.chunk = chunk
        self.calls = 0

    def read(self, buf: Any, /) -> int:
        self.calls += 1
        view = memoryview(buf).cast("B")
        if self.pos >= self.fail_at and self.times > 0:
            self.times -= 1
            raise self.error
        end = min(len(view), self.chunk, len(self.data) - self.pos)
        if self.pos < self.fail_at:
            end = min(end, self.fail_at - self.pos)
        view[:end] = self.data[self.pos : self.pos + end]
        self.pos += end
        return end


class FailingBufRead(BufRead):
    """A BufRead over *data* giving *chunk* bytes per fill_buf, raising *error* once at *fail_at*."""

    def __init__(self, data: bytes, fail_at: int, chunk: int = 4, error: OSError | None = None):
        self.data = data
        self.pos = 0
        self.fail_at = fail_at
        self.chunk = chunk
        self.error = error if error is not None else Error(ErrorKind.TimedOut)
        self.failed = False

    def fill_buf(self) -> bytes:
        if self.pos >= self.fail_at and not self.failed:
            self.failed = True
            raise self.error
        end = self.pos + self.chunk
        if not self.failed:
            end = min(end, self.fail_at) if self.pos < self.fail_at else end
        return self.data[self.pos : end]

    def consume(self, n: int, /) -> None:
        self.pos += n

    def read(self, buf: Any, /) -> int:
        data = self.fill_buf()
        view = memoryview(buf).cast("B")
        k = min(len(view), len(data))
        view[:k] = data[:k]
        self.consume(k)
        return k


class CollectWriter(Write):
    """Accepts at most *limit* bytes per write; raises *error* or returns 0 once *capacity* is reached."""

    def __init__(
        self,
        limit: int = 10**9,
        capacity: int | None = None,
        error: OSError | None = None,
        interrupt_every: int = 0,
    ) -> None:
        self.data = bytearray()
        self.limit = limit
        self.capacity = capacity
        self.error = error
        self.flushes = 0
        self.calls = 0
        self.interrupt_every = interrupt_every

    def write(self, buf: Any, /) -> int:
        self.calls += 1
        if self.interrupt_every and self.calls % self.interrupt_every == 0:
            raise Error(ErrorKind.Interrupted)
        view = memoryview(buf).cast("B")
        k = min(len(view), self.limit)
        if self.capacity is not None:
            room = self.capacity - len(self.data)
            if room <= 0 and k:
                if self.error is not None:
                    raise self.error
                return 0
            k = min(k, room)
        self.data += view[:k]
        return k

    def flush(self) -> None:
        self.flushes += 1


class InterruptingReader(Read):
    """Wraps a reader; every *every*-th call raises Interrupted instead of reading."""

    def __init__(self, inner: Read, every: int = 2) -> None:
        self.inner = inner
        self.every = every
        self.calls = 0

    def read(self, buf: Any, /) -> int:
        self.calls += 1
        if self.calls % self.every == 0:
            raise InterruptedError(4, "Interrupted system call")
        return self.inner.read(buf)
