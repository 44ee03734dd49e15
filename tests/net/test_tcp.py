"""TcpStream / TcpListener over real loopback sockets, real child peers and real third-party programs."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
from _netutil import child, fd_is_open, needs_ipv6, read_port, tcp_pair, wait_until
from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2.io import Error, ErrorKind, Read, Write, pipe
from stdio2.net import (
    Incoming,
    Ipv4Addr,
    Shutdown,
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    TcpListener,
    TcpStream,
    UdpSocket,
)
from stdio2.os.fd import BorrowedFd, OwnedFd

_ECHO = """
import socket, sys
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
print(l.getsockname()[1], flush=True)
c, _ = l.accept()
while True:
    data = c.recv(65536)
    if not data:
        break
    c.sendall(data)
c.close()
"""


def test_connect_accept_addresses_and_flags() -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        addr = listener.local_addr()
        assert isinstance(addr, SocketAddrV4) and addr.ip() == Ipv4Addr.LOCALHOST and addr.port() > 0
        with TcpStream.connect(addr) as client:
            server, peer = listener.accept()
            with server:
                assert isinstance(client, Read) and isinstance(client, Write)
                assert peer == client.local_addr() == server.peer_addr()
                assert client.peer_addr() == addr == server.local_addr()
                for s in (client, server, listener):
                    fd = s.as_raw_fd()
                    assert fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
                    assert os.get_blocking(fd)
                    assert isinstance(s.as_fd(), BorrowedFd)
                # SO_REUSEADDR on the listener, as Rust does on Unix.
                raw = socket.socket(fileno=os.dup(listener.as_raw_fd()))
                with raw:
                    assert raw.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
                assert repr(client) == f"TcpStream(fd={client.as_raw_fd()})"


@needs_ipv6
def test_ipv6_loopback() -> None:
    client, server = tcp_pair("::1")
    with client, server:
        assert isinstance(client.peer_addr(), SocketAddrV6)
        assert str(client.peer_addr().ip()) == "::1"
        client.write_all(b"six")
        buf = bytearray(3)
        server.read_exact(buf)
        assert buf == b"six"


def test_read_write_are_single_calls_and_peek() -> None:
    client, server = tcp_pair()
    with client, server:
        assert client.write(b"hello world") == 11
        buf = bytearray(64)
        assert wait_until(lambda: server.peek(bytearray(64)) == 11)
        assert server.peek(buf) == 11 and buf[:11] == b"hello world"
        small = bytearray(5)
        assert server.read(small) == 5 and small == b"hello"
        assert server.read(buf) == 6 and buf[:6] == b" world"
        assert server.read(bytearray(0)) == 0
        client.write(memoryview(b"xyz")[1:])
        view = memoryview(bytearray(10))[3:]
        server.read_exact(view[:2])
        assert bytes(view[:2]) == b"yz"
        client.flush()


def test_wrong_argument_types_name_the_right_call() -> None:
    client, server = tcp_pair()
    with client, server:
        with pytest.raises(TypeError, match="bytearray"):
            server.read(5)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="read-only"):
            server.read(b"immutable")
        with pytest.raises(TypeError, match="encode"):
            client.write("text")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="Shutdown"):
            client.shutdown("write")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="SocketAddr"):
            TcpStream.connect_timeout("127.0.0.1:1", 1.0)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            TcpStream(5)  # type: ignore[arg-type]


def test_connect_tries_each_address_and_raises_the_last_error() -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        good = listener.local_addr()
    # The port is now closed: connecting is refused.
    with pytest.raises(Error) as info:
        TcpStream.connect(good)
    assert info.value.kind is ErrorKind.ConnectionRefused
    assert isinstance(info.value, ConnectionRefusedError)
    with TcpListener.bind("127.0.0.1:0") as listener:
        live = listener.local_addr()
        with TcpStream.connect([good, ("127.0.0.1", live.port())]) as s:
            assert s.peer_addr() == live
            listener.accept()[0].close()
    with pytest.raises(Error) as info:
        TcpStream.connect([])
    assert info.value.kind is ErrorKind.InvalidInput


def test_bind_conflict_is_addr_in_use() -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        with pytest.raises(Error) as info:
            TcpListener.bind(listener.local_addr())
        assert info.value.kind is ErrorKind.AddrInUse


def test_echo_server_in_a_child_process() -> None:
    with child(_ECHO) as proc:
        port = read_port(proc)
        with TcpStream.connect(("127.0.0.1", port)) as s:
            payload = bytes(range(256)) * 1024  # 256 KiB: more than the buffers hold
            received = bytearray()

            def reader() -> None:
                while len(received) < len(payload):
                    chunk = bytearray(65536)
                    n = s.read(chunk)
                    if not n:
                        break
                    received.extend(chunk[:n])

            t = threading.Thread(target=reader)
            t.start()
            s.write_all(payload)
            t.join(timeout=20)
            assert not t.is_alive()
            assert received == payload
            s.shutdown(Shutdown.Write)
            assert s.read(bytearray(10)) == 0  # the child saw EOF and closed
        assert proc.wait(timeout=10) == 0


_RESETTER = """
import socket, struct, sys, time, fcntl, termios
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
data = bytes(range(251)) * 400
c.sendall(data)
# Wait until the peer acknowledged everything, so the reset cannot discard it.
for _ in range(400):
    if not struct.unpack("i", fcntl.ioctl(c.fileno(), termios.TIOCOUTQ, b"\\0" * 4))[0]:
        break
    time.sleep(0.005)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
