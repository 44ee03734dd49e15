"""`ToSocketAddrs`: the forms of address connect/bind calls accept, and `lookup_host`.

Rust's ``ToSocketAddrs`` trait is implemented by ``SocketAddr``,
``(IpAddr, u16)``, ``(&str, u16)`` and ``&str``. Python has no traits, so the
same set is a type alias plus one function, `to_socket_addrs`, that turns
any of them into a list of `SocketAddr`. The order of attempts is Rust's:

1. a `SocketAddr` is itself;
2. ``(ip, port)`` with an `IpAddr` is trivial;
3. ``(host, port)`` with a string tries the string as an IPv4, then IPv6
   literal, and only then asks the resolver;
4. ``"text"`` is first parsed as a `SocketAddr`; otherwise it is split at its
   last ``':'`` into host and port (errors: "invalid socket address",
   "invalid port value", both ``InvalidInput``) and continues as step 3.

So a literal address never reaches ``getaddrinfo``. Lists and other
iterables of these forms are an extension (Rust takes slices of
`SocketAddr` only): each element is converted in turn and the results are
concatenated.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TypeAlias

from stdio2._sys.resolve import getaddrinfo_stream
from stdio2.io._deadline import current_instant
from stdio2.io._error import Error, ErrorKind
from stdio2.net._addr import (
    IpAddr,
    Ipv4Addr,
    Ipv6Addr,
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    _v4_octets,
    _v6_octets,
)

__all__ = ["ToSocketAddrs", "lookup_host", "to_socket_addrs"]

_OneAddr: TypeAlias = SocketAddr | tuple[IpAddr | str, int] | str

#: What connect/bind calls accept: a `SocketAddr`, ``(ip, port)`` with ip an
#: `IpAddr` or a string (literal or host name), ``"host:port"`` /
#: ``"[v6]:port"`` text, or an iterable of these.
ToSocketAddrs: TypeAlias = _OneAddr | Iterable[_OneAddr]


def to_socket_addrs(addrs: ToSocketAddrs) -> list[SocketAddr]:
    """Convert any `ToSocketAddrs` form to a list of `SocketAddr` (Rust's ``to_socket_addrs``).

    Host names are resolved with ``getaddrinfo`` (blocking; see
    `lookup_host`); literals never are. Raises `Error` (``InvalidInput`` for
    malformed text, ``Uncategorized`` "failed to lookup address information:
    ..." for resolver failures), ValueError for a port outside 0-65535 and
    TypeError for anything that is not an address form.
    """
    if isinstance(addrs, SocketAddr):
        return [addrs]
    if isinstance(addrs, str):
        return _from_str(addrs)
    if isinstance(addrs, tuple) and len(addrs) == 2 and isinstance(port := addrs[1], int):
        return _from_host_port(addrs[0], port)
    if isinstance(addrs, (bytes, bytearray, memoryview, IpAddr)) or not isinstance(addrs, Iterable):
        raise _type_error(addrs)
    out: list[SocketAddr] = []
    for one in addrs:
        if isinstance(one, SocketAddr):
            out.append(one)
        elif isinstance(one, str):
            out.extend(_from_str(one))
        elif isinstance(one, tuple) and len(one) == 2 and isinstance(one_port := one[1], int):
            out.extend(_from_host_port(one[0], one_port))
        else:
            raise _type_error(one)
    return out


def lookup_host(addrs: ToSocketAddrs) -> list[SocketAddr]:
    """Resolve ``"host:port"`` (or any `ToSocketAddrs` form) to socket addresses.

    Calls ``getaddrinfo(host, NULL, {ai_socktype=SOCK_STREAM})`` for host
    names, in the resolver's order, and sets each address's port. The call
    blocks until the resolver answers and cannot be interrupted; under an
    active `Deadline` that has already passed it raises ``TimedOut`` instead
    of starting. Errors as `to_socket_addrs`.
    """
    return to_socket_addrs(addrs)


def _type_error(value: object) -> TypeError:
    if isinstance(value, IpAddr):
        return TypeError(f"an IP address has no port: pass ({value!r}, port) or a SocketAddr")
    return TypeError(
        "expected a SocketAddr, (ip, port), (host, port), 'host:port' or an iterable of these, "
        f"not {type(value).__name__}"
    )


def _from_host_port(host: object, port: int) -> list[SocketAddr]:
    if isinstance(host, IpAddr):
        return [SocketAddr(host, port)]
    if not isinstance(host, str):
        raise TypeError(f"(host, port): host must be an IpAddr or a str, not {type(host).__name__}")
    if not 0 <= port <= 0xFFFF:
        raise ValueError(f"(host, port): port must be in 0..=65535, got {port}")
    v4 = _v4_octets(host)
    if v4 is not None:
        return [SocketAddrV4(Ipv4Addr.from_octets(v4), port)]
    v6 = _v6_octets(host)
    if v6 is not None:
        return [SocketAddrV6(Ipv6Addr.from_octets(v6), port)]
    return _resolve(host, port)


def _from_str(text: str) -> list[SocketAddr]:
    try:
        return [SocketAddr.parse(text)]
    except ValueError:
        pass
    host, colon, port_text = text.rpartition(":")
    if not colon:
        raise Error(ErrorKind.InvalidInput, "invalid socket address")
    port = _rust_u16(port_text)
    if port is None:
        raise Error(ErrorKind.InvalidInput, "invalid port value")
    return _from_host_port(host, port)


def _rust_u16(text: str) -> int | None:
    # Rust's `str::parse::<u16>`: an optional '+', then ASCII digits.
    if text.startswith("+"):
        text = text[1:]
    if not text or not (text.isascii() and text.isdigit()):
        return None
    text = text.lstrip("0")
    if len(text) > 5:
        return None
    value = int(text) if text else 0
    return value if value <= 0xFFFF else None


def _resolve(host: str, port: int) -> list[SocketAddr]:
    instant = current_instant()
    if instant is not None and time.monotonic() >= instant:
        raise Error(ErrorKind.TimedOut, f"deadline passed before resolving {host!r}")
    return [SocketAddr.from_socket_tuple(address).with_port(port) for address in getaddrinfo_stream(host)]
