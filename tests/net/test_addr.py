"""Address values: Rust's documented examples and parser tests, ported one by one.

Sources: the doc examples of ``core::net::{ip_addr, socket_addr, parser}`` and
``std/src/net/parser/tests.rs``. Where a Rust example is ``assert_eq!(x, y)``
the port is ``assert x == y``.
"""

from __future__ import annotations

import copy
import ipaddress
import pickle
import sys

import attrs
import pytest

from stdio2.io import Deadline, Error, ErrorKind
from stdio2.net import (
    AddrParseError,
    IpAddr,
    Ipv4Addr,
    Ipv6Addr,
    Ipv6MulticastScope,
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    lookup_host,
    to_socket_addrs,
)

V4 = Ipv4Addr
V6 = Ipv6Addr


# --------------------------------------------------------------------------
# std/src/net/parser/tests.rs

PORT = 8080
SCOPE_ID = 1337
IPV4 = V4(192, 168, 0, 1)
IPV4_STR = "192.168.0.1"
IPV4_STR_PORT = "192.168.0.1:8080"
IPV6 = V6(0x2001, 0xDB8, 0, 0, 0, 0, 0xC0A8, 0x1)
IPV6_STR_FULL = "2001:db8:0:0:0:0:c0a8:1"
IPV6_STR_COMPRESS = "2001:db8::c0a8:1"
IPV6_STR_V4 = "2001:db8::192.168.0.1"
IPV6_STR_PORT = "[2001:db8::c0a8:1]:8080"
IPV6_STR_PORT_SCOPE_ID = "[2001:db8::c0a8:1%1337]:8080"


def _rejects(parse: object, text: str) -> bool:
    try:
        parse(text)  # type: ignore[operator]
    except AddrParseError:
        return True
    return False


def test_parse_ipv4() -> None:
    assert V4.parse(IPV4_STR) == IPV4
    for bad in (IPV4_STR_PORT, IPV6_STR_FULL, IPV6_STR_COMPRESS, IPV6_STR_V4, IPV6_STR_PORT):
        assert _rejects(V4.parse, bad), bad


def test_parse_ipv6() -> None:
    assert V6.parse(IPV6_STR_FULL) == IPV6
    assert V6.parse(IPV6_STR_COMPRESS) == IPV6
    assert V6.parse(IPV6_STR_V4) == IPV6
    for bad in (IPV4_STR, IPV4_STR_PORT, IPV6_STR_PORT):
        assert _rejects(V6.parse, bad), bad


def test_parse_ip() -> None:
    assert IpAddr.parse(IPV4_STR) == IPV4
    assert IpAddr.parse(IPV6_STR_FULL) == IPV6
    assert IpAddr.parse(IPV6_STR_COMPRESS) == IPV6
    assert IpAddr.parse(IPV6_STR_V4) == IPV6
    assert type(IpAddr.parse(IPV4_STR)) is Ipv4Addr
    assert type(IpAddr.parse(IPV6_STR_V4)) is Ipv6Addr
    assert _rejects(IpAddr.parse, IPV4_STR_PORT)
    assert _rejects(IpAddr.parse, IPV6_STR_PORT)


def test_parse_socket_v4() -> None:
    assert SocketAddrV4.parse(IPV4_STR_PORT) == SocketAddrV4(IPV4, PORT)
    for bad in (IPV4_STR, IPV6_STR_FULL, IPV6_STR_COMPRESS, IPV6_STR_V4, IPV6_STR_PORT):
        assert _rejects(SocketAddrV4.parse, bad), bad


def test_parse_socket_v6() -> None:
    assert SocketAddrV6.parse(IPV6_STR_PORT) == SocketAddrV6(IPV6, PORT, 0, 0)
    assert SocketAddrV6.parse(IPV6_STR_PORT_SCOPE_ID) == SocketAddrV6(IPV6, PORT, 0, SCOPE_ID)
    for bad in (IPV4_STR, IPV4_STR_PORT, IPV6_STR_FULL, IPV6_STR_COMPRESS, IPV6_STR_V4):
        assert _rejects(SocketAddrV6.parse, bad), bad


def test_parse_socket() -> None:
    assert SocketAddr.parse(IPV4_STR_PORT) == SocketAddr(IPV4, PORT)
    assert SocketAddr.parse(IPV6_STR_PORT) == SocketAddr(IPV6, PORT)
    for bad in (IPV4_STR, IPV6_STR_FULL, IPV6_STR_COMPRESS, IPV6_STR_V4):
        assert _rejects(SocketAddr.parse, bad), bad


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("1::", (1, 0, 0, 0, 0, 0, 0, 0)),
        ("1:1::", (1, 1, 0, 0, 0, 0, 0, 0)),
        ("::1", (0, 0, 0, 0, 0, 0, 0, 1)),
        ("::1:1", (0, 0, 0, 0, 0, 0, 1, 1)),
        ("::", (0, 0, 0, 0, 0, 0, 0, 0)),
        ("::192.168.0.1", (0, 0, 0, 0, 0, 0, 0xC0A8, 0x1)),
        ("::1:192.168.0.1", (0, 0, 0, 0, 0, 1, 0xC0A8, 0x1)),
        ("1:1:1:1:1:1:192.168.0.1", (1, 1, 1, 1, 1, 1, 0xC0A8, 0x1)),
        # Beyond Rust's list: "::" standing for exactly one group, and case.
        ("1:2:3:4:5:6:7::", (1, 2, 3, 4, 5, 6, 7, 0)),
        ("::2:3:4:5:6:7:8", (0, 2, 3, 4, 5, 6, 7, 8)),
        ("1:2:3::5:6:7:8", (1, 2, 3, 0, 5, 6, 7, 8)),
        ("ABCD:ef01::0000:00Fa", (0xABCD, 0xEF01, 0, 0, 0, 0, 0, 0xFA)),
        ("1:2:3:4:5::1.2.3.4", (1, 2, 3, 4, 5, 0, 0x102, 0x304)),
    ],
)
def test_ipv6_corner_cases(text: str, segments: tuple[int, ...]) -> None:
    assert V6.parse(text).segments() == segments


