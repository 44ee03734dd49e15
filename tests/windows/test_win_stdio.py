"""stdio2's standard streams on Windows: pipes, NULL std handles, a real console; skipped elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows OS calls")

from _winutil import run_python  # noqa: E402

DETACHED_PROCESS = 0x00000008
CREATE_NO_WINDOW = 0x08000000

NULL_STD_CHILD = textwrap.dedent(
    """
    import json, sys
    res = {"sys_stdout_none": sys.stdout is None, "sys_stdin_none": sys.stdin is None}
    from stdio2.io import Error, ErrorKind, stderr, stdin, stdout
    out = stdout()
    out.write_all(b"into the void\\n" * 200)
    out.flush()
    res["written"] = out.write(b"abc")
    stderr().write_all(b"nobody hears this")
    buf = bytearray()
    res["stdin_read"] = stdin().read_to_end(buf)
    res["line"] = stdin().read_line()
    res["raw_out"] = out.as_raw_handle()
    res["raw_in"] = stdin().as_raw_handle()
    res["repr"] = repr(out.as_handle())
    res["is_terminal"] = [stdin().is_terminal(), out.is_terminal(), stderr().is_terminal()]
    try:
        out.as_handle().try_clone_to_owned()
    except Error as e:
        res["clone_kind"] = e.kind.name
    with open(sys.argv[1], "w") as f:
        json.dump(res, f)
    """
)


@pytest.mark.parametrize("flags", [0, DETACHED_PROCESS], ids=["usestdhandles", "detached"])
def test_null_std_handles_are_sink_and_eof(tmp_path: Path, flags: int) -> None:
    result = tmp_path / "result.json"
    rc = run_python(NULL_STD_CHILD, str(result), creation_flags=flags, null_std=True)
    assert rc == 0
    res = json.loads(result.read_text())
    assert res["sys_stdout_none"] and res["sys_stdin_none"]  # where Python gives up
    assert res["written"] == 3  # stdio2's stdout is a sink
    assert res["stdin_read"] == 0 and res["line"] == ""  # and stdin is at EOF
    assert res["raw_out"] == 0 and res["raw_in"] == 0
    assert res["repr"] == "BorrowedHandle(NULL)"
    assert res["is_terminal"] == [False, False, False]
    assert res["clone_kind"] == "InvalidInput"


PIPE_CHILD = textwrap.dedent(
    """
    import sys
    from stdio2.io import stdin, stdout, stderr
    data = bytearray()
    stdin().read_to_end(data)
    out = stdout()
    out.write_all(b"got %d bytes\\n" % len(data))
    out.write_all(bytes(data[::-1]))
    out.write_all(b"tail without newline")
    stderr().write_all(("é" * 3).encode())
    h = out.as_raw_handle()
    assert h != 0 and not out.is_terminal(), h
    """
)


def test_std_streams_over_pipes(tmp_path: Path) -> None:
    payload = bytes(range(256)) * 300 + b"\xff\xfe not utf-8 is fine in a pipe"
    proc = subprocess.run(
        [sys.executable, "-c", PIPE_CHILD],
        input=payload,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    head = b"got %d bytes\n" % len(payload)
    assert proc.stdout == head + payload[::-1] + b"tail without newline"  # flushed at exit
    assert proc.stderr == "é".encode() * 3


def test_stdout_to_closed_pipe_is_broken_pipe() -> None:
    code = textwrap.dedent(
        """
        import sys, time
        from stdio2.io import Error, stdout, stderr
        sys.stdin.read()  # wait until the parent closed our stdout's reader
        try:
            for _ in range(100):
                stdout().write_all(b"x" * 65536)
                stdout().flush()
        except Error as e:
            stderr().write_all(f"{e.kind.name} {e.raw_os_error()}".encode())
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdin is not None and proc.stderr is not None
    proc.stdout.close()
    proc.stdin.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    kind, code_text = err.decode().split()
    assert kind == "BrokenPipe" and int(code_text) in (109, 232)


