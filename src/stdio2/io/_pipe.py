"""`pipe()`, `PipeReader`, `PipeWriter`: anonymous pipes (Rust 1.87 ``std::io::pipe``).

The implementation is per platform; this module picks it. On Unix it is
`stdio2.io._pipe_unix` (also reachable as `stdio2.os.unix.pipe`), on Windows
`stdio2.io._pipe_windows` (``CreatePipe`` on owned handles).
"""

from __future__ import annotations

import sys

__all__ = ["PipeReader", "PipeWriter", "pipe"]

if sys.platform == "win32":
    from stdio2.io._pipe_windows import PipeReader, PipeWriter, pipe
else:
    from stdio2.io._pipe_unix import PipeReader, PipeWriter, pipe
