"""A safe completion-I/O driver over Linux io_uring, in pure Python (ringbahn's design).

>>> from stdio2.os.linux import uring                       # doctest: +SKIP
>>> with uring.Driver() as ring:                            # doctest: +SKIP
...     n = ring.submit(uring.Read(file, buf, offset=0)).wait()

* `Driver` owns one ring (``io_uring_setup``) and everything in flight on it;
  `Driver.submit` / `Driver.submit_all` hand `Event` s to the kernel (one
  ``io_uring_enter`` per call) and return `Submission` s;
  `Driver.read_many` is the batched ``pread`` (counts, no per-read objects).
* `Submission.wait` blocks (honouring `stdio2.io.Deadline`), ``await
  submission`` works inside asyncio, `Submission.cancel` asks the kernel to
  stop the operation, `Submission.done` polls.
* Events: `Nop`, `Read`, `Write`, `ReadVectored`, `WriteVectored`, `OpenAt`,
  `Close`, `Connect`, `Accept`, `Send`, `Recv`, `Fsync`, `Timeout`,
  `Statx`, `SpliceFile`; subclass `Event` for others (its `SQE` API hands
  every resource to the driver).

The ownership rule: from ``prepare`` until the completion is reaped, the
driver holds the event, its buffers (pinned: a ``bytearray`` cannot be
resized) and its descriptors (closing the owner defers the real close).
Dropping or cancelling a submission never frees memory the kernel may still
write; an abandoned event's resources move into its `Cancellation`. See
``docs/completion-io.md``.
"""

from __future__ import annotations

import sys

if sys.platform != "linux":  # pragma: no cover
    raise ImportError("stdio2.os.linux.uring needs Linux (io_uring)")

from stdio2.os.linux.uring._driver import Driver, Submission
from stdio2.os.linux.uring._event import SQE, Cancellation, Event
from stdio2.os.linux.uring._events import (
    Accept,
    Close,
    Connect,
    Fsync,
    Nop,
    OpenAt,
    Read,
    ReadVectored,
    Recv,
    Send,
    SpliceFile,
    Statx,
    Timeout,
    Write,
    WriteVectored,
)

__all__ = [
    "SQE",
    "Accept",
    "Cancellation",
    "Close",
    "Connect",
    "Driver",
    "Event",
    "Fsync",
    "Nop",
    "OpenAt",
    "Read",
    "ReadVectored",
    "Recv",
    "Send",
    "SpliceFile",
    "Statx",
    "Submission",
    "Timeout",
    "Write",
    "WriteVectored",
]
