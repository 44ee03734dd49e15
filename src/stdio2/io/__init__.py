"""Rust's ``std::io`` for Python: traits, buffers, adapters, errors, std streams, deadlines.

The traits `Read`, `Write`, `Seek` and `BufRead` each have one or two
single-call primitives and provided conveniences that loop without losing
data. `Error` (an `OSError`) carries an `ErrorKind`, the raw OS code, the
path(s) involved and the ``progress`` a looping call made before failing.
"""

import importlib
import sys
from typing import TYPE_CHECKING, Any

from stdio2.io._adapters import (
    Broadcast,
    Bytes,
    Chain,
    Empty,
    Lines,
    Repeat,
    Sink,
    Split,
    Take,
    Tee,
    copy,
    empty,
    read_to_string,
    repeat,
    sink,
)
from stdio2.io._buffered import BufReader, BufWriter, IntoInnerError, LineWriter
from stdio2.io._cursor import Cursor
from stdio2.io._deadline import Deadline
from stdio2.io._error import Error, ErrorKind
from stdio2.io._pyio import from_pyio, to_pyio
from stdio2.io._terminal import IsTerminal
from stdio2.io._traits import BufRead, Read, Seek, SeekFrom, Write

if TYPE_CHECKING:
    from stdio2.io._pipe import PipeReader, PipeWriter, pipe
    from stdio2.io._stdio import (
        Stderr,
        StderrLock,
        Stdin,
        StdinLock,
        Stdout,
        StdoutLock,
        stderr,
        stdin,
        stdout,
    )

# Pipes and std streams are owners of descriptors, built on stdio2.os.fd,
# whose backends in turn use this package's errors and traits. Loading them
# on first use (PEP 562) keeps that layering free of import cycles: the
# core above never waits for the descriptor layer.
_LAZY = {
    "PipeReader": "_pipe",
    "PipeWriter": "_pipe",
    "pipe": "_pipe",
    "Stderr": "_stdio",
    "StderrLock": "_stdio",
    "Stdin": "_stdio",
    "StdinLock": "_stdio",
    "Stdout": "_stdio",
    "StdoutLock": "_stdio",
    "stderr": "_stdio",
    "stdin": "_stdio",
    "stdout": "_stdio",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stdio2.io' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"stdio2.io.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Broadcast",
    "BufRead",
    "BufReader",
    "BufWriter",
    "Bytes",
    "Chain",
    "Cursor",
    "Deadline",
    "Empty",
    "Error",
    "ErrorKind",
    "IntoInnerError",
    "IsTerminal",
    "LineWriter",
    "Lines",
    "PipeReader",
    "PipeWriter",
    "Read",
    "Repeat",
    "Seek",
    "SeekFrom",
    "Sink",
    "Split",
    "Stderr",
    "StderrLock",
    "Stdin",
    "StdinLock",
    "Stdout",
    "StdoutLock",
    "Take",
    "Tee",
    "Write",
    "copy",
    "empty",
    "from_pyio",
    "pipe",
    "read_to_string",
    "repeat",
    "sink",
    "stderr",
    "stdin",
    "stdout",
    "to_pyio",
]

if sys.platform != "win32":
    # As Rust's runtime does before main: a closed descriptor 0, 1 or 2 is
    # reopened on /dev/null, so no later open() can take a standard number.
    # (A leaf module: this package must not import the descriptor layer
    # while it initialises, see _LAZY above.)
    from stdio2._sys.unix.std_fds import reopen_closed_std

    reopen_closed_std()
    del reopen_closed_std
