"""Audit of issue 6: a `Deadline` further away than poll(2) can express must still work.

poll takes an int of milliseconds and CPython refuses more than INT_MAX
(about 24.8 days), so a socket call under ``Deadline.after(30 days)`` (or an
infinite deadline) used to fail with a raw ``OverflowError`` instead of
waiting. These tests fail that way on the old code.
"""

from __future__ import annotations

import threading
import time

import pytest
from _netutil import tcp_pair

from stdio2.io import Deadline
from stdio2.net import TcpListener, TcpStream, UdpSocket
from stdio2.os.unix.net import UnixStream

FAR = [30 * 86400.0, 1e10, float("inf")]


@pytest.mark.parametrize("seconds", FAR)
def test_read_with_data_ready_under_a_far_deadline(seconds: float) -> None:
    a, b = tcp_pair()
    with a, b:
        b.write_all(b"ping")
        buf = bytearray(8)
        with Deadline.after(seconds):
            assert a.read(buf) == 4
        assert buf[:4] == b"ping"


@pytest.mark.parametrize("seconds", FAR)
def test_read_that_waits_under_a_far_deadline(seconds: float) -> None:
    a, b = tcp_pair()
    with a, b:
        timer = threading.Timer(0.05, lambda: b.write_all(b"late"))
        timer.start()
        try:
            buf = bytearray(8)
            with Deadline.after(seconds):
                n = a.read(buf)
            assert buf[:n] == b"late"[:n] and n > 0
        finally:
            timer.join()


@pytest.mark.parametrize("seconds", FAR)
def test_accept_connect_and_udp_under_a_far_deadline(seconds: float) -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        with Deadline.after(seconds):
            client = TcpStream.connect_timeout(listener.local_addr(), seconds)
            server, _ = listener.accept()
        with client, server:
            pass
    with UdpSocket.bind("127.0.0.1:0") as u, UdpSocket.bind("127.0.0.1:0") as v, Deadline.after(seconds):
        assert u.send_to(b"d", v.local_addr()) == 1
        assert v.recv_from(bytearray(4))[0] == 1


def test_unix_fd_passing_under_a_far_deadline() -> None:
    a, b = UnixStream.pair()
    with a, b, Deadline.after(30 * 86400.0):
        assert a.send_with_fds(b"x", [a]) == 1
        n, fds = b.recv_with_fds(bytearray(4), 1)
        for fd in fds:
            fd.close()
        assert n == 1 and len(fds) == 1


def test_a_far_deadline_still_lets_a_near_one_win() -> None:
    a, b = tcp_pair()
    with a, b, Deadline.after(float("inf")), Deadline.after(0.05):
        start = time.monotonic()
        with pytest.raises(OSError) as info:
            a.read(bytearray(4))
        assert isinstance(info.value, TimeoutError)
        assert time.monotonic() - start < 2
