"""Working directory, home, temp, the executable, and the platform constants."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from stdio2 import env
from stdio2.env import consts
from stdio2.env.consts import _arch, _os
from stdio2.io import Error, ErrorKind
from stdio2.os_str import OsString

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix rules")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")


# -- working directory ------------------------------------------------------------------


def test_current_dir_follows_set_current_dir(tmp_path: Path) -> None:
    env.set_current_dir(tmp_path)
    assert env.current_dir() == tmp_path.resolve()
    assert isinstance(env.current_dir(), Path)
    sub = tmp_path / "sub"
    sub.mkdir()
    env.set_current_dir("sub")
    assert env.current_dir() == sub.resolve()
    env.set_current_dir(OsString(".."))
    assert env.current_dir() == tmp_path.resolve()


@unix_only
def test_non_utf8_directory_names(tmp_path: Path) -> None:
    name = b"d\xff\xfe"
    os.mkdir(os.path.join(os.fsencode(tmp_path), name))
    env.set_current_dir(os.path.join(os.fsencode(tmp_path), name))
    here = env.current_dir()
    assert os.fsencode(here) == os.path.join(os.fsencode(tmp_path.resolve()), name)
    assert OsString.from_fspath(here.name).as_encoded_bytes() == name


def test_set_current_dir_errors_carry_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(Error) as info:
        env.set_current_dir(missing)
    assert info.value.kind is ErrorKind.NotFound
    assert isinstance(info.value, FileNotFoundError)
    assert info.value.path == missing
    assert "missing" in str(info.value)

    afile = tmp_path / "file"
    afile.write_bytes(b"")
    with pytest.raises(Error) as info:
        env.set_current_dir(str(afile))
    assert info.value.kind is ErrorKind.NotADirectory
    assert info.value.path == str(afile)

    with pytest.raises(Error) as info:
        env.set_current_dir("a\0b")
    assert info.value.kind is ErrorKind.InvalidInput
    with pytest.raises(TypeError, match="set_current_dir"):
        env.set_current_dir(3)


@linux_only
def test_current_dir_of_a_removed_directory(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    env.set_current_dir(gone)
    gone.rmdir()
    with pytest.raises(Error) as info:
        env.current_dir()
    assert info.value.kind is ErrorKind.NotFound


# -- home and temp -------------------------------------------------------------------------


@unix_only
def test_home_dir_rules() -> None:
    env.set_var("HOME", "/some/where")
    assert env.home_dir() == Path("/some/where")
    env.set_var("HOME", b"/h\xff")
    home = env.home_dir()
    assert home is not None and os.fsencode(home) == b"/h\xff"
    env.set_var("HOME", "")  # set but empty: still used, as in Rust
    assert env.home_dir() == Path("")
    env.remove_var("HOME")
    import pwd

    try:
        expected: Path | None = Path(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        expected = None
    assert env.home_dir() == expected


@unix_only
def test_temp_dir_rules() -> None:
    env.set_var("TMPDIR", "/var/tmp/x")
    assert env.temp_dir() == Path("/var/tmp/x")
    env.remove_var("TMPDIR")
    if sys.platform != "darwin":
        assert env.temp_dir() == Path("/tmp")


def test_temp_and_home_in_a_child_with_a_clean_environment(tmp_path: Path) -> None:
    code = "from stdio2 import env; print(env.temp_dir()); print(env.home_dir())"
    child_env = {"PATH": os.environ.get("PATH", ""), "TMPDIR": str(tmp_path), "HOME": "/nowhere"}
    if sys.platform == "win32":
        pytest.skip("Unix variables")
    out = subprocess.run(
        [sys.executable, "-c", code], env=child_env, capture_output=True, timeout=60, check=True
    ).stdout.decode()
    assert out.splitlines() == [str(tmp_path), "/nowhere"]


# -- the executable -------------------------------------------------------------------------


@linux_only
def test_current_exe_is_the_interpreter_binary() -> None:
    exe = env.current_exe()
    assert exe.is_absolute()
    assert exe == Path(os.path.realpath(sys.executable))
    assert os.path.samefile(exe, sys.executable)


@linux_only
def test_current_exe_of_a_child() -> None:
    out = (
        subprocess.run(
            [sys.executable, "-c", "from stdio2 import env; print(env.current_exe())"],
            capture_output=True,
            timeout=60,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    assert Path(out) == Path(os.path.realpath(sys.executable))


# -- consts --------------------------------------------------------------------------------


def test_consts_for_this_platform() -> None:
    if sys.platform.startswith("linux"):
        assert (consts.OS, consts.FAMILY) == ("linux", "unix")
        assert (consts.DLL_PREFIX, consts.DLL_SUFFIX, consts.DLL_EXTENSION) == ("lib", ".so", "so")
        assert (consts.EXE_SUFFIX, consts.EXE_EXTENSION) == ("", "")
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64") and sys.maxsize > 2**32:
        assert consts.ARCH == "x86_64"
    if machine in ("aarch64", "arm64") and sys.maxsize > 2**32:
        assert consts.ARCH == "aarch64"
    assert env.consts is consts


@pytest.mark.parametrize(
    ("machine", "pointer", "arch"),
    [
        ("x86_64", 8, "x86_64"),
        ("AMD64", 8, "x86_64"),
        ("AMD64", 4, "x86"),
        ("i686", 4, "x86"),
        ("aarch64", 8, "aarch64"),
        ("arm64", 8, "aarch64"),
        ("armv7l", 4, "arm"),
        ("aarch64", 4, "arm"),
        ("riscv64", 8, "riscv64"),
        ("ppc64le", 8, "powerpc64"),
        ("s390x", 8, "s390x"),
        ("loongarch64", 8, "loongarch64"),
    ],
)
def test_arch_mapping(machine: str, pointer: int, arch: str) -> None:
    assert _arch(machine, pointer) == arch


@pytest.mark.parametrize(
    ("plat", "name"),
    [("linux", "linux"), ("darwin", "macos"), ("win32", "windows"), ("freebsd14", "freebsd")],
)
def test_os_mapping(plat: str, name: str) -> None:
    assert _os(plat) == name
