"""Audit (issue 9): what a child started with ``Command.env`` really receives; skipped off Windows.

Two bugs, both failing on the old code under Wine:
- with any ``env``/``env_remove`` change, the block was built from CPython's
  ``nt.environ``, a start-up snapshot, so variables set since with
  `stdio2.env.set_var` never reached the child (Rust reads the live block);
- names were matched with `str.upper`, so ``ß`` and ``SS`` (two variables
  on Windows) were merged into one.
"""

from __future__ import annotations

import ast
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="CreateProcessW environment blocks")

from stdio2 import env  # noqa: E402
from stdio2.process import Command  # noqa: E402

_SHOW = (
    "import nt, sys; "
    "sys.stdout.write(repr(sorted((k, v) for k, v in nt.environ.items() if k in sys.argv[1:])))"
)


def _child_sees(cmd: Command) -> list[tuple[str, str]]:
    out = cmd.output()
    assert out.status.success(), out.stderr
    result: list[tuple[str, str]] = ast.literal_eval(out.stdout.decode("utf-8"))
    return result


def _python(*names: str) -> Command:
    return Command(sys.executable).args(["-X", "utf8", "-c", _SHOW, *names])


def test_set_var_reaches_a_child_with_its_own_env_changes() -> None:
    env.set_var("STDIO2_AUDIT_SET", "from set_var")
    try:
        cmd = _python("STDIO2_AUDIT_SET", "STDIO2_AUDIT_OWN").env("STDIO2_AUDIT_OWN", "own")
        assert _child_sees(cmd) == [("STDIO2_AUDIT_OWN", "own"), ("STDIO2_AUDIT_SET", "from set_var")]
        # And a removal since start-up stays removed.
        env.remove_var("STDIO2_AUDIT_SET")
        cmd = _python("STDIO2_AUDIT_SET", "STDIO2_AUDIT_OWN").env("STDIO2_AUDIT_OWN", "own")
        assert _child_sees(cmd) == [("STDIO2_AUDIT_OWN", "own")]
    finally:
        env.remove_var("STDIO2_AUDIT_SET")


def test_eszett_and_ss_are_two_variables_for_the_child() -> None:
    cmd = _python("STDIO2_SS", "STDIO2_ß").env("STDIO2_SS", "1").env("STDIO2_ß", "2")
    assert _child_sees(cmd) == [("STDIO2_SS", "1"), ("STDIO2_ß", "2")]


def test_setting_eszett_does_not_remove_an_inherited_ss() -> None:
    env.set_var("STDIO2_AUDIT_SS", "inherited")
    try:
        cmd = _python("STDIO2_AUDIT_SS", "STDIO2_AUDIT_ß").env("STDIO2_AUDIT_ß", "own")
        assert _child_sees(cmd) == [("STDIO2_AUDIT_SS", "inherited"), ("STDIO2_AUDIT_ß", "own")]
    finally:
        env.remove_var("STDIO2_AUDIT_SS")


def test_a_different_case_still_replaces_the_inherited_variable() -> None:
    env.set_var("STDIO2_AUDIT_Case", "old")
    try:
        cmd = _python("STDIO2_AUDIT_Case", "STDIO2_AUDIT_CASE").env("STDIO2_AUDIT_CASE", "new")
        assert _child_sees(cmd) == [("STDIO2_AUDIT_CASE", "new")]
    finally:
        env.remove_var("STDIO2_AUDIT_Case")
