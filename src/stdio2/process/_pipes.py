"""`ChildStdin`, `ChildStdout`, `ChildStderr`: the parent's ends of a child's standard-stream pipes.

On Unix they are the pipe owners of `stdio2.io` under their Rust names: one
``read(2)``/``write(2)`` per call through a cached C method, deadline-aware,
close-on-exec, and movable into another child's `Stdio` to build pipelines.
"""

from __future__ import annotations

import sys

__all__ = ["ChildStderr", "ChildStdin", "ChildStdout"]

if sys.platform == "win32":
    from typing import Any, Self

    from stdio2.io._error import Error, ErrorKind

    def _unsupported() -> Error:
        return Error(ErrorKind.Unsupported, "child process pipes are not implemented on Windows yet")

    class _Unsupported:
        __slots__ = ()

        def __init__(self, *args: object) -> None:
            raise _unsupported()

        @classmethod
        def _adopt(cls, cell: Any) -> Self:
            raise _unsupported()

        def _live(self) -> Any:
            raise _unsupported()

        def closed(self) -> bool:
            return True

        def close(self) -> None:
            pass

    class ChildStdin(_Unsupported):
        """The writing end of a child's stdin pipe (not yet available on Windows)."""

        __slots__ = ()

    class ChildStdout(_Unsupported):
        """The reading end of a child's stdout pipe (not yet available on Windows)."""

        __slots__ = ()

    class ChildStderr(_Unsupported):
        """The reading end of a child's stderr pipe (not yet available on Windows)."""

        __slots__ = ()

else:
    from stdio2.io._pipe_unix import PipeReader, PipeWriter

    class ChildStdin(PipeWriter):
        """The parent's writing end of a child's stdin pipe (Rust's ``ChildStdin``); a `Write`.

        `write` is one ``write(2)`` (`Error` BrokenPipe once the child closed
        its end); closing it gives the child end of file. ``Stdio(child_stdin)``
        hands it to another child.
        """

        __slots__ = ()
        _what = "ChildStdin"

    class ChildStdout(PipeReader):
        """The parent's reading end of a child's stdout pipe (Rust's ``ChildStdout``); a `Read`.

        `read` is one ``read(2)``; 0 means every writer (the child and anything
        that inherited its stdout) has closed. ``Stdio(child_stdout)`` makes it
        the stdin of the next child in a pipeline.
        """

        __slots__ = ()
        _what = "ChildStdout"

    class ChildStderr(PipeReader):
        """The parent's reading end of a child's stderr pipe (Rust's ``ChildStderr``); a `Read`."""

        __slots__ = ()
        _what = "ChildStderr"
