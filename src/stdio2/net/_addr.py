"""IP and socket addresses: `IpAddr`, `Ipv4Addr`, `Ipv6Addr`, `SocketAddr`, `SocketAddrV4`, `SocketAddrV6`.

Pure values, no system calls. The grammar of ``parse``, the text of ``str()``
and every classification method follow Rust's ``core::net`` exactly:

- IPv4 is four decimal octets; a leading zero (``01``), hexadecimal, fewer
  or more parts are rejected (RFC 6943 section 3.1.1: ``010`` means 8 to
  ``inet_aton`` and 10 to a human, so it is refused).
- IPv6 is eight groups of one to four hex digits, with at most one ``::``
  standing for one or more zero groups, and an optional dotted IPv4 tail.
- Display follows RFC 5952: lowercase hex, the longest run of two or more
  zero groups (the first on a tie) shown as ``::``, and the dotted form only
  for IPv4-mapped addresses (``::ffff:1.2.3.4``).

Every value stores its address as the network-order ``bytes`` Rust stores
(``[u8; 4]`` / ``[u8; 16]``), so comparisons are byte comparisons and the
length tells the family apart: that is what orders every IPv4 address before
every IPv6 one, as Rust's derived ``Ord`` on ``IpAddr`` does.
"""

from __future__ import annotations

import enum
import re
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Final, NoReturn, SupportsIndex

import attrs

if TYPE_CHECKING:
    import ipaddress

__all__ = [
    "AddrParseError",
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
    "Ipv6MulticastScope",
    "SocketAddr",
    "SocketAddrV4",
    "SocketAddrV6",
]

_MSG_IP: Final = "invalid IP address syntax"
_MSG_V4: Final = "invalid IPv4 address syntax"
_MSG_V6: Final = "invalid IPv6 address syntax"
_MSG_SOCK: Final = "invalid socket address syntax"
_MSG_SOCK_V4: Final = "invalid IPv4 socket address syntax"
_MSG_SOCK_V6: Final = "invalid IPv6 socket address syntax"


class AddrParseError(ValueError):
    """Text that is not an address of the requested kind (Rust's ``AddrParseError``).

    ``str(err)`` is Rust's message, e.g. ``"invalid IPv4 address syntax"``;
    ``err.input`` is the text that was rejected.
    """

    input: str | None

    def __init__(self, message: str, input: str | None = None) -> None:
        super().__init__(message)
        self.input = input

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.input))


# --------------------------------------------------------------------------
# The grammar. Each helper returns None on any syntax error so that the
# public parsers can try the next alternative (IpAddr: V4, then V6) cheaply.

# Every valid decimal octet spelled the one way Rust accepts: no sign, no
# leading zero, ASCII digits only. A dict lookup rejects everything else
# (" 1", "01", "1_0", Unicode digits) that int() would let through.
_OCTET: Final[dict[str, int]] = {str(i): i for i in range(256)}

# Characters an IPv6 address may contain. Checking the whole text against
# this first lets int(group, 16) run on groups that can only hold hex digits,
# '.' or nothing: int() would otherwise accept "0x1", " 1", "1_0" and "+1".
_V6_TEXT: Final = re.compile(r"[0-9A-Fa-f:.]{2,45}").fullmatch

_pack8: Final = struct.Struct(">8H").pack
_unpack8: Final = struct.Struct(">8H").unpack
_ZERO10_FFFF: Final = b"\x00" * 10 + b"\xff\xff"
_ZERO12: Final = b"\x00" * 12


def _v4_octets(text: str) -> bytes | None:
    parts = text.split(".")
    if len(parts) != 4:
        return None
    get = _OCTET.get
    a, b, c, d = get(parts[0]), get(parts[1]), get(parts[2]), get(parts[3])
    if a is None or b is None or c is None or d is None:
        return None
    return bytes((a, b, c, d))


def _hex_groups(groups: list[str], out: list[int]) -> bool:
    # Groups are 1-4 characters from [0-9A-Fa-f.] here; int() rejects '.'.
    for g in groups:
        if not 0 < len(g) <= 4:
            return False
        try:
            out.append(int(g, 16))
        except ValueError:
            return False
    return True


def _v6_tail(groups: list[str], out: list[int]) -> bool:
    # All groups but the last are hex; the last may be a dotted IPv4 address
    # standing for two groups.
    last = groups[-1]
    if "." in last:
        if not _hex_groups(groups[:-1], out):
            return False
        v4 = _v4_octets(last)
        if v4 is None:
            return False
        out.append(v4[0] << 8 | v4[1])
        out.append(v4[2] << 8 | v4[3])
        return True
    return _hex_groups(groups, out)


def _v6_octets(text: str) -> bytes | None:
    # The longest accepted text is 6 groups of 4 plus a 15-character IPv4
    # tail (45 characters); nothing longer needs splitting.
    if _V6_TEXT(text) is None:
        return None
    gap = text.find("::")
    segs: list[int] = []
    if gap < 0:
        groups = text.split(":")
        if len(groups) == 8:
            ok = _hex_groups(groups, segs)
        elif len(groups) == 7:
            ok = "." in groups[6] and _v6_tail(groups, segs)
        else:
            return None
        return _pack8(*segs) if ok and len(segs) == 8 else None
    head, tail = text[:gap], text[gap + 2 :]
    if head and not _hex_groups(head.split(":"), segs):
        return None
    n_head = len(segs)
    if tail and not _v6_tail(tail.split(":"), segs):
        return None
    # "::" stands for at least one zero group (Rust rejects "1:1:1:1::1:1:1:1").
    n_tail = len(segs) - n_head
    if n_head + n_tail > 7:
        return None
    segs[n_head:n_head] = [0] * (8 - n_head - n_tail)
    return _pack8(*segs)


