"""Constants describing the running platform, with the values Rust's ``std::env::consts`` has.

They describe the *Python process* (a 32-bit Python on a 64-bit kernel has
``ARCH == "x86"``), are computed once at import, and make no system call
beyond what `platform.machine` reads at import (``uname``).
"""

from __future__ import annotations

import platform as _platform
import struct as _struct
import sys as _sys
from typing import Final

__all__ = [
    "ARCH",
    "DLL_EXTENSION",
    "DLL_PREFIX",
    "DLL_SUFFIX",
    "EXE_EXTENSION",
    "EXE_SUFFIX",
    "FAMILY",
    "OS",
]

# platform.machine() spellings -> Rust's target_arch names (64-bit process).
_ARCH_NAMES: Final = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "x64": "x86_64",
    "i386": "x86",
    "i486": "x86",
    "i586": "x86",
    "i686": "x86",
    "x86": "x86",
    "aarch64": "aarch64",
    "arm64": "aarch64",
    "aarch64_be": "aarch64",
    "riscv64": "riscv64",
    "riscv32": "riscv32",
    "ppc64": "powerpc64",
    "ppc64le": "powerpc64",
    "ppc": "powerpc",
    "s390x": "s390x",
    "loongarch64": "loongarch64",
    "mips": "mips",
    "mips64": "mips64",
    "sparc64": "sparc64",
    "wasm32": "wasm32",
}
# What a 64-bit machine runs when the process itself is 32-bit.
_ARCH_32: Final = {"x86_64": "x86", "aarch64": "arm", "powerpc64": "powerpc", "mips64": "mips"}


def _arch(machine: str, pointer_bytes: int) -> str:
    m = machine.lower()
    arch = _ARCH_NAMES.get(m)
    if arch is None:
        arch = "arm" if m.startswith("arm") else m
    if pointer_bytes == 4:
        arch = _ARCH_32.get(arch, arch)
    return arch


def _os(plat: str) -> str:
    if plat == "win32":
        return "windows"
    if plat == "darwin":
        return "macos"
    for prefix in ("linux", "freebsd", "openbsd", "netbsd", "dragonfly", "android", "haiku"):
        if plat.startswith(prefix):
            return prefix
    if plat.startswith("sunos"):
        return "solaris"
    if plat.startswith("aix"):
        return "aix"
    if plat.startswith("gnu"):
        return "hurd"
    return plat


_APPLE: Final = frozenset({"macos", "ios", "tvos", "watchos", "visionos"})


def _consts_for(os_name: str) -> tuple[str, str, str, str, str, str, str]:
    """Rust's row for *os_name*: FAMILY, OS, DLL_PREFIX, DLL_SUFFIX, DLL_EXTENSION, EXE_SUFFIX, EXE_EXTENSION.

    Transcribed from Rust's ``library/std/src/sys/env_consts.rs``. An OS Rust
    does not list gets the common Unix row (Python runs on POSIX systems
    there), not Rust's all-empty fallback.
    """
    if os_name == "windows":
        return ("windows", "windows", "", ".dll", "dll", ".exe", "exe")
    if os_name == "cygwin":
        # A Unix family whose files follow Windows' naming.
        return ("unix", "cygwin", "", ".dll", "dll", ".exe", "exe")
    if os_name == "wasi":
        # Rust's bare-wasm row: no family and no OS name.
        return ("", "", "", ".wasm", "wasm", ".wasm", "wasm")
    if os_name == "emscripten":
        return ("unix", "emscripten", "lib", ".so", "so", ".js", "js")
    if os_name == "aix":
        return ("unix", "aix", "lib", ".a", "a", "", "")
    if os_name in _APPLE:
        return ("unix", os_name, "lib", ".dylib", "dylib", "", "")
    return ("unix", os_name, "lib", ".so", "so", "", "")


ARCH: Final[str] = _arch(_platform.machine(), _struct.calcsize("P"))
"""The CPU architecture, e.g. ``"x86_64"``, ``"aarch64"``, ``"x86"``, ``"arm"``."""

(
    _FAMILY,
    _OS,
    _DLL_PREFIX,
    _DLL_SUFFIX,
    _DLL_EXTENSION,
    _EXE_SUFFIX,
    _EXE_EXTENSION,
) = _consts_for(_os(_sys.platform))

OS: Final[str] = _OS
"""The operating system, e.g. ``"linux"``, ``"macos"``, ``"windows"``, ``"freebsd"`` (``""`` on WASI)."""

FAMILY: Final[str] = _FAMILY
"""``"unix"`` or ``"windows"`` (empty where neither applies, as Rust's WASI target)."""

DLL_PREFIX: Final[str] = _DLL_PREFIX
"""The prefix of shared library file names: ``"lib"`` on most Unix systems, ``""`` on Windows and Cygwin."""

DLL_EXTENSION: Final[str] = _DLL_EXTENSION
"""The shared library extension without the dot: ``"so"``, ``"dylib"``, ``"dll"`` (``"a"`` on AIX)."""

DLL_SUFFIX: Final[str] = _DLL_SUFFIX
"""The shared library suffix with the dot: ``".so"``, ``".dylib"`` or ``".dll"``."""

EXE_EXTENSION: Final[str] = _EXE_EXTENSION
"""The executable extension without the dot: ``"exe"`` on Windows and Cygwin, ``""`` on most Unix."""

EXE_SUFFIX: Final[str] = _EXE_SUFFIX
"""The executable suffix with the dot: ``".exe"`` on Windows, ``""`` on most Unix systems."""
