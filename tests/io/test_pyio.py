"""from_pyio / to_pyio with real files, pipes, TCP sockets on 127.0.0.1 and stdlib consumers."""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import shutil
import socket
import tarfile

import pytest

from stdio2.io import BufRead, Cursor, Error, ErrorKind, Read, Seek, SeekFrom, Write, from_pyio, to_pyio


def test_bytesio_roundtrip_and_traits() -> None:
    b = io.BytesIO(b"hello world")
    f = from_pyio(b)
    assert isinstance(f, Read) and isinstance(f, Write) and isinstance(f, Seek)
    assert not isinstance(f, BufRead)
    buf = bytearray(5)
    assert f.read(buf) == 5 and buf == b"hello"
    assert f.seek(SeekFrom.End(-5)) == 6 and f.read_to_string() == "world"
    f.seek(SeekFrom.Start(20))
    f.write_all(b"!")
    assert b.getvalue() == b"hello world" + bytes(9) + b"!"
    assert f.get_ref() is b


def test_negative_seek_is_invalid_input_not_clamped() -> None:
    f = from_pyio(io.BytesIO(b"abcdef"))
    f.seek(SeekFrom.Start(3))
    for bad in (SeekFrom.Current(-4), SeekFrom.End(-7)):
        with pytest.raises(Error) as ei:
            f.seek(bad)
        assert ei.value.kind is ErrorKind.InvalidInput
        assert f.stream_position() == 3
    assert f.seek(SeekFrom.Current(-3)) == 0


def test_real_file_capabilities_and_single_calls(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"x" * 100_000)
    with open(p, "rb") as fh:
        r = from_pyio(fh)
        assert isinstance(r, Read) and isinstance(r, Seek) and not isinstance(r, Write)
        big = bytearray(200_000)
        n = r.read(big)  # readinto1: at most one raw read, so a short count is allowed
        assert 0 < n <= 100_000
        rest = bytearray()
        r.read_to_end(rest)
        assert n + len(rest) == 100_000
    with open(p, "wb", buffering=0) as fh:
        w = from_pyio(fh)
        assert isinstance(w, Write) and not isinstance(w, Read)
        w.write_all(b"new")
    assert p.read_bytes() == b"new"


def test_oserror_becomes_error(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"data")
    fd = os.open(p, os.O_RDONLY)
    raw = open(fd, "rb", buffering=0)  # noqa: SIM115 - closed explicitly below
    with raw:
        f = from_pyio(raw)
        os.close(fd)  # the raw file's descriptor is now invalid: EBADF from its readinto
        with pytest.raises(Error) as ei:
            f.read(bytearray(4))
        assert ei.value.raw_os_error() == 9 and type(ei.value) is not OSError
        with pytest.raises(OSError):  # closing the stale descriptor: EBADF
            raw.close()


def test_nonblocking_pipe_would_block() -> None:
    rfd, wfd = os.pipe()
    os.set_blocking(rfd, False)
    with open(rfd, "rb", buffering=0) as rf, open(wfd, "wb", buffering=0) as wf:
        r = from_pyio(rf)
        with pytest.raises(Error) as ei:
            r.read(bytearray(10))
        assert ei.value.kind is ErrorKind.WouldBlock
        assert isinstance(ei.value, BlockingIOError)
        from_pyio(wf).write_all(b"ping")
        buf = bytearray(10)
        assert r.read(buf) == 4 and buf[:4] == b"ping"


def test_text_file_and_other_objects_are_rejected(tmp_path: pathlib.Path) -> None:
    with open(tmp_path / "t", "w") as fh, pytest.raises(TypeError, match=r"\.buffer"):
        from_pyio(fh)
    with pytest.raises(TypeError, match="binary file"):
        from_pyio(b"bytes")
    closed = io.BytesIO()
    closed.close()
    with pytest.raises(ValueError):
        from_pyio(closed)


def test_tcp_sockets() -> None:
    with socket.create_server(("127.0.0.1", 0)) as srv:
        client = socket.create_connection(srv.getsockname())
        conn, _ = srv.accept()
        with client, conn:
            a, b = from_pyio(client), from_pyio(conn)
            assert isinstance(a, Read) and isinstance(a, Write) and not isinstance(a, Seek)
            a.write_all(b"hello over tcp")
            client.shutdown(socket.SHUT_WR)
            assert b.read_to_string() == "hello over tcp"
            assert b.read(bytearray(1)) == 0  # EOF stays EOF


def test_socket_timeout_is_timed_out() -> None:
    with socket.create_server(("127.0.0.1", 0)) as srv:
        client = socket.create_connection(srv.getsockname())
        conn, _ = srv.accept()
        with client, conn:
            conn.settimeout(0.01)
            with pytest.raises(Error) as ei:
                from_pyio(conn).read(bytearray(1))
            assert ei.value.kind is ErrorKind.TimedOut


