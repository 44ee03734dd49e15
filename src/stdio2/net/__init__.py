"""Networking: IP and socket addresses, TCP and UDP sockets, all honouring `Deadline` scopes.

The address types are pure values with Rust's parsing grammar, display text
and classification rules; `ToSocketAddrs` names every form a connect or bind
call accepts, and `lookup_host` resolves host names with ``getaddrinfo``.
`TcpStream`, `TcpListener` and `UdpSocket` are owned sockets whose `read` /
`write` make one system call each.
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
from stdio2.net._socket import Shutdown
from stdio2.net._tcp import Incoming, TcpListener, TcpStream
from stdio2.net._udp import UdpSocket

__all__ = [
    "AddrParseError",
    "Incoming",
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
    "Ipv6MulticastScope",
    "Shutdown",
    "SocketAddr",
    "SocketAddrV4",
    "SocketAddrV6",
    "TcpListener",
    "TcpStream",
    "ToSocketAddrs",
    "UdpSocket",
    "lookup_host",
    "to_socket_addrs",
]
