"""Real child processes on Windows (``CreateProcessW``), run under Wine in CI; skipped elsewhere.

The children are the Windows CPython running the tests (``sys.executable``),
``cmd.exe`` and batch files: argument quoting, environment blocks, pipes,
NUL, exit codes, kill and deadlines are checked end to end.
"""

from __future__ import annotations

import json
import os
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows OS calls")

from _winutil import ON_WINE  # noqa: E402

from stdio2.io import Deadline, Error, ErrorKind  # noqa: E402
from stdio2.process import Command, ExitStatus, Stdio  # noqa: E402

PY = sys.executable
ECHO_ARGV = "import json, sys; sys.stdout.buffer.write(json.dumps(sys.argv[1:]).encode())"


def py(code: str, *args: str) -> Command:
    return Command(PY).args(["-c", code, *args])


def argv_of(cmd: Command) -> list[str]:
    out = cmd.output()
    assert out.status.success(), out.stderr
    result: list[str] = json.loads(out.stdout)
    return result


# -- running, exit codes, output ------------------------------------------------------


def test_output_captures_stdout_and_stderr() -> None:
    out = py("import sys; sys.stdout.buffer.write(b'out'); sys.stderr.buffer.write(b'err')").output()
    assert out.status.success()
    assert out.status.code() == 0
    assert (out.stdout, out.stderr) == (b"out", b"err")


@pytest.mark.parametrize("code", [1, 3, 255, 0x1234])
def test_exit_codes(code: int) -> None:
    status = py(f"import sys; sys.exit({code})").stdout(Stdio.null()).stderr(Stdio.null()).status()
    assert status.code() == code
    assert not status.success()
    assert status == ExitStatus(code)
    assert str(status) == f"exit code: {code}"


def test_spawn_id_and_try_wait() -> None:
    child = (
        py("import os, sys; sys.stdout.buffer.write(str(os.getpid()).encode()); sys.stdin.read()")
        .stdin(Stdio.piped())
        .stdout(Stdio.piped())
        .spawn()
    )
    assert child.try_wait() is None
    assert child.stdin is not None
    child.stdin.close()
    child.stdin = None
    out = child.wait_with_output()
    assert out.status.success()
    assert int(out.stdout) == child.id()
    assert child.try_wait() == out.status
    assert child.wait() == out.status  # the same status on every later call


def test_inherited_streams_status() -> None:
    # stdout/stderr inherited: the child sees real handles (sys.stdout is not None).
    code = "import sys; sys.exit(0 if sys.stdout is not None and sys.stderr is not None else 5)"
    assert py(code).status().success()


def test_program_not_found_is_raised_in_the_parent() -> None:
    with pytest.raises(Error) as info:
        Command("stdio2-no-such-program-xyz").spawn()
    assert info.value.kind is ErrorKind.NotFound
    assert info.value.raw_os_error() == 2
    assert "stdio2-no-such-program-xyz" in str(info.value)
    assert isinstance(info.value, FileNotFoundError)


def test_missing_directory_fails_in_the_parent(tmp_path: os.PathLike[str]) -> None:
    # CreateProcessW reports ERROR_DIRECTORY (267, NotADirectory) for a missing directory.
    with pytest.raises(Error) as info:
        py("pass").current_dir(os.path.join(os.fspath(tmp_path), "missing")).output()
    assert info.value.kind in (ErrorKind.NotADirectory, ErrorKind.NotFound)


# -- command lines ----------------------------------------------------------------------

TRICKY = [
    "plain",
    "two words",
    "",
    'say "hi"',
    "back\\slash",
    "trailing\\",
    "trailing space\\",
    '\\"',
    '\\\\"quoted\\\\"',
    "\ttab",
    "unicode ü € 😀",
    "%PATH%",
    "a&b|c<d>e^f",
]


