"""Child: waiting, killing, pipes, pipelines, output without deadlock, deadlines, kill policies."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from stdio2.fs import File
from stdio2.io import Deadline, Error, ErrorKind, Read, Write, pipe
from stdio2.os.fd import OwnedFd
from stdio2.os.unix.process import ChildExt, CommandExt, ExitStatusExt
from stdio2.process import (
    Child,
    ChildStderr,
    ChildStdin,
    ChildStdout,
    Command,
    ExitStatus,
    ExitStatusError,
    Output,
    Stdio,
)

PY = sys.executable


def py(code: str) -> Command:
    return Command(PY).args(["-c", code])


def alive(pid: int) -> bool:
    """Whether *pid* exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid: int, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not alive(pid):
            return True
        time.sleep(0.01)
    return False


# -- status and output -------------------------------------------------------------------------


def test_status_success_failure_and_codes() -> None:
    ok = Command("true").status()
    assert ok.success() and ok.code() == 0 and str(ok) == "exit status: 0"
    bad = Command("sh").args(["-c", "exit 7"]).status()
    assert not bad.success() and bad.code() == 7 and str(bad) == "exit status: 7"
    with pytest.raises(ExitStatusError) as info:
        bad.exit_ok()
    assert info.value.code() == 7
    assert info.value.into_status() == bad
    assert str(info.value) == "process exited unsuccessfully: exit status: 7"
    ok.exit_ok()


def test_signalled_status_display_and_code_none() -> None:
    child = Command("sleep").arg("30").spawn()
    child.kill()
    status = child.wait()
    assert status.code() is None and not status.success()
    assert str(status) == "signal: 9 (SIGKILL)"
    assert ExitStatusExt.signal(status) == signal.SIGKILL
    assert repr(status) == "ExitStatus(signal: 9 (SIGKILL))"


def test_exit_status_is_a_hashable_value() -> None:
    a = ExitStatusExt.from_raw(0x100)
    assert a == ExitStatusExt.from_raw(0x100) and hash(a) == hash(ExitStatusExt.from_raw(0x100))
    assert a.code() == 1 and ExitStatus() == ExitStatusExt.from_raw(0)
    assert ExitStatus().success()
    with pytest.raises(AttributeError):
        a._raw = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        ExitStatusError(ExitStatus())


def test_output_defaults_capture_both_and_null_stdin() -> None:
    out = py("import sys; d = sys.stdin.read(); sys.stdout.write('o' + d); sys.stderr.write('e')").output()
    assert out == Output(ExitStatus(), b"o", b"e")


def test_output_respects_explicit_stdio() -> None:
    out = py("import sys; sys.stdout.write('o'); sys.stderr.write('e')").stdout(Stdio.null()).output()
    assert out.stdout == b"" and out.stderr.startswith(b"e")  # then BrokenPipeError


def test_output_value_type() -> None:
    out = Output(ExitStatus(), bytearray(b"x"), b"")
    assert out.stdout == b"x" and isinstance(out.stdout, bytes)
    with pytest.raises(TypeError):
        Output(0, b"", b"")  # type: ignore[arg-type]


def test_many_megabytes_on_both_streams_do_not_deadlock() -> None:
    size = 8 << 20
    code = (
        "import os\n"
        f"b = b'o' * 65536; e = b'e' * 65536\n"
        f"for _ in range({size} // 65536):\n"
        "    os.write(1, b); os.write(2, e)\n"
    )
    with Deadline.after(20):
        out = py(code).output()
    assert out.status.success()
    assert len(out.stdout) == size and len(out.stderr) == size
    assert out.stdout.count(b"o") == size and out.stderr.count(b"e") == size


def test_output_leaves_no_thread_behind() -> None:
    before = threading.active_count()
    py("print('x' * 100000)").output()
    assert threading.active_count() == before


