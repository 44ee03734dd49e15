"""Short reads and writes through the ring return the kernel's count, not an error (audit of issue 8).

`Read` and `Write` are single-syscall primitives (DESIGN §1): a read that
gets fewer bytes than the buffer holds, or a write cut short, completes with
that count and leaves the rest of the buffer alone. The next write past the
limit fails with the kind the errno gives. The write limit here is a real
one: RLIMIT_FSIZE in a child process, with SIGXFSZ ignored.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from stdio2.os.fd import OwnedFd
from stdio2.os.linux import uring

_CHILD = textwrap.dedent(
    """
    import os, resource, signal, sys
    from stdio2.io import Error
    from stdio2.os.fd import OwnedFd
    from stdio2.os.linux import uring

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
    f = OwnedFd.from_raw_fd(os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644))
    data = bytearray(b"x" * 300)
    with uring.Driver(8) as ring, f:
        print(ring.submit(uring.Write(f, data, offset=900)).wait())
        print(ring.submit_all([uring.Write(f, data, offset=800)])[0].wait())
        try:
            ring.submit(uring.Write(f, data, offset=1000)).wait()
        except Error as e:
            print(e.kind.name, e.raw_os_error())
        data.append(0)  # released: the completions were reaped
    """
)


def test_write_cut_short_by_rlimit_fsize_returns_the_count(tmp_path: Path) -> None:
    target = tmp_path / "limited"
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(target)], capture_output=True, text=True, timeout=30, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:3] == ["100", "200", "FileTooLarge 27"]
    assert target.stat().st_size == 1000


def test_short_reads_from_a_pipe_and_at_end_of_file(ring: uring.Driver, tmp_path: Path) -> None:
    r, w = os.pipe2(os.O_CLOEXEC)
    with OwnedFd.from_raw_fd(r) as rd, OwnedFd.from_raw_fd(w) as wr:
        os.write(wr.as_raw_fd(), b"0123456789")
        buf = bytearray(b"\xee" * 100)
        assert ring.submit(uring.Read(rd, buf)).wait() == 10
        assert buf[:10] == b"0123456789" and buf[10:] == b"\xee" * 90
        wr.close()
        assert ring.submit(uring.Read(rd, buf)).wait() == 0  # end of stream
    path = tmp_path / "f"
    path.write_bytes(b"abcdef")
    with OwnedFd.from_raw_fd(os.open(path, os.O_RDONLY | os.O_CLOEXEC)) as f:
        buf = bytearray(b"\xee" * 8)
        subs = ring.submit_all([uring.Read(f, buf, offset=4), uring.Read(f, bytearray(8), offset=6)])
        assert [s.wait() for s in subs] == [2, 0]
        assert buf == b"ef" + b"\xee" * 6
