"""Fixtures for the io_uring tests: a real ring, or a skip (a failure under STDIO2_REQUIRE_URING=1)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

if sys.platform != "linux":  # pragma: no cover
    collect_ignore_glob = ["test_*.py"]


def _why_unavailable() -> str | None:
    if sys.platform != "linux":
        return "io_uring is Linux only"
    from stdio2.io import Error, ErrorKind
    from stdio2.os.linux import uring

    try:
        uring.Driver(2).close()
    except Error as e:
        if e.kind is ErrorKind.Unsupported:
            return str(e)
        raise
    return None


_REASON = _why_unavailable()


def require_uring() -> None:
    """Skip the calling test where io_uring is unavailable, fail instead under STDIO2_REQUIRE_URING=1."""
    if _REASON is None:
        return
    if os.environ.get("STDIO2_REQUIRE_URING") == "1":
        pytest.fail(f"STDIO2_REQUIRE_URING=1 but io_uring is unavailable: {_REASON}")
    pytest.skip(_REASON)


@pytest.fixture
def ring() -> Iterator[object]:
    """A fresh `Driver` (256 entries), closed after the test with nothing left in flight."""
    require_uring()
    from stdio2.os.linux import uring

    with uring.Driver(256) as d:
        yield d


@pytest.fixture(autouse=True)
def _needs_uring() -> None:
    require_uring()
