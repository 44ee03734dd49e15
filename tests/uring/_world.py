"""A model-checked world of random uring operations over pipes, sockets and a file.

Used by the hypothesis state machine and by the 10 000-operation run. Every
stream channel (pipe, socket pair) has at most one read outstanding, so the
bytes each read returns must be exactly the next bytes of what was written.
Reads use buffers pre-filled with a sentinel: a read of n bytes must leave
everything after n untouched. Dropped submissions are tracked through their
buffers' weak references (the driver must keep them alive until the kernel
is done) and through the event's `Cancellation`, which reports what the
abandoned read received.
"""

from __future__ import annotations

import errno
import gc
import os
import socket
import tempfile
import weakref
from dataclasses import dataclass, field
from typing import Any

from stdio2.io import Deadline, Error, ErrorKind, pipe
from stdio2.os.fd import OwnedFd
from stdio2.os.linux import uring

SENTINEL = 0xEE
FILE_SIZE = 4096


class Buf(bytearray):
    """A weakly referenceable bytearray."""


class TrackedRead(uring.Read):
    """A Read whose abandonment reports the kernel's answer and the bytes it delivered."""

    __slots__ = ("log", "tag")

    def cancel(self) -> uring.Cancellation:
        log, tag, buf = self.log, self.tag, self.buf

        def report(result: int) -> None:
            data = bytes(memoryview(buf)[: max(result, 0)])  # type: ignore[arg-type]
            tail_ok = all(b == SENTINEL for b in memoryview(buf)[max(result, 0) :])  # type: ignore[arg-type]
            log.append((tag, result, data, tail_ok))

        return uring.Cancellation(self, cleanup=report)


@dataclass
class Pending:
    sub: uring.Submission
    channel: int  # -1 for the file
    size: int
    buf_ref: weakref.ref[Buf]
    buf: Buf | None
    offset: int = 0
    cancelled: bool = False


