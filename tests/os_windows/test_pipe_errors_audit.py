"""Audit (issue 3), Windows pipes: a kept error must not hold the pipe handle open.

The Unix pipes drop their reference to the descriptor's cell before an
error propagates (tests/io/test_pipe.py); the Windows ends used to keep it in
the failing frame, so an exception object the caller kept (and its
traceback) deferred the real ``CloseHandle`` of a closed end indefinitely.
Runs on Windows only (under Wine here: tests/windows/run-under-wine.sh).
"""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows pipes (CreatePipe)")


def test_a_kept_timeout_does_not_hold_the_read_end_open() -> None:
    from stdio2.io import Deadline, Error, ErrorKind, pipe

    r, w = pipe()
    try:
        with Deadline.after(0.05):
            r.read(bytearray(4))
    except Error as e:
        kept = e
    assert kept.kind is ErrorKind.TimedOut
    r.close()
    # The read end is really closed now, although `kept` (and its
    # traceback) is alive: the writer sees no reader left.
    with pytest.raises(Error) as info:
        w.write(b"x")
    assert info.value.kind is ErrorKind.BrokenPipe
    w.close()
    del kept

