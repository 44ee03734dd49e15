"""Audit of issue 6: `set_nonblocking(True)` keeps its meaning inside a `Deadline` scope.

`set_nonblocking` promises WouldBlock "instead of waiting"; Rust's timeouts
apply only to blocking sockets. The old deadline paths polled first, so a
non-blocking socket inside a deadline scope slept until the deadline and
raised TimedOut. The mode is shared by clones, so a clone switched to
non-blocking mode counts too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from _netutil import tcp_pair

from stdio2.io import Deadline, Error, ErrorKind
from stdio2.net import TcpListener, UdpSocket
from stdio2.os.unix.net import UnixDatagram, UnixStream

LONG = 5.0


def _would_block(call: Callable[[], object]) -> None:
    start = time.monotonic()
    with Deadline.after(LONG), pytest.raises(Error) as info:
        call()
    assert info.value.kind is ErrorKind.WouldBlock
    assert time.monotonic() - start < LONG / 2


def test_tcp_read_peek_write_and_accept() -> None:
    a, b = tcp_pair()
    with a, b, TcpListener.bind("127.0.0.1:0") as listener:
        with a.try_clone() as clone:
            clone.set_nonblocking(True)  # the flag is the socket's, so `a` sees it
        buf = bytearray(8)
        _would_block(lambda: a.read(buf))
        _would_block(lambda: a.peek(buf))
        chunk = bytes(1 << 16)
        with pytest.raises(Error) as info, Deadline.after(LONG):
            for _ in range(10_000):  # bounded: the buffers hold a few MiB at most
                a.write(chunk)
        assert info.value.kind is ErrorKind.WouldBlock
        with Deadline.after(LONG), pytest.raises(Error) as info:
            a.write_all(chunk)
        assert info.value.kind is ErrorKind.WouldBlock
        listener.set_nonblocking(True)
        _would_block(listener.accept)
        # Back to blocking: the deadline applies again.
        a.set_nonblocking(False)
        b.write_all(b"x")
        with Deadline.after(LONG):
            assert a.read(buf) == 1


def test_udp_and_unix_datagrams() -> None:
    with UdpSocket.bind("127.0.0.1:0") as u:
        u.set_nonblocking(True)
        buf = bytearray(8)
        _would_block(lambda: u.recv_from(buf))
        _would_block(lambda: u.peek_from(buf))
        u.connect(u.local_addr())
        _would_block(lambda: u.recv(buf))
        with Deadline.after(LONG):
            assert u.send_to(b"self", u.local_addr()) == 4
            assert u.recv_from(buf)[0] == 4
    a, b = UnixDatagram.pair()
    with a, b:
        a.set_nonblocking(True)
        _would_block(lambda: a.recv(buf))
        _would_block(lambda: a.recv_with_fds(buf, 1))


def test_unix_stream_fd_passing() -> None:
    a, b = UnixStream.pair()
    with a, b:
        a.set_nonblocking(True)
        _would_block(lambda: a.recv_with_fds(bytearray(4), 1))
        with pytest.raises(Error) as info, Deadline.after(LONG):
            for _ in range(100_000):
                a.send_with_fds(bytes(4096), [])
        assert info.value.kind is ErrorKind.WouldBlock
