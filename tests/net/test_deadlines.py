"""Every blocking socket call honours the effective Deadline; a timed-out stream stays usable."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from _netutil import fd_is_open, tcp_pair

from stdio2.io import Deadline, Error, ErrorKind
from stdio2.net import SocketAddr, TcpListener, TcpStream, UdpSocket
from stdio2.os.unix.net import UnixListener, UnixStream


def _timed_out(info: pytest.ExceptionInfo[Error]) -> None:
    assert info.value.kind is ErrorKind.TimedOut
    assert isinstance(info.value, TimeoutError)


@contextmanager
def full_backlog() -> Iterator[SocketAddr]:
    """A TCP listener that never accepts, with its backlog already full: connects hang."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):  # bounded: backlog 0 admits one or two
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(listener.getsockname())
            fillers.append(c)
            import select

            p = select.poll()
            p.register(c, select.POLLOUT)
            if not p.poll(200):
                break
        yield SocketAddr.from_socket_tuple(listener.getsockname())
    finally:
        for c in fillers:
            c.close()
        listener.close()


def test_connect_to_a_full_backlog_times_out_and_leaks_nothing() -> None:
    before = set(os.listdir("/proc/self/fd"))
    with full_backlog() as addr:
        start = time.monotonic()
        with pytest.raises(Error) as info, Deadline.after(0.3):
            TcpStream.connect(addr)
        _timed_out(info)
        assert 0.25 <= time.monotonic() - start < 3
        with pytest.raises(Error) as info:
            TcpStream.connect_timeout(addr, 0.2)
        _timed_out(info)
        # The earlier of the two deadlines wins.
        start = time.monotonic()
        with pytest.raises(Error) as info, Deadline.after(0.1):
            TcpStream.connect_timeout(addr, 30)
        assert time.monotonic() - start < 20  # the 0.1 s deadline won, not the 30 s timeout
    after = set(os.listdir("/proc/self/fd"))
    assert {fd for fd in after - before if fd_is_open(int(fd))} == set()


def test_connect_timeout_succeeds_and_returns_a_blocking_stream() -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        addr = listener.local_addr()
        with TcpStream.connect_timeout(addr, 5) as s:
            assert os.get_blocking(s.as_raw_fd())
            listener.accept()[0].close()
        with pytest.raises(Error) as info:
            TcpStream.connect_timeout(listener.local_addr(), 0)
        assert info.value.kind is ErrorKind.InvalidInput
    with pytest.raises(Error) as info:
        TcpStream.connect_timeout(addr, 5)  # closed: refused, not timed out
    assert info.value.kind is ErrorKind.ConnectionRefused


def test_accept_times_out() -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        with pytest.raises(Error) as info, Deadline.after(0.1):
            listener.accept()
        _timed_out(info)
        with TcpStream.connect(listener.local_addr()), Deadline.after(5):
            listener.accept()[0].close()


def test_read_times_out_and_the_stream_stays_usable() -> None:
    client, server = tcp_pair()
    with client, server:
        buf = bytearray(16)
        view = memoryview(buf)
        start = time.monotonic()
        with pytest.raises(Error) as info, Deadline.after(0.1):
            server.read(buf)
        _timed_out(info)
        assert time.monotonic() - start >= 0.09
        with pytest.raises(Error) as info, Deadline.after(0.05):
            server.peek(buf)
        _timed_out(info)
        client.write_all(b"after")
        with Deadline.after(5):
            server.read_exact(view[:5])
        assert buf[:5] == b"after"
        # A read_exact that times out half-way reports what it got.
        client.write_all(b"abc")
        with pytest.raises(Error) as info, Deadline.after(0.2):
            server.read_exact(view[:10])
        _timed_out(info)
        assert info.value.progress == 3 and buf[:3] == b"abc"
        # No poisoned state: plain reads keep working.
        client.write_all(b"z")
        assert server.read(buf) == 1
        view.release()


def test_already_expired_deadline_still_takes_ready_data() -> None:
    client, server = tcp_pair()
    with client, server:
        client.write_all(b"ready")
        time.sleep(0.05)
        with Deadline.after(0):
            buf = bytearray(5)
            assert server.read(buf) == 5
            with pytest.raises(Error) as info:
                server.read(buf)
            _timed_out(info)


def test_write_all_to_a_peer_not_reading_reports_progress() -> None:
    client, server = tcp_pair()
    with client, server:
        payload = b"p" * (64 << 20)
        with pytest.raises(Error) as info, Deadline.after(0.3):
            client.write_all(payload)
        _timed_out(info)
        sent = info.value.progress
        assert 0 < sent < len(payload)
        # Exactly `sent` bytes are on their way: drain them, then the stream works on.
        got = 0
        buf = bytearray(1 << 16)
        while got < sent:
            got += server.read(buf)
        assert got == sent
        client.write_all(b"!")
        assert server.read(buf) == 1 and buf[:1] == b"!"


def test_udp_recv_from_times_out_and_send_to_works_under_a_deadline() -> None:
    with UdpSocket.bind("127.0.0.1:0") as a, UdpSocket.bind("127.0.0.1:0") as b:
        buf = bytearray(64)
        with pytest.raises(Error) as info, Deadline.after(0.1):
            a.recv_from(buf)
        _timed_out(info)
        with Deadline.after(5):
            assert b.send_to(b"dgram", a.local_addr()) == 5
            assert a.recv_from(buf) == (5, b.local_addr())
        a.connect(b.local_addr())
        with pytest.raises(Error) as info, Deadline.after(0.05):
            a.recv(buf)
        _timed_out(info)
        with pytest.raises(Error) as info, Deadline.after(0.05):
            a.peek_from(buf)
        _timed_out(info)


def test_unix_connect_to_a_full_backlog_times_out(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "full.sock")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(0)
    fillers: list[UnixStream] = []
    try:
        with pytest.raises(Error) as info:
            for _ in range(8):  # the first connects fill the backlog, then one times out
                with Deadline.after(0.2):
                    fillers.append(UnixStream.connect(path))
        _timed_out(info)
    finally:
        for f in fillers:
            f.close()
        listener.close()


def test_unix_accept_and_read_time_out(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "l.sock")
    with UnixListener.bind(path) as listener:
        with pytest.raises(Error) as info, Deadline.after(0.05):
            listener.accept()
        _timed_out(info)
    a, b = UnixStream.pair()
    with a, b:
        with pytest.raises(Error) as info, Deadline.after(0.05):
            a.read(bytearray(1))
        _timed_out(info)


def test_deadline_in_one_thread_does_not_affect_another() -> None:
    client, server = tcp_pair()
    got: list[int] = []

    def plain_read() -> None:
        got.append(server.read(bytearray(4)))

    with client, server:
        t = threading.Thread(target=plain_read)
        with Deadline.after(0.05):
            t.start()
            time.sleep(0.15)  # the deadline passed; the other thread must still be waiting
        assert t.is_alive()
        client.write_all(b"late")
        t.join(timeout=5)
    assert got == [4]
