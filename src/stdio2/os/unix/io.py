"""Unix I/O-safety types (Rust's ``std::os::unix::io``): the names of `stdio2.os.fd`, re-exported."""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.os.unix is Unix-only")

from stdio2.os.fd import AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd

__all__ = ["AsFd", "AsRawFd", "BorrowedFd", "FromRawFd", "IntoRawFd", "OwnedFd", "RawFd"]