def _decimal(text: str, limit: int) -> int | None:
    # Rust's port and scope-id reader: one or more ASCII digits, any number of
    # leading zeros, checked against the integer type's maximum.
    if not text or not (text.isascii() and text.isdigit()):
        return None
    # Stripping zeros first keeps int() away from its 4300-digit limit
    # ("0000...080" is a valid port to Rust).
    text = text.lstrip("0")
    if len(text) > 10:
        return None
    value = int(text) if text else 0
    return value if value <= limit else None


def _text_arg(s: object, callname: str) -> str:
    # Rust parses bytes (`parse_ascii`) as well as str; a non-ASCII byte can
    # never match the grammar, so latin-1 decoding changes no outcome.
    if isinstance(s, str):
        return s
    if isinstance(s, (bytes, bytearray, memoryview)):
        return bytes(s).decode("latin-1")
    raise TypeError(f"{callname}() takes a str or bytes, not {type(s).__name__}")


def _text_hint(value: object, call: str) -> str:
    return f"; to parse text use {call}" if isinstance(value, str) else ""


def _fail(message: str, text: str) -> NoReturn:
    raise AddrParseError(message, text)


def _check_int(value: object, limit: int, what: str, callname: str) -> int:
    try:
        n = value.__index__()  # type: ignore[attr-defined]
    except AttributeError:
        raise TypeError(
            f"{callname}: {what} must be an int, not {type(value).__name__}"
        ) from None
    if not 0 <= n <= limit:
        raise ValueError(f"{callname}: {what} must be in 0..={limit}, got {n}")
    return int(n)


# --------------------------------------------------------------------------
# IP addresses


class IpAddr:
    """An IP address: the base of `Ipv4Addr` and `Ipv6Addr` (Rust's ``enum IpAddr``).

    Not instantiated itself: make an `Ipv4Addr` or `Ipv6Addr`, or use
    `IpAddr.parse`, which returns whichever the text spells. Addresses are
    immutable, hashable and ordered as Rust orders them: every IPv4 address
    sorts before every IPv6 address. No method makes a system call.
    """

    __slots__ = ()

    _octets: bytes

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is IpAddr:
            raise TypeError(
                "IpAddr is the base of Ipv4Addr and Ipv6Addr: construct one of those, "
                "or use IpAddr.parse(text)"
            )
        return object.__new__(cls)

    @classmethod
    def parse(cls, s: str | bytes) -> IpAddr:
        """Parse an IPv4 or IPv6 address (Rust's ``"...".parse::<IpAddr>()``).

        Returns an `Ipv4Addr` or `Ipv6Addr`; raises `AddrParseError` ("invalid IP
        address syntax") otherwise. Accepts ``str`` or ASCII ``bytes``.
        """
        text = _text_arg(s, "IpAddr.parse")
        v4 = _v4_octets(text)
        if v4 is not None:
            return _new_v4(v4)
        v6 = _v6_octets(text)
        if v6 is not None:
            return _new_v6(v6)
        _fail(_MSG_IP, text)

    @classmethod
    def from_ipaddress(cls, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> IpAddr:
        """Convert a standard-library ``ipaddress.IPv4Address`` / ``IPv6Address``.

        Raises ValueError for an ``IPv6Address`` with a scope id (an
        `Ipv6Addr` has none: the scope belongs in `SocketAddrV6.scope_id`).
        """
        import ipaddress

        if isinstance(addr, ipaddress.IPv4Address):
            return _new_v4(addr.packed)
        if isinstance(addr, ipaddress.IPv6Address):
            if addr.scope_id is not None:
                raise ValueError(
                    f"{addr!r} has a scope id, which an Ipv6Addr cannot hold; "
                    "put it in SocketAddrV6(ip, port, scope_id=...)"
                )
            return _new_v6(addr.packed)
        raise TypeError(
            f"IpAddr.from_ipaddress() takes an ipaddress.IPv4Address or IPv6Address, "
            f"not {type(addr).__name__}"
        )

    def to_ipaddress(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        """The equivalent standard-library ``ipaddress`` object."""
        raise NotImplementedError

    def octets(self) -> bytes:
        """The address in network byte order (4 or 16 bytes)."""
        return self._octets

    def to_bits(self) -> int:
        """The address as an unsigned integer (Rust's ``to_bits``); also ``int(addr)``."""
        return int.from_bytes(self._octets, "big")

    def __int__(self) -> int:
        return int.from_bytes(self._octets, "big")

    def is_ipv4(self) -> bool:
        """Whether this is an `Ipv4Addr`."""
        return len(self._octets) == 4

    def is_ipv6(self) -> bool:
        """Whether this is an `Ipv6Addr`."""
        return len(self._octets) == 16

    def to_canonical(self) -> IpAddr:
        """An IPv4-mapped IPv6 address as its `Ipv4Addr`; anything else unchanged."""
        raise NotImplementedError

    def is_unspecified(self) -> bool:
        """Whether this is the unspecified address (``0.0.0.0`` or ``::``)."""
        raise NotImplementedError

    def is_loopback(self) -> bool:
        """Whether this is a loopback address (``127.0.0.0/8`` or ``::1``)."""
        raise NotImplementedError

    def is_global(self) -> bool:
        """Whether the address appears to be globally reachable (IANA special-purpose registries)."""
        raise NotImplementedError

    def is_multicast(self) -> bool:
        """Whether this is a multicast address (``224.0.0.0/4`` or ``ff00::/8``)."""
        raise NotImplementedError

    def is_documentation(self) -> bool:
        """Whether the address is reserved for documentation."""
        raise NotImplementedError

    def is_benchmarking(self) -> bool:
        """Whether the address is reserved for benchmarking."""
        raise NotImplementedError

    # Comparisons: the byte length puts every IPv4 address before every IPv6 one.

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IpAddr):
            return self._octets == other._octets
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, IpAddr):
            return self._octets != other._octets
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._octets)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, IpAddr):
            return NotImplemented
        a, b = self._octets, other._octets
        return a < b if len(a) == len(b) else len(a) < len(b)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, IpAddr):
            return NotImplemented
        a, b = self._octets, other._octets
        return a <= b if len(a) == len(b) else len(a) < len(b)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, IpAddr):
            return NotImplemented
        a, b = self._octets, other._octets
        return a > b if len(a) == len(b) else len(a) > len(b)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, IpAddr):
            return NotImplemented
        a, b = self._octets, other._octets
        return a >= b if len(a) == len(b) else len(a) > len(b)


