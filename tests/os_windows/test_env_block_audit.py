"""Audit (issue 9): a child's environment block compares names as Windows does (pure; runs everywhere).

Windows matches variable names ignoring case one UTF-16 code unit at a time
with a simple upper-casing (Rust sorts the block with
``CompareStringOrdinal(..., TRUE)``). stdio2 used `str.upper`, whose full
case mapping turns ``"ß"`` into ``"SS"``: of two distinct variables ``SS``
and ``ß`` the child received only one.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2._sys.windows.process import env_key, environment_block


def _names(block: str) -> list[str]:
    return [entry.split("=", 1)[0] for entry in block.split("\0") if entry]


def test_eszett_and_ss_are_two_variables() -> None:
    block = environment_block([("SS", "1"), ("ß", "2")])
    assert block == "SS=1\0ß=2\0\0"
    assert env_key("ß") != env_key("SS")
    assert env_key("ﬁ") != env_key("FI")  # a ligature: str.upper() gives two letters


def test_ascii_and_simple_case_pairs_still_merge() -> None:
    assert env_key("Path") == env_key("PATH") == env_key("path")
    assert env_key("é") == env_key("É")
    block = environment_block([("Path", "a"), ("PATH", "b"), ("é", "1"), ("É", "2")])
    assert block == "PATH=b\0É=2\0\0"


def test_sorted_by_utf16_code_units_not_code_points() -> None:
    # U+10000 is the pair D800 DC00, which sorts before U+FFE0 on Windows.
    block = environment_block([("\uffe0", "1"), ("\U00010000", "2"), ("a", "3")])
    assert _names(block) == ["a", "\U00010000", "\uffe0"]


def test_astral_letters_are_not_upcased() -> None:
    # Deseret small letter: str.upper() maps it, Windows (per code unit) does not.
    assert env_key("\U00010428") != env_key("\U00010400")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=4).filter(lambda s: "=" not in s and "\0" not in s),
            st.text(max_size=3).filter(lambda s: "\0" not in s),
        ),
        max_size=8,
    )
)
def test_block_is_sorted_and_has_one_entry_per_windows_name(env: list[tuple[str, str]]) -> None:
    names = _names(environment_block(env))
    keys = [env_key(n) for n in names]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys) == len({env_key(n) for n, _ in env})
