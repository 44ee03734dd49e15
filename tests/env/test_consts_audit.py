"""Audit of issue 4: ``env.consts`` against Rust's table for every platform Python runs on.

The values below are transcribed from Rust's ``library/std/src/sys/env_consts.rs``
(FAMILY, OS, DLL_PREFIX, DLL_SUFFIX, DLL_EXTENSION, EXE_SUFFIX, EXE_EXTENSION),
keyed by the ``sys.platform`` string CPython reports there. Only Linux runs
here, so the table is checked through the pure function the module uses.
"""

from __future__ import annotations

import sys

import pytest

from stdio2.env import consts
from stdio2.env.consts import _consts_for, _os

RUST = {
    "linux": ("unix", "linux", "lib", ".so", "so", "", ""),
    "android": ("unix", "android", "lib", ".so", "so", "", ""),
    "darwin": ("unix", "macos", "lib", ".dylib", "dylib", "", ""),
    "ios": ("unix", "ios", "lib", ".dylib", "dylib", "", ""),
    "tvos": ("unix", "tvos", "lib", ".dylib", "dylib", "", ""),
    "watchos": ("unix", "watchos", "lib", ".dylib", "dylib", "", ""),
    "visionos": ("unix", "visionos", "lib", ".dylib", "dylib", "", ""),
    "freebsd14": ("unix", "freebsd", "lib", ".so", "so", "", ""),
    "openbsd7": ("unix", "openbsd", "lib", ".so", "so", "", ""),
    "netbsd10": ("unix", "netbsd", "lib", ".so", "so", "", ""),
    "dragonfly6": ("unix", "dragonfly", "lib", ".so", "so", "", ""),
    "sunos5": ("unix", "solaris", "lib", ".so", "so", "", ""),
    "haiku1": ("unix", "haiku", "lib", ".so", "so", "", ""),
    "aix": ("unix", "aix", "lib", ".a", "a", "", ""),
    "cygwin": ("unix", "cygwin", "", ".dll", "dll", ".exe", "exe"),
    "emscripten": ("unix", "emscripten", "lib", ".so", "so", ".js", "js"),
    "wasi": ("", "", "", ".wasm", "wasm", ".wasm", "wasm"),
    "win32": ("windows", "windows", "", ".dll", "dll", ".exe", "exe"),
}


@pytest.mark.parametrize("plat", sorted(RUST))
def test_rust_values_per_platform(plat: str) -> None:
    assert _consts_for(_os(plat)) == RUST[plat]


def test_module_constants_are_this_platforms_row() -> None:
    row = (
        consts.FAMILY,
        consts.OS,
        consts.DLL_PREFIX,
        consts.DLL_SUFFIX,
        consts.DLL_EXTENSION,
        consts.EXE_SUFFIX,
        consts.EXE_EXTENSION,
    )
    assert row == _consts_for(_os(sys.platform))
    if sys.platform in RUST:
        assert row == RUST[sys.platform]


def test_suffix_is_dot_extension_or_empty() -> None:
    for plat in RUST:
        _, _, _, dll_suffix, dll_ext, exe_suffix, exe_ext = _consts_for(_os(plat))
        assert dll_suffix == ("." + dll_ext if dll_ext else "")
        assert exe_suffix == ("." + exe_ext if exe_ext else "")