"""


def test_peer_reset_mid_transfer_is_typed_and_loses_nothing() -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        port = listener.local_addr().port()
        with child(_RESETTER, str(port)) as proc:
            server, _ = listener.accept()
            assert proc.wait(timeout=10) == 0
    expected = bytes(range(251)) * 400
    received = bytearray()
    with server:
        with pytest.raises(Error) as info:
            server.read_to_end(received)
        assert info.value.kind is ErrorKind.ConnectionReset
        assert isinstance(info.value, ConnectionResetError)
        # Everything that arrived before the reset was delivered, and counted.
        assert received == expected
        assert info.value.progress == len(expected)


def test_writing_to_a_reset_peer_reports_progress() -> None:
    client, server = tcp_pair()
    server.set_linger(0)
    assert server.linger() == 0
    server.close()  # RST
    with client:
        with pytest.raises(Error) as info:
            for _ in range(100):
                client.write_all(b"x" * 65536)
        assert info.value.kind in (ErrorKind.ConnectionReset, ErrorKind.BrokenPipe)


def test_broken_pipe_after_the_peer_closed() -> None:
    client, server = tcp_pair()
    server.close()  # FIN; the next segment we send is answered with RST
    with client:
        with pytest.raises(Error) as info:
            for _ in range(100):
                client.write(b"data")
                time.sleep(0.01)
        assert info.value.kind is ErrorKind.BrokenPipe
        assert isinstance(info.value, BrokenPipeError)


def test_shutdown_halves() -> None:
    client, server = tcp_pair()
    with client, server:
        client.write_all(b"last words")
        client.shutdown(Shutdown.Write)
        buf = bytearray()
        assert server.read_to_end(buf) == 10 and buf == b"last words"
        server.write_all(b"reply")  # the other direction still works
        out = bytearray(5)
        client.read_exact(out)
        assert out == b"reply"
        server.shutdown(Shutdown.Both)
        assert client.read(bytearray(4)) == 0
    a, b = tcp_pair()
    with a, b:
        a.shutdown(Shutdown.Read)
        assert a.read(bytearray(4)) == 0


def test_options() -> None:
    client, server = tcp_pair()
    with client, server:
        assert client.nodelay() is False
        client.set_nodelay(True)
        assert client.nodelay() is True
        client.set_ttl(42)
        assert client.ttl() == 42
        assert client.take_error() is None
        assert client.linger() is None
        client.set_linger(3)
        assert client.linger() == 3
        client.set_linger(None)
        assert client.linger() is None
        with pytest.raises(ValueError):
            client.set_ttl(-1)
        with TcpListener.bind("127.0.0.1:0") as listener:
            listener.set_ttl(9)
            assert listener.ttl() == 9
            assert listener.take_error() is None


def test_take_error_reports_a_failed_connect() -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        closed_port = listener.local_addr()
    with UdpSocket.bind("127.0.0.1:0") as u:
        u.connect(closed_port)
        u.send(b"ping")  # ICMP port unreachable comes back
        assert wait_until(lambda: u.take_error() is not None or _refused(u))


def _refused(u: UdpSocket) -> bool:
    try:
        u.send(b"again")
    except Error as e:
        return e.kind is ErrorKind.ConnectionRefused
    return False


def test_nonblocking_mode_raises_would_block() -> None:
    client, server = tcp_pair()
    with client, server:
        server.set_nonblocking(True)
        with pytest.raises(Error) as info:
            server.read(bytearray(4))
        assert info.value.kind is ErrorKind.WouldBlock
        assert isinstance(info.value, BlockingIOError)
        client.write_all(b"ok")
        assert wait_until(lambda: server.peek(bytearray(2)) == 2)
        server.set_nonblocking(False)
        buf = bytearray(2)
        server.read_exact(buf)
        assert buf == b"ok"


def test_incoming_raises_from_next_and_stays_usable() -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        incoming = listener.incoming()
        assert isinstance(incoming, Incoming) and iter(incoming) is incoming
        listener.set_nonblocking(True)
        with pytest.raises(Error) as info:
            next(incoming)
        assert info.value.kind is ErrorKind.WouldBlock
        listener.set_nonblocking(False)
        with TcpStream.connect(listener.local_addr()) as c, next(incoming) as s:
            # Linux: accepted sockets do not inherit O_NONBLOCK.
            assert os.get_blocking(s.as_raw_fd())
            assert s.peer_addr() == c.local_addr()


def test_ownership_conversions() -> None:
    client, server = tcp_pair()
    with server:
        fd = client.as_raw_fd()
        owned = OwnedFd(client)
        assert client.closed() and owned.as_raw_fd() == fd
        again = TcpStream(owned)
        assert owned.closed() and again.as_raw_fd() == fd
        again.write_all(b"still the same connection")
        buf = bytearray(25)
        server.read_exact(buf)
        assert buf == b"still the same connection"
        raw = again.into_raw_fd()
        assert again.closed() and fd_is_open(raw)
        adopted = TcpStream.from_raw_fd(raw)
        adopted.close()
        assert not fd_is_open(fd)
        with pytest.raises(Error) as info:
            again.write(b"x")
        assert info.value.kind is ErrorKind.InvalidInput


def test_wrong_kind_of_descriptor_is_refused_without_consuming_it() -> None:
    r, w = pipe()
    with r, w:
        src = OwnedFd(r)
        with src:
            with pytest.raises(Error) as info:
                TcpStream(src)
            assert info.value.raw_os_error() is not None or info.value.kind is ErrorKind.InvalidInput
            assert not src.closed()
    with UdpSocket.bind("127.0.0.1:0") as u, OwnedFd(u) as as_fd:
        with pytest.raises(Error) as info:
            TcpStream(as_fd)
        assert info.value.kind is ErrorKind.InvalidInput
        assert not as_fd.closed()
        back = UdpSocket(as_fd)
        back.close()


def test_try_clone_shares_the_connection() -> None:
    client, server = tcp_pair()
    with client, server:
        clone = client.try_clone()
        with clone:
            assert clone.as_raw_fd() != client.as_raw_fd()
            assert fcntl.fcntl(clone.as_raw_fd(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
            clone.write_all(b"A")
            client.write_all(b"B")
        buf = bytearray(2)
        server.read_exact(buf)
        assert buf == b"AB"
        client.write_all(b"C")  # closing the clone left the original open
        server.read_exact(buf[:1])


def test_concurrent_reader_and_writer_on_one_stream() -> None:
    client, server = tcp_pair()
    payload = os.urandom(1 << 20)
    got = bytearray()
    errors: list[BaseException] = []

    def echo() -> None:  # the peer echoes everything back
        try:
            buf = bytearray(65536)
            while n := server.read(buf):
                server.write_all(buf[:n])
            server.shutdown(Shutdown.Write)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    def read_back() -> None:
        try:
            client.read_to_end(got)
        except BaseException as e:  # pragma: no cover
            errors.append(e)

    with client, server:
        threads = [threading.Thread(target=echo), threading.Thread(target=read_back)]
        for t in threads:
            t.start()
        for i in range(0, len(payload), 50_000):
            client.write_all(payload[i : i + 50_000])
        client.shutdown(Shutdown.Write)
        for t in threads:
            t.join(timeout=30)
        assert not errors and got == payload


def test_close_while_blocked_in_read_defers_the_release() -> None:
    client, server = tcp_pair()
    fd = server.as_raw_fd()
    result: list[object] = []
    started = threading.Event()

    def blocked_read() -> None:
        buf = bytearray(8)
        started.set()
        try:
            result.append(bytes(buf[: server.read(buf)]))
        except Error as e:  # pragma: no cover
            result.append(e)

    t = threading.Thread(target=blocked_read)
    t.start()
    started.wait()
    time.sleep(0.1)  # let it reach recv()
    server.close()  # returns at once; the descriptor stays open for the recv in flight
    assert server.closed()
    assert fd_is_open(fd) and os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    with client:
        client.write_all(b"wake")
        t.join(timeout=10)
    assert result == [b"wake"]
    assert wait_until(lambda: not fd_is_open(fd))


def test_shutdown_from_another_thread_unblocks_a_read() -> None:
    client, server = tcp_pair()
    other = server.try_clone()
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(server.read(bytearray(8))))
    with client, server, other:
        t.start()
        time.sleep(0.1)
        other.shutdown(Shutdown.Both)
        t.join(timeout=10)
    assert result == [0]


def test_http_server_written_by_someone_else(tmp_path: object) -> None:
    root = str(tmp_path)
    with open(os.path.join(root, "hello.txt"), "wb") as f:
        f.write(b"greetings from a file\n")
    # Binding port 0 ourselves and handing the port over races with other
    # tests; http.server prints the port it got instead.
    code = (
        "import http.server, functools, sys\n"
        "h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])\n"
        "s = http.server.HTTPServer(('127.0.0.1', 0), h)\n"
        "print(s.server_address[1], flush=True)\n"
        "s.handle_request()\n"
    )
    with child(code, root) as proc:
        port = read_port(proc)
        with TcpStream.connect(("127.0.0.1", port)) as s:
            s.write_all(b"GET /hello.txt HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            response = bytearray()
            s.read_to_end(response)
    head, _, body = bytes(response).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200")
    assert body == b"greetings from a file\n"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_talks_to_a_stdio2_server() -> None:
    with TcpListener.bind("127.0.0.1:0") as listener:
        port = listener.local_addr().port()
        seen = bytearray()

        def serve() -> None:
            stream, _ = listener.accept()
            with stream:
                buf = bytearray(4096)
                while b"\r\n\r\n" not in seen:
                    n = stream.read(buf)
                    if not n:
                        return
                    seen.extend(buf[:n])
                body = b"served by stdio2\n"
                stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                    + body
                )
                stream.shutdown(Shutdown.Write)

        t = threading.Thread(target=serve)
        t.start()
        out = subprocess.run(
            ["curl", "-sS", "--max-time", "10", f"http://127.0.0.1:{port}/path"],
            capture_output=True,
            timeout=20,
            check=False,
        )
        t.join(timeout=10)
    assert out.returncode == 0, out.stderr
    assert out.stdout == b"served by stdio2\n"
    assert seen.startswith(b"GET /path HTTP/1.1\r\n")


def test_closed_stream_raises_invalid_input() -> None:
    client, server = tcp_pair()
    server.close()
    client.close()
    client.close()  # idempotent
    for call in (
        lambda: client.read(bytearray(1)),
        lambda: client.write(b"x"),
        client.peer_addr,
        lambda: client.shutdown(Shutdown.Both),
        client.try_clone,
        client.as_fd,
    ):
        with pytest.raises(Error) as info:
            call()
        assert info.value.kind is ErrorKind.InvalidInput


def test_unclosed_stream_warns_and_closes() -> None:
    client, server = tcp_pair()
    fd = client.as_raw_fd()
    with pytest.warns(ResourceWarning):
        del client
        import gc

        gc.collect()
    assert not fd_is_open(fd)
    server.close()


@settings(max_examples=60)
@given(
    data=st.binary(min_size=1, max_size=20_000),
    write_sizes=st.lists(st.integers(1, 5000), min_size=1, max_size=20),
    read_sizes=st.lists(st.integers(1, 5000), min_size=1, max_size=20),
)
def test_random_chunking_delivers_the_same_bytes(
    data: bytes, write_sizes: list[int], read_sizes: list[int]
) -> None:
    client, server = tcp_pair()
    with client, server:
        pos, i = 0, 0
        while pos < len(data):
            size = write_sizes[i % len(write_sizes)]
            client.write_all(data[pos : pos + size])
            pos += size
            i += 1
        client.shutdown(Shutdown.Write)
        got = bytearray()
        j = 0
        while True:
            buf = bytearray(read_sizes[j % len(read_sizes)])
            n = server.read(buf)
            if not n:
                break
            assert n <= len(buf)
            got += buf[:n]
            j += 1
        assert got == data


def test_socket_address_tuples_round_trip() -> None:
    client, server = tcp_pair()
    with client, server:
        assert SocketAddr.from_socket_tuple(client.local_addr().to_socket_tuple()) == client.local_addr()


def test_subprocess_does_not_inherit_sockets() -> None:
    client, server = tcp_pair()
    with client, server:
        fd = client.as_raw_fd()
        out = subprocess.run(
            [sys.executable, "-c", f"import os; os.fstat({fd})"],
            close_fds=False,
            capture_output=True,
            check=False,
        )
        assert out.returncode != 0 and b"Bad file descriptor" in out.stderr