CONSOLE_CHILD = textwrap.dedent(
    """
    import ctypes, json, sys
    from ctypes import wintypes as w
    from stdio2.io import Error, ErrorKind, stderr, stdin, stdout

    k = ctypes.WinDLL("kernel32", use_last_error=True)
    res = {}

    class COORD(ctypes.Structure):
        _fields_ = [("X", ctypes.c_short), ("Y", ctypes.c_short)]

    class KEY_EVENT_RECORD(ctypes.Structure):
        _fields_ = [("bKeyDown", w.BOOL), ("wRepeatCount", w.WORD),
                    ("wVirtualKeyCode", w.WORD), ("wVirtualScanCode", w.WORD),
                    ("UnicodeChar", w.WCHAR), ("dwControlKeyState", w.DWORD)]

    class INPUT_RECORD(ctypes.Structure):
        _fields_ = [("EventType", w.WORD), ("_pad", w.WORD), ("Event", KEY_EVENT_RECORD)]

    k.ReadConsoleOutputCharacterW.argtypes = [w.HANDLE, w.LPWSTR, w.DWORD, COORD,
                                              ctypes.POINTER(w.DWORD)]
    k.WriteConsoleInputW.argtypes = [w.HANDLE, ctypes.POINTER(INPUT_RECORD), w.DWORD,
                                     ctypes.POINTER(w.DWORD)]
    k.GetStdHandle.restype = w.HANDLE
    hout, hin = k.GetStdHandle(-11 & 0xFFFFFFFF), k.GetStdHandle(-10 & 0xFFFFFFFF)

    out = stdout()
    res["is_terminal"] = [stdin().is_terminal(), out.is_terminal()]
    text = "h\\u00e9llo \\u2603 \\U0001d11e!"
    data = text.encode()
    cut = data.index(b"\\xf0") + 2  # in the middle of the 4-byte U+1D11E
    out.write_all(data[:cut])  # the unfinished sequence is kept ...
    out.flush()
    out.write_all(data[cut:])  # ... and completed here
    out.flush()
    try:
        stderr().write(b"\\xff\\xfebad")  # unbuffered: the console write itself fails
    except Error as e:
        res["invalid_kind"] = e.kind.name
    try:
        stderr().write(b"\\xc3(")  # an unfinished sequence followed by a non-continuation
    except Error as e:
        res["invalid_kind2"] = e.kind.name
    out.write_all(b"|")
    out.flush()
    buf = ctypes.create_unicode_buffer(80)
    n = w.DWORD()
    k.ReadConsoleOutputCharacterW(hout, buf, 40, COORD(0, 0), ctypes.byref(n))
    res["screen"] = buf.value[: n.value].rstrip()

    line = "caf\\u00e9 \\U0001f600\\r"
    units = line.encode("utf-16-le")
    chars = [int.from_bytes(units[i:i + 2], "little") for i in range(0, len(units), 2)]
    recs = (INPUT_RECORD * len(chars))()
    for r, c in zip(recs, chars):
        r.EventType = 1
        r.Event.bKeyDown = 1
        r.Event.wRepeatCount = 1
        r.Event.UnicodeChar = chr(c)
        r.Event.wVirtualKeyCode = 0x0D if c == 13 else 0
    done = w.DWORD()
    res["queued"] = bool(k.WriteConsoleInputW(hin, recs, len(chars), ctypes.byref(done)))
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(res, f)
    res["line"] = stdin().read_line()
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(res, f)
    """
)


def test_console_output_is_utf16_and_input_is_utf8(tmp_path: Path) -> None:
    result = tmp_path / "console.json"
    try:
        rc = run_python(CONSOLE_CHILD, str(result), creation_flags=CREATE_NO_WINDOW, timeout=20)
    finally:
        if result.exists():
            print(result.read_text(encoding="utf-8"))
    assert rc == 0
    res = json.loads(result.read_text(encoding="utf-8"))
    assert res["is_terminal"] == [True, True]
    assert res["invalid_kind"] == res["invalid_kind2"] == "InvalidData"
    # Nothing of the invalid write reached the screen; the split character did.
    assert res["screen"] == "h\u00e9llo \u2603 \U0001d11e!|"
    assert res["queued"]
    assert res["line"].rstrip("\r\n") == "caf\u00e9 \U0001f600"


def test_parent_std_handles_are_borrowed_not_owned() -> None:
    from stdio2.io import stdout

    h = stdout().as_handle()
    raw = stdout().as_raw_handle()
    assert h.as_raw_handle() == raw
    if raw:
        with h.try_clone_to_owned() as dup:  # a DuplicateHandle copy, closed alone
            assert dup.as_raw_handle() != raw
    assert os.get_handle_inheritable(raw) in (True, False) if raw else True