def test_closed_pipes_left_on_the_child_are_skipped() -> None:
    child = (
        py("import sys; sys.stderr.write('e'); sys.stderr.flush(); sys.stdout.write('o')")
        .stdout(Stdio.piped())
        .stderr(Stdio.piped())
        .spawn()
    )
    assert child.stdout is not None
    child.stdout.close()
    out = child.wait_with_output()
    assert out.stdout == b"" and out.stderr.startswith(b"e")  # then BrokenPipeError


def test_stdio_from_the_std_stream_handles() -> None:
    from stdio2.io import stderr as std_err

    assert Command("true").stdout(Stdio(std_err())).status().success()


def test_single_captured_stream_is_read_whole() -> None:
    out = Command("head").args(["-c", str(3 << 20), "/dev/zero"]).stderr(Stdio.inherit()).output()
    assert out.stdout == bytes(3 << 20)


# -- spawn, pipes, wait ------------------------------------------------------------------------


def test_spawn_inherits_by_default_and_pipes_are_none() -> None:
    child = Command("true").spawn()
    assert child.stdin is None and child.stdout is None and child.stderr is None
    assert child.id() > 0
    assert child.wait().success()
    assert child.wait().success()  # same answer again
    assert "exit status: 0" in repr(child)


def test_piped_streams_are_child_pipe_types() -> None:
    child = Command("cat").stdin(Stdio.piped()).stdout(Stdio.piped()).stderr(Stdio.piped()).spawn()
    assert isinstance(child.stdin, ChildStdin) and isinstance(child.stdin, Write)
    assert isinstance(child.stdout, ChildStdout) and isinstance(child.stdout, Read)
    assert isinstance(child.stderr, ChildStderr)
    child.stdin.write_all(b"echo me")
    out = child.wait_with_output()
    assert out.stdout == b"echo me" and out.stderr == b""
    assert child.stdin is None and child.stdout is None and child.stderr is None


def test_wait_closes_stdin_first_so_cat_ends() -> None:
    child = Command("cat").stdin(Stdio.piped()).stdout(Stdio.null()).spawn()
    assert child.stdin is not None
    child.stdin.write(b"data")
    with Deadline.after(10):
        assert child.wait().success()
    assert child.stdin is None


def test_try_wait_before_and_after_exit() -> None:
    child = Command("cat").stdin(Stdio.piped()).spawn()
    assert child.try_wait() is None
    assert child.stdin is not None
    child.stdin.close()
    with Deadline.after(10):
        status = child.wait()
    assert child.try_wait() == status


def test_kill_after_exit_is_ok_and_does_not_signal_anyone() -> None:
    child = Command("true").spawn()
    child.wait()
    child.kill()
    child.kill()


def test_kill_from_another_thread_while_waiting() -> None:
    child = Command("sleep").arg("30").spawn()
    timer = threading.Timer(0.2, child.kill)
    timer.start()
    try:
        status = child.wait()
    finally:
        timer.join()
    assert ExitStatusExt.signal(status) == signal.SIGKILL


def test_concurrent_waiters_agree() -> None:
    child = Command("sleep").arg("0.2").spawn()
    results: list[ExitStatus] = []

    def waiter() -> None:
        results.append(child.wait())

    threads = [threading.Thread(target=waiter) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == results[0] and r.success() for r in results)


def test_context_manager_closes_pipes_and_waits() -> None:
    with Command("cat").stdin(Stdio.piped()).stdout(Stdio.piped()).spawn() as child:
        out = child.stdout
        assert child.stdin is not None
        child.stdin.write_all(b"x")
    assert child.try_wait() is not None
    assert out is not None and out.closed()


def test_pipe_write_after_child_exit_is_broken_pipe() -> None:
    child = Command("true").stdin(Stdio.piped()).spawn()
    stdin = child.stdin
    assert stdin is not None
    child.stdin = None
    child.wait()
    with stdin, pytest.raises(Error) as info:
        stdin.write_all(b"x" * 100000)
    assert info.value.kind is ErrorKind.BrokenPipe


