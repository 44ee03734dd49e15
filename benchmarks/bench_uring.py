"""io_uring driver: batched file reads, a one-thread echo server, the driver's per-operation cost.

* ``uring batched 4096 preads``: 4096 random 4 KiB reads of a page-cached
  file through one ``submit_all`` of ``Read`` events (one ``io_uring_enter``)
  and a ``wait()`` per submission, against 4096 sequential ``os.pread``
  (issue 8's anchor and target) and, stricter, against 4096 ``os.preadv``
  into the same buffers (the copy-free way: ``os.pread`` allocates a new
  bytes object per call).
* ``uring read_many 4096 preads``: the same reads through
  ``Driver.read_many`` (the batched pread: no event or submission object
  per read), against the same two loops. On this kernel ``os.pread`` costs
  about 0.6x of ``os.preadv`` (CPython's preadv builds an iovec array per
  call).
* ``uring read_many 4096 preads, one 16 MiB buffer``: the same reads into
  one buffer that ``read_many`` splits evenly (one pin for the batch).
* ``uring floor``: what no driver can beat. The same 4096 reads as entries
  pre-encoded once (no Python work per read: one strided copy into the SQ,
  one ``io_uring_enter``, one strided harvest), straight on the private
  ring, into the benchmark's 4096 buffers and into one 4 KiB buffer. The
  issue's anchor discards each ``os.pread`` result, so its copies land in
  the same few cache lines every time, while a batch's 4096 reads land in
  16 MiB of distinct memory: on these machines that alone costs 1.5-2.0x
  of the anchor, with the ring into one hot buffer at 1.0-1.15x.
* ``uring echo, 64 clients``: an echo server on one thread, driven by
  ``Driver.wait_any`` + ``submit_all``, against the same server written
  with asyncio streams. A persistent client process opens 64 connections
  to whichever server is being timed and runs rounds of 64 pipelined
  requests; the time is that of serving a fixed number of requests, so
  the ratio is stdio2 time / asyncio time (below 1.0: more requests per
  second).
* ``uring Nop``: submit + wait of one ``Nop`` (one ``io_uring_enter``
  each) against ``os.getppid()`` (one trivial system call), and 256 batched
  Nops against 256 ``os.getppid()``: the ns/op column is the driver's own
  overhead per operation.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import random
import subprocess
import sys
import tempfile
from array import array

from benchmarks._harness import Pair, case

if sys.platform == "linux":
    from stdio2._sys.linux import uring as _sysuring
    from stdio2.net import TcpListener
    from stdio2.os.fd import OwnedFd
    from stdio2.os.linux import uring


def _driver(entries: int) -> uring.Driver:
    return uring.Driver(entries)


def _cached_file(quick: bool) -> tuple[int, int, int, list[int]]:
    """A page-cached 4 MiB file and random 4 KiB-aligned offsets: ``(count, size, fd, offsets)``."""
    count = 1024 if quick else 4096
    size = 4096
    fd, path = tempfile.mkstemp()
    os.unlink(path)
    os.write(fd, os.urandom(size * 1024))
    rng = random.Random(1)
    return count, size, fd, [rng.randrange(1024) * size for _ in range(count)]


def _preads(quick: bool, api: str, anchor: str) -> Pair:
    """4096 random 4 KiB reads of a page-cached 4 MiB file: stdio2 via *api*, stdlib via *anchor*."""
    count, size, fd, offsets = _cached_file(quick)
    owned = OwnedFd.from_raw_fd(fd)
    bufs = [bytearray(size) for _ in range(count)]
    ring = _driver(4096)
    Read = uring.Read
    pread, preadv = os.pread, os.preadv

    def submit_all_and_wait() -> None:
        subs = ring.submit_all([Read(owned, b, o) for b, o in zip(bufs, offsets, strict=False)])
        for s in subs:
            s.wait()

    def read_many() -> None:
        counts = ring.read_many(owned, bufs, offsets)
        assert counts[0] == size

    big = bytearray(size * count)

    def read_many_split() -> None:
        counts = ring.read_many(owned, big, offsets)
        assert counts[0] == size

    def with_pread() -> None:
        for o in offsets:
            pread(fd, size, o)

    def with_preadv() -> None:
        for b, o in zip(bufs, offsets, strict=False):
            preadv(fd, [b], o)

    def cleanup() -> None:
        ring.close()
        owned.close()

    ours = {"submit_all": submit_all_and_wait, "read_many": read_many, "split": read_many_split}[api]
    theirs = with_pread if anchor == "pread" else with_preadv
    return Pair(ours, theirs, cleanup, ops=count)


def _floor(quick: bool, one_buffer: bool) -> Pair:
    """The 4096 reads with no Python work per read: pre-encoded entries on the bare ring."""
    count, size, fd, offsets = _cached_file(quick)
    bufs = [bytearray(size)] * count if one_buffer else [bytearray(size) for _ in range(count)]
    pins = [ctypes.c_char.from_buffer(b) for b in bufs]
    ring = _sysuring.Ring(count, None)
    word0 = _sysuring.rw_word0(_sysuring.OP_READ, fd)
    offs = memoryview(array("Q", offsets))
    addrs = memoryview(array("Q", [ctypes.addressof(p) for p in pins]))
    lens = memoryview(array("Q", [size]) * count)
    pread = os.pread

    def with_ring() -> None:
        ring.put_rw(word0, offs, addrs, lens, 1)
        ring.publish_tail()
        assert ring.enter(count, count, _sysuring.ENTER_GETEVENTS) == count
        ring.sq_known_head = ring.sq_tail
        uds, res = ring.harvest()
        ring.advance_cq(len(uds))
        assert len(uds) == count and min(res) == size

    def with_pread() -> None:
        for o in offsets:
            pread(fd, size, o)

    def cleanup() -> None:
        ring.close()
        pins.clear()
        os.close(fd)

    return Pair(with_ring, with_pread, cleanup, ops=count)


@case("uring batched 4096 preads", "os.pread x4096 (the issue's anchor)", target=1.5)
def _batched_reads_vs_pread(quick: bool) -> Pair:
    return _preads(quick, "submit_all", "pread")


@case("uring batched 4096 preads", "os.preadv x4096 (into the same buffers)")
def _batched_reads_vs_preadv(quick: bool) -> Pair:
    return _preads(quick, "submit_all", "preadv")


@case("uring read_many 4096 preads", "os.pread x4096 (the issue's anchor)", target=1.5)
def _read_many_vs_pread(quick: bool) -> Pair:
    return _preads(quick, "read_many", "pread")


@case("uring read_many 4096 preads", "os.preadv x4096")
def _read_many_vs_preadv(quick: bool) -> Pair:
    return _preads(quick, "read_many", "preadv")


@case("uring read_many 4096 preads, one 16 MiB buffer", "os.pread x4096 (the issue's anchor)", target=1.5)
def _read_many_split_vs_pread(quick: bool) -> Pair:
    return _preads(quick, "split", "pread")


@case("uring floor: 4096 pre-encoded reads, 4096 buffers", "os.pread x4096 (the issue's anchor)")
def _floor_distinct(quick: bool) -> Pair:
    return _floor(quick, one_buffer=False)


@case("uring floor: 4096 pre-encoded reads, one buffer", "os.pread x4096 (the issue's anchor)")
def _floor_one_buffer(quick: bool) -> Pair:
    return _floor(quick, one_buffer=True)


@case("uring Nop submit+wait", "os.getppid()")
def _nop(quick: bool) -> Pair:
    n = 2000 if quick else 20000
    ring = _driver(64)
    nop = uring.Nop()
    submit = ring.submit
    getppid = os.getppid

    def with_stdio2() -> None:
        for _ in range(n):
            submit(nop).wait()

    def with_os() -> None:
        for _ in range(n):
            getppid()

    return Pair(with_stdio2, with_os, ring.close, ops=n)


@case("uring Nop x256 batched", "os.getppid() x256")
def _nop_batch(quick: bool) -> Pair:
    rounds = 10 if quick else 80
    ring = _driver(256)
    nops = [uring.Nop() for _ in range(256)]
    getppid = os.getppid

    def with_stdio2() -> None:
        for _ in range(rounds):
            for s in ring.submit_all(nops):
                s.wait()

    def with_os() -> None:
        for _ in range(rounds * 256):
            getppid()

    return Pair(with_stdio2, with_os, ring.close, ops=rounds * 256)


# -- echo server ---------------------------------------------------------------------------

CLIENTS = 64
MSG = b"x" * 64

_CLIENT = r"""
import socket, sys
CLIENTS, ROUNDS = int(sys.argv[1]), int(sys.argv[2])
msg = b"x" * 64
for line in sys.stdin:
    port = int(line)
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(CLIENTS)]
    for c in conns:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for _ in range(ROUNDS):
        for c in conns:
            c.sendall(msg)
        for c in conns:
            got = 0
            while got < len(msg):
                got += len(c.recv(4096))
    for c in conns:
        c.close()
    sys.stdout.write("done\n")
    sys.stdout.flush()
