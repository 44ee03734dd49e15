"""stdio2.os.unix.ffi and stdio2.os.windows.ffi, both exercised on this platform."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stdio2.os import unix, windows
from stdio2.os.unix.ffi import OsStrExt as UnixStrExt
from stdio2.os.unix.ffi import OsStringExt as UnixStringExt
from stdio2.os.windows.ffi import OsStrExt as WinStrExt
from stdio2.os.windows.ffi import OsStringExt as WinStringExt
from stdio2.os_str import OsString, Wtf8, _WindowsOsString

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix OS strings are bytes")
units_st = st.lists(st.one_of(st.integers(0, 0xFFFF), st.integers(0xD800, 0xDFFF)), max_size=30)


def test_modules_are_reachable_from_the_platform_packages() -> None:
    assert unix is not None and windows is not None


@unix_only
@given(st.binary(max_size=40))
def test_unix_bytes_round_trip(data: bytes) -> None:
    o = UnixStrExt.from_bytes(data)
    assert isinstance(o, OsString)
    assert UnixStrExt.as_bytes(o) == data
    assert UnixStringExt.from_vec(bytearray(data)) == o
    assert UnixStringExt.from_vec(memoryview(data)) == o
    vec = UnixStringExt.into_vec(o)
    assert type(vec) is bytearray and vec == data
    vec += b"!"  # the caller owns it: the OsString is unchanged
    assert UnixStrExt.as_bytes(o) == data
    assert o == OsString.from_fspath(data)


def test_unix_type_errors() -> None:
    with pytest.raises(TypeError, match="takes bytes"):
        UnixStrExt.from_bytes("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes an OsString"):
        UnixStrExt.as_bytes(b"abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes an OsString"):
        UnixStringExt.into_vec("abc")  # type: ignore[arg-type]


@given(units_st)
def test_wide_round_trip_on_this_platform(units: list[int]) -> None:
    o = WinStringExt.from_wide(units)
    assert isinstance(o, OsString)
    assert WinStrExt.encode_wide(o) == units
    # Off Windows the bytes are the WTF-8 form; on Windows that is the internal form anyway.
    assert o.as_encoded_bytes() == Wtf8.from_wide(units).as_bytes()


@unix_only
def test_from_wide_gives_utf8_for_well_formed_utf16() -> None:
    o = WinStringExt.from_wide([0x63, 0x61, 0x66, 0xE9, 0xD83D, 0xDE00])
    assert UnixStrExt.as_bytes(o) == "caf\u00e9\U0001f600".encode()
    assert o.to_str() == "caf\u00e9\U0001f600"
    assert os.fspath(o) == "caf\u00e9\U0001f600"


@unix_only
def test_encode_wide_of_non_wtf8_bytes_is_an_error() -> None:
    with pytest.raises(ValueError, match="not WTF-8"):
        WinStrExt.encode_wide(UnixStrExt.from_bytes(b"\xff"))
    with pytest.raises(ValueError, match="not WTF-8"):
        WinStrExt.encode_wide(UnixStrExt.from_bytes(b"\xed\xa0\xbd\xed\xb8\x80"))
    assert WinStrExt.encode_wide(UnixStrExt.from_bytes(b"\xed\xa0\x80")) == [0xD800]


@given(units_st)
def test_encode_wide_of_the_windows_flavour(units: list[int]) -> None:
    o = _WindowsOsString._from_inner(Wtf8.from_wide(units).as_bytes())
    assert WinStrExt.encode_wide(o) == units


def test_wide_type_errors() -> None:
    with pytest.raises(TypeError, match="takes an OsString"):
        WinStrExt.encode_wide("abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        WinStringExt.from_wide([0x110000])