# -- Stdio from descriptors and pipelines ------------------------------------------------------


def test_pipeline_a_stdout_feeds_b_stdin() -> None:
    a = Command("printf").arg("b\\na\\nc\\n").stdout(Stdio.piped()).spawn()
    assert a.stdout is not None
    b = Command("sort").stdin(Stdio(a.stdout)).stdout(Stdio.piped()).spawn()
    assert a.stdout.closed()  # moved into the Stdio, then given to b
    out = b.wait_with_output()
    assert a.wait().success()
    assert out.stdout == b"a\nb\nc\n"


def test_child_stdout_accepted_directly_as_stdin() -> None:
    a = Command("echo").arg("direct").stdout(Stdio.piped()).spawn()
    b = Command("cat").stdin(a.stdout).output()
    a.wait()
    assert b.stdout == b"direct\n"


def test_yes_into_head_ends_by_sigpipe_in_the_writer() -> None:
    # Python ignores SIGPIPE; the child must get the default back or `yes` spins for ever.
    yes = Command("yes").stdout(Stdio.piped()).spawn()
    head = Command("head").args(["-n", "3"]).stdin(Stdio(yes.stdout)).stdout(Stdio.piped()).spawn()
    with Deadline.after(10):
        out = head.wait_with_output()
        status = yes.wait()
    assert out.stdout == b"y\ny\ny\n"
    assert ExitStatusExt.signal(status) == signal.SIGPIPE


def test_sigxfsz_is_default_in_children(tmp_path: Path) -> None:
    # The exec'd head is our direct child: over RLIMIT_FSIZE it must die of SIGXFSZ.
    script = 'ulimit -f 0; exec head -c 2000 /dev/zero > "$0"'
    for cmd in (Command("sh"), Command("sh").current_dir(tmp_path)):
        status = cmd.args(["-c", script, str(tmp_path / "big")]).status()
        assert ExitStatusExt.signal(status) == signal.SIGXFSZ


def test_children_ignore_no_signals_and_block_none() -> None:
    for cmd in (Command("cat"), Command("cat").current_dir("/")):
        out = cmd.arg("/proc/self/status").output().stdout.decode()
        fields = dict(line.split(":\t", 1) for line in out.splitlines() if ":\t" in line)
        ignored = int(fields["SigIgn"], 16)
        assert not ignored & (1 << (signal.SIGPIPE - 1))
        assert not ignored & (1 << (signal.SIGXFSZ - 1))


