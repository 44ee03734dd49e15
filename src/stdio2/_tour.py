"""The demonstration behind ``python3 -m stdio2 tour``: real files, real pipes, real errors.

Each step prints what it did and what the OS did, so the tour doubles as a
quick check that stdio2 works on a new machine.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading

from stdio2 import env, fs, io, net
from stdio2._sys.capabilities import capabilities
from stdio2._typing import Buffer
from stdio2.os_str import OsString


def _step(title: str) -> None:
    print(f"\n== {title}")


class _CountingReader(io.Read):
    """Wraps a reader and counts the calls that reach it."""

    def __init__(self, inner: io.Read) -> None:
        self.inner = inner
        self.calls = 0

    def read(self, buf: Buffer, /) -> int:
        self.calls += 1
        return self.inner.read(buf)


class _FailingWriter(io.Write):
    """Accepts *limit* bytes, at most 7 per call, then fails like a full disk."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()

    def write(self, buf: Buffer, /) -> int:
        room = self.limit - len(self.data)
        if room <= 0:
            raise io.Error(io.ErrorKind.StorageFull, "the test disk is full")
        chunk = bytes(memoryview(buf)[: min(room, 7)])
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        pass


def tour() -> None:
    """Run every demonstration step, printing as it goes."""
    print("stdio2 tour: Rust's std I/O design, running on this machine")
    with tempfile.TemporaryDirectory(prefix="stdio2-tour-") as tmp:
        path = os.path.join(tmp, "lines.txt")

        _step("BufWriter over fs.File: many small writes, few system calls")
        with io.BufWriter(fs.File.create(path), capacity=4096) as w:
            for i in range(1000):
                w.write_fmt("line {}\n", i)
            print(f"wrote 1000 lines; {len(w.buffer())} bytes still buffered before close")
        print(f"file size after close: {os.path.getsize(path)} bytes")

        _step("read() is one call: it may return less than asked, and never loops")
        with fs.File.open(path) as f:
            counting = _CountingReader(f)
            buf = bytearray(100_000)
            n = counting.read(buf)
            print(f"read(buf of {len(buf)}) returned {n} bytes with {counting.calls} call")
            counting.calls = 0
            f.rewind()
            whole = bytearray()
            counting.read_to_end(whole)
            print(f"read_to_end looped: {len(whole)} bytes in {counting.calls} calls")

        _step("BufReader: lines without a syscall per line")
        with io.BufReader(fs.File.open(path)) as reader:
            first = [line for _, line in zip(range(3), reader.lines(), strict=False)]
            print(f"first lines: {first}")

        _step("io.copy between two files: the kernel moves the bytes")
        copy_path = os.path.join(tmp, "copy.txt")
        with fs.File.open(path) as src, fs.File.create(copy_path) as dst:
            n = io.copy(src, dst)
        print(f"copied {n} bytes via {fs.last_copy_method()}")

        _step("OS strings: file names that are not text survive")
        if os.name == "posix":
            odd = OsString.from_fspath(os.path.join(os.fsencode(tmp), b"caf\xe9.txt"))
            fs.write(odd, b"latin-1 name")
            names = [entry.file_name() for entry in fs.read_dir(tmp)]
            found = [n for n in names if n.to_str() is None]
            print(f"read_dir found {found[0]!r}; to_str() -> {found[0].to_str()}")
            print(f"lossy view for display: {found[0].to_string_lossy()!r}")
        print(f"env.consts: OS={env.consts.OS!r} ARCH={env.consts.ARCH!r}")

        _step("A writer that fails half-way: progress is reported, nothing is lost")
        target = _FailingWriter(limit=20)
        try:
            target.write_all(b"0123456789abcdefghijklmnopqrstuvwxyz")
        except io.Error as e:
            print(f"write_all raised {e.kind!r}: {e}")
            print(f"  progress={e.progress}; the destination holds {bytes(target.data)!r}")
            print(f"  and it is still an OSError: {isinstance(e, OSError)}")

        _step("Cursor and adapters")
        cur = io.Cursor(bytearray())
        cur.write_all(b"hello, ")
        cur.write_all(b"world")
        cur.rewind()
        chained = cur.take(5).chain(io.Cursor(b" there"))
        print(f"Cursor + take(5) + chain: {chained.read_to_string()!r}")
        try:
            io.Cursor(b"abc").read_exact(bytearray(5))
        except io.Error as e:
            print(f"read_exact past the end: {e.kind!r}, progress={e.progress}")

        _step("Typed errors from the OS")
        try:
            open(os.path.join(tmp, "missing"), "rb")  # noqa: SIM115
        except OSError as raw_error:
            err = io.Error.from_os_error(raw_error)
            print(f"{err.kind!r}: {err}")
            print(f"  except FileNotFoundError still catches it: {isinstance(err, FileNotFoundError)}")

        _pipe_step()
        _tcp_step()

    _step("What this OS offers (kernel fast paths and features)")
    print_capabilities()


def _pipe_step() -> None:
    _step("Pipes: owned descriptors, deadlines instead of timeouts")
    reader, writer = io.pipe()
    with reader, writer:
        writer.write_all(b"ping")
        buf = bytearray(16)
        n = reader.read(buf)
        print(f"pipe read {bytes(buf[:n])!r}")
        try:
            with io.Deadline.after(0.05):
                reader.read(buf)
        except io.Error as e:
            print(f"read with nobody writing, under a 50 ms deadline: {e.kind!r}")
        if sys.platform == "win32":
            return
        borrowed = reader.as_fd()
    try:
        borrowed.as_raw_fd()
    except io.Error as e:
        print(f"using a borrow after its owner closed: {e.kind!r} ({e})")


def _tcp_step() -> None:
    _step("TCP on 127.0.0.1: typed addresses, one call per read")
    with net.TcpListener.bind("127.0.0.1:0") as listener:
        addr = listener.local_addr()
        print(f"listening on {addr} (a {type(addr).__name__})")

        def serve() -> None:
            conn, _peer = listener.accept()
            with conn:
                data = bytearray(64)
                n = conn.read(data)
                conn.write_all(data[:n].upper())

        server = threading.Thread(target=serve)
        server.start()
        with net.TcpStream.connect(addr) as stream:
            stream.write_all(b"hello over loopback")
            reply = bytearray()
            stream.read_to_end(reply)
        server.join()
        print(f"echoed back: {bytes(reply)!r}")


def print_capabilities() -> None:
    """Print the capability report: each kernel feature and whether this OS offers it."""
    for name, ok, detail in capabilities():
        mark = "yes" if ok else "no "
        print(f"  {mark}  {name:<16} {detail}")
