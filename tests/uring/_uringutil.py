"""Helpers the io_uring test modules share: descriptor checks, owned test files, a raising SIGALRM."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


class Interrupt(BaseException):
    """What the test's SIGALRM handler raises: a KeyboardInterrupt stand-in."""


@contextmanager
def alarm_after(seconds: float) -> Iterator[None]:
    """A real SIGALRM after *seconds* whose handler raises `Interrupt` (once)."""

    def handler(signum: int, frame: object) -> None:
        raise Interrupt

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