@pytest.mark.parametrize(
    "text",
    [
        "1:192.168.0.1::",  # no IPv4 before the ::
        "1:1:1:1::1:1:1:1",  # :: must stand for at least one zero group
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6::1.2.3.4",  # 6 + 2 groups leave nothing for ::
        "1:2:3:4:5:6:7:1.2.3.4",
        "1::2::3",
        ":::",
        ":1::",
        "1:::2",
        "12345::",
        "::01.2.3.4",  # octal-looking IPv4 tail
        "::1.2.3.256",
        "::1.2.3",
        "::1.2.3.4:5",
        "::1.2.3.4a",
        "0x1::",
        "::g",
        "[::1]",
        "::1%1",
        " ::1",
        "::1 ",
        "",
        ":",
        "1_0::",
        "+1::",
        "::\u0661",  # a Unicode digit
    ],
)
def test_ipv6_corner_failures(text: str) -> None:
    with pytest.raises(AddrParseError) as info:
        V6.parse(text)
    assert str(info.value) == "invalid IPv6 address syntax"
    assert info.value.input == text


def test_socket_v6_needs_brackets() -> None:
    assert _rejects(SocketAddrV6.parse, "1:1:1:1:1:1:1:1:8080")


@pytest.mark.parametrize(
    "text",
    [
        "012.004.002.000",  # all octets octal-looking
        "0000000.0.0.0",
        "0xcb.0x0.0x71.0x00",
        "01.2.3.4",
        "00.0.0.0",
        "256.0.0.0",
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.",
        ".1.2.3",
        "1..2.3",
        "1.2.3.4 ",
        " 1.2.3.4",
        "+1.2.3.4",
        "-1.2.3.4",
        "1.2.3.4\n",
        "1.2.3.0004",
        "127.1",
        "2130706433",
        "\u0661.2.3.4",
        "1.2.3.4:80",
        "",
    ],
)
def test_ipv4_rejects(text: str) -> None:
    with pytest.raises(AddrParseError, match=r"^invalid IPv4 address syntax$"):
        V4.parse(text)


def test_error_messages_match_rust() -> None:
    cases = [
        (IpAddr.parse, "x", "invalid IP address syntax"),
        (Ipv4Addr.parse, "x", "invalid IPv4 address syntax"),
        (Ipv6Addr.parse, "x", "invalid IPv6 address syntax"),
        (SocketAddr.parse, "x", "invalid socket address syntax"),
        (SocketAddrV4.parse, "x", "invalid IPv4 socket address syntax"),
        (SocketAddrV6.parse, "x", "invalid IPv6 socket address syntax"),
    ]
    for parse, text, message in cases:
        with pytest.raises(AddrParseError) as info:
            parse(text)
        assert str(info.value) == message
        assert isinstance(info.value, ValueError)
    err = pickle.loads(pickle.dumps(AddrParseError("invalid IP address syntax", "x")))
    assert str(err) == "invalid IP address syntax" and err.input == "x"


def test_ip_addr_parse_is_not_socket_addr() -> None:
    # Rust's AddrParseError doc example: IpAddr does not take a port.
    with pytest.raises(AddrParseError):
        IpAddr.parse("127.0.0.1:8080")
    assert SocketAddr.parse("127.0.0.1:8080") == SocketAddrV4(V4(127, 0, 0, 1), 8080)


@pytest.mark.parametrize(
    ("text", "port"),
    [("1.2.3.4:0", 0), ("1.2.3.4:65535", 65535), ("1.2.3.4:0080", 80), ("1.2.3.4:" + "0" * 5000 + "7", 7)],
)
def test_ports_accept_leading_zeros(text: str, port: int) -> None:
    assert SocketAddrV4.parse(text).port() == port


@pytest.mark.parametrize(
    "text",
    [
        "1.2.3.4:65536",
        "1.2.3.4:",
        "1.2.3.4:+80",
        "1.2.3.4:-1",
        "1.2.3.4: 80",
        "1.2.3.4:8O",
        "1.2.3.4:99999999999",
    ],
)
def test_bad_ports(text: str) -> None:
    with pytest.raises(AddrParseError):
        SocketAddr.parse(text)


@pytest.mark.parametrize(
    ("text", "scope", "port"),
    [
        ("[fe80::1%2]:80", 2, 80),
        ("[fe80::1%0]:80", 0, 80),
        ("[fe80::1%004294967295]:1", 4294967295, 1),
        ("[::ffff:1.2.3.4]:0", 0, 0),
    ],
)
def test_socket_v6_scope(text: str, scope: int, port: int) -> None:
    addr = SocketAddrV6.parse(text)
    assert (addr.scope_id(), addr.port(), addr.flowinfo()) == (scope, port, 0)


@pytest.mark.parametrize(
    "text",
    [
        "[fe80::1%eth0]:80",
        "[fe80::1%]:80",
        "[fe80::1%4294967296]:80",
        "[fe80::1%1%2]:80",
        "[::1]80",
        "[::1]:",
        "[::1:80",
        "::1]:80",
        "[1.2.3.4]:80",
        "[[::1]]:80",
    ],
)
def test_socket_v6_rejects(text: str) -> None:
    with pytest.raises(AddrParseError):
        SocketAddrV6.parse(text)


