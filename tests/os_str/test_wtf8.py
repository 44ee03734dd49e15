"""The WTF-8 codec against a straightforward per-code-point model of the specification."""

from __future__ import annotations

import pickle

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stdio2.os_str.wtf8 import Wtf8

# -- the reference model (Simon Sapin's WTF-8 spec, one code point at a time) --


def is_lead(u: int) -> bool:
    return 0xD800 <= u <= 0xDBFF


def is_trail(u: int) -> bool:
    return 0xDC00 <= u <= 0xDFFF


def model_code_points(units: list[int]) -> list[int]:
    """Potentially ill-formed UTF-16 -> code points (pairs joined, lone surrogates kept)."""
    out = []
    i = 0
    while i < len(units):
        u = units[i]
        if is_lead(u) and i + 1 < len(units) and is_trail(units[i + 1]):
            out.append(0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00))
            i += 2
        else:
            out.append(u)
            i += 1
    return out


def model_encode_cp(cp: int) -> bytes:
    if cp < 0x80:
        return bytes([cp])
    if cp < 0x800:
        return bytes([0xC0 | cp >> 6, 0x80 | cp & 0x3F])
    if cp < 0x10000:
        return bytes([0xE0 | cp >> 12, 0x80 | (cp >> 6) & 0x3F, 0x80 | cp & 0x3F])
    return bytes([0xF0 | cp >> 18, 0x80 | (cp >> 12) & 0x3F, 0x80 | (cp >> 6) & 0x3F, 0x80 | cp & 0x3F])


def model_from_wide(units: list[int]) -> bytes:
    return b"".join(model_encode_cp(cp) for cp in model_code_points(units))


def model_to_wide(cps: list[int]) -> list[int]:
    out = []
    for cp in cps:
        if cp >= 0x10000:
            cp -= 0x10000
            out += [0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)]
        else:
            out.append(cp)
    return out


def model_decode(data: bytes) -> list[int] | None:
    """Code points of well-formed WTF-8, or None if ill-formed."""
    cps: list[int] = []
    i = 0
    while i < len(data):
        b = data[i]
        if b < 0x80:
            n, cp, low = 1, b, 0
        elif 0xC0 <= b < 0xE0:
            n, cp, low = 2, b & 0x1F, 0x80
        elif 0xE0 <= b < 0xF0:
            n, cp, low = 3, b & 0x0F, 0x800
        elif 0xF0 <= b < 0xF8:
            n, cp, low = 4, b & 0x07, 0x10000
        else:
            return None
        if i + n > len(data):
            return None
        for c in data[i + 1 : i + n]:
            if c & 0xC0 != 0x80:
                return None
            cp = cp << 6 | c & 0x3F
        if cp < low or cp > 0x10FFFF:
            return None
        if cps and is_lead(cps[-1]) and is_trail(cp):
            return None  # an encoded surrogate pair
        cps.append(cp)
        i += n
    return cps


# -- strategies ---------------------------------------------------------------

units_st = st.lists(
    st.one_of(
        st.integers(0, 0xFFFF),
        st.integers(0xD800, 0xDFFF),
        st.sampled_from([0x41, 0xE9, 0x20AC, 0xD83D, 0xDE00, 0x3B]),
    ),
    max_size=40,
)
# Python strs that may hold lone surrogates (and adjacent lead+trail pairs).
surrogate_text = st.lists(st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr)), max_size=40).map(
    "".join
)
clean_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)

# -- properties ---------------------------------------------------------------


@given(units_st)
@example([0xD83D, 0xDE00])
@example([0xDE00, 0xD83D])
@example([0xD800])
def test_from_wide_encode_wide_round_trip(units: list[int]) -> None:
    w = Wtf8.from_wide(units)
    assert w.encode_wide() == units
    assert w.as_bytes() == model_from_wide(units)


@given(clean_text)
def test_from_str_to_str_round_trip(s: str) -> None:
    w = Wtf8.from_str(s)
    assert w.to_str() == s
    assert w.as_bytes() == s.encode("utf-8")
    assert w.to_string_lossy() == s
    assert str(w) == s


@given(surrogate_text)
def test_from_str_matches_model(s: str) -> None:
    units = [ord(c) for c in s]  # code points of a str; surrogates are single units
    wide = model_to_wide(units)
    w = Wtf8.from_str(s)
    assert w.as_bytes() == model_from_wide(wide)
    assert w.encode_wide() == wide
    # The surrogate str is the canonical (joined) form and maps back.
    assert Wtf8.from_str(w.to_surrogate_str()) == w
    assert list(w) == model_code_points(wide)


@given(units_st, units_st)
def test_concatenation_equals_encoding_concatenated_utf16(a: list[int], b: list[int]) -> None:
    assert Wtf8.from_wide(a) + Wtf8.from_wide(b) == Wtf8.from_wide(a + b)


@given(surrogate_text, surrogate_text)
def test_concatenation_of_strs(a: str, b: str) -> None:
    assert Wtf8.from_str(a) + Wtf8.from_str(b) == Wtf8.from_str(a + b)


@given(units_st)
def test_from_bytes_accepts_every_wtf8(units: list[int]) -> None:
    w = Wtf8.from_wide(units)
    assert Wtf8.from_bytes(w.as_bytes()) == w
    assert Wtf8.from_bytes(bytearray(w.as_bytes())) == w


