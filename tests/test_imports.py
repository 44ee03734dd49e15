"""Every public module imports on its own, in a fresh interpreter, in any order.

Import cycles between the io core and the descriptor layer only show when a
module is the *first* stdio2 import of a process, so each is tried cold.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = [
    "stdio2",
    "stdio2.io",
    "stdio2.io.prelude",
    "stdio2.testing",
    "stdio2.os_str",
    "stdio2.os_str.wtf8",
    "stdio2.env",
    "stdio2.net",
    "stdio2.os.fd",
    "stdio2.os.unix",
    "stdio2.os.unix.io",
    "stdio2.os.unix.ffi",
    "stdio2.os.windows.io",
    "stdio2.os.windows.ffi",
    "stdio2._sys._owner",
    "stdio2.fs",
    "stdio2.os.unix.fs",
    "stdio2.os.unix.net",
    "stdio2.os.windows.fs",
    "stdio2.process",
    "stdio2.os.unix.process",
    "stdio2.os.linux.process",
    "stdio2.os.windows.process",
    "stdio2.os.linux.uring",
]


# Modules that exist only on Unix (or Linux) and refuse to import elsewhere.
_UNIX_ONLY = ("stdio2.os.fd", "stdio2.os.unix", "stdio2.os.linux")


@pytest.mark.parametrize("module", MODULES)
def test_cold_import(module: str) -> None:
    if sys.platform == "win32" and module.startswith(_UNIX_ONLY):
        pytest.skip("a Unix-only module")
    code = f"import {module}"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_io_package_import_is_light() -> None:
    code = (
        "import sys, stdio2.io\n"
        "heavy = [m for m in ('stdio2.os.fd', 'stdio2.io._pipe', 'stdio2.io._stdio') if m in sys.modules]\n"
        "print(heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_test_file_basenames_are_unique() -> None:
    # pytest imports test files by basename (rootdir-relative, no packages),
    # so two files of the same name in different folders break collection
    # of the whole run, which a run of one folder does not show.
    import collections
    import pathlib

    names = collections.Counter(p.name for p in pathlib.Path(__file__).parent.rglob("test_*.py"))
    assert [n for n, k in names.items() if k > 1] == []