def test_parse_accepts_ascii_bytes() -> None:
    # Rust's unstable parse_ascii.
    assert Ipv4Addr.parse(b"127.0.0.1") == Ipv4Addr.LOCALHOST
    assert IpAddr.parse(bytearray(b"::1")) == Ipv6Addr.LOCALHOST
    assert SocketAddr.parse(memoryview(b"[::1]:8080")) == SocketAddrV6(Ipv6Addr.LOCALHOST, 8080)
    with pytest.raises(AddrParseError):
        Ipv4Addr.parse("127.0.0.1".encode("utf-16"))
    with pytest.raises(AddrParseError):
        Ipv4Addr.parse(b"1.2.3.\xb9")  # a superscript one in latin-1


def test_parse_type_errors_name_the_call() -> None:
    with pytest.raises(TypeError, match=r"Ipv4Addr\.parse\(\) takes a str or bytes, not int"):
        Ipv4Addr.parse(127)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Ipv4Addr\.parse\(s\)"):
        Ipv4Addr("127.0.0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Ipv6Addr\.parse\(s\)"):
        Ipv6Addr("::1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"SocketAddrV4\.parse"):
        SocketAddrV4("127.0.0.1", 80)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"SocketAddr\.parse"):
        SocketAddr("127.0.0.1", 80)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"IpAddr\.parse"):
        IpAddr()


# --------------------------------------------------------------------------
# Constructors, accessors, constants


def test_constructor_ranges() -> None:
    with pytest.raises(ValueError, match=r"0\.\.=255"):
        Ipv4Addr(256, 0, 0, 0)
    with pytest.raises(ValueError):
        Ipv4Addr(-1, 0, 0, 0)
    with pytest.raises(TypeError):
        Ipv4Addr(1.0, 0, 0, 0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="four"):
        Ipv4Addr(1, 2, 3)
    with pytest.raises(ValueError, match=r"0\.\.=65535"):
        Ipv6Addr(0x10000, 0, 0, 0, 0, 0, 0, 0)
    with pytest.raises(TypeError, match="eight"):
        Ipv6Addr(1, 2, 3)
    with pytest.raises(ValueError, match="port"):
        SocketAddrV4(Ipv4Addr.LOCALHOST, 70000)
    with pytest.raises(ValueError, match="port"):
        SocketAddrV6(Ipv6Addr.LOCALHOST, -1)
    with pytest.raises(ValueError, match="flowinfo"):
        SocketAddrV6(Ipv6Addr.LOCALHOST, 1, 1 << 32)
    with pytest.raises(ValueError, match="scope_id"):
        SocketAddrV6(Ipv6Addr.LOCALHOST, 1, 0, -1)
    with pytest.raises(TypeError, match="Ipv6Addr"):
        SocketAddrV6(Ipv4Addr.LOCALHOST, 1)  # type: ignore[arg-type]


def test_constants() -> None:
    assert Ipv4Addr(127, 0, 0, 1) == Ipv4Addr.LOCALHOST
    assert Ipv4Addr(0, 0, 0, 0) == Ipv4Addr.UNSPECIFIED
    assert Ipv4Addr(255, 255, 255, 255) == Ipv4Addr.BROADCAST
    assert Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 1) == Ipv6Addr.LOCALHOST
    assert Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 0) == Ipv6Addr.UNSPECIFIED
    assert (Ipv4Addr.BITS, Ipv6Addr.BITS) == (32, 128)


def test_bits_and_octets() -> None:
    addr = Ipv4Addr(0x12, 0x34, 0x56, 0x78)
    assert addr.to_bits() == 0x12345678 == int(addr)
    assert Ipv4Addr.from_bits(addr.to_bits() & 0xFFFFFF00) == Ipv4Addr(0x12, 0x34, 0x56, 0x00)
    assert Ipv4Addr.from_bits(0x12345678) == addr
    assert addr.octets() == bytes([0x12, 0x34, 0x56, 0x78])
    assert Ipv4Addr.from_octets(bytes([13, 12, 11, 10])) == Ipv4Addr(13, 12, 11, 10)
    v6 = Ipv6Addr(0x1020, 0x3040, 0x5060, 0x7080, 0x90A0, 0xB0C0, 0xD0E0, 0xF00D)
    assert v6.to_bits() == 0x102030405060708090A0B0C0D0E0F00D == int(v6)
    assert Ipv6Addr.from_bits(0x102030405060708090A0B0C0D0E0F00D) == v6
    masked = Ipv6Addr.from_bits(v6.to_bits() & 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFF0000)
    assert masked == Ipv6Addr(0x1020, 0x3040, 0x5060, 0x7080, 0x90A0, 0xB0C0, 0xD0E0, 0)
    assert Ipv6Addr(0xFF00, 0, 0, 0, 0, 0, 0, 0).octets() == bytes([0xFF] + [0] * 15)
    octets = bytes(
        [0x19, 0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0F, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A]
    )
    assert Ipv6Addr.from_octets(octets) == Ipv6Addr(
        0x1918, 0x1716, 0x1514, 0x1312, 0x1110, 0x0F0E, 0x0D0C, 0x0B0A
    )
    assert Ipv6Addr.from_segments([0x20D, 0x20C, 0x20B, 0x20A, 0x209, 0x208, 0x207, 0x206]).segments() == (
        0x20D, 0x20C, 0x20B, 0x20A, 0x209, 0x208, 0x207, 0x206,
    )
    with pytest.raises(ValueError):
        Ipv4Addr.from_bits(1 << 32)
    with pytest.raises(ValueError):
        Ipv6Addr.from_bits(-1)
    with pytest.raises(ValueError):
        Ipv4Addr.from_octets(b"\x01\x02\x03")


def test_bit_operators() -> None:
    assert ~Ipv4Addr(255, 0, 255, 0) == Ipv4Addr(0, 255, 0, 255)
    assert Ipv4Addr(192, 168, 1, 77) & Ipv4Addr(255, 255, 255, 0) == Ipv4Addr(192, 168, 1, 0)
    assert Ipv4Addr(10, 0, 0, 0) | Ipv4Addr(0, 0, 0, 9) == Ipv4Addr(10, 0, 0, 9)
    assert Ipv6Addr(*[0xFFFF] * 8) == ~Ipv6Addr.UNSPECIFIED
    assert Ipv6Addr.parse("2001:db8::1") & Ipv6Addr.parse("ffff:ffff::") == Ipv6Addr.parse("2001:db8::")
    assert Ipv6Addr.parse("2001:db8::") | Ipv6Addr.parse("::1") == Ipv6Addr.parse("2001:db8::1")


