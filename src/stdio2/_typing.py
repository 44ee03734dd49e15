"""Typing helpers shared by stdio2's modules (no runtime cost)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # PEP 688's Buffer: any object exporting the buffer protocol (bytes,
    # bytearray, memoryview, array.array, mmap ...). collections.abc has it
    # only from 3.12; typing_extensions' stub is always known to mypy.
    from typing_extensions import Buffer
else:
    try:
        from collections.abc import Buffer
    except ImportError:  # Python 3.11: annotations only, never used at run time
        Buffer = object

__all__ = ["Buffer"]