def test_arguments_round_trip_through_argv() -> None:
    assert argv_of(py(ECHO_ARGV, *TRICKY)) == TRICKY


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=12),
        max_size=4,
    )
)
def test_arguments_round_trip_property(args: list[str]) -> None:
    assert argv_of(py(ECHO_ARGV, *args)) == args


def test_raw_arg_is_passed_unquoted() -> None:
    from stdio2.os.windows.process import CommandExt

    cmd = py(ECHO_ARGV)
    CommandExt.raw_arg(cmd, '"a b" c\\d')
    assert argv_of(cmd) == ["a b", "c\\d"]


def test_creation_flags_create_no_window() -> None:
    from stdio2.os.windows.process import CommandExt

    cmd = py("import sys; sys.stdout.buffer.write(b'ok')")
    CommandExt.creation_flags(cmd, 0x08000000)  # CREATE_NO_WINDOW
    assert cmd.output().stdout == b"ok"


def test_cmd_exe_found_on_the_system_directory() -> None:
    out = Command("cmd").args(["/c", "echo", "hello"]).output()
    assert out.status.success()
    assert out.stdout.strip() == b"hello"


def _script(tmp_path: os.PathLike[str], name: str, body: str) -> str:
    path = os.path.join(os.fspath(tmp_path), name)
    with open(path, "w") as f:
        f.write("@echo off\r\n" + body)
    return path


def test_batch_file_safe_arguments(tmp_path: os.PathLike[str]) -> None:
    script = _script(tmp_path, "show args.bat", "echo [%1] [%2] [%3]\r\nexit /b 7\r\n")
    out = Command(script).args(["hello", "two words", 'say "hi"']).output()
    assert out.status.code() == 7
    assert out.stdout.strip() == b'[hello] ["two words"] ["say ""hi"""]'


@pytest.mark.xfail(
    ON_WINE,
    strict=True,
    reason="Wine's cmd.exe expands %cd:~,% differently from Windows, so %NAME% is not kept literal",
)
def test_batch_file_percent_stays_literal(tmp_path: os.PathLike[str]) -> None:
    script = _script(tmp_path, "pct.bat", "echo [%1]\r\n")
    out = Command(script).arg("100%PATH%").output()
    assert out.stdout.strip() == b'["100%PATH%"]'


def test_batch_file_unsafe_argument_is_refused(tmp_path: os.PathLike[str]) -> None:
    script = os.path.join(os.fspath(tmp_path), "t.bat")
    marker = os.path.join(os.fspath(tmp_path), "pwned")
    with open(script, "w") as f:
        f.write("@echo off\r\necho %1\r\n")
    with pytest.raises(Error) as info:
        Command(script).arg(f"x\ncopy nul {marker}").output()
    assert info.value.kind is ErrorKind.InvalidInput
    assert not os.path.exists(marker)


def test_batch_file_quote_injection_stays_an_argument(tmp_path: os.PathLike[str]) -> None:
    script = os.path.join(os.fspath(tmp_path), "t.cmd")
    marker = os.path.join(os.fspath(tmp_path), "pwned")
    with open(script, "w") as f:
        f.write("@echo off\r\necho [%1]\r\n")
    out = Command(script).arg(f'"&copy nul {marker}').output()
    assert out.status.success()
    assert not os.path.exists(marker)


# -- environment and directory -------------------------------------------------------


def test_env_reaches_the_child_and_parent_is_unchanged() -> None:
    code = "import json, os, sys; sys.stdout.buffer.write(json.dumps(dict(os.environ)).encode())"
    os.environ["STDIO2_REMOVE_ME"] = "1"
    try:
        out = py(code).env("Stdio2_Value", "ü € spaces=and=equals").env_remove("stdio2_remove_me").output()
    finally:
        del os.environ["STDIO2_REMOVE_ME"]
    env = json.loads(out.stdout)
    assert env["STDIO2_VALUE"] == "ü € spaces=and=equals"
    assert "STDIO2_REMOVE_ME" not in env
    assert "STDIO2_VALUE" not in os.environ


