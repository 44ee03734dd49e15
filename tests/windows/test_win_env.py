"""stdio2.env on Windows: GetEnvironmentVariableW, WTF-8 values, PATH lists; skipped elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="Windows environment calls")

from stdio2 import env  # noqa: E402
from stdio2.os_str import OsString  # noqa: E402


@pytest.fixture
def name() -> object:
    key = "STDIO2_WIN_TEST_VAR"
    yield key
    env.remove_var(key)


def test_set_and_read_back_case_insensitively(name: str) -> None:
    env.set_var(name, "caf\u00e9 \u2603")
    assert env.var(name) == "caf\u00e9 \u2603"
    assert env.var(name.lower()) == "caf\u00e9 \u2603"  # names ignore ASCII case
    assert os.environ[name] == "caf\u00e9 \u2603"  # Python's mapping agrees
    child = subprocess.run(
        [sys.executable, "-c", f"import os; print(ascii(os.environ[{name!r}]))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == ascii("caf\u00e9 \u2603")  # and so do children


def test_unpaired_surrogate_survives_as_wtf8(name: str) -> None:
    value = OsString("a\ud800b")  # not valid UTF-16: only WTF-8 holds it
    env.set_var(name, value)
    got = env.var_os(name)
    assert got == value
    assert got is not None and got.as_encoded_bytes() == b"a\xed\xa0\x80b"
    assert got.to_str() is None
    with pytest.raises(env.VarError):
        env.var(name)
    assert (OsString(name), value) in env.vars_os()


def test_missing_and_empty(name: str) -> None:
    env.remove_var(name)
    assert env.var_os(name) is None
    env.set_var(name, "")
    assert env.var_os(name) == OsString("")  # empty is not missing


def test_path_lists_follow_windows_rules() -> None:
    assert env.split_paths('c:\\foo;c:\\som"e;di"r;c:\\bar') == [
        Path("c:\\foo"),
        Path("c:\\some;dir"),
        Path("c:\\bar"),
    ]
    joined = env.join_paths(["c:\\a", "c:\\semi;colon"])
    assert joined == OsString('c:\\a;"c:\\semi;colon"')
    with pytest.raises(env.JoinPathsError):
        env.join_paths(['c:\\bad"quote'])


def test_directories() -> None:
    assert env.current_exe() == Path(sys.executable)
    assert env.temp_dir().is_dir()
    home = env.home_dir()
    assert home is not None and home.is_dir()
    assert env.current_dir() == Path(os.getcwd())