def test_socket_addr_accessors() -> None:
    socket = SocketAddr(Ipv4Addr(127, 0, 0, 1), 8080)
    assert type(socket) is SocketAddrV4
    assert socket.ip() == Ipv4Addr(127, 0, 0, 1)
    assert socket.port() == 8080
    assert socket.is_ipv4() and not socket.is_ipv6()
    assert socket.with_ip(Ipv4Addr(10, 10, 0, 1)).ip() == Ipv4Addr(10, 10, 0, 1)
    assert socket.with_port(1025).port() == 1025
    assert socket.port() == 8080  # values never change
    moved = socket.with_ip(Ipv6Addr.LOCALHOST)
    assert moved == SocketAddrV6(Ipv6Addr.LOCALHOST, 8080)
    v6 = SocketAddrV6(Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 1), 8080, 10, 78)
    assert (v6.flowinfo(), v6.scope_id()) == (10, 78)
    assert v6.with_flowinfo(56).flowinfo() == 56
    assert v6.with_scope_id(42).scope_id() == 42
    assert v6.with_ip(Ipv6Addr(76, 45, 0, 0, 0, 0, 0, 0)) == SocketAddrV6(
        Ipv6Addr(76, 45, 0, 0, 0, 0, 0, 0), 8080, 10, 78
    )
    assert v6.with_ip(Ipv4Addr.LOCALHOST) == SocketAddrV4(Ipv4Addr.LOCALHOST, 8080)
    assert SocketAddr(Ipv6Addr(0, 0, 0, 0, 0, 65535, 0, 1), 8080).is_ipv6()


def test_values_are_frozen_attrs_with_slots() -> None:
    addr = Ipv4Addr(1, 2, 3, 4)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        addr._octets = b"\x00" * 4  # type: ignore[misc]
    sock = SocketAddrV6(Ipv6Addr.LOCALHOST, 1)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        sock._port = 2  # type: ignore[misc]
    assert not hasattr(addr, "__dict__") and not hasattr(sock, "__dict__")
    assert attrs.has(Ipv4Addr) and attrs.has(SocketAddrV6)
    for value in (addr, Ipv6Addr.LOCALHOST, SocketAddrV4(addr, 9), SocketAddrV6(Ipv6Addr.LOCALHOST, 9, 3, 4)):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.copy(value) == value and copy.deepcopy(value) == value


# --------------------------------------------------------------------------
# Display and repr


@pytest.mark.parametrize(
    ("segments", "text"),
    [
        ((0, 0, 0, 0, 0, 0, 0, 0), "::"),
        ((0, 0, 0, 0, 0, 0, 0, 1), "::1"),
        ((1, 0, 0, 0, 0, 0, 0, 0), "1::"),
        ((0, 0, 0, 0, 0, 0, 0xC000, 0x2FF), "::c000:2ff"),  # IPv4-compatible: not dotted
        ((0, 0, 0, 0, 0, 0xFFFF, 0xC00A, 0x2FF), "::ffff:192.10.2.255"),
        ((0, 0, 0, 0, 0, 0xFFFF, 0, 0), "::ffff:0.0.0.0"),
        ((0, 0, 0, 0, 0xFFFF, 0, 0, 0), "::ffff:0:0:0"),  # not mapped: /96 differs
        ((1, 0, 2, 3, 4, 5, 6, 7), "1:0:2:3:4:5:6:7"),  # never a single zero group
        ((1, 0, 0, 2, 0, 0, 3, 4), "1::2:0:0:3:4"),  # first run on a tie
        ((1, 0, 0, 2, 0, 0, 0, 3), "1:0:0:2::3"),  # longest run wins
        ((0x2001, 0xDB8, 0, 0, 0, 0, 0, 1), "2001:db8::1"),
        (
            (0xABCD, 0xEF01, 0x2345, 0x6789, 0xABCD, 0xEF01, 0x2345, 0x6789),
            "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
        ),
        ((0, 0, 1, 0, 0, 0, 0, 0), "0:0:1::"),
    ],
)
def test_ipv6_display(segments: tuple[int, ...], text: str) -> None:
    addr = Ipv6Addr(*segments)
    assert str(addr) == text
    assert Ipv6Addr.parse(text) == addr


def test_display_and_format() -> None:
    assert str(Ipv4Addr(127, 0, 0, 1)) == "127.0.0.1"
    assert f"{Ipv4Addr(1, 2, 3, 4):>10}" == "   1.2.3.4"
    assert f"{Ipv6Addr.LOCALHOST:<5}|" == "::1  |"
    assert str(SocketAddrV4(Ipv4Addr(127, 0, 0, 1), 8080)) == "127.0.0.1:8080"
    assert str(SocketAddrV6(Ipv6Addr.LOCALHOST, 8080)) == "[::1]:8080"
    assert str(SocketAddrV6(Ipv6Addr.LOCALHOST, 8080, flowinfo=9)) == "[::1]:8080"
    assert str(SocketAddrV6(Ipv6Addr.parse("fe80::1"), 80, 0, 3)) == "[fe80::1%3]:80"
    assert f"{SocketAddrV4(Ipv4Addr.LOCALHOST, 1):^16}" == "  127.0.0.1:1   "  # Rust centres the same way


