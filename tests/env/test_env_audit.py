"""Audit of issue 4 (env): what a real child process sees, and what a parent may hand us.

- Values *and names* that are not UTF-8 survive ``set_var`` -> a child
  started by ``stdio2.process.Command`` -> ``stdio2.env`` in the child.
- A parent may pass an entry whose name starts with ``=`` (``=foo=bar``).
  Rust (like glibc) splits such an entry at the first ``=`` after the first
  byte: name ``=foo``, value ``bar``; an entry ``=x`` without a second ``=``
  is skipped. No variable ever has an empty name.
"""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stdio2 import env
from stdio2.os_str import OsString
from stdio2.process import Command

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix environment bytes")

KEY = b"STDIO2_AUDIT_\xff"
CHILD = (
    "import sys\n"
    "from stdio2 import env\n"
    "from stdio2.os_str import OsString\n"
    "key = OsString.from_fspath(bytes.fromhex(sys.argv[1]))\n"
    "v = env.var_os(key)\n"
    "pairs = [b for k, b in env.vars_os() if k == key]\n"
    "sys.stdout.write('absent' if v is None else v.as_encoded_bytes().hex() + '|' +"
    " ','.join(p.as_encoded_bytes().hex() for p in pairs))\n"
)


def child_sees(key: bytes) -> str:
    out = Command(sys.executable).args(["-c", CHILD, key.hex()]).output()
    assert out.status.success(), out.stderr.decode(errors="replace")
    return bytes(out.stdout).decode()


@settings(max_examples=5, deadline=None)
@given(st.binary(max_size=24).filter(lambda b: b"\0" not in b))
@example(b"\xff\xfe=\xed\xa0\x80")
def test_non_utf8_name_and_value_reach_a_stdio2_child(value: bytes) -> None:
    env.set_var(OsString.from_fspath(KEY), value)
    assert child_sees(KEY) == f"{value.hex()}|{value.hex()}"


def test_a_removed_non_utf8_name_is_gone_in_the_child() -> None:
    env.set_var(OsString.from_fspath(KEY), b"x")
    env.remove_var(OsString.from_fspath(KEY))
    assert child_sees(KEY) == "absent"


SPAWNED = (
    "import sys\n"
    "from stdio2 import env\n"
    "for k, v in env.vars_os():\n"
    "    if k.as_encoded_bytes().startswith(b'=') or k.is_empty() or k.to_str() == 'STDIO2_OK':\n"
    "        sys.stdout.write(repr((k.as_encoded_bytes(), v.as_encoded_bytes())) + '\\n')\n"
)


def test_names_starting_with_equals_are_split_as_rust_splits_them() -> None:
    # os.posix_spawn passes these entries to execve unchanged ("=foo=a=b").
    r, w = os.pipe()
    try:
        pid = os.posix_spawn(
            sys.executable,
            [sys.executable, "-c", SPAWNED],
            {b"=foo": b"a=b", b"STDIO2_OK": b"1", b"PATH": os.environb.get(b"PATH", b"")},
            file_actions=[(os.POSIX_SPAWN_DUP2, w, 1)],
        )
    finally:
        os.close(w)
    with os.fdopen(r, "rb") as f:
        out = f.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    seen = sorted(eval(line) for line in out.splitlines())  # our own child's reprs
    assert seen == [(b"=foo", b"a=b"), (b"STDIO2_OK", b"1")]
