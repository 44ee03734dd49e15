"""Stateful tests: the Command builder against a model, checked by running the command;
a Child driven through write/read/wait/kill against a model of `cat`."""

from __future__ import annotations

import os
import signal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from stdio2.io import Deadline
from stdio2.os.unix.ffi import OsStrExt
from stdio2.os.unix.process import ExitStatusExt
from stdio2.os_str import OsString
from stdio2.process import Command, Stdio

_bytes = st.binary(max_size=12).filter(lambda b: b"\0" not in b)
_names = st.sampled_from([b"STDIO2_A", b"STDIO2_B", b"STDIO2_\xff", b"PATH_X", b"HOME"])
_values = st.one_of(_bytes, st.text(max_size=8).filter(lambda s: "\0" not in s))


def _os(v: bytes | str) -> OsString:
    return OsStrExt.from_bytes(v) if isinstance(v, bytes) else OsString(v)


class CommandModel(RuleBasedStateMachine):
    """Arguments and environment changes, checked against what `env -0` and printf see."""

    def __init__(self) -> None:
        super().__init__()
        # Arguments are echoed NUL-terminated by sh; the environment is printed
        # by `env -0` run directly (a shell drops variables whose names are
        # not identifiers, such as non-UTF-8 ones, from what it passes on).
        self.cmd = Command("sh").args(["-c", 'for a in "$@"; do printf "%s\\0" "$a"; done', "sh"])
        self.env_cmd = Command("env").arg("-0")
        self.args: list[bytes] = []
        self.changes: dict[bytes, bytes | None] = {}
        self.cleared = False

    @rule(arg=_values)
    def add_arg(self, arg: bytes | str) -> None:
        self.cmd.arg(arg)
        self.args.append(os.fsencode(arg) if isinstance(arg, str) else arg)

    @rule(args=st.lists(_bytes, max_size=3))
    def add_args(self, args: list[bytes]) -> None:
        self.cmd.args(args)
        self.args.extend(args)

    @rule(key=_names, value=_values)
    def set_env(self, key: bytes, value: bytes | str) -> None:
        self.cmd.env(key, value)
        self.env_cmd.env(key, value)
        self.changes[key] = os.fsencode(value) if isinstance(value, str) else value

    @rule(key=_names)
    def remove_env(self, key: bytes) -> None:
        self.cmd.env_remove(key)
        self.env_cmd.env_remove(key)
        self.changes[key] = None

    @rule()
    def clear_env(self) -> None:
        self.cmd.env_clear()
        self.env_cmd.env_clear()
        self.changes.clear()
        self.cleared = True

    @invariant()
    def getters_agree(self) -> None:
        assert [a.as_encoded_bytes() for a in self.cmd.get_args()[3:]] == self.args
        expected = sorted(self.changes.items())
        got = [
            (k.as_encoded_bytes(), None if v is None else v.as_encoded_bytes())
            for k, v in self.cmd.get_envs()
        ]
        assert got == expected

    def teardown(self) -> None:
        out = self.cmd.output()
        assert out.status.success(), out
        assert out.stdout.split(b"\0")[:-1] == self.args
        out = self.env_cmd.output()
        assert out.status.success(), out
        env = dict(e.split(b"=", 1) for e in out.stdout.split(b"\0")[:-1])
        expected_env = {} if self.cleared else dict(os.environb)
        for k, v in self.changes.items():
            if v is None:
                expected_env.pop(k, None)
            else:
                expected_env[k] = v
        assert env == expected_env


TestCommandModel = CommandModel.TestCase
TestCommandModel.settings = settings(max_examples=25, stateful_step_count=12, deadline=None)


class CatChild(RuleBasedStateMachine):
    """A `cat` child: what goes into stdin comes out of stdout; wait/kill end it as modelled."""

    def __init__(self) -> None:
        super().__init__()
        self.child = Command("cat").stdin(Stdio.piped()).stdout(Stdio.piped()).spawn()
        self.pending = b""
        self.stdin_open = True
        self.ended: str | None = None  # None, "eof" or "killed"

    @precondition(lambda self: self.stdin_open and self.ended is None)
    @rule(data=st.binary(min_size=1, max_size=2000))
    def write(self, data: bytes) -> None:
        assert self.child.stdin is not None
        self.child.stdin.write_all(data)
        self.pending += data

    @precondition(lambda self: self.pending and self.ended is None)
    @rule(n=st.integers(1, 4000))
    def read(self, n: int) -> None:
        assert self.child.stdout is not None
        want = min(n, len(self.pending))
        buf = bytearray(want)
        with Deadline.after(10):
            self.child.stdout.read_exact(buf)
        assert bytes(buf) == self.pending[:want]
        self.pending = self.pending[want:]

    @precondition(lambda self: self.stdin_open and self.ended is None)
    @rule()
    def close_stdin(self) -> None:
        assert self.child.stdin is not None
        self.child.stdin.close()
        self.child.stdin = None
        self.stdin_open = False

    # Only while stdin is open: after EOF cat may already have exited, and
    # killing an exited child is a no-op (the model could not know which).
    @precondition(lambda self: self.stdin_open and self.ended is None)
    @rule()
    def kill(self) -> None:
        self.child.kill()
        self.ended = "killed"

    @rule()
    def try_wait(self) -> None:
        status = self.child.try_wait()
        if self.ended == "killed" and status is not None:
            assert ExitStatusExt.signal(status) == signal.SIGKILL
        if self.stdin_open and self.ended is None:
            assert status is None  # cat cannot end while its stdin is open

    def teardown(self) -> None:
        with Deadline.after(10):
            out = self.child.wait_with_output()
        if self.ended == "killed":
            assert ExitStatusExt.signal(out.status) == signal.SIGKILL
        else:
            assert out.status.success()
            assert out.stdout == self.pending


TestCatChild = CatChild.TestCase
TestCatChild.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