def test_env_clear() -> None:
    code = "import json, os, sys; sys.stdout.buffer.write(json.dumps(sorted(os.environ)).encode())"
    os.environ["STDIO2_PARENT_ONLY"] = "1"
    try:
        out = py(code).env_clear().env("SYSTEMROOT", os.environ["SYSTEMROOT"]).env("ONLY", "1").output()
    finally:
        del os.environ["STDIO2_PARENT_ONLY"]
    assert out.status.success(), out.stderr
    names = json.loads(out.stdout)
    assert "ONLY" in names
    assert "STDIO2_PARENT_ONLY" not in names
    if not ON_WINE:  # Wine's loader adds its own variables (WINEDLLDIR0, SYSTEMDRIVE ...)
        assert names == ["ONLY", "SYSTEMROOT"]


def test_path_of_the_child_is_searched(tmp_path: os.PathLike[str]) -> None:
    d = os.fspath(tmp_path)
    with open(os.path.join(d, "stdio2probe.bat"), "w") as f:
        f.write("@echo found\r\n")
    with pytest.raises(Error):
        Command("stdio2probe.bat").output()
    out = Command("stdio2probe.bat").env("PATH", d + ";" + os.environ.get("PATH", "")).output()
    assert out.stdout.strip() == b"found"


def test_current_dir(tmp_path: os.PathLike[str]) -> None:
    out = py("import os, sys; sys.stdout.buffer.write(os.getcwd().encode())").current_dir(tmp_path).output()
    assert os.path.normcase(out.stdout.decode()) == os.path.normcase(os.fspath(tmp_path))


# -- streams ------------------------------------------------------------------------------

CAT = "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"


def test_piped_stdin_to_stdout() -> None:
    child = py(CAT).stdin(Stdio.piped()).stdout(Stdio.piped()).spawn()
    assert child.stdin is not None
    data = bytes(range(256)) * 1000
    child.stdin.write_all(data)
    out = child.wait_with_output()  # closes stdin first
    assert out.status.success()
    assert out.stdout == data


def test_big_output_on_both_pipes_does_not_deadlock() -> None:
    n = 2 * 1024 * 1024
    code = (
        "import sys\n"
        f"for _ in range({n} // 65536):\n"
        "    sys.stdout.buffer.write(b'o' * 65536); sys.stderr.buffer.write(b'e' * 65536)\n"
    )
    out = py(code).output()
    assert out.status.success()
    assert out.stdout == b"o" * n
    assert out.stderr == b"e" * n


def test_null_stdio() -> None:
    code = "import sys; d = sys.stdin.buffer.read(); print('x' * 100000); sys.exit(len(d))"
    status = py(code).stdin(Stdio.null()).stdout(Stdio.null()).status()
    assert status.code() == 0


def test_stdio_from_a_file(tmp_path: os.PathLike[str]) -> None:
    from stdio2.fs import File

    path = os.path.join(os.fspath(tmp_path), "out.txt")
    f = File.create(path)
    status = py("import sys; sys.stdout.buffer.write(b'to a file')").stdout(f).status()
    assert status.success()
    assert f.closed()  # moved into the child
    with open(path, "rb") as r:
        assert r.read() == b"to a file"


def test_stdio_from_an_owned_handle_and_reuse_refused(tmp_path: os.PathLike[str]) -> None:
    from stdio2.fs import File
    from stdio2.os.windows.io import OwnedHandle

    path = os.path.join(os.fspath(tmp_path), "in.txt")
    with open(path, "wb") as w:
        w.write(b"from a handle")
    cfg = Stdio(OwnedHandle(File.open(path)))
    cmd = py(CAT).stdin(cfg)
    assert cmd.output().stdout == b"from a handle"
    with pytest.raises(Error) as info:
        cmd.output()
    assert info.value.kind is ErrorKind.InvalidInput


