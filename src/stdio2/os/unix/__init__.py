"""Unix-only extensions (`io`, `ffi`, `fs`, `net`, `process`) and `pipe()`.

`pipe()` is the same function as the portable `stdio2.io.pipe`: an anonymous
pipe whose two ends (`stdio2.io.PipeReader`, `stdio2.io.PipeWriter`) are
owned, close-on-exec descriptors.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover
    raise ImportError("stdio2.os.unix is Unix-only")

from stdio2.io._pipe import pipe

__all__ = ["pipe"]
