"""`Event`, `Cancellation` and `SQE`: the contract between an operation and the driver."""

from __future__ import annotations

import abc
import errno
import sys
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from stdio2.io._error import Error

if sys.platform != "linux":  # pragma: no cover
    raise ImportError("stdio2.os.linux.uring needs Linux")

from stdio2._sys.linux import uring as _sys
from stdio2.os.fd import FdOwner, fd_of

if TYPE_CHECKING:
    import asyncio

__all__ = ["SQE", "Cancellation", "Event"]

# Op states.
IN_FLIGHT: Final = 0
DONE: Final = 1
CONSUMED: Final = 2

# Op flag bits.
F_INTERNAL: Final = 1  # a cancel request or a linked timeout: nobody waits for it
F_CANCEL_SENT: Final = 2
F_DEADLINE: Final = 4  # cancelled because a Deadline passed
F_LINKED: Final = 8  # followed by an IORING_OP_LINK_TIMEOUT

# What the kernel posts for an operation it interrupted in an io-wq worker
# (splice, and other operations that cannot wait by polling): cancelling such
# an operation signals the worker, and the system call fails with EINTR or
# with a kernel-internal ERESTART* code (512-514 and 516; 515 is ENOIOCTLCMD;
# none has a name in user space), which io_uring passes on as the result.
_INTERRUPTED: Final = frozenset({-errno.EINTR, -512, -513, -514, -516})


def settled_result(result: int, flags: int) -> int:
    """*result* as the caller sees it: an interrupted operation that was cancelled reports ECANCELED.

    The driver interrupts an operation only to cancel it (`Submission.cancel`,
    a Deadline, a linked timeout, `Driver.close`), so for an operation with
    a cancel sent or a linked timeout, an interruption is that cancellation.
    Otherwise an ERESTART* code becomes EINTR: it must never reach the user.
    """
    if result not in _INTERRUPTED:
        return result
    if flags & (F_CANCEL_SENT | F_LINKED):
        return -errno.ECANCELED
    return -errno.EINTR


# Flags an event may set itself. IO_LINK would chain it to whatever comes
# next; FIXED_FILE / BUFFER_SELECT refer to registrations the event does not
# own; CQE_SKIP_SUCCESS would leave the driver waiting for a completion that
# never comes (keeping the buffers pinned forever).
_ALLOWED_FLAGS: Final = (1 << 1) | (1 << 4)  # IOSQE_IO_DRAIN, IOSQE_ASYNC