def test_repr_is_eval_able() -> None:
    names = {
        "Ipv4Addr": Ipv4Addr,
        "Ipv6Addr": Ipv6Addr,
        "SocketAddrV4": SocketAddrV4,
        "SocketAddrV6": SocketAddrV6,
    }
    values = [
        Ipv4Addr.LOCALHOST,
        Ipv6Addr.parse("2001:db8::1"),
        SocketAddrV4(Ipv4Addr.LOCALHOST, 80),
        SocketAddrV6(Ipv6Addr.LOCALHOST, 80, 0, 7),
        SocketAddrV6(Ipv6Addr.LOCALHOST, 80, 5, 7),
    ]
    for value in values:
        assert eval(repr(value), names) == value
    assert repr(Ipv4Addr.LOCALHOST) == "Ipv4Addr.parse('127.0.0.1')"
    assert repr(SocketAddrV6(Ipv6Addr.LOCALHOST, 80, 5, 7)) == (
        "SocketAddrV6(Ipv6Addr.parse('::1'), 80, flowinfo=5, scope_id=7)"
    )


# --------------------------------------------------------------------------
# Ordering and hashing


def test_ordering_v4_before_v6() -> None:
    addrs = [Ipv6Addr.UNSPECIFIED, Ipv4Addr.BROADCAST, Ipv6Addr.LOCALHOST, Ipv4Addr.UNSPECIFIED]
    expected = [Ipv4Addr.UNSPECIFIED, Ipv4Addr.BROADCAST, Ipv6Addr.UNSPECIFIED, Ipv6Addr.LOCALHOST]
    assert sorted(addrs) == expected
    assert Ipv4Addr.BROADCAST < Ipv6Addr.UNSPECIFIED
    assert Ipv6Addr.UNSPECIFIED > Ipv4Addr.BROADCAST
    assert Ipv4Addr.BROADCAST != Ipv6Addr.UNSPECIFIED
    assert Ipv4Addr.LOCALHOST.to_ipv6_mapped() != Ipv4Addr.LOCALHOST
    socks = [
        SocketAddrV6(Ipv6Addr.UNSPECIFIED, 1),
        SocketAddrV4(Ipv4Addr.BROADCAST, 2),
        SocketAddrV4(Ipv4Addr.BROADCAST, 1),
        SocketAddrV6(Ipv6Addr.UNSPECIFIED, 1, 0, 1),
        SocketAddrV6(Ipv6Addr.UNSPECIFIED, 1, 1, 0),
    ]
    assert sorted(socks) == [socks[2], socks[1], socks[0], socks[3], socks[4]]
    with pytest.raises(TypeError):
        _ = SocketAddrV4(Ipv4Addr.LOCALHOST, 1) > Ipv4Addr.LOCALHOST  # type: ignore[operator]
    assert Ipv4Addr.LOCALHOST != "127.0.0.1"
    assert ipaddress.IPv4Address("127.0.0.1") != Ipv4Addr.LOCALHOST


def test_hash_consistent() -> None:
    assert hash(Ipv4Addr.parse("1.2.3.4")) == hash(Ipv4Addr(1, 2, 3, 4))
    assert len({Ipv4Addr(1, 2, 3, 4), Ipv4Addr.parse("1.2.3.4"), Ipv6Addr.parse("::1.2.3.4")}) == 2
    assert len({SocketAddr.parse("[::1]:80"), SocketAddrV6(Ipv6Addr.LOCALHOST, 80, 0, 0)}) == 1


# --------------------------------------------------------------------------
# Classification: Rust's doc examples


def test_ipv4_classification_examples() -> None:
    assert V4(0, 0, 0, 0).is_unspecified()
    assert not V4(45, 22, 13, 197).is_unspecified()
    assert V4(127, 0, 0, 1).is_loopback()
    assert not V4(45, 22, 13, 197).is_loopback()
    assert V4(10, 0, 0, 1).is_private()
    assert V4(10, 10, 10, 10).is_private()
    assert V4(172, 16, 10, 10).is_private()
    assert V4(172, 29, 45, 14).is_private()
    assert not V4(172, 32, 0, 2).is_private()
    assert V4(192, 168, 0, 2).is_private()
    assert not V4(192, 169, 0, 2).is_private()
    assert V4(169, 254, 0, 0).is_link_local()
    assert V4(169, 254, 10, 65).is_link_local()
    assert not V4(16, 89, 10, 65).is_link_local()
    assert V4(100, 64, 0, 0).is_shared()
    assert V4(100, 127, 255, 255).is_shared()
    assert not V4(100, 128, 0, 0).is_shared()
    assert not V4(198, 17, 255, 255).is_benchmarking()
    assert V4(198, 18, 0, 0).is_benchmarking()
    assert V4(198, 19, 255, 255).is_benchmarking()
    assert not V4(198, 20, 0, 0).is_benchmarking()
    assert V4(240, 0, 0, 0).is_reserved()
    assert V4(255, 255, 255, 254).is_reserved()
    assert not V4(239, 255, 255, 255).is_reserved()
    assert not V4(255, 255, 255, 255).is_reserved()
    assert V4(224, 254, 0, 0).is_multicast()
    assert V4(236, 168, 10, 65).is_multicast()
    assert not V4(172, 16, 10, 65).is_multicast()
    assert V4(255, 255, 255, 255).is_broadcast()
    assert not V4(236, 168, 10, 65).is_broadcast()
    assert V4(192, 0, 2, 255).is_documentation()
    assert V4(198, 51, 100, 65).is_documentation()
    assert V4(203, 0, 113, 6).is_documentation()
    assert not V4(193, 34, 17, 19).is_documentation()


