"""OsString: both flavours' rules (the Windows flavour is tested here too), lossless round trips."""

from __future__ import annotations

import os
import pathlib
import pickle
import sys

import attrs
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from stdio2.os_str import (
    OsStr,
    OsString,
    Wtf8,
    _OsStringBase,
    _to_os_bytes,
    _to_os_str,
    _UnixOsString,
    _WindowsOsString,
)

pytestmark = pytest.mark.skipif(
    sys.platform != "win32" and sys.getfilesystemencoding().lower() not in ("utf-8", "utf8"),
    reason="the Unix expectations below assume Python's UTF-8 filesystem encoding",
)

FLAVOURS = [_UnixOsString, _WindowsOsString]
surrogate_text = st.lists(st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr)), max_size=30).map(
    "".join
)
clean_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
units_st = st.lists(st.one_of(st.integers(0, 0xFFFF), st.integers(0xD800, 0xDFFF)), max_size=30)


def test_platform_flavour_and_alias() -> None:
    assert OsStr is OsString
    assert OsString.__name__ == "OsString"
    assert OsString is (_WindowsOsString if sys.platform == "win32" else _UnixOsString)
    assert isinstance(OsString("a"), os.PathLike)


# -- properties of both flavours -------------------------------------------------


@pytest.mark.parametrize("cls", FLAVOURS)
@given(s=clean_text)
def test_from_str_to_str_round_trip(cls: type[_OsStringBase], s: str) -> None:
    for o in (cls(s), cls.from_str(s), cls.from_fspath(s)):
        assert o.to_str() == s
        assert o.to_string_lossy() == s
        assert o.display() == s
        assert str(o) == s
        assert os.fspath(o) == s
        assert o.as_encoded_bytes() == s.encode()
        assert o.len() == len(s.encode())
        assert o.is_empty() == (not s)
        assert bool(o) == bool(s)


@pytest.mark.parametrize("cls", FLAVOURS)
@given(a=clean_text, b=clean_text)
def test_order_equality_hash_follow_bytes(cls: type[_OsStringBase], a: str, b: str) -> None:
    oa, ob = cls(a), cls(b)
    ba, bb = a.encode(), b.encode()
    assert (oa == ob) == (ba == bb)
    assert (oa != ob) == (ba != bb)
    assert (oa < ob) == (ba < bb)
    assert (oa <= ob) == (ba <= bb)
    assert (oa > ob) == (ba > bb)
    assert (oa >= ob) == (ba >= bb)
    if oa == ob:
        assert hash(oa) == hash(ob)


@pytest.mark.parametrize("cls", FLAVOURS)
def test_value_type_rules(cls: type[_OsStringBase]) -> None:
    o = cls("a")
    assert o != "a"
    assert o != b"a"
    assert "a" != o  # noqa: SIM300 (the reflected comparison)
    assert not hasattr(o, "__len__")
    with pytest.raises(TypeError):
        len(o)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        o < "b"  # type: ignore[operator]  # noqa: B015
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        o._inner = b"b"  # type: ignore[misc]
    assert cls(o) == o
    assert cls.from_fspath(o) is o
    assert pickle.loads(pickle.dumps(o)) == o
    assert (o + "b").to_str() == "ab"
    assert ("b" + o).to_str() == "ba"
    assert (o + cls("c")).to_str() == "ac"
    with pytest.raises(TypeError):
        o + b"b"  # type: ignore[operator]
    other = _WindowsOsString if cls is _UnixOsString else _UnixOsString
    assert o != other("a")
    with pytest.raises(TypeError):
        o + other("a")  # type: ignore[operator]
    with pytest.raises(TypeError, match="cannot mix"):
        cls.from_fspath(other("a"))