class SQE:
    """One submission queue entry being prepared, and the record of everything the kernel may use.

    An `Event.prepare` fills it with `prep` and hands the driver every
    resource the kernel will touch: `pin` for buffers (returns the address
    to put in the entry), `use_fd` for descriptors (returns the number),
    `hold` for any other memory (paths, address structures, iovec arrays).
    The driver keeps all of them alive, and buffers pinned, until the
    operation's completion has been reaped; then it releases them.
    """

    __slots__ = (
        "__weakref__",
        "_cancellation",
        "_entry",
        "_event",
        "_exc",
        "_flags",
        "_future",
        "_keep",
        "_pins",
        "_state",
        "_value",
        "result",
        "user_data",
    )

    _event: Event | None
    # The Cancellation of an abandoned operation, in a one-item list: the
    # list's pop() is the atomic claim that runs it once (_settle_abandoned).
    _cancellation: list[Cancellation] | None
    # The whole entry, in SQE order (user_data included): one pack_into.
    _entry: tuple[int, ...] | None
    _keep: list[object] | None
    # A list of exported memoryviews (`pin`), or one ctypes pin object
    # (the driver's fast path for a bytearray): either way, what keeps the
    # buffers exported until the completion is reaped.
    _pins: list[memoryview] | Any
    _exc: BaseException | None
    _value: Any
    _future: asyncio.Future[None] | None
    result: int | None

    def __init__(
        self, event: Event | None, user_data: int, pins: Any = None, keep: list[object] | None = None
    ) -> None:
        # *pins* / *keep* let the driver's batched fast path hand over the
        # resources it took itself (one pin object, a shared [cell] list).
        self._event = event
        self.user_data = user_data
        self._state = IN_FLIGHT
        self._flags = 0
        self._entry = None
        self._keep = keep
        self._pins = pins
        self._cancellation = None
        self._future = None
        self.result = None
        # _exc / _value (the outcome Submission.wait caches) are set, both,
        # by every path that marks the op consumed for a submission.

    # -- the API events use --------------------------------------------------------

    def prep(  # noqa: PLR0917 - positional like the entry's layout: the hot path of every event
        self,
        opcode: int,
        fd: int = -1,
        addr: int = 0,
        len: int = 0,
        off: int = 0,
        op_flags: int = 0,
        *,
        flags: int = 0,
        ioprio: int = 0,
        buf_index: int = 0,
        personality: int = 0,
        splice_fd_in: int = 0,
        addr3: int = 0,
    ) -> None:
        """Fill the entry: ``opcode``, ``fd``, ``addr``, ``len``, ``off`` (``addr2``), the op's flags.

        ``off`` of -1 (or any negative value) is stored as the kernel's
        ``(u64)-1``, "use the file position". *flags* may only contain
        ``IOSQE_IO_DRAIN`` / ``IOSQE_ASYNC``: links, fixed files, buffer
        selection and skipped completions are the driver's business
        (``ValueError`` otherwise).
        """
        if flags & ~_ALLOWED_FLAGS:
            raise ValueError("SQE.prep: only IOSQE_IO_DRAIN (2) and IOSQE_ASYNC (16) may be set by an event")
        if off < 0:
            off &= 0xFFFFFFFFFFFFFFFF
        self._entry = (
            opcode, flags, ioprio, fd, off, addr, len, op_flags, self.user_data,
            buf_index, personality, splice_fd_in, addr3, 0,
        )  # fmt: skip

    def pin(self, buf: Any, *, writable: bool) -> tuple[int, int]:
        """Pin the buffer *buf* until completion; return ``(address, length)``.

        Pinning exports the buffer: a ``bytearray`` cannot be resized
        (``BufferError``) until the driver has reaped the completion.
        ``TypeError`` for non-buffers, non-contiguous views, and read-only
        buffers when *writable*.
        """
        view, addr, n = _sys.pin(buf, writable)
        pins = self._pins
        if pins is None:
            self._pins = [view]
        else:
            pins.append(view)
        return addr, n

    def use_fd(self, fd_like: object, call: str) -> int:
        """The descriptor number of the `AsFd` *fd_like*, kept open until completion.

        The owner's cell is held by the driver, so closing the owner while
        the operation runs defers the real ``close`` until the completion is
        reaped. ``TypeError`` for bare ints / non-AsFd objects; `Error`
        (InvalidInput) if the owner is closed.
        """
        cell = fd_like._cell if isinstance(fd_like, FdOwner) else fd_of(fd_like, call)
        raw = None if cell is None else cell.raw
        if raw is None:
            from stdio2._sys._owner import closed_error

            raise closed_error("the descriptor owner")
        self.hold(cell)
        return raw

    def hold(self, obj: object) -> None:
        """Keep *obj* alive until the completion is reaped (C structures the kernel reads or writes)."""
        keep = self._keep
        if keep is None:
            self._keep = [obj]
        else:
            keep.append(obj)

    # -- inspection ------------------------------------------------------------------

    @property
    def opcode(self) -> int:
        """The prepared opcode (-1 before `prep`)."""
        return -1 if self._entry is None else self._entry[0]

    @property
    def fd(self) -> int:
        """The prepared descriptor number."""
        return -1 if self._entry is None else self._entry[3]

    def __repr__(self) -> str:
        name = _sys.OPCODE_NAMES.get(self.opcode, str(self.opcode))
        return f"SQE({name}, user_data={self.user_data}, state={self._state}, result={self.result})"

    # -- driver side -----------------------------------------------------------------

    def _release(self) -> None:
        """Unpin buffers and drop held resources (the completion has been reaped)."""
        pins, self._pins = self._pins, None
        if type(pins) is list:
            for view in pins:
                try:
                    view.release()
                except BufferError:  # pragma: no cover - our views are never re-exported
                    pass
        self._keep = None

    def _finish(self, result: int) -> None:
        if self._state != IN_FLIGHT:
            return
        if result < 0:
            result = settled_result(result, self._flags)
        self.result = result
        self._state = DONE
        if type(self._pins) is list:
            self._release()
        else:
            # None, or the fast path's ctypes pin: dropping it releases the export.
            self._pins = None
            self._keep = None
        # DONE is published before _cancellation is read: see _settle_abandoned.
        if self._cancellation is not None:
            self._settle_abandoned()
        fut = self._future
        if fut is not None and not fut.done():
            try:
                fut.set_result(None)
            except RuntimeError:
                # Its event loop was closed with the awaiting task still
                # pending: nobody is left to wake, and the reap must go on.
                self._future = None

    def _abandon(self) -> None:
        # Called from Submission.__del__ (any thread, any moment): must not
        # touch the ring. The event's resources move to its Cancellation.
        # (Nor does it write _flags: an |= from another thread could undo
        # the driver's own update of them, F_CANCEL_SENT, made in between.)
        if self._state == CONSUMED:
            return
        event, self._event = self._event, None
        if event is None:
            return
        try:
            cancellation = event.cancel()
        except Exception as e:  # a user-defined cancel() failed: keep the event itself
            warnings.warn(f"{type(event).__name__}.cancel() raised {e!r}", RuntimeWarning, stacklevel=2)
            cancellation = Cancellation(event)
        # Publish first, then look: see _settle_abandoned.
        self._cancellation = [cancellation]
        if self._state != IN_FLIGHT:
            self._settle_abandoned()

    def _settle_abandoned(self) -> None:
        """Run the Cancellation of an abandoned operation that completed; exactly once, whoever calls.

        Two threads meet here: the one that drops the `Submission` (its
        finaliser runs `_abandon`, on whatever thread let go of the last
        reference) and the driver's thread reaping the completion. If each
        first looked at the other's half and then published its own, both
        could look too early: the reaper finds no Cancellation, the
        abandoner still finds the operation in flight and stores one that
        nobody will ever run (an `OpenAt`'s descriptor leaks). So each side
        publishes first and looks second (a Dekker handshake): the abandoner
        stores ``_cancellation`` and then reads ``_state``; the reaper
        stores ``result``, then ``_state = DONE``, then reads
        ``_cancellation``. Under the GIL the two threads' bytecodes
        interleave but never overlap, so if the abandoner read ``_state``
        before DONE was stored, its own store came earlier still and the
        reaper's read sees it: at least one side finds both halves.
        ``result`` is stored before ``_state``, so a side that sees DONE
        also sees the result the cleanup needs. Both sides may find both
        halves; the claim is then one ``list.pop`` of a one-item list, a
        single C call that the GIL makes atomic (reading the attribute and
        clearing it would be two bytecodes a switch can come between), so
        the cleanup runs once, never twice: a second run would close a
        descriptor number that may already belong to someone else.
        """
        box = self._cancellation
        if box is None:
            return
        try:
            cancellation = box.pop()
        except IndexError:
            return  # the other side claimed it
        self._state = CONSUMED
        result = self.result
        cancellation._run(-1 if result is None else settled_result(result, self._flags))