def test_ipv4_is_global_examples() -> None:
    assert V4(80, 9, 12, 3).is_global()
    for not_global in (
        Ipv4Addr.UNSPECIFIED,
        V4(10, 254, 0, 0),
        V4(192, 168, 10, 65),
        V4(172, 16, 10, 65),
        V4(100, 100, 0, 0),
        Ipv4Addr.LOCALHOST,
        V4(169, 254, 45, 1),
        V4(192, 0, 2, 255),
        V4(198, 51, 100, 65),
        V4(203, 0, 113, 6),
        V4(198, 18, 0, 0),
        V4(250, 10, 20, 30),
        Ipv4Addr.BROADCAST,
        V4(0, 1, 2, 3),
        V4(192, 0, 0, 8),
    ):
        assert not not_global.is_global(), not_global
    # 192.0.0.9 and 192.0.0.10 are documented as globally reachable.
    assert V4(192, 0, 0, 9).is_global() and V4(192, 0, 0, 10).is_global()


def test_ipv6_classification_examples() -> None:
    mapped = V6(0, 0, 0, 0, 0, 0xFFFF, 0xC00A, 0x2FF)
    assert not mapped.is_unspecified()
    assert V6(0, 0, 0, 0, 0, 0, 0, 0).is_unspecified()
    assert not mapped.is_loopback()
    assert V6(0, 0, 0, 0, 0, 0, 0, 0x1).is_loopback()
    assert not mapped.is_unique_local()
    assert V6(0xFC02, 0, 0, 0, 0, 0, 0, 0).is_unique_local()
    assert Ipv6Addr.UNSPECIFIED.is_unicast() and Ipv6Addr.LOCALHOST.is_unicast()
    assert V6(0x2001, 0xDB8, 0, 0, 0, 0, 0, 0).is_unicast()
    assert not V6(0xFF00, 0, 0, 0, 0, 0, 0, 0).is_unicast()
    assert not Ipv6Addr.LOCALHOST.is_unicast_link_local()
    assert not V6(0x2001, 0xDB8, 0, 0, 0, 0, 0, 0).is_unicast_link_local()
    assert V6(0xFE80, 0, 0, 0, 0, 0, 0, 0).is_unicast_link_local()
    assert V6(0xFE80, 0, 0, 1, 0, 0, 0, 0).is_unicast_link_local()
    assert V6(0xFE81, 0, 0, 0, 0, 0, 0, 0).is_unicast_link_local()
    assert not mapped.is_documentation()
    assert V6(0x2001, 0xDB8, 0, 0, 0, 0, 0, 0).is_documentation()
    assert V6(0x3FFF, 0, 0, 0, 0, 0, 0, 0).is_documentation()
    assert V6(0x3FFF, 0x0FFF, 0, 0, 0, 0, 0, 0).is_documentation()
    assert not V6(0x3FFF, 0x1000, 0, 0, 0, 0, 0, 0).is_documentation()
    assert not V6(0, 0, 0, 0, 0, 0xFFFF, 0xC613, 0x0).is_benchmarking()
    assert V6(0x2001, 0x2, 0, 0, 0, 0, 0, 0).is_benchmarking()
    assert not V6(0x2001, 0xDB8, 0, 0, 0, 0, 0, 0).is_unicast_global()
    assert mapped.is_unicast_global()
    assert V6(0xFF00, 0, 0, 0, 0, 0, 0, 0).is_multicast()
    assert not mapped.is_multicast()
    assert V4(192, 0, 2, 255).to_ipv6_mapped().is_ipv4_mapped()
    assert V6(0, 0, 0, 0, 0, 0xFFFF, 0xC000, 0x2FF).is_ipv4_mapped()
    assert not V6(0x2001, 0xDB8, 0, 0, 0, 0, 0, 0).is_ipv4_mapped()
    assert V6(0xFF0E, 0, 0, 0, 0, 0, 0, 0).multicast_scope() is Ipv6MulticastScope.Global
    assert mapped.multicast_scope() is None
    assert V6(0xFF02, 0, 0, 0, 0, 0, 0, 1).multicast_scope() is Ipv6MulticastScope.LinkLocal
    assert V6(0xFF00, 0, 0, 0, 0, 0, 0, 1).multicast_scope() is None


def test_ipv6_is_global_examples() -> None:
    assert V6(0x26, 0, 0x1C9, 0, 0, 0xAFC8, 0x10, 0x1).is_global()
    for not_global in (
        Ipv6Addr.UNSPECIFIED,
        Ipv6Addr.LOCALHOST,
        V6(0, 0, 0, 0, 0, 0xFFFF, 0xC00A, 0x2FF),
        V6(0x2001, 2, 0, 0, 0, 0, 0, 1),
        V6(0x2001, 0xDB8, 0, 0, 0, 0, 0, 1),
        V6(0x3FFF, 0, 0, 0, 0, 0, 0, 0),
        V6(0xFC02, 0, 0, 0, 0, 0, 0, 1),
        V6(0xFE81, 0, 0, 0, 0, 0, 0, 1),
        V6(0x64, 0xFF9B, 1, 0, 0, 0, 0, 1),
        V6(0x100, 0, 0, 0, 1, 2, 3, 4),
        V6(0x2001, 0x1FF, 0, 0, 0, 0, 0, 1),
        V6(0x2001, 1, 0, 0, 0, 0, 0, 3),
        V6(0x2002, 1, 0, 0, 0, 0, 0, 1),
        V6(0x5F00, 1, 0, 0, 0, 0, 0, 1),
    ):
        assert not not_global.is_global(), not_global
    for exempt in (
        V6(0x2001, 1, 0, 0, 0, 0, 0, 1),  # PCP anycast
        V6(0x2001, 1, 0, 0, 0, 0, 0, 2),  # TURN anycast
        V6(0x2001, 3, 0, 0, 0, 0, 0, 1),  # AMT
        V6(0x2001, 4, 0x112, 0, 0, 0, 0, 1),  # AS112-v6
        V6(0x2001, 0x20, 0, 0, 0, 0, 0, 1),  # ORCHIDv2
        V6(0x2001, 0x3F, 0, 0, 0, 0, 0, 1),  # DETs
        V6(0x2001, 0x200, 0, 0, 0, 0, 0, 1),  # outside 2001::/23
        V6(0xFF0E, 0, 0, 0, 0, 0, 0, 1),  # multicast is not excluded
    ):
        assert exempt.is_global(), exempt


