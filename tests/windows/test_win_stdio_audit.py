"""Audit (issue 9): std handles that are INVALID_HANDLE_VALUE, or stale, act like absent ones.

tests/windows/test_win_stdio.py covers NULL std handles. Rust treats
``INVALID_HANDLE_VALUE`` from ``GetStdHandle`` the same way (and lends NULL
for it, since -1 would alias the current-process pseudo handle), and a
handle that fails with ``ERROR_INVALID_HANDLE`` on use as a sink too. The
child here sets its std handles with ``SetStdHandle`` (stdio2 asks
``GetStdHandle`` on every call, so it sees the change at once).
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows OS calls")

from _winutil import run_python  # noqa: E402

CHILD = textwrap.dedent(
    """
    import ctypes, json, sys
    from stdio2.io import stdin, stdout, stderr
    k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    k32.SetStdHandle.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
    k32.CreateEventW.restype = ctypes.c_void_p
    k32.CloseHandle.argtypes = [ctypes.c_void_p]
    STD = {"in": 0xFFFFFFF6, "out": 0xFFFFFFF5, "err": 0xFFFFFFF4}
    res = {}

    def probe(tag):
        out = stdout()
        res[tag] = {
            "written": out.write(b"abc"),
            "write_all": out.write_all(b"x" * 10000) is None,
            "err_written": stderr().write(b"e"),
            "read": stdin().read(bytearray(8)),
            "raw": [stdin().as_raw_handle(), out.as_raw_handle(), stderr().as_raw_handle()],
            "tty": [stdin().is_terminal(), out.is_terminal(), stderr().is_terminal()],
        }

    for name, std in STD.items():
        assert k32.SetStdHandle(std, ctypes.c_void_p(-1))
    probe("invalid")
    # A stale handle: a real handle value, closed before use.
    stale = k32.CreateEventW(None, True, False, None)
    assert stale and k32.CloseHandle(stale)
    for name, std in STD.items():
        assert k32.SetStdHandle(std, stale)
    probe("stale")
    with open(sys.argv[1], "w") as f:
        json.dump(res, f)
    """
)


def test_invalid_and_stale_std_handles_are_sink_and_eof(tmp_path: Path) -> None:
    result = tmp_path / "result.json"
    rc = run_python(CHILD, str(result), null_std=True)
    assert rc == 0
    res = json.loads(result.read_text())
    invalid = res["invalid"]
    assert invalid["written"] == 3 and invalid["write_all"] and invalid["err_written"] == 1
    assert invalid["read"] == 0
    assert invalid["raw"] == [0, 0, 0]  # NULL, never -1 (the current-process pseudo handle)
    assert invalid["tty"] == [False, False, False]
    stale = res["stale"]
    assert stale["written"] == 3 and stale["write_all"] and stale["err_written"] == 1
    assert stale["read"] == 0
    assert stale["tty"] == [False, False, False]
