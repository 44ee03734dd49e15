"""Audit of issue 4 (OsString): lossy conversion, order and hashing checked against Rust's rules.

- Unix ``to_string_lossy`` must be Rust's ``String::from_utf8_lossy``: one
  U+FFFD per *maximal subpart* of an ill-formed sequence (Unicode 3.9, "U+FFFD
  substitution of maximal subparts"). The model below is a port of Rust's
  ``Utf8Chunks`` decoder, so the check does not lean on Python's own codec.
- Order: Rust derives ``Ord`` for ``OsStr`` from its bytes (Unix) or its WTF-8
  bytes (Windows), which is code point order with lone surrogates sorting as
  their code point. Equal values hash equally.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stdio2.os_str import Wtf8, _UnixOsString, _WindowsOsString

pytestmark = pytest.mark.skipif(
    sys.platform != "win32" and sys.getfilesystemencoding().lower() not in ("utf-8", "utf8"),
    reason="the Unix flavour's text is UTF-8 only with Python's UTF-8 filesystem encoding",
)


def rust_from_utf8_lossy(v: bytes) -> str:
    """A port of Rust's ``Utf8Chunks``: valid runs kept, each invalid run one U+FFFD."""
    out: list[str] = []
    i, n = 0, len(v)

    def cont(j: int) -> bool:
        return j < n and v[j] & 0xC0 == 0x80

    while i < n:
        b = v[i]
        if b < 0x80:
            out.append(chr(b))
            i += 1
            continue
        second = v[i + 1] if i + 1 < n else -1
        if 0xC2 <= b <= 0xDF:
            if cont(i + 1):
                out.append(v[i : i + 2].decode())
                i += 2
            else:
                out.append("\ufffd")
                i += 1
        elif 0xE0 <= b <= 0xEF:
            ok = (
                (b == 0xE0 and 0xA0 <= second <= 0xBF)
                or (0xE1 <= b <= 0xEC and 0x80 <= second <= 0xBF)
                or (b == 0xED and 0x80 <= second <= 0x9F)
                or (0xEE <= b <= 0xEF and 0x80 <= second <= 0xBF)
            )
            if not ok:
                out.append("\ufffd")
                i += 1
            elif not cont(i + 2):
                out.append("\ufffd")
                i += 2
            else:
                out.append(v[i : i + 3].decode())
                i += 3
        elif 0xF0 <= b <= 0xF4:
            ok = (
                (b == 0xF0 and 0x90 <= second <= 0xBF)
                or (0xF1 <= b <= 0xF3 and 0x80 <= second <= 0xBF)
                or (b == 0xF4 and 0x80 <= second <= 0x8F)
            )
            if not ok:
                out.append("\ufffd")
                i += 1
            elif not cont(i + 2):
                out.append("\ufffd")
                i += 2
            elif not cont(i + 3):
                out.append("\ufffd")
                i += 3
            else:
                out.append(v[i : i + 4].decode())
                i += 4
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


# Bytes that sit on the boundaries of UTF-8's validity table, plus anything.
edge_bytes = st.sampled_from(
    [0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE]
)
edge_bytes_4 = st.sampled_from([0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF])
messy_bytes = st.lists(st.one_of(edge_bytes, edge_bytes_4, st.integers(0, 255)), max_size=16).map(bytes)


@settings(max_examples=300)
@given(messy_bytes)
@example(b"\xed\xa0\x80")  # an encoded surrogate: three replacements, as in Rust
@example(b"\xf0\x9f\x98")  # a truncated 4-byte sequence: one replacement
@example(b"\xe0\x80\xaf")  # overlong: three
@example(b"caf\xe9!")
def test_unix_lossy_is_rusts_from_utf8_lossy(data: bytes) -> None:
    o = _UnixOsString.from_fspath(data)
    assert o.to_string_lossy() == rust_from_utf8_lossy(data)
    assert o.display() == o.to_string_lossy()
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    assert o.to_str() == text


def test_unix_lossy_examples() -> None:
    assert _UnixOsString.from_fspath(b"\xed\xa0\x80").to_string_lossy() == "\ufffd" * 3
    assert _UnixOsString.from_fspath(b"a\xf0\x9f\x98b").to_string_lossy() == "a\ufffdb"


@given(st.binary(max_size=12), st.binary(max_size=12))
@example(b"\xff", b"\xc3\xa9")
def test_unix_order_and_hash_follow_the_bytes(a: bytes, b: bytes) -> None:
    oa, ob = _UnixOsString.from_fspath(a), _UnixOsString.from_fspath(b)
    assert (oa < ob, oa <= ob, oa == ob, oa >= ob, oa > ob) == (a < b, a <= b, a == b, a >= b, a > b)
    assert sorted([ob, oa]) == [_UnixOsString.from_fspath(x) for x in sorted([b, a])]
    if oa == ob:
        assert hash(oa) == hash(ob)


units = st.lists(
    st.one_of(st.integers(0, 0xFFFF), st.integers(0xD800, 0xDFFF), st.sampled_from([0xD83D, 0xDE00, 0xE000])),
    max_size=10,
)


def code_points(us: list[int]) -> list[int]:
    return list(Wtf8.from_wide(us))


@given(units, units)
@example([0xD800], [0xE000])  # a lone surrogate sorts below U+E000 ...
@example([0xFFFF], [0xD83D, 0xDE00])  # ... and U+FFFF below a supplementary character
def test_windows_order_is_code_point_order(a: list[int], b: list[int]) -> None:
    oa = _WindowsOsString._from_inner(Wtf8.from_wide(a).as_bytes())
    ob = _WindowsOsString._from_inner(Wtf8.from_wide(b).as_bytes())
    ca, cb = code_points(a), code_points(b)
    got = (oa < ob, oa <= ob, oa == ob, oa >= ob, oa > ob)
    assert got == (ca < cb, ca <= cb, ca == cb, ca >= cb, ca > cb)
    # Equal exactly when the UTF-16 is equal; then the hashes agree too.
    assert (oa == ob) == (a == b)
    if oa == ob:
        assert hash(oa) == hash(ob)


def test_windows_pair_written_two_ways_is_one_value() -> None:
    joined = _WindowsOsString("\U0001f600")
    halves = _WindowsOsString("\ud83d\ude00")
    assert joined == halves and hash(joined) == hash(halves)
    assert len({joined, halves, _WindowsOsString("\ud83d") + "\ude00"}) == 1
