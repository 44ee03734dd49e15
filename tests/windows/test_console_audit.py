"""Audit (issue 9): Ctrl-Z in console input ends a read at once and is not data, as in Rust.

Rust reads the console with ``ReadConsoleW`` and a
``CONSOLE_READCONSOLE_CONTROL`` whose ``dwCtrlWakeupMask`` has the Ctrl-Z
bit, so the read returns as soon as Ctrl-Z is typed (no Enter needed), and
then drops that trailing Ctrl-Z: typed first it is end of file, typed after
some text it ends the read with that text. stdio2 used to pass no control:
a Ctrl-Z after text waited for Enter and came back as a 0x1A byte. The
child gets a hidden console of its own (``CREATE_NO_WINDOW``) and its input
is queued with ``WriteConsoleInputW``.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows console")

from _winutil import run_python  # noqa: E402

CREATE_NO_WINDOW = 0x08000000

CHILD = textwrap.dedent(
    """
    import ctypes, json, sys
    from ctypes import wintypes as w
    from stdio2.io import stdin

    k = ctypes.WinDLL("kernel32", use_last_error=True)

    class KEY_EVENT_RECORD(ctypes.Structure):
        _fields_ = [("bKeyDown", w.BOOL), ("wRepeatCount", w.WORD),
                    ("wVirtualKeyCode", w.WORD), ("wVirtualScanCode", w.WORD),
                    ("UnicodeChar", w.WCHAR), ("dwControlKeyState", w.DWORD)]

    class INPUT_RECORD(ctypes.Structure):
        _fields_ = [("EventType", w.WORD), ("_pad", w.WORD), ("Event", KEY_EVENT_RECORD)]

    k.WriteConsoleInputW.argtypes = [w.HANDLE, ctypes.POINTER(INPUT_RECORD), w.DWORD,
                                     ctypes.POINTER(w.DWORD)]
    k.GetStdHandle.restype = w.HANDLE
    hin = k.GetStdHandle(-10 & 0xFFFFFFFF)

    def type_keys(text):
        recs = (INPUT_RECORD * len(text))()
        for r, ch in zip(recs, text):
            r.EventType = 1
            r.Event.bKeyDown = 1
            r.Event.wRepeatCount = 1
            r.Event.UnicodeChar = ch
            r.Event.wVirtualKeyCode = 0x0D if ch == "\\r" else 0
        done = w.DWORD()
        assert k.WriteConsoleInputW(hin, recs, len(text), ctypes.byref(done))

    res = {}
    raw = stdin()
    type_keys("ab\\x1a")  # no Enter: Ctrl-Z alone must end the read
    buf = bytearray(64)
    n = raw.read(buf)
    res["after_text"] = buf[:n].decode()
    type_keys("\\x1a")
    res["alone"] = raw.read(buf)
    type_keys("next\\r")
    res["line"] = raw.read_line()
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(res, f)
    """
)


def test_ctrl_z_ends_a_console_read_and_is_dropped(tmp_path: Path) -> None:
    result = tmp_path / "ctrlz.json"
    rc = run_python(CHILD, str(result), creation_flags=CREATE_NO_WINDOW, timeout=15)
    assert rc == 0
    res = json.loads(result.read_text(encoding="utf-8"))
    assert res == {"after_text": "ab", "alone": 0, "line": "next\r\n"}