def test_to_pyio_capabilities_and_close() -> None:
    c = Cursor(bytearray())
    raw = to_pyio(c)
    assert raw.readable() and raw.writable() and raw.seekable()
    assert raw.write(b"abc") == 3
    assert raw.seek(0) == 0 and raw.read() == b"abc" and raw.tell() == 3
    raw.close()
    r = to_pyio(Cursor(b"x").take(1))
    assert r.readable() and not r.writable() and not r.seekable()
    with pytest.raises(io.UnsupportedOperation):
        r.write(b"x")
    with pytest.raises(TypeError):
        to_pyio(io.BytesIO())  # type: ignore[arg-type]


class _Closing(Write):
    def __init__(self, inner: bytearray) -> None:
        self.inner = inner
        self.closed = False

    def write(self, buf: object, /) -> int:
        self.inner += buf  # type: ignore[operator]
        return len(memoryview(buf))  # type: ignore[arg-type]

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def test_to_pyio_close_closes_inner() -> None:
    x = _Closing(bytearray())
    with to_pyio(x) as raw:
        raw.write(b"a")
    assert x.closed
    y = _Closing(bytearray())
    to_pyio(y, close_inner=False).close()
    assert not y.closed


def test_json_csv_textiowrapper() -> None:
    assert json.load(to_pyio(Cursor(b'{"a": [1, 2, "\xc3\xa9"]}'))) == {"a": [1, 2, "\u00e9"]}
    out = Cursor(bytearray())
    with io.TextIOWrapper(to_pyio(out, close_inner=False), encoding="utf-8", newline="") as tw:
        csv.writer(tw).writerows([["a", "b,c"], ["1", "2"]])
    assert out.get_ref() == b'a,"b,c"\r\n1,2\r\n'
    out.rewind()
    with io.TextIOWrapper(io.BufferedReader(to_pyio(out)), encoding="utf-8", newline="") as tr:
        assert list(csv.reader(tr)) == [["a", "b,c"], ["1", "2"]]


def test_tarfile_and_copyfileobj(tmp_path: pathlib.Path) -> None:
    store = Cursor(bytearray())
    payload = b"tar payload " * 500
    with tarfile.open(fileobj=to_pyio(store, close_inner=False), mode="w") as tf:
        info = tarfile.TarInfo("member.txt")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    with tarfile.open(fileobj=to_pyio(Cursor(bytes(store.get_ref()))), mode="r") as tf:
        member = tf.extractfile("member.txt")
        assert member is not None and member.read() == payload
    with tarfile.open(fileobj=to_pyio(Cursor(bytes(store.get_ref()))), mode="r|") as tf:
        assert [m.name for m in tf] == ["member.txt"]
    src = tmp_path / "src"
    src.write_bytes(payload)
    dst = Cursor(bytearray())
    with open(src, "rb") as fh:
        shutil.copyfileobj(to_pyio(from_pyio(fh), close_inner=False), to_pyio(dst))
    assert dst.get_ref() == payload


def test_to_pyio_errors_propagate_as_oserror() -> None:
    from _iofaults import FailingReader

    raw = to_pyio(FailingReader(b"abc", fail_at=2))
    with pytest.raises(ConnectionResetError):
        raw.read()


def test_buffered_read_is_one_raw_call() -> None:
    # Only 3 bytes are in the pipe and the writer stays open: a looping
    # readinto would wait for 100 bytes; readinto1 returns the 3 at once.
    import threading
    import time

    rfd, wfd = os.pipe()
    with open(rfd, "rb") as rf, open(wfd, "wb", buffering=0) as wf:
        wf.write(b"abc")
        closer = threading.Timer(2.0, wf.close)
        closer.start()
        try:
            t0 = time.monotonic()
            buf = bytearray(100)
            n = from_pyio(rf).read(buf)
            assert n == 3 and buf[:3] == b"abc"
            assert time.monotonic() - t0 < 10  # returned with what was there, did not wait for more
        finally:
            closer.cancel()


def test_to_pyio_would_block_is_none() -> None:
    rfd, wfd = os.pipe()
    os.set_blocking(rfd, False)
    with open(rfd, "rb", buffering=0) as rf, open(wfd, "wb", buffering=0):
        raw = to_pyio(from_pyio(rf), close_inner=False)
        assert raw.readinto(bytearray(4)) is None
        raw.close()


def test_nonblocking_buffered_writer_loses_nothing() -> None:
    rfd, wfd = os.pipe()
    os.set_blocking(wfd, False)
    os.set_blocking(rfd, False)
    data = bytes(range(256)) * 4096  # 1 MiB, far more than a pipe holds
    with open(rfd, "rb", buffering=0) as rf, open(wfd, "wb") as wf:
        w = from_pyio(wf)
        total = 0
        with pytest.raises(Error) as ei:
            for _ in range(1000):
                n = w.write(data[total : total + 100_000])
                assert 0 < n <= 100_000
                total += n
        assert ei.value.kind is ErrorKind.WouldBlock
        got = bytearray()
        while True:
            chunk = rf.read(1 << 20)
            if chunk:
                got += chunk
            try:
                w.flush()
            except Error as e:
                assert e.kind is ErrorKind.WouldBlock
                continue
            break
        while chunk := rf.read(1 << 20):
            got += chunk
        assert bytes(got) == data[:total]
