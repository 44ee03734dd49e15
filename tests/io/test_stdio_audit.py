"""Audit of the std streams (issue 3): byte counts of multi-byte-item buffers, is_terminal on a pty.

Each check runs in a real child process, because it is about the child's own
descriptors 0, 1 and 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix descriptors and ptys")


def child(code: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("timeout", 20)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", textwrap.dedent(code)], check=False, **kwargs
    )


def test_absent_stderr_counts_bytes_not_items() -> None:
    # An absent stream swallows writes and reports "everything written":
    # that is the byte count, 12 for three 4-byte ints, not the item count 3.
    res = child(
        """
        import array, os
        from stdio2.io import stderr
        os.close(2)
        data = array.array("i", [1, 2, 3])
        n = stderr().write(data)
        stderr().write_all(data)
        print(n, memoryview(data).nbytes)
        """
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == [b"12", b"12"]


def test_stderr_short_write_of_multibyte_items_loses_nothing() -> None:
    # stderr is a non-blocking pipe with about one page free: write(2) of
    # 8000 bytes takes part of them and the next one fails with EAGAIN. The
    # rule is "every byte arrives, or the error says how many did"; the old
    # code compared a byte count with an item count and returned normally
    # after a short write, dropping the rest silently.
    r, w = os.pipe()
    try:
        os.set_blocking(w, False)
        left = 0
        try:
            while True:
                left += os.write(w, bytes(65536))
        except BlockingIOError:
            pass
        drained = 0
        while drained < 4096:  # free one page
            drained += len(os.read(r, 4096 - drained))
        left -= drained
        res = child(
            """
            import array
            from stdio2.io import Error, stderr
            data = array.array("i", range(2000))  # 8000 bytes
            try:
                stderr().write_all(data)
                print("ok", 8000)
            except Error as e:
                print(e.kind.name, e.progress)
            """,
            capture_output=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=w,
        )
    finally:
        os.close(w)
    try:
        total = 0
        while chunk := os.read(r, 1 << 16):
            total += len(chunk)
    finally:
        os.close(r)
    assert res.returncode == 0
    outcome, count = res.stdout.split()
    arrived = total - left
    if outcome == b"ok":
        assert arrived == 8000
    else:
        assert outcome == b"WouldBlock"
        assert 0 < int(count) < 8000
        assert arrived == int(count)


def test_is_terminal_on_a_pty_and_on_pipes() -> None:
    code = """
        import os
        from stdio2.io import IsTerminal, stderr, stdin, stdout
        handles = (stdin(), stdout(), stderr())
        assert all(isinstance(h, IsTerminal) for h in handles)
        bits = sum(1 << i for i, h in enumerate(handles) if h.is_terminal())
        bits |= sum(8 << i for i, h in enumerate(handles) if h.as_fd().is_terminal())
        os._exit(bits)
        """
    leader, follower = os.openpty()
    try:
        on_pty = child(code, stdin=follower, stdout=follower, stderr=follower, capture_output=False)
    finally:
        os.close(follower)
        os.close(leader)
    assert on_pty.returncode == 0b111111
    on_pipes = child(code, input=b"")
    assert on_pipes.returncode == 0, on_pipes.stderr
