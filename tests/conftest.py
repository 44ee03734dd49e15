"""Suite-wide rules: no descriptor leaks, no OS mocks, hypothesis without a disk database."""

from __future__ import annotations

import gc
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

# No example database on disk, and no timing-based verdicts: these machines
# are shared and noisy (and Wine is slower still), so a slow example is not
# a failure. Correctness checks are untouched.
settings.register_profile(
    "stdio2",
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("stdio2")


def _open_fds() -> set[int] | None:
    if sys.platform == "win32":
        # No descriptor table to list: under Wine "/proc/self/fd" even names
        # the *Wine* process's descriptors. Windows tests check handles themselves.
        return None
    for d in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(d):
            names = os.listdir(d)
            # listdir itself opened (and closed) one descriptor to read the directory.
            return {int(n) for n in names if n.isdigit()}
    return None


_at_start: set[int] | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    global _at_start
    gc.collect()
    _at_start = _open_fds()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _at_start is None:
        return
    gc.collect()
    now = _open_fds()
    if now is None:
        return
    # The directory-listing descriptor differs between the two listings.
    leaked = sorted(now - _at_start)
    leaked = [fd for fd in leaked if _describe(fd) is not None]
    if leaked:
        details = ", ".join(f"{fd} -> {_describe(fd)}" for fd in leaked)
        sys.stderr.write(f"\nFAILED: the test session leaked descriptors: {details}\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _describe(fd: int) -> str | None:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None
