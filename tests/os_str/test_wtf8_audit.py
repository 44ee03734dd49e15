"""Audit of issue 4 (WTF-8): constructor edge cases the first tests missed.

- ``Wtf8.from_wide`` takes *any* iterable of ints; `bytes` and `bytearray` are
  such iterables (each byte one code unit), but `array.array` treats them as
  raw machine memory, so they must not reach it unchanged.
- ``Wtf8()`` is Rust's ``Wtf8Buf::new()``: the empty string, never an object
  without its bytes.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stdio2.os.windows.ffi import OsStrExt, OsStringExt
from stdio2.os_str.wtf8 import Wtf8


@given(st.binary(max_size=30))
def test_from_wide_of_bytes_is_one_unit_per_byte(data: bytes) -> None:
    expected = Wtf8.from_wide(list(data))
    assert Wtf8.from_wide(data) == expected
    assert Wtf8.from_wide(bytearray(data)) == expected
    assert Wtf8.from_wide(data).encode_wide() == list(data)
    assert OsStrExt.encode_wide(OsStringExt.from_wide(data)) == list(data)


def test_from_wide_of_bytes_examples() -> None:
    # Old code: b"ab" became the single unit 0x6261 ("\u6261"), b"abc" a ValueError.
    assert Wtf8.from_wide(b"ab").to_str() == "ab"
    assert Wtf8.from_wide(b"abc").to_str() == "abc"
    assert Wtf8.from_wide(bytearray(b"\xe9")).to_str() == "\u00e9"


def test_empty_constructor_is_the_empty_string() -> None:
    w = Wtf8()
    assert w == Wtf8.from_str("")
    assert w.as_bytes() == b""
    assert w.is_empty() and not w
    assert w.len() == 0
    assert hash(w) == hash(Wtf8.from_str(""))
    assert w + Wtf8.from_str("a") == Wtf8.from_str("a")


@pytest.mark.parametrize("arg", ["a", b"a", [0x61]])
def test_constructor_with_an_argument_names_the_right_calls(arg: object) -> None:
    with pytest.raises(TypeError, match=r"Wtf8\.from_str.*Wtf8\.from_bytes.*Wtf8\.from_wide"):
        Wtf8(arg)  # type: ignore[call-arg]
