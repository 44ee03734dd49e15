"""Address parsing and display: stdio2.net values against Python's ``ipaddress``.

Both sides do the same job on the same inputs: parse a batch of texts into
address objects, or turn a batch of address objects into text. No target:
the figures are reported so a regression shows.
"""

from __future__ import annotations

import ipaddress
import random

from benchmarks._harness import Pair, case
from stdio2.net import IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr


def _v4_texts(n: int) -> list[str]:
    rng = random.Random(4)
    return [".".join(str(rng.randrange(256)) for _ in range(4)) for _ in range(n)]


def _v6_texts(n: int) -> list[str]:
    rng = random.Random(6)
    out = []
    for i in range(n):
        segs = [rng.choice([0, 0, 1, rng.randrange(0x10000)]) for _ in range(8)]
        if i % 10 == 0:
            segs[:6] = [0, 0, 0, 0, 0, 0xFFFF]  # some IPv4-mapped ones
        out.append(str(Ipv6Addr(*segs)))
    return out


def _size(quick: bool) -> int:
    return 200 if quick else 2000


@case("Ipv4Addr.parse", "ipaddress.IPv4Address(text)")
def parse_v4(quick: bool) -> Pair:
    texts = _v4_texts(_size(quick))
    parse = Ipv4Addr.parse
    ref = ipaddress.IPv4Address
    return Pair(
        stdio2=lambda: [parse(t) for t in texts],
        stdlib=lambda: [ref(t) for t in texts],
        ops=len(texts),
    )


@case("Ipv6Addr.parse", "ipaddress.IPv6Address(text)")
def parse_v6(quick: bool) -> Pair:
    texts = _v6_texts(_size(quick))
    parse = Ipv6Addr.parse
    ref = ipaddress.IPv6Address
    return Pair(
        stdio2=lambda: [parse(t) for t in texts],
        stdlib=lambda: [ref(t) for t in texts],
        ops=len(texts),
    )


@case("IpAddr.parse (mixed)", "ipaddress.ip_address(text)")
def parse_mixed(quick: bool) -> Pair:
    n = _size(quick) // 2
    texts = [t for pair in zip(_v4_texts(n), _v6_texts(n), strict=True) for t in pair]
    parse = IpAddr.parse
    ref = ipaddress.ip_address
    return Pair(
        stdio2=lambda: [parse(t) for t in texts],
        stdlib=lambda: [ref(t) for t in texts],
        ops=len(texts),
    )


@case("str(Ipv4Addr)", "str(ipaddress.IPv4Address)")
def display_v4(quick: bool) -> Pair:
    texts = _v4_texts(_size(quick))
    ours = [Ipv4Addr.parse(t) for t in texts]
    theirs = [ipaddress.IPv4Address(t) for t in texts]
    return Pair(
        stdio2=lambda: [str(a) for a in ours],
        stdlib=lambda: [str(a) for a in theirs],
        ops=len(texts),
    )


@case("str(Ipv6Addr)", "str(ipaddress.IPv6Address)")
def display_v6(quick: bool) -> Pair:
    texts = _v6_texts(_size(quick))
    ours = [Ipv6Addr.parse(t) for t in texts]
    theirs = [ipaddress.IPv6Address(t) for t in texts]
    return Pair(
        stdio2=lambda: [str(a) for a in ours],
        stdlib=lambda: [str(a) for a in theirs],
        ops=len(texts),
    )


@case("SocketAddr.parse", "rpartition(':') + ipaddress.ip_address + int")
def parse_socket(quick: bool) -> Pair:
    n = _size(quick) // 2
    texts = [f"{t}:{i % 65536}" for i, t in enumerate(_v4_texts(n))]
    texts += [f"[{t}]:{i % 65536}" for i, t in enumerate(_v6_texts(n))]
    parse = SocketAddr.parse
    ref = ipaddress.ip_address

    def stdlib() -> list[tuple[object, int]]:
        out = []
        for t in texts:
            host, _, port = t.rpartition(":")
            out.append((ref(host.strip("[]")), int(port)))
        return out

    return Pair(stdio2=lambda: [parse(t) for t in texts], stdlib=stdlib, ops=len(texts))


@case("SocketAddr.from_socket_tuple", "ipaddress.ip_address(host), port")
def from_tuple(quick: bool) -> Pair:
    # What recv_from does per datagram: the same few peers over and over.
    peers = [(t, 5000 + i) for i, t in enumerate(_v4_texts(8))]
    tuples = [peers[i % len(peers)] for i in range(_size(quick))]
    conv = SocketAddr.from_socket_tuple
    ref = ipaddress.ip_address
    return Pair(
        stdio2=lambda: [conv(t) for t in tuples],
        stdlib=lambda: [(ref(t[0]), t[1]) for t in tuples],
        ops=len(tuples),
    )
