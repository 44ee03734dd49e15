"""Sockets: TcpStream / UdpSocket calls vs the same calls on Python's ``socket`` objects.

Bulk transfers keep the far end busy in a child process (a drainer for
writes, a feeder for reads), so the timed loop holds only the calls being
compared; the child inherits our pinning, so both ends share one CPU.
Ping-pong and UDP round trips run both ends in this (pinned) process,
alternating calls on two connected sockets: they measure per-call cost,
the thing a wrapper adds.
"""

from __future__ import annotations

import socket
import subprocess
import sys

from benchmarks._harness import Pair, case, pinned
from stdio2.net import TcpListener, TcpStream, UdpSocket

_CHUNK = 64 * 1024
_DRAIN = (
    "import socket, sys\n"
    "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
    "b = bytearray(1 << 20)\n"
    "while s.recv_into(b): pass\n"
)
_FEED = (
    "import socket, sys\n"
    "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
    "b = bytes(1 << 20)\n"
    "try:\n"
    "    while True: s.sendall(b)\n"
    "except OSError: pass\n"
)


def _peer(code: str) -> tuple[TcpStream, subprocess.Popen[bytes]]:
    with TcpListener.bind("127.0.0.1:0") as listener:
        port = listener.local_addr().port()
        proc = subprocess.Popen([sys.executable, "-c", code, str(port)])
        stream, _ = listener.accept()
    return stream, proc


def _bulk(peer_code: str, stdio2_call: str, socket_call: str, arg: object, quick: bool) -> Pair:
    """*n* calls of ``stream.<stdio2_call>(arg)`` vs ``socket.<socket_call>(arg)`` on one connection.

    The peer child inherits our pinning (both ends on one CPU); the plain
    ``socket`` is a second descriptor for the same connection.
    """
    pin = pinned()
    pin.__enter__()  # before the spawn: the peer inherits the same CPU
    stream, proc = _peer(peer_code)
    raw = socket.socket(fileno=stream.try_clone().into_raw_fd())
    n = 200 if quick else 2000
    ours = getattr(stream, stdio2_call)
    theirs = getattr(raw, socket_call)

    def with_stdio2() -> None:
        for _ in range(n):
            ours(arg)

    def with_socket() -> None:
        for _ in range(n):
            theirs(arg)

    def cleanup() -> None:
        pin.__exit__(None, None, None)
        raw.close()
        stream.close()
        proc.wait()

    return Pair(with_stdio2, with_socket, cleanup, ops=n)


@case("tcp write_all 64 KiB", "socket.sendall", target=1.05)
def tcp_bulk_write(quick: bool) -> Pair:
    return _bulk(_DRAIN, "write_all", "sendall", bytes(_CHUNK), quick)


@case("tcp read 64 KiB", "socket.recv_into", target=1.05)
def tcp_bulk_read(quick: bool) -> Pair:
    return _bulk(_FEED, "read", "recv_into", bytearray(_CHUNK), quick)


@case("tcp 1-byte ping-pong", "socket.send/recv_into", target=1.15)
def tcp_ping_pong(quick: bool) -> Pair:
    pin = pinned()
    pin.__enter__()
    with TcpListener.bind("127.0.0.1:0") as listener:
        a = TcpStream.connect(listener.local_addr())
        b, _ = listener.accept()
    for s in (a, b):
        s.set_nodelay(True)
    with socket.create_server(("127.0.0.1", 0)) as server:
        ra = socket.create_connection(server.getsockname())
        rb, _ = server.accept()
    for s in (ra, rb):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = 2000 if quick else 20000
    buf = bytearray(1)
    ping, pong = b"p", b"q"

    def with_stdio2() -> None:
        aw, ar, bw, br = a.write, a.read, b.write, b.read
        for _ in range(n):
            aw(ping)
            br(buf)
            bw(pong)
            ar(buf)

    def with_socket() -> None:
        aw, ar, bw, br = ra.send, ra.recv_into, rb.send, rb.recv_into
        for _ in range(n):
            aw(ping)
            br(buf)
            bw(pong)
            ar(buf)

    def cleanup() -> None:
        pin.__exit__(None, None, None)
        for s in (a, b):
            s.close()
        ra.close()
        rb.close()

    return Pair(with_stdio2, with_socket, cleanup, ops=n)


@case("udp round trip", "socket.sendto/recvfrom_into", target=1.2)
def udp_round_trip(quick: bool) -> Pair:
    pin = pinned()
    pin.__enter__()
    a, b = UdpSocket.bind("127.0.0.1:0"), UdpSocket.bind("127.0.0.1:0")
    addr_a, addr_b = a.local_addr(), b.local_addr()
    ra = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ra.bind(("127.0.0.1", 0))
    rb.bind(("127.0.0.1", 0))
    taddr_a, taddr_b = ra.getsockname(), rb.getsockname()
    n = 1000 if quick else 10000
    buf = bytearray(2048)
    msg = b"m" * 64

    def with_stdio2() -> None:
        for _ in range(n):
            a.send_to(msg, addr_b)
            b.recv_from(buf)
            b.send_to(msg, addr_a)
            a.recv_from(buf)

    def with_socket() -> None:
        for _ in range(n):
            ra.sendto(msg, taddr_b)
            rb.recvfrom_into(buf)
            rb.sendto(msg, taddr_a)
            ra.recvfrom_into(buf)

    def cleanup() -> None:
        pin.__exit__(None, None, None)
        a.close()
        b.close()
        ra.close()
        rb.close()

    return Pair(with_stdio2, with_socket, cleanup, ops=n)
