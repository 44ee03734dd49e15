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
    for prefix in ("linux", "freebsd", "openbsd", "netbsd", "dragonfly", "android", "ios"):
        if plat.startswith(prefix):
            return prefix
    if plat.startswith("sunos"):
        return "solaris"
    return plat


ARCH: Final[str] = _arch(_platform.machine(), _struct.calcsize("P"))
"""The CPU architecture, e.g. ``"x86_64"``, ``"aarch64"``, ``"x86"``, ``"arm"``."""

OS: Final[str] = _os(_sys.platform)
"""The operating system, e.g. ``"linux"``, ``"macos"``, ``"windows"``, ``"freebsd"``."""

FAMILY: Final[str] = "windows" if OS == "windows" else ("" if OS in ("emscripten", "wasi") else "unix")
"""``"unix"`` or ``"windows"`` (empty where neither applies, as Rust's wasm targets)."""

DLL_PREFIX: Final[str] = "" if OS == "windows" else "lib"
"""The prefix of shared library file names: ``"lib"`` on Unix, ``""`` on Windows."""

DLL_EXTENSION: Final[str] = {"windows": "dll", "macos": "dylib", "ios": "dylib"}.get(OS, "so")
"""The shared library extension without the dot: ``"so"``, ``"dylib"`` or ``"dll"``."""

DLL_SUFFIX: Final[str] = "." + DLL_EXTENSION
"""The shared library suffix with the dot: ``".so"``, ``".dylib"`` or ``".dll"``."""

EXE_EXTENSION: Final[str] = "exe" if OS == "windows" else ""
"""The executable extension without the dot: ``"exe"`` on Windows, ``""`` elsewhere."""

EXE_SUFFIX: Final[str] = "." + EXE_EXTENSION if EXE_EXTENSION else ""
"""The executable suffix with the dot: ``".exe"`` on Windows, ``""`` elsewhere."""