def test_pipeline_child_stdout_into_next_child() -> None:
    first = py("import sys; sys.stdout.buffer.write(b'through the pipe')").stdout(Stdio.piped()).spawn()
    assert first.stdout is not None
    second = py("import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().upper())").stdin(first.stdout)
    out = second.output()
    assert out.stdout == b"THROUGH THE PIPE"
    assert first.wait().success()


def test_child_inherits_only_its_std_handles() -> None:
    # An inheritable handle of the parent must not reach the child: the
    # handle list restricts inheritance to the three std handles.
    import ctypes
    from ctypes import wintypes

    from stdio2.io import pipe

    k = ctypes.WinDLL("kernel32", use_last_error=True)
    k.SetHandleInformation.argtypes = [wintypes.HANDLE, wintypes.DWORD, wintypes.DWORD]
    k.SetHandleInformation.restype = wintypes.BOOL
    r, w = pipe()
    try:
        assert k.SetHandleInformation(w.as_raw_handle(), 1, 1)
        code = (
            "import ctypes, sys\n"
            "from ctypes import wintypes\n"
            "k = ctypes.WinDLL('kernel32')\n"
            "k.GetHandleInformation.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]\n"
            "f = wintypes.DWORD()\n"
            "sys.exit(3 if k.GetHandleInformation(int(sys.argv[1]), ctypes.byref(f)) else 0)\n"
        )
        raw = str(w.as_raw_handle())
        # Control: inheriting everything (subprocess with close_fds=False) passes it on.
        import subprocess

        control = subprocess.run([PY, "-c", code, raw], close_fds=False, capture_output=True, check=False)
        assert control.returncode == 3, control.stderr
        out = py(code, raw).output()
        assert out.status.code() == 0, out.stderr
    finally:
        r.close()
        w.close()


# -- kill and deadlines ---------------------------------------------------------------------

SLEEP = "import time; time.sleep(60)"


def test_kill_then_wait_and_kill_again() -> None:
    child = py(SLEEP).spawn()
    child.kill()
    status = child.wait()
    assert status.code() == 1  # TerminateProcess(h, 1)
    child.kill()  # already exited: not an error


def test_kill_after_exit_is_ok() -> None:
    child = py("pass").spawn()
    deadline = time.monotonic() + 30
    while child.try_wait() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    child.kill()
    assert child.wait().success()


def test_deadline_on_wait() -> None:
    child = py(SLEEP).spawn()
    try:
        t0 = time.monotonic()
        with Deadline.after(0.3), pytest.raises(Error) as info:
            child.wait()
        assert info.value.kind is ErrorKind.TimedOut
        assert time.monotonic() - t0 < 10
        assert child.try_wait() is None  # still running
    finally:
        child.kill()
        child.wait()


def test_deadline_on_output_kills_the_child() -> None:
    t0 = time.monotonic()
    with Deadline.after(0.5), pytest.raises(Error) as info:
        py(
            "import sys, time; sys.stdout.buffer.write(b'partial'); sys.stdout.flush(); time.sleep(60)"
        ).output()
    assert info.value.kind is ErrorKind.TimedOut
    assert time.monotonic() - t0 < 15


def test_wait_with_output_under_a_deadline_that_holds() -> None:
    with Deadline.after(60):
        out = py("import sys; sys.stdout.buffer.write(b'x' * 300000); sys.stderr.buffer.write(b'y')").output()
    assert out.stdout == b"x" * 300000
    assert out.stderr == b"y"


def test_with_block_kill_on_drop() -> None:
    with py(SLEEP).kill_on_drop(True).spawn() as child:
        pass
    assert child.try_wait() is not None


def test_kill_from_another_thread_ends_a_blocking_wait() -> None:
    import threading

    child = py(SLEEP).spawn()
    timer = threading.Timer(0.3, child.kill)
    timer.start()
    try:
        assert child.wait().code() == 1
    finally:
        timer.join()
