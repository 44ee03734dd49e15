"""Rust's ``std::io`` for Python: traits, buffers, adapters, errors, std streams, deadlines.

The traits `Read`, `Write`, `Seek` and `BufRead` each have one or two
single-call primitives and provided conveniences that loop without losing
data. `Error` (an `OSError`) carries an `ErrorKind`, the raw OS code, the
path(s) involved and the ``progress`` a looping call made before failing.
"""

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
from stdio2.io._pipe import PipeReader, PipeWriter, pipe
from stdio2.io._pyio import from_pyio, to_pyio
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
from stdio2.io._terminal import IsTerminal
from stdio2.io._traits import BufRead, Read, Seek, SeekFrom, Write

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
