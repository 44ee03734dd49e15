"""stdin()/stdout()/stderr(): buffering, locks, absent streams, /dev/null reopening, BrokenPipe.

Most checks run in real child processes (``sys.executable -c``), because they
are about the process's own descriptors 0, 1 and 2.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2 import io
from stdio2.io import Error, ErrorKind, LineWriter, pipe
from stdio2.io._stdio import _StdRaw
from stdio2.os.fd import BorrowedFd, OwnedFd


def child(code: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("timeout", 20)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", textwrap.dedent(code)], check=False, **kwargs
    )


def test_handles_are_process_wide() -> None:
    assert io.stdin() is io.stdin() and io.stdout() is io.stdout() and io.stderr() is io.stderr()
    for cls in (io.Stdin, io.Stdout, io.Stderr, io.StdinLock, io.StdoutLock, io.StderrLock):
        with pytest.raises(TypeError):
            cls()


def test_as_fd_borrows_the_standard_numbers_and_never_closes_them() -> None:
    for handle, n in ((io.stdin(), 0), (io.stdout(), 1), (io.stderr(), 2)):
        b = handle.as_fd()
        assert isinstance(b, BorrowedFd) and b.as_raw_fd() == n == handle.as_raw_fd()
        with pytest.raises(TypeError):
            OwnedFd(b)
        assert isinstance(handle.is_terminal(), bool)


def test_locks_are_reentrant_and_exclude_other_threads() -> None:
    done = threading.Event()
    with io.stdout().lock() as outer:
        with io.stdout().lock() as inner:
            inner.write(b"")
        outer.flush()

        def other() -> None:
            io.stdout().flush()
            done.set()

        t = threading.Thread(target=other)
        t.start()
        assert not done.wait(0.1), "another thread got in while the lock was held"
    t.join(5)
    assert done.is_set()
    guard = io.stderr().lock()
    guard.unlock()
    guard.unlock()


def test_stdout_is_line_buffered_and_flushed_at_exit() -> None:
    res = child(
        """
        import os
        from stdio2.io import stdout
        out = stdout()
        out.write(b"a")
        os.write(1, b"B")          # bypasses the buffer: comes first
        out.write(b"c\\nd")        # the line goes out, "d" waits
        os.write(1, b"E")
        out.write_all(b"\\n")
        out.write_all(b"tail without newline")
        """
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == b"Bac\nEd\ntail without newline"


def test_stderr_is_unbuffered() -> None:
    res = child(
        """
        import os
        from stdio2.io import stderr
        stderr().write(b"a")
        os.write(2, b"B")
        stderr().write_all(b"c")
        """
    )
    assert res.stderr == b"aBc"


def test_stdin_lines_read_line_and_read() -> None:
    res = child(
        """
        from stdio2.io import stdin, stdout
        s = stdin()
        first = s.read_line()
        with s.lock() as lk:
            buf = bytearray()
            lk.read_until(b";", buf)
            second = bytes(buf)
        rest = list(s.lines())
        stdout().write_fmt("{!r} {!r} {!r}\\n", first, second, rest)
        """,
        input=b"one\nab;two\r\nthree\n\nlast",
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == b"'one\\n' b'ab;' ['two', 'three', '', 'last']\n"


def test_stdin_big_read_bypasses_buffer_and_read_to_end() -> None:
    data = bytes(range(256)) * 200
    res = child(
        """
        import sys
        from stdio2.io import stdin, stdout
        head = bytearray(3)
        stdin().read_exact(head)
        rest = bytearray()
        stdin().read_to_end(rest)
        stdout().write_all(bytes(head) + bytes(rest))
        """,
        input=data,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == data


def test_stdin_read_honours_deadline() -> None:
    r, w = pipe()
    with r, w:
        fd = r.as_raw_fd()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                textwrap.dedent(
                    """
                    import time
                    from stdio2.io import Deadline, Error, ErrorKind, stdin, stdout
                    t0 = time.monotonic()
                    try:
                        with Deadline.after(0.2):
                            stdin().read_line()
                    except Error as e:
                        assert e.kind is ErrorKind.TimedOut, e
                        stdout().write_fmt("timed out {:.1f}\\n", time.monotonic() - t0)
                    with Deadline.after(10):
                        stdout().write_fmt("got {!r}\\n", stdin().read_line())
                    """
                ),
            ],
            stdin=fd,
            stdout=subprocess.PIPE,
        )
        out = proc.stdout
        assert out is not None
        first = out.readline()
        assert first.startswith(b"timed out 0.")
        w.write_all(b"in time\n")
        assert out.readline() == b"got 'in time\\n'\n"
        out.close()
        assert proc.wait(10) == 0


def test_broken_pipe_on_stdout_is_typed_and_quiet_exit_works() -> None:
    code = """
        import sys
        from stdio2.io import Error, ErrorKind, stderr, stdout
        out = stdout()
        try:
            for i in range(1_000_000):
                out.write_all(b"y\\n")
        except BrokenPipeError as e:
            assert isinstance(e, Error) and e.kind is ErrorKind.BrokenPipe
            stderr().write_all(b"quiet exit\\n")
            sys.exit(0)
        """
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"y\n"  # like `| head -1`
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(20) == 0
    assert err == b"quiet exit\n"


def test_shell_pipeline_into_head() -> None:
    code = (
        "from stdio2.io import stdout, ErrorKind, Error\n"
        "try:\n"
        "    [stdout().write_all(b'%d\\n' % i) for i in range(10**6)]\n"
        "except Error as e:\n"
        "    raise SystemExit(0 if e.kind is ErrorKind.BrokenPipe else 3)\n"
    )
    res = subprocess.run(
        ["sh", "-c", '("$0" -c "$1"; echo "rc=$?" >&2) | head -1', sys.executable, code],
        capture_output=True,
        timeout=20,
        check=False,
    )
    assert res.stdout == b"0\n"
    assert res.stderr == b"rc=0\n"


def test_ebadf_std_streams_are_eof_and_sink() -> None:
    res = child(
        """
        import os
        from stdio2.io import stderr, stdin, stdout
        os.close(0); os.close(1)
        assert stdin().read_line() == ""
        buf = bytearray(4)
        assert stdin().read(buf) == 0
        stdout().write_all(b"nowhere\\n")
        assert stdout().write(b"partial") == 7
        stdout().flush()
        stdout().write(b"left in the buffer for exit")
        os.close(2)
        stderr().write_all(b"also nowhere")
        os._exit(0 if stderr().write(b"x") == 1 else 5)
        """
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == b"" and res.stderr == b""


def test_ebadf_at_exit_flush_is_silent() -> None:
    res = child(
        """
        import os
        from stdio2.io import stdout
        stdout().write(b"buffered")
        os.close(1)
        """
    )
    assert res.returncode == 0 and res.stderr == b""


def test_import_reopens_closed_std_descriptors_on_dev_null(tmp_path: object) -> None:
    report = os.path.join(str(tmp_path), "report")
    code = textwrap.dedent(
        """
        import os, sys
        def state():
            out = []
            for fd in (0, 1, 2):
                try:
                    out.append(os.readlink(f"/proc/self/fd/{fd}"))
                except OSError:
                    out.append("closed")
            return out
        before = state()
        import stdio2.io
        after = state()
        inheritable = [os.get_inheritable(fd) for fd in (0, 1, 2)]
        fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, repr((before, after, inheritable, fd)).encode())
        os.close(fd)
        """
    )
    res = subprocess.run(
        ["sh", "-c", 'exec 0<&- 1>&- 2>&-; exec "$0" -c "$1" "$2"', sys.executable, code, report],
        timeout=20,
        check=False,
    )
    assert res.returncode == 0
    with open(report) as f:
        before, after, inheritable, fd = eval(f.read())
    assert before == ["closed"] * 3
    assert after == ["/dev/null"] * 3
    assert inheritable == [True] * 3
    assert fd >= 3, "a new file can no longer take a standard number"


def test_only_closed_descriptors_are_reopened() -> None:
    res = subprocess.run(
        [
            "sh",
            "-c",
            'exec 1>&-; exec "$0" -c "$1"',
            sys.executable,
            "import os, stdio2.io; os.write(2, os.readlink('/proc/self/fd/1').encode())",
        ],
        stderr=subprocess.PIPE,
        timeout=20,
        check=False,
    )
    assert res.stderr == b"/dev/null"


def test_stdout_write_type_errors() -> None:
    with pytest.raises(TypeError, match="encode"):
        io.stdout().write("text")  # type: ignore[arg-type]


# -- the line-buffering policy against a model (on a real pipe) ----------------


@settings(max_examples=150, deadline=None)
@given(
    ops=st.lists(
        st.one_of(
            st.binary(max_size=40).map(lambda b: ("write", b)),
            st.sampled_from([b"\n", b"x\n", b"\nab", b"a\nb\nc"]).map(lambda b: ("write", b)),
            st.binary(min_size=60, max_size=200).map(lambda b: ("write", b)),
            st.just(("flush", b"")),
        ),
        max_size=25,
    ),
    cap=st.sampled_from([0, 1, 16, 64]),
)
def test_line_buffer_policy(ops: list[tuple[str, bytes]], cap: int) -> None:
    r, w = pipe()
    with r, w:
        lb = LineWriter(_StdRaw(w.as_raw_fd()), cap)
        accepted = bytearray()
        out = bytearray()
        buf = bytearray(1 << 16)
        for op, data in ops:
            if op == "write":
                n = lb.write(data)
                assert 0 <= n <= len(data)
                if n == 0:
                    assert data == b"" or cap == 0
                accepted += data[:n]
            else:
                lb.flush()
                assert not lb.buffer()
            # Drain what reached the pipe.
            while True:
                os.set_blocking(r.as_raw_fd(), False)
                try:
                    got = r.read(buf)
                except Error as e:
                    assert e.kind is ErrorKind.WouldBlock
                    break
                finally:
                    os.set_blocking(r.as_raw_fd(), True)
                out += buf[:got]
            # Nothing lost or reordered; no finished line held back; bounded buffer.
            assert out + lb.buffer() == accepted
            assert b"\n" not in lb.buffer()
            assert len(lb.buffer()) <= max(cap, 0)
        lb.flush()


def test_flush_failure_keeps_the_buffer() -> None:
    r, w = pipe()
    with w:
        lb = LineWriter(_StdRaw(w.as_raw_fd()), 64)
        assert lb.write(b"pending") == 7
        r.close()
        with pytest.raises(Error) as info:
            lb.flush()
        assert info.value.kind is ErrorKind.BrokenPipe
        assert lb.buffer() == b"pending"
        del info  # its traceback refers to lb
        with pytest.warns(ResourceWarning, match="7"):
            del lb  # still holding the 7 bytes: collected with a warning
            gc.collect()