@attrs.frozen(init=False, repr=False, eq=False)
class Ipv4Addr(IpAddr):
    """An IPv4 address: ``Ipv4Addr(127, 0, 0, 1)`` (Rust's ``Ipv4Addr::new``).

    Each octet must be an int in 0-255 (ValueError otherwise). Parse text with
    `Ipv4Addr.parse`; ``str()`` gives the dotted form. Constants:
    ``Ipv4Addr.LOCALHOST``, ``UNSPECIFIED``, ``BROADCAST``; ``BITS`` is 32.
    No method makes a system call.
    """

    _octets: bytes

    BITS: ClassVar[int] = 32
    LOCALHOST: ClassVar[Ipv4Addr]
    UNSPECIFIED: ClassVar[Ipv4Addr]
    BROADCAST: ClassVar[Ipv4Addr]

    def __init__(self, *octets: SupportsIndex) -> None:
        if len(octets) != 4:
            if len(octets) == 1 and isinstance(octets[0], (str, bytes)):
                raise TypeError("Ipv4Addr() takes four int octets; to parse text use Ipv4Addr.parse(s)")
            raise TypeError(f"Ipv4Addr() takes four int octets (a, b, c, d), got {len(octets)} arguments")
        try:
            data = bytes(octets)
        except (TypeError, ValueError):
            call = "Ipv4Addr(a, b, c, d)"
            data = bytes([_check_int(x, 255, "each octet", call) for x in octets])
        _set_v4(self, data)

    @classmethod
    def parse(cls, s: str | bytes) -> Ipv4Addr:
        """Parse dotted-decimal text (Rust's ``"...".parse::<Ipv4Addr>()``).

        Exactly four decimal octets 0-255 without leading zeros; raises
        `AddrParseError` ("invalid IPv4 address syntax") otherwise.
        """
        text = _text_arg(s, "Ipv4Addr.parse")
        v4 = _v4_octets(text)
        if v4 is None:
            _fail(_MSG_V4, text)
        return _new_v4(v4)

    @classmethod
    def from_octets(cls, octets: bytes | bytearray | memoryview) -> Ipv4Addr:
        """The address whose four network-order bytes are *octets*."""
        data = bytes(octets)
        if len(data) != 4:
            raise ValueError(f"Ipv4Addr.from_octets needs 4 bytes, got {len(data)}")
        return _new_v4(data)

    @classmethod
    def from_bits(cls, bits: SupportsIndex) -> Ipv4Addr:
        """The address whose 32-bit value is *bits* (``Ipv4Addr.from_bits(0x7f000001)``)."""
        n = _check_int(bits, 0xFFFF_FFFF, "bits", "Ipv4Addr.from_bits")
        return _new_v4(n.to_bytes(4, "big"))

    @classmethod
    def from_ipaddress(cls, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Ipv4Addr:
        """Convert an ``ipaddress.IPv4Address`` (TypeError for anything else)."""
        import ipaddress

        if not isinstance(addr, ipaddress.IPv4Address):
            raise TypeError(
                f"Ipv4Addr.from_ipaddress() takes an ipaddress.IPv4Address, not {type(addr).__name__}"
            )
        return _new_v4(addr.packed)

    def to_ipaddress(self) -> ipaddress.IPv4Address:
        """The equivalent ``ipaddress.IPv4Address``."""
        import ipaddress

        return ipaddress.IPv4Address(self._octets)

    def to_canonical(self) -> Ipv4Addr:
        """This address (already canonical)."""
        return self

    def is_unspecified(self) -> bool:
        """Whether this is ``0.0.0.0``."""
        return self._octets == b"\x00\x00\x00\x00"

    def is_loopback(self) -> bool:
        """Whether this is in ``127.0.0.0/8`` (RFC 1122)."""
        return self._octets[0] == 127

    def is_private(self) -> bool:
        """Whether this is in ``10.0.0.0/8``, ``172.16.0.0/12`` or ``192.168.0.0/16`` (RFC 1918)."""
        a, b = self._octets[0], self._octets[1]
        return a == 10 or (a == 172 and 16 <= b <= 31) or (a == 192 and b == 168)

    def is_link_local(self) -> bool:
        """Whether this is in ``169.254.0.0/16`` (RFC 3927)."""
        return self._octets[:2] == b"\xa9\xfe"

    def is_shared(self) -> bool:
        """Whether this is in the shared address space ``100.64.0.0/10`` (RFC 6598)."""
        return self._octets[0] == 100 and self._octets[1] & 0xC0 == 0x40

    def is_benchmarking(self) -> bool:
        """Whether this is in ``198.18.0.0/15`` (RFC 2544 with errata 423)."""
        return self._octets[0] == 198 and self._octets[1] & 0xFE == 18

    def is_reserved(self) -> bool:
        """Whether this is in ``240.0.0.0/4``, except the broadcast address (RFC 1112)."""
        return self._octets[0] & 0xF0 == 0xF0 and self._octets != b"\xff\xff\xff\xff"

    def is_multicast(self) -> bool:
        """Whether this is in ``224.0.0.0/4`` (RFC 5771)."""
        return 224 <= self._octets[0] <= 239

    def is_broadcast(self) -> bool:
        """Whether this is ``255.255.255.255``."""
        return self._octets == b"\xff\xff\xff\xff"

    def is_documentation(self) -> bool:
        """Whether this is in TEST-NET-1/2/3 (RFC 5737)."""
        return self._octets[:3] in _TEST_NETS

    def is_global(self) -> bool:
        """Whether the address appears globally reachable (Rust's unstable ``is_global``).

        False for ``0.0.0.0/8``, private, shared, loopback, link-local,
        ``192.0.0.0/24`` (except ``.9`` and ``.10``), documentation,
        benchmarking, reserved and broadcast addresses.
        """
        o = self._octets
        if o[0] == 0 or (o[:3] == b"\xc0\x00\x00" and o[3] not in (9, 10)):
            return False
        return not (
            self.is_private()
            or self.is_shared()
            or self.is_loopback()
            or self.is_link_local()
            or self.is_documentation()
            or self.is_benchmarking()
            or self.is_reserved()
            or self.is_broadcast()
        )

    def to_ipv6_compatible(self) -> Ipv6Addr:
        """``a.b.c.d`` as the (deprecated) IPv4-compatible ``::a.b.c.d``."""
        return _new_v6(_ZERO12 + self._octets)

    def to_ipv6_mapped(self) -> Ipv6Addr:
        """``a.b.c.d`` as the IPv4-mapped ``::ffff:a.b.c.d``."""
        return _new_v6(_ZERO10_FFFF + self._octets)

    def __invert__(self) -> Ipv4Addr:
        return _new_v4(bytes(255 - x for x in self._octets))

    def __and__(self, other: object) -> Ipv4Addr:
        if not isinstance(other, Ipv4Addr):
            return NotImplemented
        return _new_v4(bytes(x & y for x, y in zip(self._octets, other._octets, strict=True)))

    def __or__(self, other: object) -> Ipv4Addr:
        if not isinstance(other, Ipv4Addr):
            return NotImplemented
        return _new_v4(bytes(x | y for x, y in zip(self._octets, other._octets, strict=True)))

    def __str__(self) -> str:
        return "{}.{}.{}.{}".format(*self._octets)

    def __repr__(self) -> str:
        return "Ipv4Addr.parse('{}.{}.{}.{}')".format(*self._octets)

    def __format__(self, spec: str) -> str:
        # Rust pads the Display text for width/alignment; so does str.format.
        return format(str(self), spec)


class Ipv6MulticastScope(enum.Enum):
    """The scope of an IPv6 multicast address (RFC 7346), from `Ipv6Addr.multicast_scope`."""

    InterfaceLocal = 1
    LinkLocal = 2
    RealmLocal = 3
    AdminLocal = 4
    SiteLocal = 5
    OrganizationLocal = 8
    Global = 14

    def __repr__(self) -> str:
        return f"Ipv6MulticastScope.{self.name}"


_SCOPES: Final = {scope.value: scope for scope in Ipv6MulticastScope}

# ":0:0:...:0:" patterns, longest first: the first match of the longest one
# found is the first longest run of zero groups (RFC 5952 section 4.2.3).
_ZERO_RUNS: Final = [(":0" * k + ":", k) for k in range(8, 1, -1)]


@attrs.frozen(init=False, repr=False, eq=False)
class Ipv6Addr(IpAddr):
    """An IPv6 address from eight 16-bit segments: ``Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 1)``.

    Each segment must be an int in 0-65535 (ValueError otherwise). Parse text
    with `Ipv6Addr.parse`; ``str()`` gives the RFC 5952 form. Constants:
    ``Ipv6Addr.LOCALHOST``, ``UNSPECIFIED``; ``BITS`` is 128. No method makes
    a system call.
    """

    _octets: bytes

    BITS: ClassVar[int] = 128
    LOCALHOST: ClassVar[Ipv6Addr]
    UNSPECIFIED: ClassVar[Ipv6Addr]

    def __init__(self, *segments: SupportsIndex) -> None:
        if len(segments) != 8:
            if len(segments) == 1 and isinstance(segments[0], (str, bytes)):
                raise TypeError("Ipv6Addr() takes eight int segments; to parse text use Ipv6Addr.parse(s)")
            raise TypeError(f"Ipv6Addr() takes eight int segments, got {len(segments)} arguments")
        try:
            octets = _pack8(*segments)
        except struct.error:
            call = "Ipv6Addr(a, b, c, d, e, f, g, h)"
            octets = _pack8(*(_check_int(x, 0xFFFF, "each segment", call) for x in segments))
        _set_v6(self, octets)

    @classmethod
    def parse(cls, s: str | bytes) -> Ipv6Addr:
        """Parse IPv6 text (Rust's ``"...".parse::<Ipv6Addr>()``).

        Eight groups of 1-4 hex digits, one optional ``::`` for one or more
        zero groups, and an optional dotted IPv4 tail. No brackets and no
        ``%scope`` (those belong to `SocketAddrV6`). Raises `AddrParseError`
        ("invalid IPv6 address syntax") otherwise.
        """
        text = _text_arg(s, "Ipv6Addr.parse")
        v6 = _v6_octets(text)
        if v6 is None:
            _fail(_MSG_V6, text)
        return _new_v6(v6)

    @classmethod
    def from_octets(cls, octets: bytes | bytearray | memoryview) -> Ipv6Addr:
        """The address whose sixteen network-order bytes are *octets*."""
        data = bytes(octets)
        if len(data) != 16:
            raise ValueError(f"Ipv6Addr.from_octets needs 16 bytes, got {len(data)}")
        return _new_v6(data)

    @classmethod
    def from_segments(cls, segments: tuple[int, ...] | list[int]) -> Ipv6Addr:
        """The address made of the eight 16-bit *segments*."""
        return cls(*segments)

    @classmethod
    def from_bits(cls, bits: SupportsIndex) -> Ipv6Addr:
        """The address whose 128-bit value is *bits*."""
        n = _check_int(bits, (1 << 128) - 1, "bits", "Ipv6Addr.from_bits")
        return _new_v6(n.to_bytes(16, "big"))

    @classmethod
    def from_ipaddress(cls, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Ipv6Addr:
        """Convert an ``ipaddress.IPv6Address`` without a scope id.

        TypeError for anything else; ValueError when it carries a scope id.
        """
        import ipaddress

        if not isinstance(addr, ipaddress.IPv6Address):
            raise TypeError(
                f"Ipv6Addr.from_ipaddress() takes an ipaddress.IPv6Address, not {type(addr).__name__}"
            )
        result = IpAddr.from_ipaddress(addr)
        assert isinstance(result, Ipv6Addr)
        return result

    def to_ipaddress(self) -> ipaddress.IPv6Address:
        """The equivalent ``ipaddress.IPv6Address``."""
        import ipaddress

        return ipaddress.IPv6Address(self._octets)

    def segments(self) -> tuple[int, int, int, int, int, int, int, int]:
        """The eight 16-bit segments."""
        return _unpack8(self._octets)

    def is_unspecified(self) -> bool:
        """Whether this is ``::``."""
        return self._octets == _UNSPEC16

    def is_loopback(self) -> bool:
        """Whether this is ``::1`` (the only IPv6 loopback address; ``::ffff:127.0.0.1`` is not)."""
        return self._octets == _LOOP16

    def is_unique_local(self) -> bool:
        """Whether this is in ``fc00::/7`` (RFC 4193)."""
        return self._octets[0] & 0xFE == 0xFC

    def is_unicast(self) -> bool:
        """Whether this is not multicast."""
        return self._octets[0] != 0xFF

    def is_unicast_link_local(self) -> bool:
        """Whether this is in ``fe80::/10``; ``::1`` is not."""
        return self._octets[0] == 0xFE and self._octets[1] & 0xC0 == 0x80

    def is_documentation(self) -> bool:
        """Whether this is in ``2001:db8::/32`` or ``3fff::/20`` (RFC 3849, RFC 9637)."""
        o = self._octets
        return o[:4] == b"\x20\x01\x0d\xb8" or (o[0] == 0x3F and o[1] == 0xFF and o[2] & 0xF0 == 0)

    def is_benchmarking(self) -> bool:
        """Whether this is in ``2001:2::/48`` (RFC 5180 with errata 1752)."""
        return self._octets[:6] == b"\x20\x01\x00\x02\x00\x00"

    def is_unicast_global(self) -> bool:
        """Whether this is a unicast address that is not loopback, link-local,
        unique local, unspecified, documentation or benchmarking."""
        return (
            self.is_unicast()
            and not self.is_loopback()
            and not self.is_unicast_link_local()
            and not self.is_unique_local()
            and not self.is_unspecified()
            and not self.is_documentation()
            and not self.is_benchmarking()
        )

    def is_multicast(self) -> bool:
        """Whether this is in ``ff00::/8``."""
        return self._octets[0] == 0xFF

    def multicast_scope(self) -> Ipv6MulticastScope | None:
        """The multicast scope, or None when not multicast or the scope is unassigned."""
        if self._octets[0] != 0xFF:
            return None
        return _SCOPES.get(self._octets[1] & 0x0F)

    def is_ipv4_mapped(self) -> bool:
        """Whether this is in ``::ffff:0:0/96``."""
        return self._octets[:12] == _ZERO10_FFFF

    def is_global(self) -> bool:
        """Whether the address appears globally reachable (Rust's unstable ``is_global``).

        False for ``::``, ``::1``, IPv4-mapped, ``64:ff9b:1::/48``,
        ``100::/64``, most of ``2001::/23``, ``2002::/16``, documentation,
        ``5f00::/16``, unique local and link-local addresses.
        """
        if self.is_unspecified() or self.is_loopback() or self.is_ipv4_mapped():
            return False
        s = self.segments()
        if s[0] == 0x64 and s[1] == 0xFF9B and s[2] == 1:
            return False
        if s[0] == 0x100 and s[1] == 0 and s[2] == 0 and s[3] == 0:
            return False
        if s[0] == 0x2001 and s[1] < 0x200:
            exempt = (
                # PCP and TURN anycast (2001:1::1, 2001:1::2)
                (s[1] == 1 and s[2:7] == (0, 0, 0, 0, 0) and s[7] in (1, 2))
                or s[1] == 3  # AMT
                or (s[1] == 4 and s[2] == 0x112)  # AS112-v6
                or 0x20 <= s[1] <= 0x3F  # ORCHIDv2, DETs
            )
            if not exempt:
                return False
        if s[0] in (0x2002, 0x5F00):
            return False
        return not (self.is_documentation() or self.is_unique_local() or self.is_unicast_link_local())

    def to_ipv4_mapped(self) -> Ipv4Addr | None:
        """``::ffff:a.b.c.d`` as ``a.b.c.d``; None for anything else."""
        if self._octets[:12] == _ZERO10_FFFF:
            return _new_v4(self._octets[12:])
        return None

    def to_ipv4(self) -> Ipv4Addr | None:
        """An IPv4-compatible (``::a.b.c.d``) or IPv4-mapped address as IPv4; else None.

        Note ``::1`` becomes ``0.0.0.1``; `to_ipv4_mapped` avoids that.
        """
        head = self._octets[:12]
        if head in (_ZERO12, _ZERO10_FFFF):
            return _new_v4(self._octets[12:])
        return None

    def to_canonical(self) -> IpAddr:
        """An IPv4-mapped address as its `Ipv4Addr`; anything else unchanged."""
        if self._octets[:12] == _ZERO10_FFFF:
            return _new_v4(self._octets[12:])
        return self

    def __invert__(self) -> Ipv6Addr:
        return _new_v6((~int.from_bytes(self._octets, "big") & ((1 << 128) - 1)).to_bytes(16, "big"))

    def __and__(self, other: object) -> Ipv6Addr:
        if not isinstance(other, Ipv6Addr):
            return NotImplemented
        n = int.from_bytes(self._octets, "big") & int.from_bytes(other._octets, "big")
        return _new_v6(n.to_bytes(16, "big"))

    def __or__(self, other: object) -> Ipv6Addr:
        if not isinstance(other, Ipv6Addr):
            return NotImplemented
        n = int.from_bytes(self._octets, "big") | int.from_bytes(other._octets, "big")
        return _new_v6(n.to_bytes(16, "big"))

    def __str__(self) -> str:
        return _v6_text(self._octets)

    def __repr__(self) -> str:
        return f"Ipv6Addr.parse('{_v6_text(self._octets)}')"

    def __format__(self, spec: str) -> str:
        return format(_v6_text(self._octets), spec)


def _v6_text(o: bytes) -> str:
    if o[:12] == _ZERO10_FFFF:
        return "::ffff:{}.{}.{}.{}".format(*o[12:])
    full = ":{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:".format(*_unpack8(o))
    for pattern, k in _ZERO_RUNS:
        at = full.find(pattern)
        if at >= 0:
            return full[1:at] + "::" + full[at + 2 * k + 1 : -1]
    return full[1:-1]


_TEST_NETS: Final = (bytes((192, 0, 2)), bytes((198, 51, 100)), bytes((203, 0, 113)))
_UNSPEC16: Final = b"\x00" * 16
_LOOP16: Final = b"\x00" * 15 + b"\x01"

# Fast construction for values this module has already validated: skip
# __init__ and write the slot through its descriptor (the frozen __setattr__
# is for users, not for us).
_set_v4: Final[Callable[[Ipv4Addr, bytes], None]] = Ipv4Addr.__dict__["_octets"].__set__
_set_v6: Final[Callable[[Ipv6Addr, bytes], None]] = Ipv6Addr.__dict__["_octets"].__set__
_object_new: Final = object.__new__


def _new_v4(octets: bytes) -> Ipv4Addr:
    ip: Ipv4Addr = _object_new(Ipv4Addr)
    _set_v4(ip, octets)
    return ip


def _new_v6(octets: bytes) -> Ipv6Addr:
    ip: Ipv6Addr = _object_new(Ipv6Addr)
    _set_v6(ip, octets)
    return ip


Ipv4Addr.LOCALHOST = Ipv4Addr(127, 0, 0, 1)
Ipv4Addr.UNSPECIFIED = Ipv4Addr(0, 0, 0, 0)
Ipv4Addr.BROADCAST = Ipv4Addr(255, 255, 255, 255)
Ipv6Addr.LOCALHOST = Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 1)
Ipv6Addr.UNSPECIFIED = Ipv6Addr(0, 0, 0, 0, 0, 0, 0, 0)


# --------------------------------------------------------------------------
# Socket addresses


class SocketAddr:
    """An IP address and a port: the base of `SocketAddrV4` and `SocketAddrV6`.

    ``SocketAddr(ip, port)`` (Rust's ``SocketAddr::new``) returns a
    `SocketAddrV4` or `SocketAddrV6` according to *ip*'s family; so does
    `SocketAddr.parse`. Immutable, hashable, ordered as Rust orders them
    (every V4 before every V6). Rust's ``set_*`` mutators become ``with_*``
    methods returning a new value. No method makes a system call.
    """

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is SocketAddr:
            ip = args[0] if args else kwargs.get("ip")
            if isinstance(ip, Ipv4Addr):
                return object.__new__(SocketAddrV4)
            if isinstance(ip, Ipv6Addr):
                return object.__new__(SocketAddrV6)
            hint = "; to parse text use SocketAddr.parse(s)" if isinstance(ip, str) else ""
            raise TypeError(
                f"SocketAddr(ip, port): ip must be an Ipv4Addr or Ipv6Addr, not {type(ip).__name__}{hint}"
            )
        return object.__new__(cls)

    def __init__(self, ip: IpAddr, port: int) -> None:  # pragma: no cover - subclasses replace it
        raise NotImplementedError

    @classmethod
    def parse(cls, s: str | bytes) -> SocketAddr:
        """Parse ``"a.b.c.d:port"`` or ``"[ipv6%scope]:port"`` (Rust's ``parse::<SocketAddr>()``).

        Returns a `SocketAddrV4` or `SocketAddrV6`; raises `AddrParseError`
        ("invalid socket address syntax") otherwise. No name resolution: for
        ``"localhost:80"`` use `stdio2.net.lookup_host`.
        """
        text = _text_arg(s, "SocketAddr.parse")
        addr: SocketAddr | None = _parse_sock_v4(text)
        if addr is None:
            addr = _parse_sock_v6(text)
            if addr is None:
                _fail(_MSG_SOCK, text)
        return addr

    @classmethod
    def from_socket_tuple(cls, address: tuple[Any, ...]) -> SocketAddr:
        """Convert a Python socket address tuple: ``(host, port)`` or ``(host, port, flowinfo, scope_id)``.

        *host* must be a numeric address (what ``getpeername``, ``recvfrom``
        and ``getaddrinfo`` return); a ``%zone`` suffix on an IPv6 host is
        ignored in favour of *scope_id*. Raises `AddrParseError` for a host
        name and ValueError / TypeError for other malformed tuples.
        """
        # Only exact ints may hit the cache: 80.0 == 80 would otherwise find
        # the entry that ("h", 80) made and skip the port check.
        if type(address) is tuple and (
            (len(address) == 2 and type(address[1]) is int)
            or (len(address) == 4 and type(address[1]) is type(address[2]) is type(address[3]) is int)
        ):
            try:
                return _tuple_cache[address]
            except (KeyError, TypeError):
                pass
        if not isinstance(address, tuple) or len(address) not in (2, 4):
            raise TypeError(
                "SocketAddr.from_socket_tuple() takes (host, port) or (host, port, flowinfo, scope_id), "
                f"not {address!r}"
            )
        host = address[0]
        if not isinstance(host, str):
            raise TypeError(f"SocketAddr.from_socket_tuple(): host must be a str, not {type(host).__name__}")
        result: SocketAddr
        if len(address) == 2:
            result = SocketAddr(IpAddr.parse(host), address[1])
        else:
            zone = host.find("%")
            if zone >= 0:
                host = host[:zone]
            result = SocketAddrV6(Ipv6Addr.parse(host), address[1], address[2], address[3])
        if len(_tuple_cache) >= _TUPLE_CACHE_MAX:
            _tuple_cache.clear()
        _tuple_cache[address] = result
        return result

    def to_socket_tuple(self) -> tuple[str, int] | tuple[str, int, int, int]:
        """The address as Python's ``socket`` functions take it.

        ``(host, port)`` for V4, ``(host, port, flowinfo, scope_id)`` for V6.
        """
        raise NotImplementedError

    def ip(self) -> IpAddr:
        """The IP address."""
        raise NotImplementedError

    def port(self) -> int:
        """The port number."""
        raise NotImplementedError

    def with_ip(self, ip: IpAddr) -> SocketAddr:
        """A copy with *ip* (Rust's ``set_ip``); a change of family drops flowinfo and scope_id."""
        if isinstance(self, SocketAddrV6) and isinstance(ip, Ipv6Addr):
            return SocketAddrV6(ip, self._port, self._flowinfo, self._scope_id)
        return SocketAddr(ip, self.port())

    def with_port(self, port: int) -> SocketAddr:
        """A copy with *port* (Rust's ``set_port``)."""
        raise NotImplementedError

    def is_ipv4(self) -> bool:
        """Whether this is a `SocketAddrV4`."""
        return isinstance(self, SocketAddrV4)

    def is_ipv6(self) -> bool:
        """Whether this is a `SocketAddrV6`."""
        return isinstance(self, SocketAddrV6)

    def _key(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SocketAddr):
            return self.__class__ is other.__class__ and self._key() == other._key()
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, SocketAddr):
            return not (self.__class__ is other.__class__ and self._key() == other._key())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def _order(self, other: object) -> tuple[Any, Any] | None:
        if not isinstance(other, SocketAddr):
            return None
        a, b = self._key(), other._key()
        if len(a) != len(b):
            # V4 keys are (ip, port); V6 keys have four fields: V4 sorts first.
            return len(a), len(b)
        return a, b

    def __lt__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else bool(pair[0] < pair[1])

    def __le__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else bool(pair[0] <= pair[1])

    def __gt__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else bool(pair[0] > pair[1])

    def __ge__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else bool(pair[0] >= pair[1])

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


