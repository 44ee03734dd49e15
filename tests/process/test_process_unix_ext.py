"""Unix and Linux extensions: CommandExt, ExitStatusExt, ChildExt, pidfds; exit/abort/id."""

from __future__ import annotations

import os
import select
import signal
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stdio2.io import Deadline, Error, ErrorKind
from stdio2.os.linux import process as linux_process
from stdio2.os.linux.process import ChildExt as LinuxChildExt
from stdio2.os.linux.process import CommandExt as LinuxCommandExt
from stdio2.os.linux.process import PidFd
from stdio2.os.unix.process import CommandExt, ExitStatusExt
from stdio2.process import Command, ExitStatus, Stdio

PY = sys.executable
AS_ROOT = os.geteuid() == 0


def py(code: str) -> Command:
    return Command(PY).args(["-c", code])


# -- ExitStatusExt -------------------------------------------------------------------------------


@given(st.integers(0, 255))
def test_exit_codes_round_trip_through_raw(code: int) -> None:
    status = ExitStatusExt.from_raw(code << 8)
    assert status.code() == code and ExitStatusExt.signal(status) is None
    assert ExitStatusExt.into_raw(status) == code << 8
    assert str(status) == f"exit status: {code}"


@given(st.integers(1, 31), st.booleans())
def test_signal_statuses_decode(sig: int, core: bool) -> None:
    raw = sig | (0x80 if core else 0)
    status = ExitStatusExt.from_raw(raw)
    assert status.code() is None and not status.success()
    assert ExitStatusExt.signal(status) == sig
    assert ExitStatusExt.core_dumped(status) is core
    assert str(status).startswith(f"signal: {sig}")
    assert str(status).endswith("(core dumped)") is core


def test_stopped_and_continued_statuses() -> None:
    stopped = ExitStatusExt.from_raw((signal.SIGSTOP << 8) | 0x7F)
    assert ExitStatusExt.stopped_signal(stopped) == signal.SIGSTOP
    assert str(stopped) == "stopped (not terminated) by signal: 19 (SIGSTOP)"
    cont = ExitStatusExt.from_raw(0xFFFF)
    assert ExitStatusExt.continued(cont) and str(cont) == "continued (WIFCONTINUED)"
    assert ExitStatusExt.signal(cont) is None and cont.code() is None


def test_core_dump_status_from_a_real_abort() -> None:
    status = py("import os, resource\nresource.setrlimit(resource.RLIMIT_CORE, (0, 0))\nos.abort()").status()
    assert ExitStatusExt.signal(status) == signal.SIGABRT
    assert "SIGABRT" in str(status)


# -- CommandExt ----------------------------------------------------------------------------------


def test_arg0_changes_argv0_only() -> None:
    cmd = CommandExt.arg0(Command("sh").args(["-c", 'echo "$0"']), "renamed")
    assert cmd.output().stdout == b"renamed\n"
    out = CommandExt.arg0(py("import sys; print(sys.argv[0])"), "x").output()
    assert out.status.success()


def test_process_group_and_setsid() -> None:
    code = "import os; print(os.getpgid(0) == os.getpid(), os.getsid(0) == os.getpid())"
    cmd = CommandExt.process_group(py(code), 0)
    assert cmd.output().stdout == b"True False\n"
    cmd = CommandExt.setsid(py("import os; print(os.getsid(0) == os.getpid())"), True)
    assert cmd.output().stdout == b"True\n"
    # Joining our own group explicitly.
    mine = os.getpgid(0)
    cmd = CommandExt.process_group(py("import os; print(os.getpgid(0))"), mine)
    assert cmd.output().stdout == f"{mine}\n".encode()


@pytest.mark.skipif(not AS_ROOT, reason="switching ids needs root")
def test_uid_gid_groups_switch_ids() -> None:
    cmd = Command("sh").args(["-c", "id -u; id -g; id -G"]).current_dir("/")
    CommandExt.groups(CommandExt.gid(CommandExt.uid(cmd, 65534), 65534), [100, 65534])
    out = cmd.output()
    uid, gid, groups = out.stdout.decode().splitlines()
    assert (uid, gid) == ("65534", "65534")
    assert set(groups.split()) == {"100", "65534"}


