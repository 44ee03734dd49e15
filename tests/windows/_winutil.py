"""Helpers shared by the Windows tests: Wine detection, running a child Python."""

from __future__ import annotations

import ctypes
import sys

import pytest


def wine_version() -> str | None:
    """Wine's version when running under Wine (``ntdll.wine_get_version``), else None."""
    if sys.platform != "win32":
        return None
    try:
        fn = ctypes.WinDLL("ntdll").wine_get_version
    except (OSError, AttributeError):
        return None
    fn.restype = ctypes.c_char_p
    fn.argtypes = []
    value = fn()
    return value.decode() if value else "?"


ON_WINE = wine_version() is not None


def _wine_unix_uid() -> int | None:
    # Wine maps the Unix root directory to Z:, so /proc is readable from Windows code.
    try:
        with open("Z:\\proc\\self\\status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


# Wine keeps FILE_ATTRIBUTE_READONLY as Unix mode bits, which root ignores.
ON_WINE_AS_ROOT = ON_WINE and _wine_unix_uid() == 0

# Wine cannot create names with unpaired surrogates (CreateFileW fails with
# ERROR_FILE_NOT_FOUND); real Windows can. Only Wine runs are xfailed.
xfail_on_wine_surrogates = pytest.mark.xfail(
    ON_WINE, reason="Wine cannot create file names containing unpaired surrogates", strict=True
)

windows_only = pytest.mark.skipif(sys.platform != "win32", reason="Windows OS calls")


def run_python(code: str, result_path: str, *, creation_flags: int = 0, null_std: bool = False,
               timeout: float = 60.0) -> int:
    """Run ``python -c code result_path`` with exact control of the child's standard handles.

    ``null_std`` starts it with ``STARTF_USESTDHANDLES`` and NULL handles (the
    child really gets NULL from ``GetStdHandle``). Without it and without
    inheritance, a child with ``CREATE_NO_WINDOW`` gets a hidden console of its
    own. Goes through ``_winapi.CreateProcess`` directly, because
    ``subprocess`` replaces NULL handles with pipes. Returns the exit code.
    """
    import _winapi  # type: ignore[import-not-found,unused-ignore]
    import subprocess

    info = subprocess.STARTUPINFO()  # type: ignore[attr-defined,unused-ignore]
    if null_std:
        info.dwFlags = 0x100  # STARTF_USESTDHANDLES
        info.hStdInput = info.hStdOutput = info.hStdError = 0
    import textwrap

    # The child may have no stderr at all: its traceback goes to result_path + ".err".
    wrapped = (
        "import sys\ntry:\n"
        + textwrap.indent(code, "    ")
        + "\nexcept BaseException:\n    import traceback\n"
        + "    with open(sys.argv[1] + '.err', 'w', encoding='utf-8') as f:\n"
        + "        f.write(traceback.format_exc())\n    raise\n"
    )
    cmdline = subprocess.list2cmdline([sys.executable, "-c", wrapped, result_path])
    hp, ht, _pid, _tid = _winapi.CreateProcess(
        None, cmdline, None, None, False, creation_flags, None, None, info
    )
    try:
        _winapi.CloseHandle(ht)
        if _winapi.WaitForSingleObject(hp, int(timeout * 1000)) != 0:
            _winapi.TerminateProcess(hp, 1)
            raise TimeoutError("the child did not finish")
        rc = int(_winapi.GetExitCodeProcess(hp))
        if rc != 0:
            try:
                with open(result_path + ".err", encoding="utf-8") as f:
                    sys.stderr.write(f.read())
            except OSError:
                pass
        return rc
    finally:
        _winapi.CloseHandle(hp)
