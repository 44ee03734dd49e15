"""Networking: IP and socket addresses, TCP and UDP sockets, all honouring `Deadline` scopes.

The address types are pure values with Rust's parsing grammar, display text
and classification rules; `ToSocketAddrs` names every form a connect or bind
call accepts, and `lookup_host` resolves host names with ``getaddrinfo``.
"""

from stdio2.net._addr import (
    AddrParseError,
    IpAddr,
    Ipv4Addr,
    Ipv6Addr,
    Ipv6MulticastScope,
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
)
from stdio2.net._resolve import ToSocketAddrs, lookup_host, to_socket_addrs

__all__ = [
    "AddrParseError",
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
    "Ipv6MulticastScope",
    "SocketAddr",
    "SocketAddrV4",
    "SocketAddrV6",
    "ToSocketAddrs",
    "lookup_host",
    "to_socket_addrs",
]
