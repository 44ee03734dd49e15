"""Shared helpers for the fs tests: a directory per test, and a tracker that closes what a test opened."""

from __future__ import annotations

import gc
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
    # Collect first: garbage left by earlier tests (a dropped file or socket
    # waiting for the cycle collector) would otherwise close its descriptor
    # between a test's baseline and its check, at a moment that depends on
    # the interpreter version's GC thresholds.
    gc.collect()
    return len(os.listdir("/proc/self/fd"))


# A child that runs as an unprivileged user, so permission refusals are real
# even when the suite runs as root. The child imports what it needs first and
# only then drops to uid/gid 65534 ("nobody"): after the switch it may not be
# able to read the interpreter's own files (e.g. under a 0700 /root).
_UNPRIVILEGED_PRELUDE = """
import os, sys
from stdio2 import fs
from stdio2.io import Error, ErrorKind
import stdio2.os.unix.fs as ufs
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
assert os.geteuid() != 0
"""


def run_unprivileged(code: str) -> str:
    """Run *code* after the prelude above in a child process; return its stdout (raises on failure)."""
    import subprocess
    import sys
    import textwrap

    proc = subprocess.run(
        [sys.executable, "-c", _UNPRIVILEGED_PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def shared_tmp_dir() -> str:
    """A fresh directory in /tmp that an unprivileged child can enter (mode 0o777)."""
    import tempfile

    d = tempfile.mkdtemp(prefix="stdio2-perm-")
    os.chmod(d, 0o777)
    return d
