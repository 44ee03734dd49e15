"""Host name resolution: one ``getaddrinfo`` call, portable across Unix and Windows.

What the OS gives us
--------------------
``getaddrinfo(3)`` turns a host name into a linked list of socket addresses.
It is not a system call but a library routine (glibc, musl, libSystem,
Winsock) that may read ``/etc/hosts``, ask NSS modules, and send DNS queries;
it blocks the calling thread for as long as that takes, and nothing — no
signal, no timeout, no close — interrupts it portably. CPython releases the
GIL around it, so other threads keep running.

The hints Rust passes, and so do we: ``ai_socktype = SOCK_STREAM`` and no
family. Without a socket type the resolver returns every address three times
(stream, datagram, raw); with it, once each, in the order the system's
address-selection policy (RFC 6724, ``/etc/gai.conf``) chose — an order
``TcpStream.connect`` must keep, because it tries the addresses in turn.
Entries of families other than ``AF_INET`` / ``AF_INET6`` are dropped, as
Rust drops addresses that are not IP addresses.

Failures come in three shapes:

- an ``EAI_*`` code (``socket.gaierror``): the name does not exist, the DNS
  server failed, ... Rust reports these as ``ErrorKind::Uncategorized`` with
  the text "failed to lookup address information: <gai_strerror text>"; so do
  we, with the host name appended. On Windows ``getaddrinfo`` returns Winsock
  error codes (``WSAHOST_NOT_FOUND`` ...), which are OS error codes there and
  become `Error.from_raw_os_error`, as in Rust.
- ``EAI_SYSTEM``: the real cause is in ``errno``; CPython raises a plain
  `OSError` with it, converted with `Error.from_os_error`.
- a name CPython cannot encode (IDNA rules: empty or over-long labels) or
  that holds a NUL byte: rejected before the call as ``InvalidInput``.

Python's ``getaddrinfo`` hands back numeric host strings; for a scoped IPv6
address (``fe80::1%eth0``) the ``%zone`` part is redundant with the tuple's
``scope_id`` and the portable layer drops it.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from stdio2.io._error import Error, ErrorKind

__all__ = ["getaddrinfo_stream"]

_IP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def getaddrinfo_stream(host: str) -> list[tuple[Any, ...]]:
    """Resolve *host* with ``getaddrinfo(host, NULL, {ai_socktype=SOCK_STREAM})``.

    Returns the socket address tuples (``(ip, port)`` / ``(ip, port,
    flowinfo, scope_id)``, port 0) in the resolver's order. Raises `Error`:
    ``Uncategorized`` for resolver failures, the errno's kind for
    ``EAI_SYSTEM``, ``InvalidInput`` for a name that cannot be sent.
    """
    if "\x00" in host:
        raise Error(ErrorKind.InvalidInput, f"host name contained an unexpected NUL byte: {host!r}")
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if sys.platform == "win32" and exc.errno is not None:
            raise Error.from_raw_os_error(exc.errno) from None
        detail = exc.strerror or str(exc)
        raise Error(
            ErrorKind.Uncategorized, f"failed to lookup address information: {detail}: {host!r}"
        ) from None
    except UnicodeError as exc:
        raise Error(ErrorKind.InvalidInput, f"invalid host name {host!r}: {exc}") from None
    except OSError as exc:
        raise Error.from_os_error(exc) from None
    return [info[4] for info in infos if info[0] in _IP_FAMILIES]