def test_ip_addr_dispatch_examples() -> None:
    assert IpAddr.parse("0.0.0.0").is_unspecified() and IpAddr.parse("::").is_unspecified()
    assert IpAddr.parse("127.0.0.1").is_loopback() and IpAddr.parse("::1").is_loopback()
    assert IpAddr.parse("80.9.12.3").is_global()
    assert V6(0, 0, 0x1C9, 0, 0, 0xAFC8, 0, 0x1).is_global()
    assert V4(224, 254, 0, 0).is_multicast() and V6(0xFF00, 0, 0, 0, 0, 0, 0, 0).is_multicast()
    assert V4(203, 0, 113, 6).is_documentation()
    assert V4(198, 19, 255, 255).is_benchmarking()
    assert V4(203, 0, 113, 6).is_ipv4() and not V4(203, 0, 113, 6).is_ipv6()
    assert V6(0x2001, 0xDB8, 0, 0, 0, 0, 0, 0).is_ipv6()


def test_conversions() -> None:
    assert V4(192, 0, 2, 255).to_ipv6_compatible() == V6(0, 0, 0, 0, 0, 0, 0xC000, 0x2FF)
    assert V4(192, 0, 2, 255).to_ipv6_mapped() == V6(0, 0, 0, 0, 0, 0xFFFF, 0xC000, 0x2FF)
    assert V6(0xFF00, 0, 0, 0, 0, 0, 0, 0).to_ipv4_mapped() is None
    assert V6(0, 0, 0, 0, 0, 0xFFFF, 0xC00A, 0x2FF).to_ipv4_mapped() == V4(192, 10, 2, 255)
    assert V6(0, 0, 0, 0, 0, 0, 0, 1).to_ipv4_mapped() is None
    assert V6(0xFF00, 0, 0, 0, 0, 0, 0, 0).to_ipv4() is None
    assert V6(0, 0, 0, 0, 0, 0xFFFF, 0xC00A, 0x2FF).to_ipv4() == V4(192, 10, 2, 255)
    assert V6(0, 0, 0, 0, 0, 0, 0, 1).to_ipv4() == V4(0, 0, 0, 1)
    mapped_loopback = V6(0, 0, 0, 0, 0, 0xFFFF, 0x7F00, 0x1)
    assert not mapped_loopback.is_loopback()
    assert mapped_loopback.to_canonical().is_loopback()
    assert Ipv4Addr.LOCALHOST.to_canonical() is Ipv4Addr.LOCALHOST
    assert Ipv6Addr.LOCALHOST.to_canonical() is Ipv6Addr.LOCALHOST


def test_ipaddress_interop() -> None:
    assert Ipv4Addr.LOCALHOST.to_ipaddress() == ipaddress.IPv4Address("127.0.0.1")
    assert Ipv6Addr.parse("2001:db8::1").to_ipaddress() == ipaddress.IPv6Address("2001:db8::1")
    assert IpAddr.from_ipaddress(ipaddress.ip_address("10.1.2.3")) == V4(10, 1, 2, 3)
    assert IpAddr.from_ipaddress(ipaddress.ip_address("::ffff:1.2.3.4")) == V4(1, 2, 3, 4).to_ipv6_mapped()
    assert Ipv4Addr.from_ipaddress(ipaddress.IPv4Address("1.2.3.4")) == V4(1, 2, 3, 4)
    assert Ipv6Addr.from_ipaddress(ipaddress.IPv6Address("::2")) == V6(0, 0, 0, 0, 0, 0, 0, 2)
    with pytest.raises(TypeError):
        Ipv4Addr.from_ipaddress(ipaddress.IPv6Address("::1"))
    with pytest.raises(TypeError):
        Ipv6Addr.from_ipaddress(ipaddress.IPv4Address("1.2.3.4"))
    with pytest.raises(TypeError):
        IpAddr.from_ipaddress("1.2.3.4")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scope"):
        IpAddr.from_ipaddress(ipaddress.IPv6Address("fe80::1%eth0"))


# --------------------------------------------------------------------------
# Socket tuples


def test_socket_tuples() -> None:
    v4 = SocketAddrV4(Ipv4Addr.LOCALHOST, 80)
    assert v4.to_socket_tuple() == ("127.0.0.1", 80)
    assert SocketAddr.from_socket_tuple(("127.0.0.1", 80)) == v4
    v6 = SocketAddrV6(Ipv6Addr.parse("fe80::1"), 80, 5, 2)
    assert v6.to_socket_tuple() == ("fe80::1", 80, 5, 2)
    assert SocketAddr.from_socket_tuple(("fe80::1", 80, 5, 2)) == v6
    # getnameinfo adds a %zone for scoped addresses; the tuple's scope_id wins.
    assert SocketAddr.from_socket_tuple(("fe80::1%lo", 80, 5, 2)) == v6
    mapped = SocketAddr.from_socket_tuple(("::ffff:127.0.0.1", 9, 0, 0))
    assert mapped == SocketAddrV6(Ipv4Addr.LOCALHOST.to_ipv6_mapped(), 9)
    assert SocketAddr.from_socket_tuple(("::1", 9)) == SocketAddrV6(Ipv6Addr.LOCALHOST, 9)
    for _ in range(3):  # the cache returns equal values
        assert SocketAddr.from_socket_tuple(("127.0.0.1", 80)) == v4
    with pytest.raises(AddrParseError):
        SocketAddr.from_socket_tuple(("localhost", 80))
    with pytest.raises(TypeError):
        SocketAddr.from_socket_tuple(("127.0.0.1",))
    with pytest.raises(TypeError):
        SocketAddr.from_socket_tuple([("127.0.0.1", 1)])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SocketAddr.from_socket_tuple(("127.0.0.1", 70000))
    with pytest.raises(TypeError):  # a cached ("127.0.0.1", 80) must not answer for 80.0
        SocketAddr.from_socket_tuple(("127.0.0.1", 80.0))