"""


class _Clients:
    def __init__(self, rounds: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _CLIENT, str(CLIENTS), str(rounds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def start(self, port: int) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{port}\n")
        self.proc.stdin.flush()

    def finish(self) -> None:
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline() == "done\n"

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _uring_echo_round(ring: uring.Driver, listener: TcpListener) -> None:
    Recv, Send, Accept = uring.Recv, uring.Send, uring.Accept
    # submission -> (kind, connection, buffer)
    work: dict[uring.Submission, tuple[int, object, bytearray]] = {}
    accepted = 0
    (acc,) = ring.submit_all([Accept(listener)])
    work[acc] = (0, listener, bytearray())
    conns = []
    while work:
        new: list[tuple[uring.Event, tuple[int, object, bytearray]]] = []
        for s in ring.wait_any(work):
            kind, conn, buf = work.pop(s)
            if kind == 0:  # accepted
                stream, _ = s.wait()
                conns.append(stream)
                accepted += 1
                b = bytearray(4096)
                new.append((Recv(stream, b), (1, stream, b)))
                if accepted < CLIENTS:
                    new.append((Accept(listener), (0, listener, b)))
            elif kind == 1:  # received
                n = s.wait()
                if n:
                    new.append((Send(conn, memoryview(buf)[:n]), (2, conn, buf)))
            else:  # sent: receive the next request
                s.wait()
                new.append((Recv(conn, buf), (1, conn, buf)))
        if new:
            subs = ring.submit_all([e for e, _ in new])
            for sub, (_, info) in zip(subs, new, strict=False):
                work[sub] = info
    for c in conns:
        c.close()  # type: ignore[attr-defined]


@case("uring echo, 64 clients", "asyncio streams echo", target=1.0)
def _echo(quick: bool) -> Pair:
    rounds = 10 if quick else 40
    clients = _Clients(rounds)
    ring = _driver(512)
    listener = TcpListener.bind("127.0.0.1:0")
    port = listener.local_addr().port()
    loop = asyncio.new_event_loop()

    finished = [0]
    all_closed: list[asyncio.Future[None]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            data = await reader.read(4096)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()
        finished[0] += 1
        if finished[0] == CLIENTS and all_closed:
            all_closed[0].set_result(None)

    async def start() -> tuple[asyncio.AbstractServer, int]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=256)
        return server, server.sockets[0].getsockname()[1]

    server, aport = loop.run_until_complete(start())

    async def serve_round() -> None:
        finished[0] = 0
        all_closed[:] = [loop.create_future()]
        clients.start(aport)
        await all_closed[0]
        clients.finish()

    def with_stdio2() -> None:
        clients.start(port)
        _uring_echo_round(ring, listener)
        clients.finish()

    def with_asyncio() -> None:
        loop.run_until_complete(serve_round())

    def cleanup() -> None:
        clients.close()
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
        ring.close()
        listener.close()

    return Pair(with_stdio2, with_asyncio, cleanup, ops=rounds * CLIENTS)
