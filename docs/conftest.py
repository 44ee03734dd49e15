"""The guide's examples run as doctests; the io_uring page needs a working ring.

Where io_uring is unavailable (another OS, an old kernel, a seccomp filter)
``completion-io.md`` is skipped with the reason, except under
``STDIO2_REQUIRE_URING=1`` (set by CI), where that is a failure.
"""

from __future__ import annotations

import os
import sys

import pytest


def _uring_unavailable() -> str | None:
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    pages = [item for item in items if item.path.name == "completion-io.md"]
    if not pages:
        return
    reason = _uring_unavailable()
    if reason is None:
        return
    if os.environ.get("STDIO2_REQUIRE_URING") == "1":
        raise pytest.UsageError(f"STDIO2_REQUIRE_URING=1 but io_uring is unavailable: {reason}")
    for item in pages:
        item.add_marker(pytest.mark.skip(reason=reason))