def test_stdio_from_files(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(b"from a file\n")
    dst = tmp_path / "out.txt"
    fin, fout = File.open(src), File.create(dst)
    status = Command("cat").stdin(Stdio(fin)).stdout(Stdio(fout)).status()
    assert status.success()
    assert fin.closed() and fout.closed()  # ownership moved to the child
    assert dst.read_bytes() == b"from a file\n"


def test_stdio_from_owned_fd_and_pipe_ends() -> None:
    r, w = pipe()
    child = Command("echo").arg("via pipe").stdout(Stdio(OwnedFd(w))).spawn()
    with r:
        child.wait()
        assert r.read_to_end(bytearray()) == len(b"via pipe\n")


def test_stdio_from_a_borrow_duplicates() -> None:
    r, w = pipe()
    with r, w:
        Command("echo").arg("dup").stdout(Stdio(w.as_fd())).status()
        assert not w.closed()
        buf = bytearray(16)
        assert bytes(buf[: r.read(buf)]) == b"dup\n"


def test_a_descriptor_stdio_is_used_once() -> None:
    r, w = pipe()
    with r:
        cmd = Command("true").stdout(Stdio(w))
        cmd.status()
        with pytest.raises(Error) as info:
            cmd.status()
        assert info.value.kind is ErrorKind.InvalidInput


def test_no_descriptor_leaks_into_the_child(tmp_path: Path) -> None:
    keep = [File.create(tmp_path / f"f{i}") for i in range(3)]
    r, w = pipe()
    inheritable = os.dup(0)
    os.set_inheritable(inheritable, True)
    try:
        for cmd in (
            Command("ls").arg("/proc/self/fd"),
            Command("ls").arg("/proc/self/fd").current_dir("/"),  # the Popen path
        ):
            out = cmd.stdin(Stdio.piped()).output()
            fds = sorted(int(n) for n in out.stdout.split())
            # 0, 1, 2 and the directory ls is listing.
            assert len(fds) == 4 and fds[:3] == [0, 1, 2], fds
    finally:
        os.close(inheritable)
        r.close()
        w.close()
        for f in keep:
            f.close()


# -- deadlines ---------------------------------------------------------------------------------


def test_wait_honours_deadline_and_child_keeps_running() -> None:
    child = Command("sleep").arg("30").spawn()
    t0 = time.monotonic()
    with Deadline.after(0.2), pytest.raises(Error) as info:
        child.wait()
    assert info.value.kind is ErrorKind.TimedOut
    assert 0.15 < time.monotonic() - t0 < 3
    assert child.try_wait() is None and alive(child.id())
    child.kill()
    assert ExitStatusExt.signal(child.wait()) == signal.SIGKILL


def test_wait_under_a_generous_deadline_returns_promptly() -> None:
    child = Command("sleep").arg("0.1").spawn()
    t0 = time.monotonic()
    with Deadline.after(30):
        assert child.wait().success()
    assert time.monotonic() - t0 < 5


def test_wait_with_output_timeout_keeps_partial_output() -> None:
    child = (
        py(
            "import sys, time\nsys.stdout.write('first'); sys.stdout.flush()\n"
            "sys.stdin.readline()\nsys.stdout.write('second')\n"
        )
        .stdin(Stdio.piped())
        .stdout(Stdio.piped())
        .stderr(Stdio.piped())
        .spawn()
    )
    stdin = child.stdin
    child.stdin = None  # keep it: wait_with_output would close it
    with Deadline.after(0.5), pytest.raises(Error) as info:
        child.wait_with_output()
    assert info.value.kind is ErrorKind.TimedOut
    assert child.stdout is not None  # the pipes stay with the child
    assert stdin is not None
    stdin.write_all(b"go\n")
    stdin.close()
    out = child.wait_with_output()
    assert out.stdout == b"firstsecond" and out.status.success()


def test_output_under_expired_deadline_kills_and_reaps() -> None:
    cmd = py("import time, os; print(os.getpid(), flush=True); time.sleep(30)")
    t0 = time.monotonic()
    with Deadline.after(0.3), pytest.raises(Error) as info:
        cmd.output()
    assert info.value.kind is ErrorKind.TimedOut
    assert time.monotonic() - t0 < 5


def test_status_under_deadline_kills_the_child() -> None:
    with Deadline.after(0.2), pytest.raises(Error) as info:
        Command("sleep").arg("30").stdout(Stdio.piped()).status()
    assert info.value.kind is ErrorKind.TimedOut


# -- kill policies -----------------------------------------------------------------------------


def test_terminate_then_kill_uses_sigterm_when_it_suffices() -> None:
    child = Command("sleep").arg("30").spawn()
    status = child.terminate_then_kill(5.0)
    assert ExitStatusExt.signal(status) == signal.SIGTERM


def test_terminate_then_kill_escalates_to_sigkill() -> None:
    child = (
        py(
            "import signal, sys, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "print('ready', flush=True)\ntime.sleep(30)"
        )
        .stdout(Stdio.piped())
        .spawn()
    )
    assert child.stdout is not None
    buf = bytearray(6)
    child.stdout.read_exact(buf)
    t0 = time.monotonic()
    status = child.terminate_then_kill(0.3)
    assert ExitStatusExt.signal(status) == signal.SIGKILL
    assert time.monotonic() - t0 < 5
    assert child.stdout is None


def test_terminate_then_kill_does_not_hang_on_grandchildren_holding_pipes() -> None:
    # The grandchild inherits stdout/stderr and outlives its parent: reading
    # to EOF would hang for 30 s; the policy closes our ends instead.
    child = (
        Command("sh")
        .args(["-c", "sleep 30 & echo started; wait"])
        .stdout(Stdio.piped())
        .stderr(Stdio.piped())
        .spawn()
    )
    assert child.stdout is not None
    child.stdout.read_exact(bytearray(8))
    t0 = time.monotonic()
    child.terminate_then_kill(0.2)
    assert time.monotonic() - t0 < 5


def test_process_group_is_killed_as_a_group() -> None:
    cmd = Command("sh").args(["-c", "sleep 30 & echo $!; wait"]).stdout(Stdio.piped())
    CommandExt.process_group(cmd, 0)
    child = cmd.spawn()
    assert os.getpgid(child.id()) == child.id()
    assert child.stdout is not None
    line = bytearray()
    while not line.endswith(b"\n"):
        buf = bytearray(32)
        line += buf[: child.stdout.read(buf)]
    grandchild = int(line)
    assert os.getpgid(grandchild) == child.id()
    status = child.terminate_then_kill(2.0)
    assert status.code() is None
    assert wait_gone(grandchild)


def test_group_signal_needs_a_group_leader() -> None:
    child = Command("sleep").arg("30").spawn()
    try:
        with pytest.raises(Error) as info:
            ChildExt.send_group_signal(child, signal.SIGTERM)
        assert info.value.kind is ErrorKind.InvalidInput
        ChildExt.send_signal(child, signal.SIGTERM)
        assert ExitStatusExt.signal(child.wait()) == signal.SIGTERM
        ChildExt.send_signal(child, signal.SIGTERM)  # reaped: no-op
    finally:
        child.kill()
        child.wait()


def test_kill_group_reaches_grandchildren() -> None:
    cmd = CommandExt.process_group(Command("sh").args(["-c", "sleep 30 & echo $!; wait"]), 0)
    child = cmd.stdout(Stdio.piped()).spawn()
    assert child.stdout is not None
    data = bytearray()
    while not data.endswith(b"\n"):
        buf = bytearray(32)
        data += buf[: child.stdout.read(buf)]
    ChildExt.kill_group(child)
    assert ExitStatusExt.signal(child.wait()) == signal.SIGKILL
    assert wait_gone(int(data))
    child.stdout.close()


def test_kill_on_drop_kills_a_collected_child() -> None:
    child = Command("sleep").arg("30").kill_on_drop(True).spawn()
    pid = child.id()
    del child
    gc.collect()
    assert wait_gone(pid)


def test_kill_on_drop_with_context_manager() -> None:
    with Command("sleep").arg("30").kill_on_drop(True).spawn() as child:
        pass
    assert ExitStatusExt.signal(child.wait()) == signal.SIGKILL


def test_unwaited_child_warns_and_is_reaped() -> None:
    child = Command("true").spawn()
    pid = child.id()
    wait_gone(pid)
    time.sleep(0.05)
    with pytest.warns(ResourceWarning, match="neither waited for nor killed"):
        del child
        gc.collect()
    assert not os.path.exists(f"/proc/{pid}")  # reaped: no zombie


def test_unwaited_running_child_is_reaped_later() -> None:
    child = Command("sleep").arg("0.1").spawn()
    pid = child.id()
    with pytest.warns(ResourceWarning):
        del child
        gc.collect()
    time.sleep(0.3)
    Command("true").status()  # the next spawn reaps orphans
    assert not os.path.exists(f"/proc/{pid}")


def test_terminate_then_kill_argument_checks() -> None:
    child = Command("true").spawn()
    child.wait()
    with pytest.raises(TypeError):
        child.terminate_then_kill("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        child.terminate_then_kill(-1)
    assert child.terminate_then_kill(1).success()


def test_child_cannot_be_constructed_directly() -> None:
    with pytest.raises(TypeError):
        Child()
