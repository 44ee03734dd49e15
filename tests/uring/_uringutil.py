"""Helpers the io_uring test modules share: descriptor checks and owned test files."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from stdio2.io import Error
from stdio2.os.fd import OwnedFd


def fd_is_open(n: int) -> bool:
    """Whether descriptor number *n* is open in this process (``fstat`` succeeds)."""
    try:
        os.fstat(n)
    except OSError:
        return False
    return True


def owned_file(path: Path, flags: int = os.O_RDWR | os.O_CREAT) -> OwnedFd:
    """``open(path, flags | O_CLOEXEC, 0o644)`` adopted as an `OwnedFd`."""
    return OwnedFd.from_raw_fd(os.open(path, flags | os.O_CLOEXEC, 0o644))


def errors_in_another_thread(*calls: Callable[[], object]) -> list[Error]:
    """Run each of *calls* on a new thread; return the `Error`s they raised, in order."""
    errors: list[Error] = []

    def use() -> None:
        for call in calls:
            try:
                call()
            except Error as e:
                errors.append(e)

    t = threading.Thread(target=use)
    t.start()
    t.join()
    return errors
