"""`pipe()`, `PipeReader`, `PipeWriter`: anonymous pipes (Rust 1.87 ``std::io::pipe``).

The implementation is per platform; this module picks it. On Unix it is
`stdio2.io._pipe_unix` (also reachable as `stdio2.os.unix.pipe`).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["PipeReader", "PipeWriter", "pipe"]

if sys.platform == "win32":
    # Windows pipes (CreatePipe, owned handles) belong to the Windows backend;
    # until it provides them these names are placeholders.
    from stdio2.io._error import Error, ErrorKind

    PipeReader: Any = None
    PipeWriter: Any = None

    def pipe() -> tuple[Any, Any]:
        """Not available on Windows yet: raises `Error` (Unsupported)."""
        raise Error(ErrorKind.Unsupported, "stdio2.io.pipe is not implemented on Windows yet")

else:
    from stdio2.io._pipe_unix import PipeReader, PipeWriter, pipe