def test_ext_argument_checks() -> None:
    with pytest.raises(TypeError):
        CommandExt.uid("not a command", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        CommandExt.uid(Command("x"), -1)
    with pytest.raises(TypeError):
        CommandExt.process_group(Command("x"), "0")  # type: ignore[arg-type]


def test_exec_replaces_the_process(tmp_path: Path) -> None:
    code = (
        "from stdio2.process import Command\n"
        "from stdio2.os.unix.process import CommandExt\n"
        "err = CommandExt.exec(Command('sh').args(['-c', 'echo replaced $X; pwd']).env('X', 'yes')"
        f".current_dir({str(tmp_path)!r}))\n"
        "print('not reached', err)\n"
    )
    out = py(code).output()
    assert out.stdout == f"replaced yes\n{tmp_path}\n".encode()


def test_exec_failure_returns_the_error() -> None:
    code = (
        "from stdio2.process import Command, Stdio\n"
        "from stdio2.os.unix.process import CommandExt\n"
        "err = CommandExt.exec(Command('stdio2-no-such-program'))\n"
        "print(err.kind.name)\n"
        "err = CommandExt.exec(Command('true').stdout(Stdio.piped()))\n"
        "print(err.kind.name)\n"
    )
    assert py(code).output().stdout == b"NotFound\nInvalidInput\n"


# -- pidfd ---------------------------------------------------------------------------------------


def test_pidfd_wait_and_child_share_the_status() -> None:
    child = Command("sh").args(["-c", "exit 4"]).spawn()
    fd = LinuxChildExt.pidfd(child)
    assert isinstance(fd, PidFd)
    assert LinuxChildExt.pidfd(child) is fd
    assert fd.wait().code() == 4
    assert child.wait().code() == 4
    assert fd.try_wait() == child.try_wait()
    fd.kill()  # reaped: not an error
    with pytest.raises(Error) as info:  # a new pidfd after the reap would be unsafe
        child._pidfd = None
        LinuxChildExt.pidfd(child)
    assert info.value.kind is ErrorKind.InvalidInput
    fd.close()


def test_pidfd_polls_readable_on_exit_and_kills() -> None:
    child = Command("sleep").arg("30").spawn()
    fd = LinuxChildExt.into_pidfd(child)
    try:
        poller = select.poll()
        poller.register(fd.as_raw_fd(), select.POLLIN)
        assert poller.poll(50) == []
        assert fd.try_wait() is None
        fd.kill()
        assert poller.poll(5000) != []
        assert ExitStatusExt.signal(fd.wait()) == signal.SIGKILL
        assert ExitStatusExt.signal(child.wait()) == signal.SIGKILL
    finally:
        fd.close()


def test_pidfd_wait_honours_deadline() -> None:
    cmd = LinuxCommandExt.create_pidfd(Command("sleep").arg("30"), True)
    child = cmd.spawn()
    fd = LinuxChildExt.pidfd(child)
    with Deadline.after(0.1), pytest.raises(Error) as info:
        fd.wait()
    assert info.value.kind is ErrorKind.TimedOut
    fd.send_signal(signal.SIGTERM)
    assert ExitStatusExt.signal(child.wait()) == signal.SIGTERM
    with child:
        pass
    assert fd.closed()  # owned by the child


def test_pidfd_from_a_plain_descriptor_cannot_wait() -> None:
    child = Command("sleep").arg("30").spawn()
    raw = os.pidfd_open(child.id())
    fd = PidFd.from_raw_fd(raw)
    try:
        fd.kill()
        with pytest.raises(Error) as info:
            fd.wait()
        assert info.value.kind is ErrorKind.Unsupported
    finally:
        fd.close()
        child.wait()


def test_linux_module_docstring_names() -> None:
    assert set(linux_process.__all__) == {"ChildExt", "CommandExt", "PidFd"}


# -- this process ----------------------------------------------------------------------------------


def test_id_is_getpid() -> None:
    from stdio2 import process

    assert process.id() == os.getpid()


def test_exit_flushes_runs_atexit_and_uses_the_code() -> None:
    code = (
        "import atexit, sys\n"
        "from stdio2 import process\n"
        "from stdio2.io import stdout\n"
        "atexit.register(lambda: sys.stdout.write('atexit ran\\n'))\n"
        "stdout().write_all(b'stdio2 buffered, no newline')\n"
        "sys.stdout.write('python buffered\\n')\n"
        "try:\n"
        "    process.exit(3)\n"
        "finally:\n"
        "    print('finally must not run')\n"
    )
    out = py(code).env_remove("PYTHONUNBUFFERED").stdout(Stdio.piped()).output()
    assert out.status.code() == 3
    assert b"stdio2 buffered, no newline" in out.stdout
    assert b"python buffered\n" in out.stdout
    assert b"atexit ran\n" in out.stdout
    assert b"finally must not run" not in out.stdout


def test_abort_ends_with_sigabrt_without_flushing() -> None:
    code = (
        "import resource, sys\nresource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
        "from stdio2 import process\nsys.stdout.write('lost')\nprocess.abort()\n"
    )
    out = py(code).env_remove("PYTHONUNBUFFERED").output()
    assert ExitStatusExt.signal(out.status) == signal.SIGABRT
    assert out.stdout == b""


def test_exit_type_check() -> None:
    from stdio2 import process

    with pytest.raises(TypeError):
        process.exit("1")  # type: ignore[arg-type]


def test_exit_status_equals_only_by_value() -> None:
    assert ExitStatus(0) != ExitStatus(256)
    assert ExitStatus(0).success()
