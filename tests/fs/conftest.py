"""Shared helpers for the fs tests: a directory per test, and a tracker that closes what a test opened."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


class Opened:
    """Collects owners a test opened through factories, and closes them at the end."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def add(self, obj: Any) -> Any:
        self.items.append(obj)
        return obj

    def close_all(self) -> None:
        for obj in self.items:
            obj.close()


@pytest.fixture
def opened() -> Iterator[Opened]:
    tracker = Opened()
    yield tracker
    tracker.close_all()


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))
