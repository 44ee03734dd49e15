"""The platform-neutral half of `AtomicFile`: its lifecycle and `write_atomic`.

Each platform module subclasses `AtomicFileBase` with the OS-specific
parts: creating the temporary file (``__init__``), `commit` (flush, replace,
make durable) and `_remove_temp`. Writing, discarding, the ``with``
protocol and the collected-without-commit warning are the same everywhere.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stdio2.io._error import Error, ErrorKind
from stdio2.io._traits import Write, readable_view

if TYPE_CHECKING:
    from stdio2._typing import Buffer

__all__ = ["AtomicFileBase", "write_atomic_with"]


class AtomicFileBase(Write):
    """A `Write` into a temporary file that replaces its target on `commit`."""

    __slots__ = ("_file", "_path", "_temp")

    _file: Any
    _path: Any
    _temp: Any

    def commit(self) -> None:
        """Make the written bytes the target's contents (platform-specific)."""
        raise NotImplementedError

    def _remove_temp(self) -> None:
        """Delete the temporary file, ignoring errors (platform-specific)."""
        raise NotImplementedError

    def _live_file(self) -> Any:
        f = self._file
        if f is None:
            raise Error(ErrorKind.InvalidInput, "this AtomicFile was already committed or discarded")
        return f

    def write(self, buf: Buffer, /) -> int:
        """One write to the temporary file; errors carry the target's path."""
        try:
            n: int = self._live_file().write(buf)
        except Error as e:
            e.path = self._path
            raise
        return n

    def flush(self) -> None:
        """Nothing to flush (no user-space buffer); durability comes with `commit`."""
        self._live_file()

    def discard(self) -> None:
        """Close and remove the temporary file; the target stays as it was. Idempotent."""
        f, self._file = self._file, None
        if f is not None:
            f.close()
            self._remove_temp()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()

    def __del__(self) -> None:
        if getattr(self, "_file", None) is not None:
            self.discard()
            warnings.warn(
                f"AtomicFile for {self._path!r} collected without commit(); discarded",
                ResourceWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        state = "open" if self._file is not None else "finished"
        return f"AtomicFile({self._path!r}, {state})"


def write_atomic_with(cls: Callable[[Any], AtomicFileBase], path: Any, data: Any) -> None:
    """Replace *path* with *data* (bytes-like, or ``str`` as UTF-8) through an `AtomicFile` *cls*."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    view = readable_view(payload, "fs.write_atomic")
    with view, cls(path) as f:
        f.write_all(view)