def test_socket_tuple_round_trip_through_a_real_socket() -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(SocketAddrV4(Ipv4Addr.LOCALHOST, 0).to_socket_tuple())
        bound = SocketAddr.from_socket_tuple(sock.getsockname())
    assert bound.ip() == Ipv4Addr.LOCALHOST and bound.port() != 0
    if not socket.has_ipv6:
        return
    try:
        sock6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    except OSError:  # pragma: no cover - no IPv6 in this kernel
        return
    with sock6:
        try:
            sock6.bind(SocketAddrV6(Ipv6Addr.LOCALHOST, 0).to_socket_tuple())
        except OSError:  # pragma: no cover - ::1 not configured
            return
        bound6 = SocketAddr.from_socket_tuple(sock6.getsockname())
    assert isinstance(bound6, SocketAddrV6) and bound6.ip() == Ipv6Addr.LOCALHOST


# --------------------------------------------------------------------------
# ToSocketAddrs and lookup_host (only literals and "localhost" are resolved)


def test_to_socket_addrs_forms() -> None:
    v4 = SocketAddrV4(Ipv4Addr(127, 0, 0, 1), 443)
    assert to_socket_addrs(v4) == [v4]
    assert to_socket_addrs((Ipv4Addr(127, 0, 0, 1), 443)) == [v4]
    assert to_socket_addrs(("127.0.0.1", 443)) == [v4]
    assert to_socket_addrs("127.0.0.1:443") == [v4]
    assert to_socket_addrs(("::1", 443)) == [SocketAddrV6(Ipv6Addr.LOCALHOST, 443)]
    assert to_socket_addrs("[::1%4]:443") == [SocketAddrV6(Ipv6Addr.LOCALHOST, 443, 0, 4)]
    addr1 = SocketAddr(Ipv4Addr(0, 0, 0, 0), 80)
    addr2 = SocketAddr(Ipv4Addr(127, 0, 0, 1), 443)
    assert to_socket_addrs([addr1, addr2]) == [addr1, addr2]
    assert to_socket_addrs((addr1, addr2)) == [addr1, addr2]
    assert to_socket_addrs(iter([addr1, "127.0.0.1:443", ("::", 1)])) == [
        addr1,
        addr2,
        SocketAddrV6(Ipv6Addr.UNSPECIFIED, 1),
    ]
    assert to_socket_addrs([]) == []


def test_to_socket_addrs_errors() -> None:
    with pytest.raises(Error) as info:
        to_socket_addrs("127.0.0.1")
    assert info.value.kind is ErrorKind.InvalidInput
    assert str(info.value) == "invalid socket address"
    with pytest.raises(Error) as info:
        to_socket_addrs("localhost:http")
    assert info.value.kind is ErrorKind.InvalidInput
    assert str(info.value) == "invalid port value"
    with pytest.raises(Error, match="invalid port value"):
        to_socket_addrs("localhost:65536")
    with pytest.raises(ValueError, match="port"):
        to_socket_addrs(("127.0.0.1", 65536))
    with pytest.raises(TypeError, match="no port"):
        to_socket_addrs(Ipv4Addr.LOCALHOST)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_socket_addrs(b"127.0.0.1:80")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_socket_addrs(80)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_socket_addrs([["127.0.0.1:80"]])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="host"):
        to_socket_addrs((b"localhost", 80))  # type: ignore[arg-type]


def test_literals_never_touch_the_resolver() -> None:
    # Under an expired deadline the resolver refuses to start, so any literal
    # that reached it would raise TimedOut.
    with Deadline.at(0.0):
        assert to_socket_addrs(("10.0.0.1", 1)) == [SocketAddr.parse("10.0.0.1:1")]
        assert to_socket_addrs(("fe80::1", 1)) == [SocketAddr.parse("[fe80::1]:1")]
        assert to_socket_addrs("[2001:db8::1]:1") == [SocketAddr.parse("[2001:db8::1]:1")]
        assert to_socket_addrs("::1:80") == [SocketAddrV6(Ipv6Addr.LOCALHOST, 80)]  # rsplit at the last ':'
        with pytest.raises(Error) as info:
            lookup_host("localhost:80")
        assert info.value.kind is ErrorKind.TimedOut


def test_lookup_localhost() -> None:
    found = lookup_host("localhost:8080")
    assert found, "localhost resolved to nothing"
    assert all(a.port() == 8080 and a.ip().is_loopback() for a in found)
    assert lookup_host(("localhost", 7)) == [a.with_port(7) for a in found]
    assert to_socket_addrs("localhost:+08080") == found  # Rust's u16 parse takes a '+'
    assert to_socket_addrs(["localhost:8080", "127.0.0.1:1"]) == [*found, SocketAddr.parse("127.0.0.1:1")]


@pytest.mark.xfail(
    sys.platform == "win32", reason="getaddrinfo('') succeeds on Windows (local addresses)", strict=True
)
def test_resolver_errors_are_typed() -> None:
    # ".invalid" is reserved (RFC 2606) and fails locally; the empty name and a
    # NUL byte fail before any lookup.
    with pytest.raises(Error) as info:
        lookup_host(("", 80))
    assert info.value.kind is ErrorKind.Uncategorized
    assert str(info.value).startswith("failed to lookup address information: ")
    with pytest.raises(Error) as info:
        lookup_host("bad\x00name:80")
    assert info.value.kind is ErrorKind.InvalidInput
    with pytest.raises(Error) as info:
        lookup_host("a..b:80")  # an empty label cannot be IDNA-encoded
    assert info.value.kind is ErrorKind.InvalidInput
