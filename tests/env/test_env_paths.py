"""split_paths/join_paths: Rust's Unix and Windows rules (both tested here), against models."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from stdio2 import env
from stdio2._sys.unix import env as unix_env
from stdio2._sys.windows import env as win_env
from stdio2.os_str import OsString

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix rules are this platform's")


def rust_windows_split(unparsed: str) -> list[str]:
    """A unit-by-unit port of Rust's SplitPaths::next for Windows (the reference model)."""
    out: list[str] = []
    data = iter(unparsed)
    must_yield = True
    while True:
        yielded_before = must_yield
        must_yield = False
        in_progress: list[str] = []
        in_quote = False
        for c in data:
            if c == '"':
                in_quote = not in_quote
            elif c == ";" and not in_quote:
                must_yield = True
                break
            else:
                in_progress.append(c)
        if not yielded_before and not in_progress:
            return out
        out.append("".join(in_progress))


windows_text = st.text(st.sampled_from(['"', ";", "a", "\\", ":", " ", "\udc00", "\u00e9"]))
windows_entry = st.text(st.sampled_from([";", "a", "\\", ":", " ", "\ud800", "\u00e9"]))
unix_entry = st.binary(max_size=10).filter(lambda b: b":" not in b)


# -- Windows rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unparsed", "expected"),
    [
        ("", [""]),
        ('""', [""]),
        (";;", ["", "", ""]),
        ("c:\\", ["c:\\"]),
        ("c:\\;", ["c:\\", ""]),
        ("c:\\;c:\\Program Files\\", ["c:\\", "c:\\Program Files\\"]),
        ('c:\\;c:\\"foo"\\', ["c:\\", "c:\\foo\\"]),
        ('c:\\;c:\\"foo;bar"\\;c:\\baz', ["c:\\", "c:\\foo;bar\\", "c:\\baz"]),
        ('c:\\foo;c:\\som"e;di"r;c:\\bar', ["c:\\foo", "c:\\some;dir", "c:\\bar"]),
        ('a"b;c', ["ab;c"]),  # an unbalanced quote runs to the end
    ],
)
def test_windows_split_examples(unparsed: str, expected: list[str]) -> None:
    assert win_env.split_paths(unparsed) == expected
    assert rust_windows_split(unparsed) == expected


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], ""),
        (["c:\\windows", "c:\\"], "c:\\windows;c:\\"),
        (["", "c:\\windows", "", "", "c:\\", ""], ";c:\\windows;;;c:\\;"),
        (["c:\\te;st", "c:\\"], '"c:\\te;st";c:\\'),
    ],
)
def test_windows_join_examples(entries: list[str], expected: str) -> None:
    assert win_env.join_paths(entries) == expected


def test_windows_join_rejects_quotes() -> None:
    with pytest.raises(env.JoinPathsError) as info:
        win_env.join_paths(["c:\\ok", 'c:\\te"st'])
    assert str(info.value) == 'path segment contains `"`'
    assert info.value.index == 1
    assert info.value.entry == 'c:\\te"st'
    assert isinstance(info.value, ValueError)


@given(windows_text)
@example('"";"";')
def test_windows_split_matches_rust_model(unparsed: str) -> None:
    assert win_env.split_paths(unparsed) == rust_windows_split(unparsed)


@given(st.lists(windows_entry, min_size=1, max_size=6))
def test_windows_join_then_split_round_trips(entries: list[str]) -> None:
    assert win_env.split_paths(win_env.join_paths(entries)) == entries


def test_windows_environment_block() -> None:
    block = "=C:=C:\\work\0Path=c:\\a;c:\\b\0odd\0k=v=w\0lone=\ud800\0\0"
    assert win_env.parse_environment_block(block) == [
        ("=C:", "C:\\work"),
        ("Path", "c:\\a;c:\\b"),
        ("k", "v=w"),
        ("lone", "\ud800"),
    ]


def test_windows_calls_are_unsupported_off_windows() -> None:
    if sys.platform == "win32":
        pytest.skip("the calls work here")
    from stdio2.io import Error, ErrorKind

    with pytest.raises(Error) as info:
        win_env.var_os("PATH")
    assert info.value.kind is ErrorKind.Unsupported


# -- Unix rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unparsed", "expected"),
    [
        (b"", [b""]),
        (b"::", [b"", b"", b""]),
        (b"/", [b"/"]),
        (b"/:", [b"/", b""]),
        (b"/:/usr/local", [b"/", b"/usr/local"]),
    ],
)
def test_unix_split_examples(unparsed: bytes, expected: list[bytes]) -> None:
    assert unix_env.split_paths(unparsed) == expected


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], b""),
        ([b"/bin", b"/usr/bin", b"/usr/local/bin"], b"/bin:/usr/bin:/usr/local/bin"),
        ([b"", b"/bin", b"", b"", b"/usr/bin", b""], b":/bin:::/usr/bin:"),
    ],
)
def test_unix_join_examples(entries: list[bytes], expected: bytes) -> None:
    assert unix_env.join_paths(entries) == expected


def test_unix_join_rejects_the_separator() -> None:
    with pytest.raises(env.JoinPathsError) as info:
        unix_env.join_paths([b"/ok", b"/te:st"])
    assert str(info.value) == "path segment contains separator `:`"
    assert info.value.index == 1
    again = pickle.loads(pickle.dumps(info.value))
    assert (str(again), again.index, again.entry) == (str(info.value), 1, b"/te:st")


@given(st.binary(max_size=30))
def test_unix_split_then_join_round_trips(unparsed: bytes) -> None:
    assert unix_env.join_paths(unix_env.split_paths(unparsed)) == unparsed


@given(st.lists(unix_entry, min_size=1, max_size=6))
def test_unix_join_then_split_round_trips(entries: list[bytes]) -> None:
    assert unix_env.split_paths(unix_env.join_paths(entries)) == entries


# -- the public functions (this platform's rules) ---------------------------------------------


@unix_only
@given(st.lists(unix_entry, min_size=1, max_size=5))
def test_public_functions_use_the_unix_rules(entries: list[bytes]) -> None:
    joined = env.join_paths(OsString.from_fspath(e) for e in entries)
    assert isinstance(joined, OsString)
    assert joined.as_encoded_bytes() == b":".join(entries)
    paths = env.split_paths(joined)
    assert paths == [Path(os.fsdecode(e)) for e in entries]
    assert all(isinstance(p, Path) for p in paths)


@unix_only
def test_public_functions_accept_paths_str_and_bytes() -> None:
    joined = env.join_paths([Path("/usr/bin"), "/bin", b"/opt/\xff/bin"])
    assert joined.as_encoded_bytes() == b"/usr/bin:/bin:/opt/\xff/bin"
    assert env.split_paths(b"/a:/b") == [Path("/a"), Path("/b")]
    assert env.split_paths("/a::") == [Path("/a"), Path(""), Path("")]
    assert os.fsencode(env.split_paths(joined)[2]) == b"/opt/\xff/bin"
    with pytest.raises(env.JoinPathsError):
        env.join_paths(["/a", "b:c"])


@unix_only
def test_split_of_the_real_path_variable() -> None:
    path = os.environb.get(b"PATH", b"")
    assert [os.fsencode(p) for p in env.split_paths(OsString.from_fspath(path))] == [
        os.fsencode(Path(os.fsdecode(piece))) for piece in path.split(b":")
    ]
