"""stdio2.net on Winsock: TCP and UDP over loopback, OwnedSocket ownership; skipped elsewhere."""

from __future__ import annotations

import socket
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Winsock calls")

from stdio2.io import Deadline, Error, ErrorKind  # noqa: E402
from stdio2.net import Shutdown, TcpListener, TcpStream, UdpSocket  # noqa: E402
from stdio2.os.windows.io import BorrowedSocket, OwnedSocket  # noqa: E402


def _pair() -> tuple[TcpStream, TcpStream]:
    with TcpListener.bind(("127.0.0.1", 0)) as listener:
        client = TcpStream.connect(listener.local_addr())
        server, _ = listener.accept()
    return client, server


def test_tcp_round_trip_and_shutdown() -> None:
    client, server = _pair()
    with client, server:
        assert client.peer_addr() == server.local_addr()
        client.write_all(b"ping")
        buf = bytearray(16)
        assert buf[: server.read(buf)] == b"ping"
        server.write_all(b"pong" * 1000)
        server.shutdown(Shutdown.Write)
        out = bytearray()
        client.read_to_end(out)
        assert out == b"pong" * 1000


def test_connection_refused_maps_from_wsa_code() -> None:
    with TcpListener.bind(("127.0.0.1", 0)) as listener:
        addr = listener.local_addr()
    with pytest.raises(Error) as ei:
        TcpStream.connect(addr)
    assert ei.value.kind is ErrorKind.ConnectionRefused
    assert ei.value.raw_os_error() == 10061  # WSAECONNREFUSED
    assert isinstance(ei.value, ConnectionRefusedError)


def test_owned_socket_round_trip_and_clone() -> None:
    client, server = _pair()
    raw = client.as_raw_socket()
    owned = OwnedSocket(client)
    assert client.closed() and owned.as_raw_socket() == raw
    clone = owned.try_clone()  # WSADuplicateSocketW + WSASocketW
    assert clone.as_raw_socket() != raw
    owned.close()
    with TcpStream(clone) as again, server:
        again.write_all(b"via the duplicate")
        buf = bytearray(64)
        assert buf[: server.read(buf)] == b"via the duplicate"


def test_from_raw_socket_and_borrow_raw_check_the_value() -> None:
    s = socket.socket()
    raw = s.detach()
    owned = OwnedSocket.from_raw_socket(raw)
    assert BorrowedSocket.borrow_raw(raw).as_raw_socket() == raw
    owned.close()
    with pytest.raises(Error) as ei:
        OwnedSocket.from_raw_socket(raw)
    assert ei.value.raw_os_error() == 10038  # WSAENOTSOCK


def test_read_deadline_times_out() -> None:
    client, server = _pair()
    with client, server:
        with Deadline.after(0.2), pytest.raises(Error) as ei:
            client.read(bytearray(4))
        assert ei.value.kind is ErrorKind.TimedOut
        server.write_all(b"late")
        buf = bytearray(4)
        client.read_exact(buf)
        assert buf == b"late"


def test_udp_send_and_receive() -> None:
    with UdpSocket.bind(("127.0.0.1", 0)) as a, UdpSocket.bind(("127.0.0.1", 0)) as b:
        a.send_to(b"datagram", b.local_addr())
        buf = bytearray(64)
        n, src = b.recv_from(buf)
        assert buf[:n] == b"datagram" and src == a.local_addr()
        a.connect(b.local_addr())
        a.send(b"connected")
        n, _ = b.recv_from(buf)
        assert buf[:n] == b"connected"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=20000), max_size=8))
def test_tcp_preserves_the_byte_stream(chunks: list[bytes]) -> None:
    client, server = _pair()

    def send() -> None:
        with client:
            for c in chunks:
                client.write_all(c)

    t = threading.Thread(target=send)
    t.start()
    got = bytearray()
    with server:
        server.read_to_end(got)
    t.join()
    assert got == b"".join(chunks)
