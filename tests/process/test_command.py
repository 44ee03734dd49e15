"""Command: building, inspecting, byte-exact arguments and environment, lookup, spawn errors."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from stdio2.io import Error, ErrorKind
from stdio2.os.unix.ffi import OsStrExt
from stdio2.os_str import OsString
from stdio2.process import Command, Stdio

PY = sys.executable


def _nul_split(data: bytes) -> list[bytes]:
    assert data.endswith(b"\0") or data == b""
    return data.split(b"\0")[:-1]


def argv_of(cmd: Command) -> list[bytes]:
    """What the child received as $@ (printf prints each argument NUL-terminated)."""
    out = cmd.output()
    assert out.status.success(), out
    return _nul_split(out.stdout)


def printf_args(*args: object) -> Command:
    return Command("sh").args(["-c", 'printf "%s\\0" "$@"', "sh", *args])  # type: ignore[list-item]


def env_of(cmd: Command) -> dict[bytes, bytes]:
    out = cmd.output()
    assert out.status.success(), out
    pairs = _nul_split(out.stdout)
    return dict(p.split(b"=", 1) for p in pairs)


# -- building and inspecting ---------------------------------------------------------------


def test_getters_reflect_the_builder() -> None:
    cmd = Command("prog").arg("a").args(["b", b"c", Path("d/e")])
    assert cmd.get_program() == OsString("prog")
    assert cmd.get_args() == [OsString("a"), OsString("b"), OsString("c"), OsString("d/e")]
    assert cmd.get_current_dir() is None
    cmd.current_dir("/tmp")
    assert cmd.get_current_dir() == Path("/tmp")
    cmd.env("B", "2").env("A", "1").env_remove("C")
    assert cmd.get_envs() == [
        (OsString("A"), OsString("1")),
        (OsString("B"), OsString("2")),
        (OsString("C"), None),
    ]
    cmd.envs({"D": "4"}).envs([("E", "5")])
    assert [k.to_str() for k, _ in cmd.get_envs()] == ["A", "B", "C", "D", "E"]
    cmd.env_clear()
    assert cmd.get_envs() == []
    assert "prog" in repr(cmd)


def test_setters_chain_and_return_the_command() -> None:
    cmd = Command("x")
    assert cmd.arg("a") is cmd
    assert cmd.args([]) is cmd
    assert cmd.env("K", "V") is cmd
    assert cmd.stdin(Stdio.null()) is cmd
    assert cmd.kill_on_drop(True) is cmd


@pytest.mark.parametrize(
    "call",
    [
        lambda: Command(3),
        lambda: Command("x").arg(3),
        lambda: Command("x").args("abc"),
        lambda: Command("x").env("K", 1),
        lambda: Command("x").current_dir(None),
        lambda: Command("x").stdin(1),
        lambda: Command("x").stdout("piped"),
        lambda: Stdio(2),
    ],
)
def test_wrong_types_are_type_errors(call: object) -> None:
    with pytest.raises(TypeError):
        call()  # type: ignore[operator]


def test_type_error_names_the_call() -> None:
    with pytest.raises(TypeError, match=r"Command.arg\(arg\)"):
        Command("x").arg(3.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"OwnedFd.from_raw_fd\(1\)"):
        Stdio(1)


# -- byte-exact arguments and environment ------------------------------------------------------


def test_arguments_reach_the_child_byte_exact() -> None:
    weird = [
        "",
        " spaces  inside ",
        "quote'\"",
        "$HOME `x` *",
        "caf\u00e9",
        b"\xff\xfe not utf-8",
        OsStrExt.from_bytes(b"\x80\x81"),
        "line\nbreak",
    ]
    expected = [
        os.fsencode(a) if isinstance(a, str) else a if isinstance(a, bytes) else a.as_encoded_bytes()
        for a in weird
    ]
    assert argv_of(printf_args(*weird)) == expected


def test_python_child_sees_surrogate_escaped_arguments() -> None:
    code = "import sys, os; sys.stdout.buffer.write(os.fsencode(sys.argv[1]))"
    out = Command(PY).args(["-c", code, b"\xfe\xff"]).output()
    assert out.stdout == b"\xfe\xff"


def test_environment_is_set_removed_and_cleared_byte_exact() -> None:
    env = env_of(Command("env").arg("-0").env("STDIO2_A", b"\xffx").env_remove("HOME"))
    assert env[b"STDIO2_A"] == b"\xffx"
    assert b"HOME" not in env
    assert env[b"PATH"] == os.environb[b"PATH"]  # the rest is inherited
    cleared = env_of(Command("/usr/bin/env").arg("-0").env_clear().env(b"K\xe9", "v=1"))
    assert cleared == {b"K\xe9": b"v=1"}


def test_an_unmodified_environment_is_this_process_environment_now(monkeypatch: pytest.MonkeyPatch) -> None:
    # Inheriting hands the child the C environ (3.13+: env=None) or a copy of
    # os.environb: either way what os.environ says at spawn time, changes included.
    monkeypatch.setenv("STDIO2_INHERIT", "now")
    monkeypatch.delenv("HOME", raising=False)
    env = env_of(Command("env").arg("-0"))
    assert env == dict(os.environb)
    assert env[b"STDIO2_INHERIT"] == b"now" and b"HOME" not in env


def test_env_remove_then_set_and_set_then_remove() -> None:
    assert env_of(Command("env").arg("-0").env_remove("X1").env("X1", "y"))[b"X1"] == b"y"
    assert b"X1" not in env_of(Command("env").arg("-0").env("X1", "y").env_remove("X1"))


def test_parent_environment_is_not_changed() -> None:
    before = dict(os.environb)
    Command("true").env("STDIO2_NOT_IN_PARENT", "1").env_remove("PATH").status()
    assert dict(os.environb) == before


@pytest.mark.parametrize(
    ("build", "what"),
    [
        (lambda: Command("true").arg("a\0b"), "argument"),
        (lambda: Command("tr\0ue"), "program"),
        (lambda: Command("true").env("K", "v\0"), "value"),
        (lambda: Command("true").env("K\0", "v"), "name"),
        (lambda: Command("true").env("K=V", "v"), "name"),
        (lambda: Command("true").env("", "v"), "name"),
        (lambda: Command("true").current_dir("/tm\0p"), "directory"),
    ],
)
def test_nul_and_bad_names_are_invalid_input_at_spawn(build: object, what: str) -> None:
    cmd = build()  # type: ignore[operator]
    with pytest.raises(Error) as info:
        cmd.spawn()
    assert info.value.kind is ErrorKind.InvalidInput
    assert what in str(info.value)


# -- program lookup -----------------------------------------------------------------------------


def _script(path: Path, body: str, mode: int = 0o755) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(mode)
    return path


def test_lookup_uses_the_childs_path_when_set(tmp_path: Path) -> None:
    _script(tmp_path / "stdio2-probe", "echo found-in-child-path\n")
    out = Command("stdio2-probe").env("PATH", f"{tmp_path}:/usr/bin:/bin").output()
    assert out.stdout == b"found-in-child-path\n"
    with pytest.raises(Error) as info:
        Command("stdio2-probe").spawn()  # not on the parent's PATH
    assert info.value.kind is ErrorKind.NotFound


def test_lookup_skips_non_executable_and_directories(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    _script(first / "tool", "echo no\n", mode=0o644)
    (first / "tool2").mkdir()
    _script(second / "tool", "echo yes\n")
    out = Command("tool").env("PATH", f"{first}:{second}").output()
    assert out.stdout == b"yes\n"
    with pytest.raises(Error) as info:
        Command("tool").env("PATH", str(first)).spawn()
    assert info.value.kind is ErrorKind.PermissionDenied
    assert "tool" in str(info.value)


def test_env_clear_without_path_uses_the_default_search_path() -> None:
    # execvp's default path (/bin:/usr/bin) still finds sh.
    assert Command("sh").args(["-c", "exit 3"]).env_clear().status().code() == 3


# -- spawn failures are errors in the parent -----------------------------------------------------


def test_missing_program_is_not_found_naming_it() -> None:
    with pytest.raises(Error) as info:
        Command("stdio2-no-such-program-xyz").spawn()
    err = info.value
    assert err.kind is ErrorKind.NotFound
    assert isinstance(err, FileNotFoundError)
    assert "stdio2-no-such-program-xyz" in str(err)


def test_missing_program_by_path_is_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    for cmd in (Command(missing), Command(missing).current_dir(tmp_path)):
        with pytest.raises(Error) as info:
            cmd.status()
        assert info.value.kind is ErrorKind.NotFound
        assert str(missing) in str(info.value)


def test_not_executable_is_permission_denied(tmp_path: Path) -> None:
    script = _script(tmp_path / "plain", "exit 0\n", mode=0o644)
    for cmd in (Command(script), Command(script).current_dir("/")):
        with pytest.raises(Error) as info:
            cmd.spawn()
        assert info.value.kind is ErrorKind.PermissionDenied
        assert "plain" in str(info.value)


def test_directory_as_program_is_permission_denied(tmp_path: Path) -> None:
    with pytest.raises(Error) as info:
        Command(tmp_path).spawn()
    assert info.value.kind is ErrorKind.PermissionDenied


def test_bad_current_dir_is_not_found_naming_the_directory(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    with pytest.raises(Error) as info:
        Command("true").current_dir(missing).spawn()
    assert info.value.kind is ErrorKind.NotFound
    assert str(missing) in str(info.value)
    (tmp_path / "file").write_text("")
    with pytest.raises(Error) as info2:
        Command("true").current_dir(tmp_path / "file").spawn()
    assert info2.value.kind is ErrorKind.NotADirectory


def test_failed_spawn_closes_every_descriptor_it_made() -> None:
    before = set(os.listdir("/proc/self/fd"))
    for _ in range(3):
        with pytest.raises(Error):
            Command("stdio2-no-such-program-xyz").stdin(Stdio.piped()).stdout(Stdio.piped()).spawn()
        with pytest.raises(Error):
            Command("true").current_dir("/nonexistent-dir").stderr(Stdio.piped()).spawn()
    assert set(os.listdir("/proc/self/fd")) == before


def test_current_dir_runs_the_child_there(tmp_path: Path) -> None:
    out = Command("pwd").current_dir(tmp_path).output()
    assert out.stdout == os.fsencode(str(tmp_path)) + b"\n"


def test_relative_program_with_current_dir_is_relative_to_that_dir(tmp_path: Path) -> None:
    _script(tmp_path / "here.sh", "echo relative\n")
    assert Command("./here.sh").current_dir(tmp_path).output().stdout == b"relative\n"


def test_script_without_shebang_is_an_error_not_a_shell_run(tmp_path: Path) -> None:
    path = tmp_path / "noshebang"
    path.write_text("echo ran\n")
    path.chmod(stat.S_IRWXU)
    with pytest.raises(Error) as info:
        Command(path).output()
    assert info.value.raw_os_error() == 8  # ENOEXEC
