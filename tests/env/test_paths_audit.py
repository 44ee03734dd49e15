"""Audit of issue 4: PATH lists and the temporary directory, against Rust's rules.

Rust's Windows ``split_paths`` collects each entry's 16-bit units and builds the
path from them (``OsString::from_wide``), so a surrogate pair whose halves are
separated only by quotes comes out as one joined character. Python `str`s can
hold the two halves as separate code points; the entries must come out in the
canonical (joined) form, or they compare unequal to the same path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stdio2._sys.unix import env as unix_env
from stdio2._sys.windows import env as win_env
from stdio2.os_str import _WindowsOsString
from stdio2.os_str.wtf8 import Wtf8


def rust_windows_split_units(units: list[int]) -> list[list[int]]:
    """Rust's ``SplitPaths::next`` for Windows, over UTF-16 code units."""
    out: list[list[int]] = []
    it = iter(units)
    must_yield = True
    while True:
        yielded_before, must_yield = must_yield, False
        current: list[int] = []
        in_quote = False
        for u in it:
            if u == ord('"'):
                in_quote = not in_quote
            elif u == ord(";") and not in_quote:
                must_yield = True
                break
            else:
                current.append(u)
        if not yielded_before and not current:
            return out
        out.append(current)


def test_pair_split_by_quotes_is_joined() -> None:
    entries = win_env.split_paths('c:\\\ud83d""\ude00;x')
    assert entries == ["c:\\\U0001f600", "x"]
    assert Path(entries[0]) == Path("c:\\\U0001f600")


units = st.lists(st.sampled_from([0x22, 0x3B, 0x61, 0x5C, 0xD83D, 0xDE00, 0xD800, 0xDC00]), max_size=16)


@given(units)
def test_split_matches_rust_over_code_units(us: list[int]) -> None:
    text = Wtf8.from_wide(us).to_surrogate_str()
    expected = [Wtf8.from_wide(e).to_surrogate_str() for e in rust_windows_split_units(us)]
    assert win_env.split_paths(text) == expected
    # Each entry is already canonical: converting it to an OS string and back changes nothing.
    for entry in win_env.split_paths(text):
        assert _WindowsOsString(entry).__fspath__() == entry


@pytest.mark.parametrize(
    ("plat", "expected"),
    [("linux", "/tmp"), ("freebsd14", "/tmp"), ("android", "/data/local/tmp")],
)
def test_temp_dir_fallback_per_platform(plat: str, expected: str) -> None:
    # Rust's Unix temp_dir without TMPDIR: /data/local/tmp on Android, /tmp elsewhere.
    assert unix_env._fallback_temp_dir(plat) == Path(expected)
