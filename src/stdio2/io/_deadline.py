"""`Deadline`: an instant on the monotonic clock, used as a scope.

A deadline is fixed when it is made (``Deadline.after(2.0)`` means two
seconds from *now*, not from when the ``with`` block is entered). Entering it
makes it active for the current thread or asyncio task; nested scopes take
the earliest. The active deadline lives in a `contextvars.ContextVar`, which
gives both properties for free: each thread starts with an empty context, and
asyncio copies the context into every task it creates.

Blocking calls ask `Deadline.current()` once per call. To keep that off the
hot path when no deadline is in use anywhere, the module keeps a count of
open scopes in all threads (`scopes_open`); a call that sees 0 skips the
context lookup entirely.
"""

from __future__ import annotations

import contextvars
import math
import time
from types import TracebackType
from typing import Final

import attrs

__all__ = ["Deadline"]

# The stack of effective deadlines of this context, innermost last.
_stack: Final[contextvars.ContextVar[tuple[Deadline, ...]]] = contextvars.ContextVar(
    "stdio2_deadlines", default=()
)

# One entry per scope currently open in any thread. list.append/pop are
# atomic under the GIL, so this is an exact count without a lock.
scopes_open: Final[list[None]] = []

_now = time.monotonic


def _finite(_inst: object, _attr: object, value: float) -> None:
    if math.isnan(value):
        raise ValueError("a Deadline instant cannot be NaN")


@attrs.frozen(order=True)
class Deadline:
    """An instant on the ``time.monotonic()`` clock; a context manager that makes it active.

    ``with Deadline.after(2.0): ...`` bounds every blocking stdio2 call inside
    the block (sockets, pipes, terminals, child processes, io_uring
    submissions): when the earliest active deadline passes, the call raises
    `Error` of kind `ErrorKind.TimedOut`. Regular-file I/O and kernel copy
    loops are not interruptible. No system call is made by this class.
    """

    instant: float = attrs.field(converter=float, validator=_finite)

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The instant *seconds* from now (fixed now, not when the scope is entered).

        Raises ValueError for a negative or NaN duration.
        """
        seconds = float(seconds)
        if not seconds >= 0:
            raise ValueError(f"Deadline.after needs a duration >= 0, got {seconds}")
        return cls(_now() + seconds)

    @classmethod
    def at(cls, monotonic_seconds: float) -> Deadline:
        """The instant *monotonic_seconds* on the ``time.monotonic()`` clock."""
        return cls(monotonic_seconds)

    @classmethod
    def current(cls) -> Deadline | None:
        """The effective (earliest) deadline of this thread or task, or None."""
        stack = _stack.get()
        return stack[-1] if stack else None

    def remaining(self) -> float:
        """Seconds until this deadline, clamped at 0.0."""
        return max(0.0, self.instant - _now())

    def expired(self) -> bool:
        """Whether this deadline has passed."""
        return _now() >= self.instant

    def __enter__(self) -> Deadline:
        stack = _stack.get()
        effective = self if not stack or self.instant < stack[-1].instant else stack[-1]
        _stack.set((*stack, effective))
        scopes_open.append(None)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stack = _stack.get()
        _stack.set(stack[:-1])
        scopes_open.pop()


def current_instant() -> float | None:
    """The effective deadline's instant, or None; the fast path blocking calls use."""
    if not scopes_open:
        return None
    stack = _stack.get()
    return stack[-1].instant if stack else None


# poll(), WaitForSingleObject and io_uring_enter take their timeout as a C
# integer of milliseconds (or a timespec), and CPython refuses a wait of more
# than about 24.8 days (and any infinite one). A Deadline may lie further
# away (Deadline.after(1e10) or float("inf")), so waits are made in steps of
# at most a day; the loop around each wait reads the clock again.
MAX_WAIT_SECONDS: Final = 86_400.0


def wait_ms(instant: float) -> int:
    """Milliseconds to wait for the monotonic *instant*: rounded up, 0 once it passed, at most a day.

    A caller loops: wait, then return "timed out" only after a wait of 0.
    """
    remaining = instant - time.monotonic()
    if remaining <= 0:
        return 0
    if remaining >= MAX_WAIT_SECONDS:
        return int(MAX_WAIT_SECONDS * 1000)
    # Rounded up, so a wait never ends before the instant.
    return math.ceil(remaining * 1000)
