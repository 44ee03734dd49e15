"""Audit of issue 6: the blocking calls the existing deadline tests did not reach.

Each call must raise `Error(TimedOut)` (also a ``TimeoutError``) when the
effective `Deadline` passes, consume nothing, and leave the socket fully
usable: the same call succeeds once data is there. Covered here: TCP
``peek`` and a single ``write`` into a full send buffer, UDP ``recv`` /
``peek`` / ``peek_from`` on a connected socket, Unix datagram ``recv`` /
``recv_from`` / ``peek`` / ``peek_from``, and ``recv_with_fds`` on both
kinds of Unix socket.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from _netutil import tcp_pair

from stdio2.io import Deadline, Error, ErrorKind
from stdio2.net import UdpSocket
from stdio2.os.unix.net import UnixDatagram, UnixStream

WAIT = 0.03


def _times_out(call: Callable[[], object]) -> None:
    start = time.monotonic()
    with Deadline.after(WAIT), pytest.raises(Error) as info:
        call()
    assert info.value.kind is ErrorKind.TimedOut and isinstance(info.value, TimeoutError)
    assert time.monotonic() - start >= WAIT * 0.9


def test_tcp_peek_times_out_then_sees_the_data_read_still_gets() -> None:
    a, b = tcp_pair()
    with a, b:
        buf = bytearray(8)
        _times_out(lambda: a.peek(buf))
        b.write_all(b"abc")
        with Deadline.after(5):
            assert a.peek(buf) == 3 and buf[:3] == b"abc"
            assert a.read(buf) == 3 and buf[:3] == b"abc"


def test_tcp_single_write_into_a_full_buffer_times_out() -> None:
    a, b = tcp_pair()
    with a, b:
        chunk = bytes(1 << 16)
        a.set_nonblocking(True)
        try:  # fill the send buffer (and the peer's receive buffer) for real
            while True:
                a.write(chunk)
        except Error as e:
            assert e.kind is ErrorKind.WouldBlock
        a.set_nonblocking(False)
        _times_out(lambda: a.write(b"x"))
        # Drain the peer: the same stream can write again under a deadline.
        b.set_nonblocking(True)
        sink = bytearray(1 << 16)
        with pytest.raises(Error) as info:
            while True:
                b.read(sink)
        assert info.value.kind is ErrorKind.WouldBlock
        with Deadline.after(5):
            assert a.write(b"x") == 1


def test_connected_udp_recv_and_peeks_time_out_then_work() -> None:
    with UdpSocket.bind("127.0.0.1:0") as a, UdpSocket.bind("127.0.0.1:0") as b:
        a.connect(b.local_addr())
        b.connect(a.local_addr())
        buf = bytearray(8)
        for call in (lambda: a.recv(buf), lambda: a.peek(buf), lambda: a.peek_from(buf)):
            _times_out(call)
        with Deadline.after(5):
            assert b.send(b"dgram") == 5
            assert a.peek(buf) == 5
            assert a.peek_from(buf) == (5, b.local_addr())
            assert a.recv(buf) == 5 and buf[:5] == b"dgram"


def test_unix_datagram_receives_time_out_then_work() -> None:
    a, b = UnixDatagram.pair()
    with a, b:
        buf = bytearray(8)
        calls: list[Callable[[], object]] = [
            lambda: a.recv(buf),
            lambda: a.recv_from(buf),
            lambda: a.peek(buf),
            lambda: a.peek_from(buf),
            lambda: a.recv_with_fds(buf, 2),
        ]
        for call in calls:
            _times_out(call)
        with Deadline.after(5):
            assert b.send(b"one") == 3
            assert a.peek(buf) == 3
            n, sender = a.recv_from(buf)
            assert n == 3 and sender.is_unnamed()


def test_unix_stream_recv_with_fds_times_out_then_works() -> None:
    a, b = UnixStream.pair()
    with a, b:
        buf = bytearray(8)
        _times_out(lambda: a.recv_with_fds(buf, 1))
        with Deadline.after(5):
            assert b.send_with_fds(b"fd", [b]) == 2
            n, fds = a.recv_with_fds(buf, 1)
        for fd in fds:
            fd.close()
        assert n == 2 and len(fds) == 1
