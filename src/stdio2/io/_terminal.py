"""`IsTerminal`: the protocol of things that can say whether they are a terminal."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["IsTerminal"]


@runtime_checkable
class IsTerminal(Protocol):
    """Anything with ``is_terminal() -> bool`` (stdio handles, `File`, pipes).

    Implementations ask the OS (``isatty`` on Unix, ``GetConsoleMode`` on Windows).
    """

    def is_terminal(self) -> bool:
        """Whether this handle refers to a terminal/console."""
        ...