_TUPLE_CACHE_MAX: Final = 512
# Socket code converts the same peer tuple over and over (recv_from in a
# loop); remembering the last few hundred makes that a dict lookup.
_tuple_cache: dict[tuple[Any, ...], SocketAddr] = {}


@attrs.frozen(init=False, repr=False, eq=False)
class SocketAddrV4(SocketAddr):
    """An IPv4 address and a port: ``SocketAddrV4(Ipv4Addr(127, 0, 0, 1), 8080)``.

    *port* must be an int in 0-65535 (ValueError otherwise); ``str()`` is
    ``"127.0.0.1:8080"``. No method makes a system call.
    """

    _ip: Ipv4Addr
    _port: int

    def __init__(self, ip: Ipv4Addr, port: SupportsIndex) -> None:
        if type(ip) is not Ipv4Addr:
            raise TypeError(
                f"SocketAddrV4(ip, port): ip must be an Ipv4Addr, not {type(ip).__name__}"
                + _text_hint(ip, "SocketAddrV4.parse(s) or Ipv4Addr.parse(s)")
            )
        if type(port) is not int or not 0 <= port <= 0xFFFF:
            port = _check_int(port, 0xFFFF, "port", "SocketAddrV4(ip, port)")
        _set_ip4(self, ip)
        _set_port4(self, port)

    @classmethod
    def parse(cls, s: str | bytes) -> SocketAddrV4:
        """Parse ``"a.b.c.d:port"``; raises `AddrParseError` ("invalid IPv4 socket address syntax")."""
        text = _text_arg(s, "SocketAddrV4.parse")
        addr = _parse_sock_v4(text)
        if addr is None:
            _fail(_MSG_SOCK_V4, text)
        return addr

    def ip(self) -> Ipv4Addr:
        """The IPv4 address."""
        return self._ip

    def port(self) -> int:
        """The port number."""
        return self._port

    def with_port(self, port: int) -> SocketAddrV4:
        """A copy with *port*."""
        return SocketAddrV4(self._ip, port)

    def to_socket_tuple(self) -> tuple[str, int]:
        """``(host, port)``, as Python's ``socket`` functions take for ``AF_INET``."""
        return str(self._ip), self._port

    def _key(self) -> tuple[Any, ...]:
        return self._ip._octets, self._port

    def __str__(self) -> str:
        return f"{self._ip}:{self._port}"

    def __repr__(self) -> str:
        return f"SocketAddrV4.parse('{self._ip}:{self._port}')"


