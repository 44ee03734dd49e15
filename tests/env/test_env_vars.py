"""Environment variables and arguments: typed errors, lossless bytes, real child processes."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from stdio2 import env
from stdio2.io import Error, ErrorKind
from stdio2.os_str import OsString

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix environment is bytes")
KEY = "STDIO2_TEST_VAR"
value_bytes = st.binary(max_size=40).filter(lambda b: b"\0" not in b)


def run_child(code: str, *args: str | bytes) -> bytes:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


# -- set / get / remove ----------------------------------------------------------------


def test_text_round_trip() -> None:
    env.set_var(KEY, "caf\u00e9 \U0001f600")
    assert env.var(KEY) == "caf\u00e9 \U0001f600"
    assert env.var_os(KEY) == OsString("caf\u00e9 \U0001f600")
    assert os.environ[KEY] == "caf\u00e9 \U0001f600"
    env.remove_var(KEY)
    assert env.var_os(KEY) is None
    assert KEY not in os.environ
    env.remove_var(KEY)  # removing an absent variable is fine


def test_empty_value_is_present() -> None:
    env.set_var(KEY, "")
    assert env.var(KEY) == ""
    assert env.var_os(KEY) == OsString("")


@unix_only
@given(value_bytes)
@example(b"\xff\xfe\x80")
@example(b"a=b=c")
def test_bytes_values_keep_both_python_views_in_step(value: bytes) -> None:
    env.set_var(KEY, value)
    assert env.var_os(KEY) == OsString.from_fspath(value)
    assert os.environb[KEY.encode()] == value
    assert os.environ[KEY] == os.fsdecode(value)
    assert (KEY.encode(), value) in [(k.as_encoded_bytes(), v.as_encoded_bytes()) for k, v in env.vars_os()]
    env.remove_var(KEY)
    assert KEY.encode() not in os.environb
    assert KEY not in os.environ


def test_changes_made_through_os_environ_are_seen() -> None:
    os.environ[KEY] = "from-os-environ"
    assert env.var(KEY) == "from-os-environ"
    del os.environ[KEY]
    assert env.var_os(KEY) is None


@unix_only
def test_non_utf8_key() -> None:
    key = OsString.from_fspath(b"STDIO2_\xff")
    env.set_var(key, "v")
    assert os.environb[b"STDIO2_\xff"] == b"v"
    assert env.var(key) == "v"
    with pytest.raises(env.VarError.NotUnicode) as info:
        env.vars()
    assert info.value.value == key
    env.remove_var(key)
    assert b"STDIO2_\xff" not in os.environb


@pytest.mark.parametrize("key", ["", "A=B", "=A", "A\0B", b"A=", OsString("X\0")])
def test_invalid_names_are_invalid_input(key: str | bytes | OsString) -> None:
    before = dict(os.environ)
    for call in (lambda: env.set_var(key, "v"), lambda: env.remove_var(key)):
        with pytest.raises(Error) as info:
            call()
        assert info.value.kind is ErrorKind.InvalidInput
        assert isinstance(info.value, OSError)
    assert env.var_os(key) is None
    assert dict(os.environ) == before


def test_nul_in_value_is_invalid_input() -> None:
    with pytest.raises(Error) as info:
        env.set_var(KEY, "a\0b")
    assert info.value.kind is ErrorKind.InvalidInput
    assert env.var_os(KEY) is None


def test_type_errors_name_the_call() -> None:
    with pytest.raises(TypeError, match=r"set_var\(key, value\)"):
        env.set_var(3, "v")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"set_var\(key, value\)"):
        env.set_var(KEY, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"var\(key\)"):
        env.var(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="iterable"):
        env.join_paths("/a:/b")


# -- VarError ----------------------------------------------------------------------------


def test_not_present() -> None:
    env.remove_var(KEY)
    with pytest.raises(env.VarError.NotPresent) as info:
        env.var(KEY)
    e = info.value
    assert isinstance(e, env.VarError)
    assert isinstance(e, KeyError)
    assert not isinstance(e, ValueError)
    assert str(e) == "environment variable not found"
    assert e.key == OsString(KEY)
    assert type(e).__qualname__ == "VarError.NotPresent"
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is type(e) and again.key == e.key
    # Also catchable as a plain KeyError, like os.environ[...].
    with pytest.raises(KeyError):
        env.var(KEY)


@unix_only
def test_not_unicode_carries_the_value() -> None:
    env.set_var(KEY, b"caf\xe9")
    with pytest.raises(env.VarError.NotUnicode) as info:
        env.var(KEY)
    e = info.value
    assert isinstance(e, env.VarError) and isinstance(e, ValueError)
    assert not isinstance(e, KeyError)
    assert e.value == OsString.from_fspath(b"caf\xe9")
    assert e.value.as_encoded_bytes() == b"caf\xe9"
    assert str(e) == "environment variable was not valid unicode: OsString('caf\\udce9')"
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is type(e) and again.value == e.value
    with pytest.raises(env.VarError.NotUnicode):
        env.vars()


def test_vars_and_vars_os_agree() -> None:
    env.set_var(KEY, "value")
    text = env.vars()
    wide = env.vars_os()
    assert (KEY, "value") in text
    assert (OsString(KEY), OsString("value")) in wide
    assert len(text) == len(wide)
    assert all(isinstance(k, OsString) and isinstance(v, OsString) for k, v in wide)


# -- children see what we set ------------------------------------------------------------

CHILD_READS = (
    "import os, sys\n"
    "v = os.environb.get(b'STDIO2_TEST_VAR')\n"
    "sys.stdout.write('absent' if v is None else v.hex())\n"
)


@unix_only
@settings(max_examples=12)
@given(value_bytes)
@example(b"\xff\xfe\x80\xed\xa0\x80")
def test_arbitrary_bytes_reach_a_child_process(value: bytes) -> None:
    env.set_var(KEY, value)
    assert run_child(CHILD_READS) == value.hex().encode()


@unix_only
def test_removed_variable_is_gone_in_the_child() -> None:
    env.set_var(KEY, b"x")
    env.remove_var(KEY)
    assert run_child(CHILD_READS) == b"absent"


# -- arguments -----------------------------------------------------------------------------

CHILD_ARGS = (
    "import sys\n"
    "from stdio2 import env\n"
    "sys.stdout.write(' '.join(a.as_encoded_bytes().hex() for a in env.args_os()[1:]))\n"
    "try:\n"
    "    env.args()\n"
    "except env.ArgsError as e:\n"
    "    sys.stdout.write(f'|{e.index}|{e.value.as_encoded_bytes().hex()}|{isinstance(e, ValueError)}')\n"
    "else:\n"
    "    sys.stdout.write('|ok|' + '|'.join(env.args()[1:]))\n"
)


@unix_only
def test_args_os_is_lossless_and_args_names_the_bad_argument() -> None:
    out = run_child(CHILD_ARGS, b"plain", b"caf\xe9\xff", "caf\u00e9")
    hexes, index, value, is_value_error = out.decode().split("|")
    assert hexes.split() == [b"plain".hex(), b"caf\xe9\xff".hex(), "caf\u00e9".encode().hex()]
    assert index == "2"  # argv[0] is "-c"
    assert value == b"caf\xe9\xff".hex()
    assert is_value_error == "True"


def test_args_when_all_are_unicode() -> None:
    out = run_child(CHILD_ARGS, "one", "caf\u00e9")
    assert out.decode().endswith("|ok|one|caf\u00e9")


def test_args_in_process_match_sys_argv() -> None:
    assert [a.to_str() for a in env.args_os()] == sys.argv
    assert env.args() == sys.argv


def test_args_error_text() -> None:
    e = env.ArgsError(1, OsString("x"))
    assert str(e) == "argument 1 is not valid unicode: OsString('x')"
    assert pickle.loads(pickle.dumps(e)).index == 1


# -- the environment as a state machine against a dict -----------------------------------

POOL = ["STDIO2_SM_A", "STDIO2_SM_B", "stdio2_sm_a"]


class EnvironmentMachine(RuleBasedStateMachine):
    """set_var / remove_var / var_os / vars_os against a plain dict model."""

    def __init__(self) -> None:
        super().__init__()
        for k in POOL:
            env.remove_var(k)
        self.model: dict[str, bytes] = {}

    @rule(key=st.sampled_from(POOL), value=value_bytes)
    def set(self, key: str, value: bytes) -> None:
        env.set_var(key, value)
        self.model[key] = value

    @rule(key=st.sampled_from(POOL))
    def remove(self, key: str) -> None:
        env.remove_var(key)
        self.model.pop(key, None)

    @rule(key=st.sampled_from(POOL))
    def read(self, key: str) -> None:
        got = env.var_os(key)
        expected = self.model.get(key)
        assert (got is None) == (expected is None)
        if got is not None:
            assert got.as_encoded_bytes() == expected
            text = got.to_str()
            if text is None:
                with pytest.raises(env.VarError.NotUnicode):
                    env.var(key)
            else:
                assert env.var(key) == text
        else:
            with pytest.raises(env.VarError.NotPresent):
                env.var(key)

    @invariant()
    def views_agree(self) -> None:
        for k in POOL:
            assert os.environb.get(k.encode()) == self.model.get(k)
            expected = self.model.get(k)
            assert os.environ.get(k) == (None if expected is None else os.fsdecode(expected))
        snapshot = {
            k.as_encoded_bytes(): v.as_encoded_bytes() for k, v in env.vars_os() if k.to_str() in POOL
        }
        assert snapshot == {k.encode(): v for k, v in self.model.items()}

    def teardown(self) -> None:
        for k in POOL:
            env.remove_var(k)


EnvironmentMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=20)
test_environment_machine = unix_only(EnvironmentMachine.TestCase)