@settings(max_examples=300)
@given(st.binary(max_size=12))
@example(b"\xed\xa0\x80\xed\xb0\x80")
@example(b"\xc0\x80")
@example(b"\xf4\x90\x80\x80")
def test_from_bytes_agrees_with_model_on_arbitrary_bytes(data: bytes) -> None:
    cps = model_decode(data)
    if cps is None:
        with pytest.raises(ValueError):
            Wtf8.from_bytes(data)
    else:
        assert list(Wtf8.from_bytes(data)) == cps


@given(units_st)
def test_lossy_replaces_each_lone_surrogate_once(units: list[int]) -> None:
    cps = model_code_points(units)
    expected = "".join("\ufffd" if 0xD800 <= c <= 0xDFFF else chr(c) for c in cps)
    w = Wtf8.from_wide(units)
    assert w.to_string_lossy() == expected
    has_lone = any(0xD800 <= c <= 0xDFFF for c in cps)
    assert (w.to_str() is None) == has_lone
    if not has_lone:
        assert w.to_str() == expected


@given(units_st, units_st)
def test_order_is_code_point_order(a: list[int], b: list[int]) -> None:
    wa, wb = Wtf8.from_wide(a), Wtf8.from_wide(b)
    ca, cb = model_code_points(a), model_code_points(b)
    assert (wa < wb) == (ca < cb)
    assert (wa == wb) == (ca == cb)
    assert (wa <= wb) == (ca <= cb)
    assert (wa >= wb) == (ca >= cb)
    assert (wa > wb) == (ca > cb)
    if wa == wb:
        assert hash(wa) == hash(wb)


# -- ill-formed input, named ------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\xed\xa0\xbd\xed\xb8\x80",  # U+1F600 as an encoded surrogate pair
        b"a\xed\xaf\xbf\xed\xbf\xbfb",  # the last pair, inside text
        b"\xc0\x80",  # overlong NUL
        b"\xc1\xbf",  # overlong
        b"\xe0\x80\x80",  # overlong 3-byte
        b"\xf0\x80\x80\x80",  # overlong 4-byte
        b"\xf4\x90\x80\x80",  # above U+10FFFF
        b"\xf8\x88\x80\x80\x80",  # 5-byte form
        b"\x80",  # stray continuation
        b"\xe2\x82",  # truncated
        b"\xff",
    ],
)
def test_from_bytes_rejects_ill_formed(data: bytes) -> None:
    with pytest.raises(ValueError, match="ill-formed WTF-8"):
        Wtf8.from_bytes(data)


def test_lone_surrogates_are_accepted() -> None:
    # Lead then non-trail, trail alone, trail then lead: all well-formed.
    for data in (b"\xed\xa0\x80a", b"\xed\xb0\x80", b"\xed\xb0\x80\xed\xa0\x80"):
        assert Wtf8.from_bytes(data).as_bytes() == data


def test_pair_in_str_is_joined() -> None:
    w = Wtf8.from_str("x\ud83d\ude00y")
    assert w.as_bytes() == "x\U0001f600y".encode()
    assert w.to_str() == "x\U0001f600y"
    assert w.len() == 6


def test_concat_joins_only_lead_then_trail() -> None:
    lead, trail = Wtf8.from_wide([0xD83D]), Wtf8.from_wide([0xDE00])
    assert (lead + trail).as_bytes() == "\U0001f600".encode()
    assert (trail + lead).as_bytes() == b"\xed\xb8\x80\xed\xa0\xbd"
    assert (lead + trail).len() == 4


def test_value_type_behaviour() -> None:
    w = Wtf8.from_wide([0x61, 0xD800])
    assert repr(w) == "Wtf8.from_str('a\\ud800')"
    assert str(w) == "a\\ud800"
    assert w.len() == 4
    assert not Wtf8.from_str("")
    assert Wtf8.from_str("").is_empty()
    assert w
    assert not hasattr(w, "__len__")
    with pytest.raises(TypeError):
        len(w)  # type: ignore[arg-type]
    assert w != w.as_bytes()
    assert w != "a\ud800"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        w._bytes = b""  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(w)) == w
    assert {w: 1}[Wtf8.from_str("a\ud800")] == 1
    assert list(w.code_points()) == [0x61, 0xD800]
    with pytest.raises(TypeError):
        w < b"a"  # type: ignore[operator]  # noqa: B015


def test_type_errors_name_the_right_call() -> None:
    with pytest.raises(TypeError, match=r"Wtf8\.from_bytes"):
        Wtf8.from_str(b"abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Wtf8\.from_str"):
        Wtf8.from_bytes("abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="range"):
        Wtf8.from_wide([0x10000])
    with pytest.raises(ValueError, match="range"):
        Wtf8.from_wide([-1])
    with pytest.raises(TypeError):
        Wtf8.from_wide(["a"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Wtf8.from_str("a") + "b"  # type: ignore[operator]


def test_large_mixed_text_with_sparse_surrogates() -> None:
    # The C-codec paths on a big input: pairs joined, lone ones kept, linear time.
    chunk = "abc \u00e9\u4e2d\U0001f600" * 1000
    s = chunk + "\ud83d\ude00" + chunk + "\udc00" + chunk
    w = Wtf8.from_str(s)
    assert w.to_str() is None
    assert Wtf8.from_bytes(w.as_bytes()) == w
    assert w.to_string_lossy() == chunk + "\U0001f600" + chunk + "\ufffd" + chunk
    assert w.encode_wide() == model_to_wide([ord(c) for c in s])