@attrs.frozen(init=False, repr=False, eq=False)
class SocketAddrV6(SocketAddr):
    """An IPv6 address, port, flow information and scope id (``sockaddr_in6``).

    ``SocketAddrV6(Ipv6Addr.LOCALHOST, 8080, flowinfo=0, scope_id=0)``; port
    0-65535, flowinfo and scope_id 0-4294967295 (ValueError otherwise).
    ``str()`` is ``"[::1]:8080"``, or ``"[fe80::1%2]:8080"`` with a scope id;
    the flow information is never shown. No method makes a system call.
    """

    _ip: Ipv6Addr
    _port: int
    _flowinfo: int
    _scope_id: int

    def __init__(
        self, ip: Ipv6Addr, port: SupportsIndex, flowinfo: SupportsIndex = 0, scope_id: SupportsIndex = 0
    ) -> None:
        if type(ip) is not Ipv6Addr:
            raise TypeError(
                f"SocketAddrV6(ip, port, ...): ip must be an Ipv6Addr, not {type(ip).__name__}"
                + _text_hint(ip, "SocketAddrV6.parse(s) or Ipv6Addr.parse(s)")
            )
        call = "SocketAddrV6(ip, port, flowinfo, scope_id)"
        if type(port) is not int or not 0 <= port <= 0xFFFF:
            port = _check_int(port, 0xFFFF, "port", call)
        if type(flowinfo) is not int or not 0 <= flowinfo <= 0xFFFF_FFFF:
            flowinfo = _check_int(flowinfo, 0xFFFF_FFFF, "flowinfo", call)
        if type(scope_id) is not int or not 0 <= scope_id <= 0xFFFF_FFFF:
            scope_id = _check_int(scope_id, 0xFFFF_FFFF, "scope_id", call)
        _set_ip6(self, ip)
        _set_port6(self, port)
        _set_flow6(self, flowinfo)
        _set_scope6(self, scope_id)

    @classmethod
    def parse(cls, s: str | bytes) -> SocketAddrV6:
        """Parse ``"[ipv6]:port"`` or ``"[ipv6%scope]:port"`` (numeric scope only).

        Raises `AddrParseError` ("invalid IPv6 socket address syntax").
        """
        text = _text_arg(s, "SocketAddrV6.parse")
        addr = _parse_sock_v6(text)
        if addr is None:
            _fail(_MSG_SOCK_V6, text)
        return addr

    def ip(self) -> Ipv6Addr:
        """The IPv6 address."""
        return self._ip

    def port(self) -> int:
        """The port number."""
        return self._port

    def flowinfo(self) -> int:
        """The flow information (``sin6_flowinfo``: traffic class and flow label)."""
        return self._flowinfo

    def scope_id(self) -> int:
        """The scope id (``sin6_scope_id``: an interface index for link-local addresses)."""
        return self._scope_id

    def with_port(self, port: int) -> SocketAddrV6:
        """A copy with *port*."""
        return SocketAddrV6(self._ip, port, self._flowinfo, self._scope_id)

    def with_flowinfo(self, flowinfo: int) -> SocketAddrV6:
        """A copy with *flowinfo* (Rust's ``set_flowinfo``)."""
        return SocketAddrV6(self._ip, self._port, flowinfo, self._scope_id)

    def with_scope_id(self, scope_id: int) -> SocketAddrV6:
        """A copy with *scope_id* (Rust's ``set_scope_id``)."""
        return SocketAddrV6(self._ip, self._port, self._flowinfo, scope_id)

    def to_socket_tuple(self) -> tuple[str, int, int, int]:
        """``(host, port, flowinfo, scope_id)``, as Python's ``socket`` functions take for ``AF_INET6``."""
        return str(self._ip), self._port, self._flowinfo, self._scope_id

    def _key(self) -> tuple[Any, ...]:
        return self._ip._octets, self._port, self._flowinfo, self._scope_id

    def __str__(self) -> str:
        if self._scope_id:
            return f"[{self._ip}%{self._scope_id}]:{self._port}"
        return f"[{self._ip}]:{self._port}"

    def __repr__(self) -> str:
        if self._flowinfo:
            return (
                f"SocketAddrV6({self._ip!r}, {self._port}, flowinfo={self._flowinfo}, "
                f"scope_id={self._scope_id})"
            )
        return f"SocketAddrV6.parse('{self}')"


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    setter: Callable[[Any, Any], None] = cls.__dict__[name].__set__
    return setter


