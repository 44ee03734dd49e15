"""The two Unix spawn paths (posix_spawn, and Popen's C fork/exec for current_dir/uid/...) agree.

A `Command` that sets ``current_dir`` (or uid/gid/groups) is started through
`subprocess.Popen`; one that does not, through ``os.posix_spawn``. What the
child sees must not depend on that choice.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from stdio2.process import Command

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the Unix spawn paths")


def env_of(cmd: Command) -> dict[bytes, bytes]:
    out = cmd.output()
    assert out.status.success(), out
    return dict(item.split(b"=", 1) for item in out.stdout.split(b"\0") if item)


@pytest.fixture
def c_environ_differs() -> Iterator[None]:
    # os.putenv / os.unsetenv change the C environ only, so os.environ and
    # the C environ disagree about these two names, as after a library's setenv().
    os.environ["STDIO2_AUDIT_PY_ONLY"] = "py"
    os.unsetenv("STDIO2_AUDIT_PY_ONLY")
    os.putenv("STDIO2_AUDIT_C_ONLY", "c")
    try:
        yield
    finally:
        os.environ.pop("STDIO2_AUDIT_PY_ONLY", None)
        os.unsetenv("STDIO2_AUDIT_C_ONLY")


@pytest.mark.usefixtures("c_environ_differs")
@pytest.mark.parametrize("path", ["posix_spawn", "popen"])
def test_an_inherited_environment_is_os_environ_on_both_paths(path: str) -> None:
    cmd = Command("env").arg("-0")
    if path == "popen":
        cmd.current_dir("/")
    env = env_of(cmd)
    assert env[b"STDIO2_AUDIT_PY_ONLY"] == b"py"
    assert b"STDIO2_AUDIT_C_ONLY" not in env
    assert env == dict(os.environb)


@pytest.mark.usefixtures("c_environ_differs")
def test_a_modified_environment_is_built_from_os_environ_on_both_paths() -> None:
    for cmd in (Command("env"), Command("env").current_dir("/")):
        env = env_of(cmd.arg("-0").env("STDIO2_AUDIT_SET", "1"))
        assert env[b"STDIO2_AUDIT_SET"] == b"1"
        assert env[b"STDIO2_AUDIT_PY_ONLY"] == b"py"
        assert b"STDIO2_AUDIT_C_ONLY" not in env