# Per thread, how many Cancellation cleanups are running (nested when a
# cleanup drops another submission): `Driver.close` refuses to run in one.
_cleanups = threading.local()


def in_cleanup() -> bool:
    """Whether a `Cancellation` cleanup is running on this thread."""
    depth: int = getattr(_cleanups, "depth", 0)
    return depth > 0


class Cancellation:
    """What an abandoned operation leaves behind: resources kept until the kernel completes it.

    Made by `Event.cancel` when nobody will call `Event.complete` any more
    (the `Submission` was dropped, or the driver shut down around it). The
    driver keeps the cancellation until the completion arrives, then calls
    *cleanup* with the kernel's result, e.g. to close a descriptor that
    `OpenAt` opened although nobody wanted it any more, and drops the
    resources. The cleanup runs exactly once, either on the driver's thread
    while it reaps or on the thread that dropped the submission, at a
    moment neither chooses, so it must not close a driver (`Driver.close`
    raises `Error`, kind ResourceBusy, there). An exception from it becomes
    a ``RuntimeWarning``.
    """

    __slots__ = ("_cleanup", "_resources")

    def __init__(self, *resources: object, cleanup: Callable[[int], object] | None = None) -> None:
        self._resources: tuple[object, ...] | None = resources
        self._cleanup = cleanup

    def _run(self, result: int) -> None:
        cleanup, self._cleanup = self._cleanup, None
        if cleanup is None:
            self._resources = None
            return
        state = _cleanups
        state.depth = getattr(state, "depth", 0) + 1
        try:
            cleanup(result)
        except Exception as e:
            warnings.warn(f"uring Cancellation cleanup raised {e!r}", RuntimeWarning, stacklevel=2)
        finally:
            state.depth -= 1
            self._resources = None

    def __repr__(self) -> str:
        held = 0 if self._resources is None else len(self._resources)
        return f"Cancellation(resources={held}, cleanup={self._cleanup is not None})"


class Event(abc.ABC):
    """One io_uring operation (ringbahn's ``Event``). Subclass it for your own operations.

    * `prepare` fills the `SQE` and hands over every resource the kernel
      will use (``sqe.pin``, ``sqe.use_fd``, ``sqe.hold``); the driver keeps
      them until the completion is reaped, whatever happens to the
      `Submission`.
    * `complete` turns the kernel's result (a count, a new descriptor, or a
      negative errno) into the value ``Submission.wait()`` returns or the
      `Error` it raises; called at most once, on the driver's thread.
    * `cancel` is called instead of `complete` when nobody will see the
      result (the submission was dropped); the `Cancellation` it returns
      keeps resources alive and may clean up a result (close a descriptor).
    * `is_eager` hints that the operation usually completes during
      submission, so the driver collects completions in the same system call.
    """

    __slots__ = ()

    opcode: int = -1
    """The io_uring opcode this event submits (used by ``Driver.supports``)."""

    @abc.abstractmethod
    def prepare(self, sqe: SQE) -> None:
        """Fill *sqe* (``sqe.prep(...)``) and register the resources the kernel will use."""

    def complete(self, result: int) -> Any:
        """The value for a completion: *result* itself when >= 0, else `Error` for ``-result``."""
        if result < 0:
            raise Error.from_raw_os_error(-result)
        return result

    def cancel(self) -> Cancellation:
        """The resources to keep alive after interest in the result was dropped (default: the event)."""
        return Cancellation(self)

    def is_eager(self) -> bool:
        """Whether the operation usually completes inline during submission (default False)."""
        return False