_set_ip4: Final = _slot_setter(SocketAddrV4, "_ip")
_set_port4: Final = _slot_setter(SocketAddrV4, "_port")
_set_ip6: Final = _slot_setter(SocketAddrV6, "_ip")
_set_port6: Final = _slot_setter(SocketAddrV6, "_port")
_set_flow6: Final = _slot_setter(SocketAddrV6, "_flowinfo")
_set_scope6: Final = _slot_setter(SocketAddrV6, "_scope_id")


def _parse_sock_v4(text: str) -> SocketAddrV4 | None:
    colon = text.find(":")
    if colon < 0:
        return None
    octets = _v4_octets(text[:colon])
    if octets is None:
        return None
    port = _decimal(text[colon + 1 :], 0xFFFF)
    if port is None:
        return None
    addr: SocketAddrV4 = _object_new(SocketAddrV4)
    _set_ip4(addr, _new_v4(octets))
    _set_port4(addr, port)
    return addr


def _parse_sock_v6(text: str) -> SocketAddrV6 | None:
    if not text.startswith("["):
        return None
    close = text.find("]")
    if close < 0 or text[close + 1 : close + 2] != ":":
        return None
    inner = text[1:close]
    scope = 0
    percent = inner.find("%")
    if percent >= 0:
        parsed = _decimal(inner[percent + 1 :], 0xFFFF_FFFF)
        if parsed is None:
            return None
        scope = parsed
        inner = inner[:percent]
    octets = _v6_octets(inner)
    if octets is None:
        return None
    port = _decimal(text[close + 2 :], 0xFFFF)
    if port is None:
        return None
    addr: SocketAddrV6 = _object_new(SocketAddrV6)
    _set_ip6(addr, _new_v6(octets))
    _set_port6(addr, port)
    _set_flow6(addr, 0)
    _set_scope6(addr, scope)
    return addr