@dataclass
class World:
    ring: uring.Driver
    readers: list[Any] = field(default_factory=list)
    writers: list[Any] = field(default_factory=list)
    streams: list[bytearray] = field(default_factory=list)  # written, not yet read, per channel
    busy: list[bool] = field(default_factory=list)  # a read is outstanding (kept or dropped)
    pending: list[Pending] = field(default_factory=list)
    dropped: list[tuple[int, weakref.ref[Buf]]] = field(default_factory=list)
    log: list[tuple[int, int, bytes, bool]] = field(default_factory=list)
    file: OwnedFd | None = None
    content: bytearray = field(default_factory=bytearray)
    counter: int = 0
    ops: int = 0
    stats: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.stats[what] = self.stats.get(what, 0) + 1

    @classmethod
    def make(cls, entries: int = 8) -> World:
        w = cls(uring.Driver(entries))
        for _ in range(2):
            r, wr = pipe()
            w.readers.append(r)
            w.writers.append(wr)
        a, b = socket.socketpair()
        w.readers.append(OwnedFd.from_raw_fd(a.detach()))
        w.writers.append(OwnedFd.from_raw_fd(b.detach()))
        w.streams = [bytearray() for _ in w.readers]
        w.busy = [False for _ in w.readers]
        fd, path = tempfile.mkstemp()
        os.unlink(path)
        w.file = OwnedFd.from_raw_fd(fd)
        w.content = bytearray(os.urandom(FILE_SIZE))
        os.pwrite(fd, w.content, 0)
        return w

    # -- operations ------------------------------------------------------------------

    def submit_read(self, channel: int, size: int) -> None:
        if self.busy[channel]:
            return
        buf = Buf(bytes([SENTINEL]) * size)
        ev = TrackedRead(self.readers[channel], buf)
        ev.log, ev.tag = self.log, channel
        sub = self.ring.submit(ev)
        self.busy[channel] = True
        self.pending.append(Pending(sub, channel, size, weakref.ref(buf), buf))
        self.ops += 1

    def write(self, channel: int, size: int) -> None:
        if len(self.streams[channel]) + size > 1024:  # never block (socket buffers count skb overhead)
            return
        data = bytes((self.counter + i) % 251 for i in range(size))
        self.counter += size
        fd = self.writers[channel].as_raw_fd()
        assert os.write(fd, data) == size
        self.streams[channel] += data
        self.ops += 1

    def submit_file_reads(self, spans: list[tuple[int, int]]) -> None:
        bufs = [Buf(bytes([SENTINEL]) * n) for _, n in spans]
        # Through memoryviews: submit_all's fast paths (the inline one for
        # short batches, the bulk one from 8 entries on: one ctypes pin per
        # entry either way) must keep the weakly referenced Buf alive and
        # exported just the same.
        events = [
            uring.Read(self.file, memoryview(b), offset=o) for (o, _), b in zip(spans, bufs, strict=False)
        ]
        subs = self.ring.submit_all(events)
        for sub, b, (o, n) in zip(subs, bufs, spans, strict=False):
            self.pending.append(Pending(sub, -1, n, weakref.ref(b), b, offset=o))
        self.ops += len(spans)

    def file_write(self, offset: int, size: int) -> None:
        if any(p.channel == -1 for p in self.pending):
            return
        data = os.urandom(size)
        n = self.ring.submit(uring.Write(self.file, data, offset=offset)).wait()
        assert n == size
        self.content[offset : offset + size] = data
        self.ops += 1

    def stream_index(self, channel: int) -> int | None:
        """Index in `pending` of the outstanding read on *channel* (None if none is kept)."""
        for i, p in enumerate(self.pending):
            if p.channel == channel:
                return i
        return None

    def cancel(self, index: int) -> None:
        if not self.pending:
            return
        p = self.pending[index % len(self.pending)]
        p.sub.cancel()
        p.sub.cancel()
        p.cancelled = True
        self.ops += 1

    def drop(self, index: int) -> None:
        if not self.pending:
            return
        p = self.pending.pop(index % len(self.pending))
        channel, ref = p.channel, p.buf_ref
        in_flight = not p.sub.done()
        p.buf = None
        del p  # the last reference to the Submission
        gc.collect(0)
        if in_flight:
            # Nothing entered the ring since done(): the completion cannot
            # have been reaped, so the driver must still hold the buffer.
            assert ref() is not None, "buffer released while the kernel may still write it"
            self.count("dropped in flight")
            self.dropped.append((channel, ref))
        self.ops += 1
        self.absorb_log()

    def wait(self, index: int) -> None:
        if not self.pending:
            return
        p = self.pending.pop(index % len(self.pending))
        buf = p.buf
        assert buf is not None
        if p.channel == -1:
            n = p.sub.wait()
            expect = bytes(self.content[p.offset : p.offset + p.size])
            assert bytes(buf[:n]) == expect
            assert all(b == SENTINEL for b in buf[n:])
            # Our own memoryview (the event's buffer) is an export too; once it
            # is released only a pin the driver forgot could block the resize.
            ev = p.sub.event()
            assert isinstance(ev, uring.Read) and isinstance(ev.buf, memoryview)
            ev.buf.release()
            self.count("file read checked")
        else:
            stream = self.streams[p.channel]
            try:
                if not stream and not p.cancelled:
                    with Deadline.after(0.002):
                        n = p.sub.wait()
                else:
                    n = p.sub.wait()
            except Error as e:
                if e.kind is ErrorKind.TimedOut:
                    assert not stream
                    self.count("deadline")
                else:
                    assert p.cancelled and e.raw_os_error() == errno.ECANCELED, e
                    self.count("cancelled")
                n = 0
            else:
                assert n > 0, "a read on an open stream returned end of stream"
                assert bytes(buf[:n]) == bytes(stream[:n]), "read delivered the wrong bytes"
                del stream[:n]
                self.count("stream read checked")
            assert all(b == SENTINEL for b in buf[n:]), "kernel wrote past the count"
            self.busy[p.channel] = False
        buf.extend(b"resizable")  # unpinned after the completion
        self.ops += 1
        self.absorb_log()

    def collect(self) -> None:
        # Young generations: what a program's allocations trigger all the
        # time; the full collection runs in close().
        gc.collect(1)
        self.absorb_log()
        self.ops += 1

    def poll(self) -> None:
        for p in self.pending:
            p.sub.done()
        self.absorb_log()
        self.ops += 1

    def absorb_log(self) -> None:
        """Account for completions of dropped reads (reported by their Cancellation)."""
        log, self.log[:] = list(self.log), []
        for channel, result, data, tail_ok in log:
            assert tail_ok, "kernel wrote past the count of an abandoned read"
            stream = self.streams[channel]
            self.count("abandoned read reported")
            if result > 0:
                assert data == bytes(stream[:result])
                del stream[:result]
            else:
                assert result in (-errno.ECANCELED, 0), result
            self.busy[channel] = False
        # Dropped buffers die exactly when their completion has been reaped
        # (reference counting: no cycles hold them).
        still = []
        for channel, ref in self.dropped:
            if ref() is not None:
                still.append((channel, ref))
        self.dropped = still

    # -- end ------------------------------------------------------------------------------

    def close(self) -> None:
        refs = [p.buf_ref for p in self.pending] + [r for _, r in self.dropped]
        subs = [p.sub for p in self.pending]
        self.pending.clear()
        self.dropped.clear()
        try:
            self.ring.close()
        finally:
            for o in [*self.readers, *self.writers, self.file]:
                assert o is not None
                o.close()
        assert self.ring._inflight == {}
        while subs:
            try:
                subs.pop().wait()
            except Error as e:
                assert e.raw_os_error() == errno.ECANCELED or e.kind is ErrorKind.TimedOut
        gc.collect()
        assert all(r() is None for r in refs), "a buffer outlived its operation (leaked pin)"
