"""Linux-only socket extensions (Rust's ``std::os::linux::net``): abstract Unix socket names.

An abstract name lives in the network namespace instead of the file system:
binding creates no file, needs no directory permissions, and the name
disappears with the last socket bound to it. It is any byte string (NULs
included) of up to 107 bytes; on the wire it is ``sun_path`` starting with a
NUL byte (see `stdio2._sys.unix.net`).

>>> from stdio2.os.linux.net import SocketAddrExt
>>> addr = SocketAddrExt.from_abstract_name(b"stdio2-doc")
>>> SocketAddrExt.as_abstract_name(addr)
b'stdio2-doc'
>>> print(addr.as_pathname())
None
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.os.linux is Linux-only")

from stdio2._typing import Buffer
from stdio2.os.unix.net import SocketAddr

__all__ = ["SocketAddrExt"]


class SocketAddrExt:
    """Abstract-name functions for `stdio2.os.unix.net.SocketAddr` (Rust's ``SocketAddrExt``)."""

    __slots__ = ()

    @staticmethod
    def from_abstract_name(name: Buffer) -> SocketAddr:
        """The address with abstract name *name* (bytes-like; no system call).

        Raises `Error` (InvalidInput when longer than 107 bytes, Unsupported
        off Linux) and ``TypeError`` for ``str`` (encode it first).
        """
        return SocketAddr._from_abstract(name)

    @staticmethod
    def as_abstract_name(addr: SocketAddr) -> bytes | None:
        """The abstract name of *addr*, or None for pathname and unnamed addresses."""
        if not isinstance(addr, SocketAddr):
            raise TypeError(f"as_abstract_name takes a Unix SocketAddr, not {type(addr).__name__}")
        return addr._as_abstract()
