"""`ChildStdin`, `ChildStdout`, `ChildStderr`: the parent's ends of a child's standard-stream pipes.

They are the pipe owners of `stdio2.io` under their Rust names. On Unix: one
``read(2)``/``write(2)`` per call through a cached C method, deadline-aware,
close-on-exec. On Windows: one ``ReadFile``/``WriteFile`` on a
non-inheritable ``CreatePipe`` handle. On both, movable into another
child's `Stdio` to build pipelines.
"""

from __future__ import annotations

import sys

__all__ = ["ChildStderr", "ChildStdin", "ChildStdout"]

if sys.platform == "win32":
    from stdio2.io._pipe_windows import PipeReader, PipeWriter
else:
    from stdio2.io._pipe_unix import PipeReader, PipeWriter


class ChildStdin(PipeWriter):
    """The parent's writing end of a child's stdin pipe (Rust's ``ChildStdin``); a `Write`.

    `write` is one ``write(2)`` / ``WriteFile`` (`Error` BrokenPipe once the
    child closed its end); closing it gives the child end of file.
    ``Stdio(child_stdin)`` hands it to another child.
    """

    __slots__ = ()
    _what = "ChildStdin"


class ChildStdout(PipeReader):
    """The parent's reading end of a child's stdout pipe (Rust's ``ChildStdout``); a `Read`.

    `read` is one ``read(2)`` / ``ReadFile``; 0 means every writer (the child
    and anything that inherited its stdout) has closed. ``Stdio(child_stdout)``
    makes it the stdin of the next child in a pipeline.
    """

    __slots__ = ()
    _what = "ChildStdout"


class ChildStderr(PipeReader):
    """The parent's reading end of a child's stderr pipe (Rust's ``ChildStderr``); a `Read`."""

    __slots__ = ()
    _what = "ChildStderr"