@pytest.mark.parametrize("cls", FLAVOURS)
@pytest.mark.parametrize("bad", [b"x", bytearray(b"x"), 3, pathlib.Path("x"), None])
def test_constructor_takes_only_str(cls: type[_OsStringBase], bad: object) -> None:
    with pytest.raises(TypeError, match="from_fspath"):
        cls(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", FLAVOURS)
@pytest.mark.parametrize("bad", [3, None, bytearray(b"x"), memoryview(b"x"), ["a"]])
def test_from_fspath_type_errors(cls: type[_OsStringBase], bad: object) -> None:
    with pytest.raises(TypeError, match=r"str, bytes or os\.PathLike"):
        cls.from_fspath(bad)
    with pytest.raises(TypeError, match="from_fspath"):
        cls.from_str(bad)  # type: ignore[arg-type]


# -- the Unix flavour: arbitrary bytes --------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="Unix OS strings are bytes")
@given(st.binary(max_size=40))
@example(b"\xff")
@example(b"\xed\xa0\x80")
@example(b"a\x00b")
def test_unix_bytes_round_trip_through_fspath(data: bytes) -> None:
    o = _UnixOsString.from_fspath(data)
    assert o.as_encoded_bytes() == data
    assert os.fsencode(os.fspath(o)) == data
    assert _UnixOsString.from_fspath(os.fspath(o)) == o
    assert _UnixOsString(os.fspath(o)) == o
    assert eval(repr(o), {"OsString": _UnixOsString}) == o
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        assert o.to_str() is None
        assert o.to_string_lossy() == data.decode("utf-8", "replace")
        assert str(o) == data.decode("utf-8", "backslashreplace")
    else:
        assert o.to_str() == text
        assert str(o) == text


@given(st.binary(max_size=20), st.binary(max_size=20))
def test_unix_concatenation_is_byte_concatenation(a: bytes, b: bytes) -> None:
    assert (_UnixOsString.from_fspath(a) + _UnixOsString.from_fspath(b)).as_encoded_bytes() == a + b


@given(st.binary(min_size=1, max_size=20))
@example(b"\xff\xfe")
def test_unix_pathlib_round_trip(data: bytes) -> None:
    name = data.replace(b"/", b"_")
    assume(name != b".")  # pathlib drops "." components
    o = _UnixOsString.from_fspath(b"/x/" + name)
    p = pathlib.PurePosixPath(o)
    assert _UnixOsString.from_fspath(p) == o
    assert _UnixOsString.from_fspath(p.name) == _UnixOsString.from_fspath(name)


def test_unix_lone_surrogate_outside_escape_range_is_rejected() -> None:
    with pytest.raises(ValueError):
        _UnixOsString("\ud800")
    assert _UnixOsString("\udcff").as_encoded_bytes() == b"\xff"


@pytest.mark.skipif(sys.platform == "win32", reason="Unix file names are bytes")
def test_non_utf8_file_name_survives_the_os(tmp_path: pathlib.Path) -> None:
    name = OsString.from_fspath(b"caf\xe9-\xff\xfe.txt")
    path = tmp_path / name
    path.write_bytes(b"x")
    assert os.fsencode(tmp_path).rstrip(b"/") + b"/caf\xe9-\xff\xfe.txt" == os.fsencode(path)
    listed = [OsString.from_fspath(n) for n in os.listdir(os.fsencode(tmp_path))]
    assert listed == [name]
    assert OsString.from_fspath(os.listdir(tmp_path)[0]) == name
    with open(os.path.join(tmp_path, name), "rb") as f:
        assert f.read() == b"x"


# -- the Windows flavour: WTF-8 -----------------------------------------------------


@given(surrogate_text)
def test_windows_fspath_round_trip(s: str) -> None:
    o = _WindowsOsString(s)
    assert o.as_encoded_bytes() == Wtf8.from_str(s).as_bytes()
    # fspath gives the canonical str (pairs joined), which maps back to the same value.
    assert _WindowsOsString.from_fspath(os.fspath(o)) == o
    assert os.fspath(o) == Wtf8.from_str(s).to_surrogate_str()
    # On Windows the class is the public OsString, and its repr says so.
    assert eval(repr(o), {"_WindowsOsString": _WindowsOsString, "OsString": _WindowsOsString}) == o
    assert o.to_str() == Wtf8.from_str(s).to_str()
    assert o.to_string_lossy() == Wtf8.from_str(s).to_string_lossy()


@given(units_st, units_st)
def test_windows_concatenation_joins_surrogates(a: list[int], b: list[int]) -> None:
    oa = _WindowsOsString._from_inner(Wtf8.from_wide(a).as_bytes())
    ob = _WindowsOsString._from_inner(Wtf8.from_wide(b).as_bytes())
    assert (oa + ob).as_encoded_bytes() == Wtf8.from_wide(a + b).as_bytes()


def test_windows_examples() -> None:
    lead, trail = _WindowsOsString("\ud83d"), _WindowsOsString("\ude00")
    assert (lead + trail) == _WindowsOsString("\U0001f600")
    assert (lead + trail).to_str() == "\U0001f600"
    assert lead.to_str() is None
    assert lead.display() == "\ufffd"
    assert str(lead + "x") == "\\ud83dx"
    # Bytes paths are decoded as Python on Windows decodes them (UTF-8, surrogatepass).
    assert _WindowsOsString.from_fspath(b"\xed\xa0\x80") == _WindowsOsString("\ud800")
    assert _WindowsOsString.from_fspath("caf\u00e9".encode()) == _WindowsOsString("caf\u00e9")
    with pytest.raises(ValueError):
        _WindowsOsString.from_fspath(b"\xff")


# -- the private fast helpers fs and process use -------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="Unix bytes")
@given(st.binary(max_size=30))
def test_to_os_bytes_and_str(data: bytes) -> None:
    o = OsString.from_fspath(data)
    s = os.fsdecode(data)
    for arg in (data, s, o, pathlib.PurePosixPath(s) if data and b"/" not in data else o):
        assert _to_os_bytes(arg) == data
        assert _to_os_str(arg) == s
    with pytest.raises(TypeError):
        _to_os_bytes(3)
