"""`Driver` and `Submission`: submitting events, reaping completions, owning what is in flight."""

from __future__ import annotations

import contextlib
import errno
import sys
import threading
import time
import warnings
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Generator, Iterable
from itertools import repeat, starmap
from operator import attrgetter, is_
from typing import TYPE_CHECKING, Any, Final

if sys.platform != "linux":  # pragma: no cover
    raise ImportError("stdio2.os.linux.uring needs Linux")

from stdio2._sys._owner import closed_error
from stdio2._sys.linux import uring as _sys
from stdio2.io._deadline import MAX_WAIT_SECONDS, current_instant
from stdio2.io._error import Error, ErrorKind
from stdio2.os.fd import FdOwner, fd_of
from stdio2.os.linux.uring._event import (
    CONSUMED,
    DONE,
    F_CANCEL_SENT,
    F_DEADLINE,
    F_INTERNAL,
    F_LINKED,
    IN_FLIGHT,
    SQE,
    Event,
    in_cleanup,
    settled_result,
)
from stdio2.os.linux.uring._events import Nop as _Nop
from stdio2.os.linux.uring._events import Read as _Read
from stdio2.os.linux.uring._events import ReadVectored, WriteVectored
from stdio2.os.linux.uring._events import Recv as _Recv
from stdio2.os.linux.uring._events import Send as _Send
from stdio2.os.linux.uring._events import Write as _Write

if TYPE_CHECKING:
    import asyncio

    from stdio2._typing import Buffer

__all__ = ["Driver", "Submission"]

_ECANCELED: Final = errno.ECANCELED
_RETRY: Final = (-errno.EINTR, -errno.ETIME, -errno.EAGAIN, -errno.EBUSY)
_CLOSE_GRACE: Final = 5.0

# Operations still in flight when a driver had to give up on them (closing
# timed out, or an unclosed driver was collected). Their buffers and
# descriptors stay referenced here for the life of the process: a leak, but
# the kernel may still write into them, and freeing them would be worse.
_graveyard: list[object] = []

_get_ident = threading.get_ident
_monotonic = time.monotonic
_pack_sqe = _sys.SQE.pack_into
_pack_rw = _sys.SQE_RW.pack_into
_put_u32 = _sys.U32.pack_into
_char_from_buffer = _sys.pin_bytearray_object
_addressof = _sys.address_of_pin
_OP_READ: Final = _sys.OP_READ
_OP_WRITE: Final = _sys.OP_WRITE
_OP_RECV: Final = _sys.OP_RECV
_OP_NOP: Final = _sys.OP_NOP
_NO_OFFSET: Final = _sys.NO_OFFSET
_OP_SEND: Final = _sys.OP_SEND
# Built-in events whose complete() returns a non-negative result unchanged.
_PLAIN_RESULT: Final = frozenset({_Read, _Write, ReadVectored, WriteVectored, _Send, _Recv})
# Built-in events whose drop needs no work (default cancel(): keep the event,
# which the driver's record does anyway): their submissions have no finaliser.
_NO_DROP_WORK: Final = frozenset({_Nop, _Read, _Write, _Recv, _Send})
# Built-in events submit_all prepares inline (exact types: a subclass may override prepare).
_FAST: Final = frozenset({_Read, _Write, _Recv, _Send})
_SQE_SIZE = _sys.SQE_SIZE
_GETEVENTS = _sys.ENTER_GETEVENTS
# Batches at least this long, of one built-in type on one owner, take the bulk path.
_BULK_MIN: Final = 8
_BULK_OK: Final = sys.byteorder == "little"  # put_rw's length/flags word layout
_consume: Final[Callable[[Iterable[object]], None]] = deque[object](maxlen=0).extend  # run an iterator
_get_fd = attrgetter("fd")
_get_sock = attrgetter("sock")
_get_buf = attrgetter("buf")
_get_data = attrgetter("data")
_get_offset = attrgetter("offset")
_get_flags = attrgetter("flags")
_get_base = attrgetter("base")
_get_nbytes = attrgetter("nbytes")
# exact type -> (owner attribute, buffer attribute, opcode, has offset (Read/Write) or flags (Recv/Send))
_BULK: Final = {
    _Read: (_get_fd, _get_buf, _OP_READ, True),
    _Write: (_get_fd, _get_data, _OP_WRITE, True),
    _Recv: (_get_sock, _get_buf, _OP_RECV, False),
    _Send: (_get_sock, _get_data, _OP_SEND, False),
}


class Driver:
    """An io_uring instance and everything in flight on it (``io_uring_setup``).

    ``Driver(entries=256, flags=None)``: *entries* is the submission queue
    size (at least 2, rounded up to a power of two, clamped by the kernel); the
    completion queue holds twice as many. *flags* None picks the best set
    the kernel accepts (``SINGLE_ISSUER | DEFER_TASKRUN | SUBMIT_ALL``,
    falling back step by step); an int is passed to ``io_uring_setup`` as is.

    Raises `Error` (Unsupported) where io_uring is missing or blocked
    (ENOSYS/EPERM from ``io_uring_setup``; remembered for the process),
    other `Error` s for resource limits (ENOMEM, EMFILE).

    A driver belongs to the thread that made it: every method that touches
    the ring raises `Error` (Unsupported) on another thread. Use it as a
    context manager, or call `close`.
    """

    def __init__(self, entries: int = 256, flags: int | None = None) -> None:
        if isinstance(entries, bool) or not isinstance(entries, int):
            raise TypeError(f"Driver(entries): entries must be an int, got {type(entries).__name__}")
        if not 1 <= entries <= 32768:
            raise ValueError("Driver(entries): entries must be in 1 .. 32768")
        if flags is not None and (isinstance(flags, bool) or not isinstance(flags, int)):
            raise TypeError("Driver(flags): flags must be an int (IORING_SETUP_*) or None")
        self._ring: _sys.Ring | None = None
        # At least 2: an operation with a linked timeout takes two entries
        # that must be in the SQ together (a 1-entry ring would write the
        # second over the first).
        self._ring = _sys.Ring(max(entries, 2), flags)
        self._thread = _get_ident()
        self._inflight: dict[int, SQE] = {}
        # Bulk batches with operations in flight, oldest (lowest user_data) first.
        self._batches: list[_Batch] = []
        self._next_ud = 1
        self._probe: frozenset[int] | None = None
        self._efd = -1
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- public API ---------------------------------------------------------------------

    def submit(self, event: Event, *, timeout: float | None = None) -> Submission:
        """Submit *event* with one ``io_uring_enter``; returns its `Submission`.

        *timeout* (seconds) links an ``IORING_OP_LINK_TIMEOUT``: if the
        operation has not completed by then the kernel cancels it and
        ``wait()`` raises `Error` (TimedOut). Raises what the event's
        ``prepare`` raises (TypeError for a wrong buffer or a non-`Event`, `Error`
        InvalidInput for a closed descriptor), `Error` (Unsupported) on a
        foreign thread, `Error` (InvalidInput) once closed.
        """
        ring = self._ring
        if ring is None or _get_ident() != self._thread:
            ring = self._enter_check()  # raises
        if not isinstance(event, Event):
            raise TypeError(
                f"Driver.submit takes an Event object (uring.Read(fd, buf) ...), got {type(event).__name__}"
            )
        ts = None if timeout is None else _timeout_arg(timeout)
        op = self._push(ring, event, ts)
        try:
            self._flush(ring, True)
        except BaseException:
            # io_uring_enter failed: an entry the kernel did not take is withdrawn.
            self._withdraw(ring, [op])
            op._abandon()
            raise
        return (Submission if type(event) in _NO_DROP_WORK else _TrackedSubmission)(self, op)

    def submit_all(self, events: Iterable[Event], *, timeout: float | None = None) -> list[Submission]:
        """Submit every event with one ``io_uring_enter`` (more only when the queue fills up).

        A full submission queue is submitted and refilled, never an error.
        If an event's ``prepare`` raises, or ``io_uring_enter`` fails (`Error`
        with its errno), the events not yet handed to the kernel are
        withdrawn (their buffers released, never run), those already
        submitted keep running (detached), and the exception propagates.
        """
        ring = self._ring
        if ring is None or _get_ident() != self._thread:
            ring = self._enter_check()  # raises
        ts = None if timeout is None else _timeout_arg(timeout)
        if ts is None and _BULK_OK:
            if type(events) is not list:
                events = list(events)
            if len(events) >= _BULK_MIN:
                subs = self._submit_bulk(ring, events)
                if subs is not None:
                    return subs
        ops: list[SQE] = []
        pending: list[SQE] = []  # written to the ring but not yet handed to the kernel
        push = self._push
        inflight = self._inflight
        sqes = ring.sqes
        mask = ring.sq_mask
        entries = ring.sq_entries
        # The fast path: a built-in Read/Write/Recv/Send of a non-empty
        # bytearray (or writable contiguous memoryview) on an open FdOwner is
        # prepared here, inline: one pin object, a [cell] list shared by
        # every entry on the same owner, one 8-argument pack into the ring.
        # Exactly what the event's prepare would hand over (the buffer
        # exported, the cell held), minus the per-entry calls. Anything else
        # (other events, bytes, a closed owner, a timeout) takes the general
        # path, which also raises the right errors.
        last_owner: object = None
        keep: list[object] | None = None
        raw = -1
        each: Iterable[Any] = events  # attributes of the fast-path event types, read untyped
        try:
            for event in each:
                cls = type(event)
                if cls is _Nop and ts is None:
                    tail = ring.sq_tail
                    if entries - ((tail - ring.sq_known_head) & 0xFFFFFFFF) < 1 and ring.sq_space() < 1:
                        self._flush(ring, False)
                        pending.clear()
                        tail = ring.sq_tail
                    ud = self._next_ud
                    self._next_ud = ud + 1
                    op = SQE(event, ud)
                    _pack_rw(sqes, (tail & mask) * _SQE_SIZE, _OP_NOP, -1, 0, 0, 0, 0, ud)
                    inflight[ud] = op
                    ring.sq_tail = tail + 1
                    ops.append(op)
                    pending.append(op)
                    continue
                if cls in _FAST and ts is None:
                    if cls is _Read:
                        owner, buf, opcode, off, opf = event.fd, event.buf, _OP_READ, event.offset, 0
                    elif cls is _Write:
                        owner, buf, opcode, off, opf = event.fd, event.data, _OP_WRITE, event.offset, 0
                    elif cls is _Recv:
                        owner, buf, opcode, off, opf = event.sock, event.buf, _OP_RECV, 0, event.flags
                    else:
                        owner, buf, opcode, off, opf = event.sock, event.data, _OP_SEND, 0, event.flags
                    if off < 0:
                        off = _NO_OFFSET  # Read/Write offset None: "use the file position"
                    if owner is not last_owner:
                        last_owner = owner
                        cell = owner._cell if isinstance(owner, FdOwner) else None
                        keep = None
                        if cell is not None and cell.raw is not None:
                            raw = cell.raw
                            keep = [cell]
                    btype = type(buf)
                    n = len(buf) if btype is bytearray else buf.nbytes if btype is memoryview else 0
                    if keep is not None and n:
                        try:
                            # Raises for read-only or non-contiguous buffers: general path.
                            pin = _char_from_buffer(buf)
                        except (TypeError, ValueError, BufferError):
                            pin = None
                        if pin is not None:
                            tail = ring.sq_tail
                            if (
                                entries - ((tail - ring.sq_known_head) & 0xFFFFFFFF) < 1
                                and ring.sq_space() < 1
                            ):
                                self._flush(ring, False)
                                pending.clear()
                                tail = ring.sq_tail
                            ud = self._next_ud
                            self._next_ud = ud + 1
                            op = SQE(event, ud, pin, keep)
                            _pack_rw(
                                sqes, (tail & mask) * _SQE_SIZE, opcode, raw, off, _addressof(pin), n, opf, ud
                            )
                            inflight[ud] = op
                            ring.sq_tail = tail + 1
                            ops.append(op)
                            pending.append(op)
                            continue
                if not isinstance(event, Event):
                    raise TypeError(f"Driver.submit_all takes Event objects, got {type(event).__name__}")
                op = push(ring, event, ts, pending)
                ops.append(op)
                pending.append(op)
            self._flush(ring, True)
        except BaseException:
            self._withdraw(ring, pending)
            for op in ops:
                if op._state != CONSUMED:
                    op._abandon()
            raise
        plain, tracked = Submission, _TrackedSubmission
        return [(plain if type(op._event) in _NO_DROP_WORK else tracked)(self, op) for op in ops]

    def _submit_bulk(self, ring: _sys.Ring, events: list[Any]) -> list[Submission] | None:
        """The whole batch at C level, or None (nothing done) when it does not qualify.

        Qualifies: every event of one exact built-in type (Read, Write,
        Recv, Send), all on the same open `FdOwner`, the buffers all
        non-empty ``bytearray`` s or all writable contiguous memoryviews;
        or a batch of Nops. Then the pins, addresses, lengths and
        offsets are computed with ``map`` over the batch, the entries are
        written field by field (`Ring.put_rw`), and the batch gets one
        `_Batch` record instead of one `SQE` per operation. The guarantees
        are those of the general path: every buffer is pinned (exported)
        until its own completion is reaped, and the owner's cell is held
        until the last completion of the batch, so closing the owner
        meanwhile defers the real close.
        """
        kind: Any = type(events[0])
        if kind is _Nop:
            if not all(map(is_, map(type, events), repeat(_Nop))):
                return None
            return self._submit_nops(ring, events)
        spec = _BULK.get(kind)
        if spec is None or not all(map(is_, map(type, events), repeat(kind))):
            return None
        owner_of, buf_of, opcode, rw = spec
        owner = owner_of(events[0])
        # (Short-circuits at the first other owner: mixed batches cost little here.)
        if not isinstance(owner, FdOwner) or not all(map(is_, map(owner_of, events), repeat(owner))):
            return None
        cell = owner._cell
        raw = None if cell is None else cell.raw
        if raw is None:
            return None  # the general path raises the closed-owner error
        bufs = list(map(buf_of, events))
        btypes = set(map(type, bufs))
        if btypes == {bytearray}:
            size_of: Callable[[Any], int] = len
        elif btypes == {memoryview}:
            size_of = _get_nbytes
        else:
            return None
        try:
            # Empty, read-only or non-contiguous buffers raise: the general
            # path handles them (and raises the right errors).
            pins = list(map(_char_from_buffer, bufs))
        except (TypeError, ValueError, BufferError):
            return None
        n = len(events)
        # (array(list(map(...))) is faster than array(map(...)).)
        addrs = array("Q", list(map(_addressof, pins)))
        lens = array("Q", list(map(size_of, bufs)))
        if rw:
            offs = list(map(_get_offset, events))
            if min(offs) < 0:
                offs = [_NO_OFFSET if o < 0 else o for o in offs]  # None: the file position
            word3 = lens
            try:
                offsets = array("Q", offs)
            except OverflowError:
                return None  # beyond 64 bits: the general path reports it
        else:
            flags = list(map(_get_flags, events))
            if min(flags) < 0 or max(flags) > 0xFFFFFFFF:
                return None  # not a u32: the general path reports it
            if any(flags):
                word3 = array("Q", [ln | (f & 0xFFFFFFFF) << 32 for ln, f in zip(lens, flags, strict=True)])
            else:
                word3 = lens
            offsets = array("Q", bytes(8 * n))
        batch = _Batch(self, self._next_ud, events, pins, cell)
        word0 = _sys.rw_word0(opcode, raw)
        return self._put_batch(ring, batch, word0, (offsets, addrs, word3), _BatchSubmission)

    def _submit_nops(self, ring: _sys.Ring, events: list[Event]) -> list[Submission]:
        # A batch of Nops: no descriptor, no buffer; pins[i] is only the
        # "in flight" marker (True).
        n = len(events)
        zeros = array("Q", bytes(8 * n))
        batch = _Batch(self, self._next_ud, events, [True] * n, None)
        return self._put_batch(
            ring, batch, _sys.rw_word0(_OP_NOP, -1), (zeros, zeros, zeros), _NopBatchSubmission
        )

    def _put_batch(
        self,
        ring: _sys.Ring,
        batch: _Batch,
        word0: int,
        fields: tuple[array[int], array[int], array[int]],
        kind: type[_BatchSubmission] | None,
    ) -> list[Submission]:
        """Write a bulk batch's entries (refilling a full SQ), submit them, make the submissions.

        *fields*: per entry, the offset, the buffer address, and the length
        (low half) with the op flags (high half).
        """
        n = len(batch.pins)
        base = batch.base
        self._next_ud = base + n
        entries = ring.sq_entries
        done = 0
        first_tail = ring.sq_tail
        try:
            # Registered before any entry can reach the kernel: if a flush below
            # raises, the entries already in the ring are still owned and reaped.
            self._batches.append(batch)
            mo, ma, mw = memoryview(fields[0]), memoryview(fields[1]), memoryview(fields[2])
            while done < n:
                space = entries - ((ring.sq_tail - ring.sq_known_head) & 0xFFFFFFFF)
                if space < 1:
                    space = ring.sq_space()
                    if space < 1:
                        self._flush(ring, False)
                        continue
                k = min(space, n - done)
                ring.put_rw(word0, mo[done : done + k], ma[done : done + k], mw[done : done + k], base + done)
                done += k
            self._flush(ring, True)
        except BaseException:
            # A flush failed (while refilling, or the last one). The entries from *done* on
            # were never written, and the last ones written may not have
            # been consumed by the kernel either (the ring's head tells):
            # both are taken back, so nothing waits for them, keeps their
            # buffers pinned or runs them later. Those the kernel took keep
            # running, detached, like the general path's.
            # (The entries written are counted from the tail, not from
            # *done*: a signal's exception may come between put_rw moving
            # the tail and *done* catching up.)
            written = ring.sq_tail - first_tail
            back = min(ring.unsubmitted(), written)
            ring.take_back(back)
            start = written - back
            if start < n:
                batch.results[start:] = [-_ECANCELED] * (n - start)
                batch.pins[start:] = [None] * (n - start)
                live = batch.live = batch.live - (n - start)  # (no call since the pins went)
                if not live:
                    batch.cell = None
                    if batch in self._batches:  # (not yet, if interrupted before the append)
                        self._batches.remove(batch)
            raise
        if kind is None:
            return []  # read_many: no submissions
        # The submissions, made at C level: instances without __init__,
        # then both slots set through map (a Python __init__ per object
        # costs more than the pair of setattr calls).
        subs: list[Submission] = list(starmap(kind, repeat((), n)))
        _consume(map(setattr, subs, repeat("_batch"), repeat(batch)))
        _consume(map(setattr, subs, repeat("_i"), range(n)))
        return subs

    def _upgrade(self, batch: _Batch, i: int) -> SQE:
        """Give operation *i* of a bulk batch its own `SQE` record (to cancel, await, time out ...)."""
        records = batch.records
        if records is None:
            records = batch.records = {}
        op = records.get(i)
        if op is not None:
            return op
        ud = batch.base + i
        event = batch.events[i]
        pin = batch.pins[i]
        if pin is not None:  # still in flight: the record takes over its resources
            if _get_ident() != self._thread:
                raise self._foreign_thread()
            # (A Nop batch has no cell and its "pin" is only a marker.)
            op = SQE(event, ud, pin, [batch.cell]) if batch.cell is not None else SQE(event, ud)
            batch.pins[i] = None
            self._batch_done(batch, 1)
            self._inflight[ud] = op
        else:
            op = SQE(event, ud)
            op.result = batch.results[i]
            op._state = DONE
        records[i] = op
        return op

    def _upgrade_all(self) -> None:
        for batch in list(self._batches):
            for i, pin in enumerate(batch.pins):
                if pin is not None:
                    self._upgrade(batch, i)

    def _batch_done(self, batch: _Batch, n: int) -> None:
        # *n* more operations of *batch* completed (or got their own record).
        batch.live -= n
        if not batch.live:
            batch.cell = None  # the last one: the owner may really close now
            self._batches.remove(batch)

    def _find_batch(self, ud: int) -> _Batch | None:
        batches = self._batches
        k = bisect_right(batches, ud, key=_get_base) - 1
        if k < 0:
            return None
        batch = batches[k]
        return batch if ud - batch.base < len(batch.pins) else None

    def read_many(self, fd: object, bufs: Iterable[Buffer] | Buffer, offsets: Iterable[int]) -> list[int]:
        """Read into each of *bufs* at the matching file offset of *fd*, all at once; the counts.

        The batched ``pread``: one ``IORING_OP_READ`` per buffer, submitted
        together (one ``io_uring_enter``, more only when the submission
        queue fills up), then waited for; returns the byte counts in order.
        The same work as ``submit_all([Read(fd, b, offset=o) ...])`` and a
        ``wait()`` on each submission, without an event and a submission
        object per read. Each buffer stays pinned until its own read
        completes; every read has completed when this returns or raises.

        *bufs* may also be one writable buffer (a ``bytearray``, a
        memoryview ...): it is split into ``len(offsets)`` equal parts, read
        *i* filling part *i*. One pin serves the whole batch, so the per-read
        Python work is only what the batch shares.

        Raises ``TypeError`` (a buffer that is not writable, *fd* without
        ``as_fd()``), ``ValueError`` (as many offsets as buffers needed,
        each >= 0; one buffer that does not split evenly), `Error`
        (InvalidInput) for a closed *fd*; after all reads completed, the
        `Error` of the first one (in order) that failed. Honours `Deadline`:
        when it passes, the reads still running are cancelled and awaited,
        then `Error` (TimedOut) is raised (unless every read finished anyway).
        """
        ring = self._enter_check()
        offs = offsets if type(offsets) is list else list(offsets)
        whole = None if type(bufs) is list else _one_buffer(bufs)
        each: list[Any] = []
        if whole is None:
            each = bufs if type(bufs) is list else list(bufs)  # type: ignore[arg-type,unused-ignore]
            if len(offs) != len(each):
                raise ValueError(f"Driver.read_many: {len(each)} buffers but {len(offs)} offsets")
        cell = fd._cell if isinstance(fd, FdOwner) else fd_of(fd, "Driver.read_many")
        raw = None if cell is None else cell.raw
        if raw is None:
            raise closed_error("the descriptor owner")
        if not offs:
            return []
        try:
            offsets_q = array("Q", offs)
        except (TypeError, OverflowError):
            bad = next((o for o in offs if isinstance(o, bool) or not isinstance(o, int) or o < 0), None)
            if isinstance(bad, int) and not isinstance(bad, bool):
                raise ValueError("Driver.read_many: offsets must be >= 0") from None
            raise TypeError(f"Driver.read_many: offsets must be ints, got {type(bad).__name__}") from None
        events: Any
        addrs: Any
        sizes: Any
        if whole is not None:
            pins, addrs, sizes, events = _split_pin(whole, len(offs))
        else:
            pins, addrs, sizes = _pin_each(each)
            events = each
        batch = _Batch(self, self._next_ud, _LazyReads(fd, events, offs), pins, cell)
        word0 = _sys.rw_word0(_OP_READ, raw)
        try:
            self._put_batch(ring, batch, word0, (offsets_q, array("Q", addrs), array("Q", sizes)), None)
        except BaseException:
            # io_uring_enter failed part-way: the reads the kernel did not
            # take were withdrawn; those it took are waited for, so that no
            # buffer is in the kernel's hands once this raises (unless
            # waiting fails too: then the driver keeps them pinned).
            if batch.live:
                with contextlib.suppress(Error):
                    self._wait_batch(ring, batch)
            raise
        try:
            self._wait_batch(ring, batch)
        except BaseException:
            # Interrupted (a signal handler's KeyboardInterrupt) or the wait
            # failed: the caller has no handle to wait on later and will
            # reuse its buffers, so the reads still running are cancelled
            # and awaited before this raises, as for a Deadline.
            with contextlib.suppress(Error):
                self._cancel_batch(ring, batch, 0)
            raise
        results = _batch_results(batch)
        if min(results) < 0:
            err = _first_failure(batch)
            # The traceback keeps this frame's locals: the batch's events may
            # hold views of the caller's buffers, which must be free to resize.
            del batch, events, pins
            raise err
        return results

    def _wait_batch(self, ring: _sys.Ring, batch: _Batch) -> None:
        """Block until every operation of *batch* completed (`Deadline`: cancel the rest, reap, return)."""
        instant = current_instant()
        if self._reap(ring) == ring.cq_entries and ring.cq_overflowing():
            self._drain(ring)
        while batch.live:
            remaining = None
            if instant is not None:
                remaining = instant - _monotonic()
                if remaining <= 0:
                    self._cancel_batch(ring, batch, F_DEADLINE)
                    return
            self._wait_completions(ring, remaining)

    def _cancel_batch(self, ring: _sys.Ring, batch: _Batch, flags: int) -> None:
        """Cancel every operation of *batch* still running and wait for all their completions.

        Each gets its own record (marked with *flags*) and a cancel request,
        all sent with one ``io_uring_enter``; records already cancelled
        (an earlier, interrupted call) are only waited for.
        """
        for i, pin in enumerate(batch.pins):
            if pin is not None:
                self._upgrade(batch, i)
        ops = [op for op in (batch.records or {}).values() if op._state == IN_FLIGHT]
        for op in ops:
            if not op._flags & F_CANCEL_SENT:
                op._flags |= flags | F_CANCEL_SENT
                self._push_cancel(ring, op.user_data)
        self._flush(ring, True)
        for op in ops:
            self._wait_for(op)

    def wait_any(self, submissions: Iterable[Submission]) -> list[Submission]:
        """Block until at least one of *submissions* has completed; return those that have.

        One ``io_uring_enter(GETEVENTS)`` per wake-up; completions of other
        operations are collected on the way. Under a `Deadline` that passes
        first it raises `Error` (TimedOut) and leaves every operation running
        (nothing is cancelled: each still belongs to its submission).
        Returns an empty list for no submissions. ``TypeError`` for an item
        that is not a `Submission`, ``ValueError`` for one of another
        driver (it could never complete on this ring).
        """
        ring = self._enter_check()
        subs = list(submissions)
        if not subs:
            return []
        for s in subs:
            # (Another driver's operation never completes on this ring: the
            # wait would never end.)
            if not isinstance(s, Submission):
                raise TypeError(f"Driver.wait_any takes Submission objects, got {type(s).__name__}")
            owner = s._batch.driver if isinstance(s, _BatchSubmission) else s._driver
            if owner is not self:
                raise ValueError("Driver.wait_any: another Driver's Submission never completes on this one")
        instant = current_instant()
        # Submitting entered with GETEVENTS (deferred completion work done),
        # so what has completed is in the CQ: no extra system call unless
        # nothing is ready yet.
        if self._reap(ring) == ring.cq_entries and ring.cq_overflowing():
            self._drain(ring)
        while True:
            try:
                ready = [s for s in subs if s._op._state != IN_FLIGHT]
            except AttributeError:
                # A bulk submission without its own record: give each one
                # its record (their state lives there from now on).
                for s in subs:
                    if isinstance(s, _BatchSubmission):
                        s._record()
                continue
            if ready:
                return ready
            remaining = None
            if instant is not None:
                remaining = instant - _monotonic()
                if remaining <= 0:
                    raise Error(ErrorKind.TimedOut, "deadline passed while waiting for io_uring completions")
            self._wait_completions(ring, remaining)

    def supports(self, what: type[Event] | Event | int) -> bool:
        """Whether the kernel implements an event's opcode (``IORING_REGISTER_PROBE``, asked once)."""
        op = what if isinstance(what, int) else what.opcode
        return op in self.probe()

    def probe(self) -> frozenset[int]:
        """The opcodes this kernel supports (``IORING_REGISTER_PROBE``; cached)."""
        if self._probe is None:
            self._probe = self._enter_check().probe()
        return self._probe

    def in_flight(self) -> int:
        """How many submitted operations have not completed yet (as far as reaped)."""
        records = sum(1 for op in self._inflight.values() if not op._flags & F_INTERNAL)
        return records + sum(b.live for b in self._batches)

    def _pinned_count(self) -> int:
        # Buffers currently pinned for the kernel (tests check nothing leaks).
        count = 0
        for op in self._inflight.values():
            pins = op._pins
            if type(pins) is list:
                count += len(pins)
            elif pins is not None:
                count += 1  # the fast path's single pin object
        for batch in self._batches:
            if batch.cell is not None:  # (a Nop batch pins nothing)
                count += sum(1 for p in batch.pins if p is not None)
        return count

    def features(self) -> dict[str, bool]:
        """Ring facts: ``defer_taskrun``, ``single_issuer``, ``submit_all``, ``ext_arg``."""
        ring = self._enter_check()
        return {
            "defer_taskrun": ring.defer_taskrun,
            "single_issuer": bool(ring.flags & _sys.SETUP_SINGLE_ISSUER),
            "submit_all": bool(ring.flags & _sys.SETUP_SUBMIT_ALL),
            "ext_arg": bool(ring.features & _sys.FEAT_EXT_ARG),
        }

    def close(self) -> None:
        """Cancel everything in flight, reap it (at most ~5 s), then tear the ring down.

        Each in-flight operation gets an ``IORING_OP_ASYNC_CANCEL``; the
        driver waits for every completion so that no buffer the kernel may
        write is released. Operations the kernel cannot stop within the
        grace period (an uninterruptible disk read) stay referenced for the
        life of the process instead of being freed. Idempotent.

        Raises `Error` (Unsupported) on another thread, and (ResourceBusy)
        from a `Cancellation` cleanup: a cleanup runs in the middle of the
        driver's own work (a reap, or anywhere a dropped submission's
        finaliser happens to run), which would go on with the rings unmapped.
        """
        ring = self._ring
        if ring is None:
            return
        if _get_ident() != self._thread:
            raise self._foreign_thread()
        if in_cleanup():
            raise Error(
                ErrorKind.ResourceBusy,
                "uring.Driver.close() called from a Cancellation cleanup, which runs in the middle "
                "of the driver's own work: close the driver after that call returns",
            )
        try:
            if self._batches:
                self._upgrade_all()
            if self._inflight:
                self._cancel_everything(ring)
        finally:
            if self._inflight or self._batches:
                # An exception (a signal's KeyboardInterrupt, a cleanup that
                # raised, a failed io_uring_enter) cut the reaping short:
                # what is left may still be written by the kernel while the
                # ring winds down, so it is kept for good, as on a timeout.
                _graveyard.extend(self._inflight.values())
                _graveyard.extend(self._batches)
                self._inflight = {}
                self._batches = []
            self._teardown(ring)

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._ring is None:
            return "Driver(closed)"
        return f"Driver(entries={self._ring.sq_entries}, in_flight={self.in_flight()})"

    def __del__(self) -> None:
        ring = getattr(self, "_ring", None)
        if ring is None:
            return
        # Possibly on another thread, possibly mid-way through our own code:
        # never touch the rings here. Whatever is still in flight is kept
        # alive for good; the kernel cancels it when the ring descriptor closes.
        _graveyard.extend(self._inflight.values())
        _graveyard.extend(self._batches)
        self._inflight = {}
        self._batches = []
        self._ring = None
        self._remove_reader()
        try:
            ring.close()
        except OSError:
            pass
        if self._efd >= 0:
            _sys.close_fd(self._efd)
            self._efd = -1
        warnings.warn(f"unclosed uring.Driver (fd {ring.fd})", ResourceWarning, source=self, stacklevel=2)

    # -- internals: submission -----------------------------------------------------------

    def _foreign_thread(self) -> Error:
        return Error(
            ErrorKind.Unsupported,
            "uring.Driver used from a thread other than the one that created it: "
            "a driver and its submissions belong to one thread (make one Driver per thread)",
        )

    def _enter_check(self) -> _sys.Ring:
        ring = self._ring
        if ring is None:
            raise Error(ErrorKind.InvalidInput, "this uring.Driver is closed")
        if _get_ident() != self._thread:
            raise self._foreign_thread()
        return ring

    def _push(self, ring: _sys.Ring, event: Event, ts: Any, batch: list[SQE] | None = None) -> SQE:
        need = 1 if ts is None else 2
        known_free = ring.sq_entries - ((ring.sq_tail - ring.sq_known_head) & 0xFFFFFFFF)
        if known_free < need and ring.sq_space() < need:
            self._flush(ring, False)
            if batch is not None:
                # Those are with the kernel now; only later entries can be withdrawn.
                batch.clear()
        ud = self._next_ud
        self._next_ud = ud + 1
        op = SQE(event, ud)
        try:
            event.prepare(op)
            if op._entry is None:
                raise ValueError(f"{type(event).__name__}.prepare did not call sqe.prep(...)")
        except BaseException:
            op._state = CONSUMED
            op._release()
            raise
        entry = op._entry
        tail = ring.sq_tail
        if ts is None:
            _pack_sqe(ring.sqes, (tail & ring.sq_mask) * _SQE_SIZE, *entry)
        else:
            op._flags |= F_LINKED
            e = list(entry)
            e[1] |= _sys.SQE_IO_LINK
            _pack_sqe(ring.sqes, (tail & ring.sq_mask) * _SQE_SIZE, *e)
        self._inflight[ud] = op
        ring.sq_tail = tail + 1
        if ts is not None:
            lt = SQE(None, self._next_ud)
            self._next_ud += 1
            lt._flags = F_INTERNAL
            lt.hold(ts)
            lt_slot = ((tail + 1) & ring.sq_mask) * _SQE_SIZE
            _pack_sqe(
                ring.sqes, lt_slot, _sys.OP_LINK_TIMEOUT, 0, 0, -1, 0, _sys.address(ts), 1, 0,
                lt.user_data, 0, 0, 0, 0, 0,
            )  # fmt: skip
            self._inflight[lt.user_data] = lt
            ring.sq_tail = tail + 2
        return op

    def _withdraw(self, ring: _sys.Ring, ops: list[SQE]) -> None:
        """Take back the entries of *ops* (the newest written, in order) that the kernel has not consumed.

        Called when a submission fails part-way: *ops* were written at the
        tail of the SQ, and some may even have been published, but the
        kernel consumes entries only inside ``io_uring_enter`` and a failed
        enter consumed nothing, so the ring's own head says exactly which
        are still ours. Those are removed (the tail moves back and is
        published again) and their resources released; any the kernel did
        take keep running, detached, until their completions are reaped.
        """
        if not ops:
            return
        unconsumed = ring.unsubmitted()
        count = 0
        keep = len(ops)
        while keep:
            op = ops[keep - 1]
            slots = 2 if op._flags & F_LINKED else 1
            if count + slots > unconsumed:
                break
            count += slots
            keep -= 1
        ring.take_back(count)
        if keep < len(ops):
            first = ops[keep].user_data
            for ud in list(self._inflight):
                if ud >= first:
                    op = self._inflight.pop(ud)
                    # Completed here, as cancelled (it never ran), not just
                    # forgotten: the caller abandons it next, and its
                    # Cancellation must see that result, e.g. a Close gets
                    # to close the number it took and the kernel never did.
                    op.result = -_ECANCELED
                    op._state = DONE
                    op._release()
        ops.clear()

    def _flush(self, ring: _sys.Ring, getevents: bool) -> None:
        """Publish the SQ tail and ``io_uring_enter`` until the kernel took every entry."""
        tail = ring.sq_tail
        _put_u32(ring.rings, ring.sq_tail_off, tail & 0xFFFFFFFF)  # publish the tail
        # The kernel consumes entries only inside io_uring_enter, and after
        # a call that took everything the head equals the tail: so the head
        # as last known is exact in the common case (and if it lags, the
        # kernel caps to_submit at what is really queued).
        pending = (tail - ring.sq_known_head) & 0xFFFFFFFF
        flags = _GETEVENTS if getevents else 0
        while pending:
            r = ring.enter(pending, 0, flags)
            if r == pending:
                break  # the kernel took every entry (the common case: no second head read)
            if r < 0:
                if r == -errno.EINTR:
                    continue
                if r in (-errno.EAGAIN, -errno.EBUSY):
                    # The kernel is short of completion space or memory:
                    # make room by reaping, waiting for one completion if
                    # nothing was ready.
                    if not self._reap(ring):
                        ring.enter(0, 1, _GETEVENTS)
                        self._reap(ring)
                    pending = ring.unsubmitted()
                    continue
                raise Error.from_raw_os_error(-r)
            pending = ring.unsubmitted()
        ring.sq_known_head = tail
        if self._reap(ring) == ring.cq_entries and ring.cq_overflowing():
            # (Only a full CQ can have overflowed: between two harvests the
            # completions only accumulate, so fewer than cq_entries means
            # it never filled up.)
            self._drain(ring)

    # -- internals: completion ------------------------------------------------------------

    def _reap(self, ring: _sys.Ring) -> int:
        """Move every posted CQE into its operation; returns how many."""
        uds, results = ring.harvest()
        if not uds:
            return 0
        n = len(uds)
        batches = self._batches
        if batches:
            first = self._find_batch(uds[0])
            if first is not None and first.records is None:
                # The common case: a run of completions of one bulk batch,
                # in submission order (reads that completed inline), none
                # of whose operations has its own record, so all of them
                # are still pinned. Store the results and drop the pins
                # (releasing each buffer's export) at C level.
                lo = uds[0] - first.base
                if lo + n <= len(first.pins) and uds == list(range(uds[0], uds[0] + n)):
                    # No Python-level call between dropping the pins, counting
                    # them and releasing the CQEs: a signal handler's exception
                    # (KeyboardInterrupt) is raised only at a call or a loop
                    # edge, and must never find the pins gone but the count
                    # or the CQ head not updated (the CQEs would be counted
                    # twice). The batch retires before the head moves: if
                    # interrupted there, the CQEs are reaped again harmlessly.
                    first.results[lo : lo + n] = results
                    first.pins[lo : lo + n] = [None] * n
                    live = first.live = first.live - n
                    if not live:
                        first.cell = None  # the last one: the owner may really close now
                        batches.remove(first)
                    head = ring.cq_head = (ring.cq_head + n) & 0xFFFFFFFF
                    _put_u32(ring.rings, ring.cq_head_off, head)
                    return n
        first_head = ring.cq_head
        pop = self._inflight.pop
        for ud, res in zip(uds, results, strict=False):
            op = pop(ud, None)
            if op is None:
                batch = self._find_batch(ud) if batches else None
                if batch is not None:
                    i = ud - batch.base
                    if batch.pins[i] is not None:
                        # (Inline, no call in between: see the fast path above.)
                        batch.results[i] = res
                        batch.pins[i] = None
                        live = batch.live = batch.live - 1
                        if not live:
                            batch.cell = None
                            batches.remove(batch)
                continue
            if op._cancellation is None and op._future is None and op._state == IN_FLIGHT:
                # SQE._finish inlined for the common case (nobody to notify).
                op.result = res
                op._state = DONE
                if type(op._pins) is list:
                    op._release()
                else:
                    op._pins = None  # the fast path's pin: dropping it releases the export
                    op._keep = None
                if op._cancellation is not None:
                    # Its submission was dropped since the test above (on
                    # another thread, or by a finaliser on this one): with
                    # DONE published, the abandoner and we race to run its
                    # Cancellation, and exactly one wins (SQE._settle_abandoned).
                    op._settle_abandoned()
            else:
                op._finish(res)
        # Release the CQEs to the kernel (Ring.advance_cq, inlined), unless a
        # Cancellation cleanup above used the driver: its reap started from
        # the same head, handled these CQEs too (a second pass over one is a
        # no-op) and released them, with any that came after.
        if ring.cq_head == first_head:
            head = ring.cq_head = (first_head + n) & 0xFFFFFFFF
            _put_u32(ring.rings, ring.cq_head_off, head)
        return n

    def _wait_completions(self, ring: _sys.Ring, remaining: float | None) -> None:
        """One ``io_uring_enter(GETEVENTS)`` for at least one completion (at most *remaining* s), then reap.

        A signal or the timeout ending the wait early is not an error: the
        callers loop until what they wait for has completed.
        """
        if remaining is None:
            r = ring.enter(0, 1, _GETEVENTS)
        else:
            # The argument holds only the timespec's address: *ts* must stay
            # referenced until the kernel has read it. At most a day per wait:
            # a Deadline may be far off or infinite, and the callers loop.
            ts = _sys.timespec(min(remaining, MAX_WAIT_SECONDS))
            arg = _sys.getevents_arg(ts)
            r = ring.enter(0, 1, _GETEVENTS | _sys.ENTER_EXT_ARG, _sys.address(arg), _sys.GETEVENTS_ARG_SIZE)
            del ts
        if r < 0 and r not in _RETRY:
            raise Error.from_raw_os_error(-r)
        if self._reap(ring) == ring.cq_entries and ring.cq_overflowing():
            self._drain(ring)

    def _drain(self, ring: _sys.Ring) -> None:
        # Run deferred completion work / flush the kernel's overflow list.
        while True:
            r = ring.enter(0, 0, _GETEVENTS)
            if r < 0 and r not in _RETRY:
                raise Error.from_raw_os_error(-r)
            if not self._reap(ring) or not ring.cq_overflowing():
                return

    def _poll(self) -> None:
        """Collect completions without blocking (entering the ring when work is deferred)."""
        ring = self._enter_check()
        self._reap(ring)
        if ring.defer_taskrun or ring.cq_overflowing():
            self._drain(ring)

    def _wait_for(self, op: SQE) -> None:
        """Block until *op* completed, honouring the current `Deadline` (cancel + reap, then raise)."""
        ring = self._enter_check()
        instant = current_instant()
        self._reap(ring)
        while op._state == IN_FLIGHT:
            remaining = None
            if instant is not None:
                remaining = instant - _monotonic()
                if remaining <= 0:
                    op._flags |= F_DEADLINE
                    self._cancel(ring, op)
                    instant = None
                    continue
            self._wait_completions(ring, remaining)

    def _cancel(self, ring: _sys.Ring, op: SQE) -> None:
        if op._state != IN_FLIGHT or op._flags & F_CANCEL_SENT:
            return
        op._flags |= F_CANCEL_SENT
        self._push_cancel(ring, op.user_data)
        self._flush(ring, True)

    def _push_cancel(self, ring: _sys.Ring, target: int) -> None:
        if ring.sq_space() < 1:
            self._flush(ring, False)
        ud = self._next_ud
        self._next_ud = ud + 1
        req = SQE(None, ud)
        req._flags = F_INTERNAL
        tail = ring.sq_tail
        _pack_sqe(
            ring.sqes, (tail & ring.sq_mask) * _SQE_SIZE, _sys.OP_ASYNC_CANCEL, 0, 0, -1, 0, target, 0, 0,
            ud, 0, 0, 0, 0, 0,
        )  # fmt: skip
        self._inflight[ud] = req
        ring.sq_tail = tail + 1

    def _cancel_everything(self, ring: _sys.Ring) -> None:
        for op in list(self._inflight.values()):
            if op._state == IN_FLIGHT and not op._flags & (F_INTERNAL | F_CANCEL_SENT):
                op._flags |= F_CANCEL_SENT
                self._push_cancel(ring, op.user_data)
        self._flush(ring, True)
        give_up = _monotonic() + _CLOSE_GRACE
        while self._inflight:
            remaining = give_up - _monotonic()
            if remaining <= 0:
                break
            ts = _sys.timespec(min(remaining, 0.5))
            arg = _sys.getevents_arg(ts)
            r = ring.enter(0, 1, _GETEVENTS | _sys.ENTER_EXT_ARG, _sys.address(arg), _sys.GETEVENTS_ARG_SIZE)
            if r < 0 and r not in _RETRY:
                break
            self._reap(ring)
        if self._inflight:
            _graveyard.extend(self._inflight.values())
            self._inflight = {}
            warnings.warn(
                "uring.Driver.close: some operations did not complete after cancellation; "
                "their buffers stay allocated for the life of the process",
                ResourceWarning,
                stacklevel=3,
            )

    def _teardown(self, ring: _sys.Ring) -> None:
        self._ring = None
        self._remove_reader()
        try:
            ring.close()
        finally:
            if self._efd >= 0:
                _sys.close_fd(self._efd)
                self._efd = -1

    # -- internals: asyncio ------------------------------------------------------------------

    def _attach_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        ring = self._enter_check()
        if self._efd < 0:
            efd = _sys.make_eventfd()
            holder = _sys.raw_buffer(4)
            _sys.put_u32(holder, efd)
            try:
                ring.register(_sys.REGISTER_EVENTFD, _sys.address(holder), 1)
            except BaseException:
                _sys.close_fd(efd)
                raise
            self._efd = efd
        if self._loop is not loop:
            self._remove_reader()
            loop.add_reader(self._efd, self._on_eventfd)
            self._loop = loop

    def _remove_reader(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None and not loop.is_closed() and self._efd >= 0:
            try:
                loop.remove_reader(self._efd)
            except (RuntimeError, ValueError, OSError):  # pragma: no cover - loop shutting down
                pass

    def _on_eventfd(self) -> None:
        # Reset the counter first: a completion posted after this read
        # signals again, so none is missed.
        if self._ring is None:
            return
        _sys.drain_eventfd(self._efd)
        self._poll()

    def _deadline_passed(self, op: SQE) -> None:
        ring = self._ring
        if ring is None or op._state != IN_FLIGHT:
            return
        op._flags |= F_DEADLINE
        self._cancel(ring, op)


def _timeout_arg(timeout: float) -> Any:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, got {type(timeout).__name__}")
    if not timeout >= 0 or timeout == float("inf"):
        raise ValueError("timeout must be finite and >= 0")
    return _sys.timespec(float(timeout))


class Submission:
    """A submitted event: wait for it (`wait`, ``await``), poll it (`done`) or `cancel` it.

    Dropping a submission does not stop the operation: the driver keeps the
    event's resources until the kernel completes it, then hands the result
    to the event's `Cancellation` (which, e.g., closes a descriptor nobody
    will receive).
    """

    # The outcome (value or exception) is cached on the op record, so a
    # submission is just two references: cheap to make by the thousand.
    __slots__ = ("_driver", "_op")

    def __init__(self, driver: Driver, op: SQE) -> None:
        self._driver = driver
        self._op = op

    def wait(self) -> Any:
        """Block (``io_uring_enter(GETEVENTS)``) until the operation completes; return its value.

        Returns what the event's ``complete`` makes of the result (a count,
        an `OwnedFd`, `Metadata` ...); the same value on every later call.
        Raises `Error`: the operation's error; ECANCELED (kind
        Uncategorized) when it was cancelled; TimedOut when a linked timeout
        expired, or when the active `Deadline` passed: then the operation is
        cancelled and its completion awaited first, so its buffers are free
        when this raises (if it completed before the cancel took effect, its
        result is returned instead).
        """
        op = self._op
        state = op._state
        if state == DONE:
            res = op.result
            if res is not None and res >= 0:
                kind = type(op._event)
                if kind in _PLAIN_RESULT:
                    # _outcome's common case inlined: a count, nothing to convert.
                    op._state = CONSUMED
                    op._exc = None
                    op._value = res
                    return res
                if kind is _Nop:
                    op._state = CONSUMED
                    op._exc = None
                    op._value = None
                    return None
        elif state == IN_FLIGHT:
            self._driver._wait_for(op)
        return self._outcome()

    def done(self) -> bool:
        """Whether the completion has arrived (collects completions without blocking)."""
        op = self._op
        if op._state == IN_FLIGHT and self._driver._ring is not None:
            self._driver._poll()
        return op._state != IN_FLIGHT

    def cancel(self) -> None:
        """Ask the kernel to cancel the operation (``IORING_OP_ASYNC_CANCEL``); idempotent.

        Returns at once. The operation still completes: with ECANCELED if
        the kernel stopped it, or with its own result if it had finished.
        Its buffers stay pinned until then.
        """
        op = self._op
        if op._state != IN_FLIGHT or op._flags & F_CANCEL_SENT:
            return
        driver = self._driver
        driver._cancel(driver._enter_check(), op)

    def event(self) -> Event | None:
        """The submitted event (buffers come back through it)."""
        return self._op._event

    def _outcome(self) -> Any:
        op = self._op
        state = op._state
        if state == CONSUMED:
            exc = op._exc
            if exc is not None:
                raise exc
            return op._value
        op._state = CONSUMED
        res = op.result
        assert res is not None
        event = op._event
        if res >= 0 and type(event) in _PLAIN_RESULT:
            # Read/Write/... complete() is "the count": skip the call.
            op._exc = None
            op._value = res
            return res
        if res < 0:
            # (The reap's common case stores the kernel's result as is.)
            res = op.result = settled_result(res, op._flags)
        try:
            if res == -_ECANCELED and op._flags & F_DEADLINE:
                raise Error(ErrorKind.TimedOut, "deadline passed: the io_uring operation was cancelled")
            if res == -_ECANCELED and op._flags & F_LINKED and not op._flags & F_CANCEL_SENT:
                raise Error(
                    ErrorKind.TimedOut, "linked timeout expired: the io_uring operation was cancelled"
                )
            assert event is not None
            value = op._value = event.complete(res)
            op._exc = None
        except BaseException as e:
            op._exc = e
            op._value = None
            raise
        return value

    def __await__(self) -> Generator[Any, None, Any]:
        """Await the completion inside asyncio; the ring's eventfd wakes the loop.

        Honours the `Deadline` of the awaiting task like `wait`. If the
        awaiting task is cancelled, the operation is cancelled too (its
        resources stay with the driver until the kernel answers). Several
        tasks may await one submission: all get its outcome.
        """
        import asyncio

        op = self._op
        driver = self._driver
        if op._state == IN_FLIGHT:
            driver._poll()
        if op._state == IN_FLIGHT:
            loop = asyncio.get_running_loop()
            driver._attach_loop(loop)
            instant = current_instant()
            handle = None
            if instant is not None:
                handle = loop.call_later(max(0.0, instant - _monotonic()), driver._deadline_passed, op)
            try:
                while op._state == IN_FLIGHT:
                    # One future per operation, shared by every task awaiting
                    # it; each task waits through its own shield, so that
                    # cancelling one task does not cancel the others' wait.
                    fut = op._future
                    if fut is None or fut.done() or fut.get_loop() is not loop:
                        fut = op._future = loop.create_future()
                    # A completion reaped between poll and here must not be missed.
                    driver._poll()
                    if op._state != IN_FLIGHT:
                        break
                    yield from asyncio.shield(fut)
            except asyncio.CancelledError:
                if driver._ring is not None and op._state == IN_FLIGHT:
                    driver._cancel(driver._ring, op)
                raise
            finally:
                if op._state != IN_FLIGHT:
                    op._future = None
                if handle is not None:
                    handle.cancel()
        return self._outcome()

    def __repr__(self) -> str:
        op = self._op
        state = {IN_FLIGHT: "in flight", CONSUMED: "consumed"}.get(op._state, "done")
        return f"Submission({type(op._event).__name__}, {state})"


class _TrackedSubmission(Submission):
    """A `Submission` whose drop must reach the event: its ``cancel()`` may own cleanup.

    Events with the default ``cancel()`` (the built-in Nop, Read, Write,
    Send, Recv) get a plain `Submission`: for them dropping needs no work,
    since the driver's record already keeps the event and its buffers until
    the completion is reaped, which is all their `Cancellation` would do.
    Skipping the finaliser saves a Python call per operation in big batches.
    """

    __slots__ = ()

    def __del__(self) -> None:
        op = self._op  # always set: only the driver makes submissions
        if op._state != CONSUMED:
            op._abandon()


class _Batch:
    """The shared record of a bulk batch's operations (instead of one `SQE` each).

    *pins[i]* keeps operation i's buffer exported until its completion is
    reaped (then None); *cell* is the owner's cell, held while any
    operation of the batch is in flight; *results[i]* is the kernel's
    result once reaped. An operation that needs more (cancel, await, a
    deadline) gets its own record through ``Driver._upgrade``.
    """

    __slots__ = ("base", "cell", "driver", "events", "live", "pins", "records", "results")

    def __init__(self, driver: Driver, base: int, events: Any, pins: list[Any], cell: object) -> None:
        self.driver = driver
        self.base = base
        self.events = events
        self.pins: list[Any] = pins
        self.cell: object = cell
        self.live = len(pins)
        self.results: list[int | None] = [None] * len(pins)
        self.records: dict[int, SQE] | None = None


def _batch_results(batch: _Batch) -> list[int]:
    """The counts of a completed batch, taking the results of reads that got their own record."""
    results: list[Any] = batch.results  # every entry an int by now
    for i, op in (batch.records or {}).items():
        results[i] = op.result
        op._state = CONSUMED
    return results


def _first_failure(batch: _Batch) -> Error:
    """The `Error` for the first failed read of a completed `read_many` batch, in order."""
    results: list[Any] = batch.results
    for i, res in enumerate(results):
        if res < 0:
            rec = (batch.records or {}).get(i)
            if rec is not None:
                res = settled_result(res, rec._flags)
            if res == -_ECANCELED and rec is not None and rec._flags & F_DEADLINE:
                return Error(ErrorKind.TimedOut, "deadline passed: Driver.read_many cancelled the reads")
            return Error.from_raw_os_error(-res)
    raise AssertionError("no failed read")  # pragma: no cover - called only when one failed


def _one_buffer(bufs: object) -> memoryview | None:
    # read_many's "one buffer split evenly" form: anything with the buffer
    # protocol (a list of buffers has none).
    try:
        return memoryview(bufs)  # type: ignore[arg-type,unused-ignore]
    except TypeError:
        return None


def _split_pin(whole: memoryview, k: int) -> tuple[list[Any], array[int], array[int], _Chunks]:
    """One pin for a buffer cut into *k* equal parts: pins, addresses, sizes, the parts (for events)."""
    try:
        view, addr, size = _sys.pin(whole, True)
    except TypeError as e:
        raise TypeError(f"Driver.read_many: the buffer must be writable ({e})") from None
    finally:
        whole.release()  # (the pin is an export of its own)
    chunk, rem = divmod(size, k)
    if rem or not chunk:
        view.release()
        raise ValueError(f"Driver.read_many: a buffer of {size} bytes does not split into {k} equal parts")
    # Every read's "pin" is the same export: the buffer is released once the
    # last of them is dropped (its read completed, or was taken back).
    addrs = array("Q", range(addr, addr + size, chunk))
    return [view] * k, addrs, array("Q", [chunk]) * k, _Chunks(view, chunk)


def _pin_each(bufs: list[Any]) -> tuple[list[Any], list[int], list[int]]:
    """One pin per buffer: (pins, addresses, sizes)."""
    try:
        pins: list[Any] = list(map(_char_from_buffer, bufs))
        sizes = list(map(len, bufs)) if all(map(is_, map(type, bufs), repeat(bytearray))) else None
        if sizes is None:
            sizes = [memoryview(b).nbytes for b in bufs]
        return pins, list(map(_addressof, pins)), sizes
    except (TypeError, ValueError, BufferError):
        # Empty, read-only, odd buffers: the general pin (which also
        # raises the TypeError for a buffer that cannot receive data).
        try:
            parts = [_sys.pin(b, True) for b in bufs]
        except TypeError as e:
            raise TypeError(f"Driver.read_many: bufs must be writable buffers ({e})") from None
        return [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts]


class _Chunks:
    """Part *i* of a split buffer, as `_LazyReads` needs it (only when a read gets a record)."""

    __slots__ = ("chunk", "view")

    def __init__(self, view: memoryview, chunk: int) -> None:
        self.view = view
        self.chunk = chunk

    def __getitem__(self, i: int) -> memoryview:
        return self.view[i * self.chunk : (i + 1) * self.chunk]


class _LazyReads:
    """The events of a `Driver.read_many` batch, made only when one is needed (a record, a cancel)."""

    __slots__ = ("bufs", "fd", "offsets")

    def __init__(self, fd: object, bufs: Any, offsets: list[int]) -> None:
        self.fd = fd
        self.bufs = bufs
        self.offsets = offsets

    def __getitem__(self, i: int) -> Event:
        return _Read(self.fd, self.bufs[i], self.offsets[i])


class _BatchSubmission(Submission):
    """The `Submission` of one operation of a bulk batch.

    ``wait()`` of a completed operation is one list lookup; everything else
    (a completion not reaped yet, an error, `cancel`, `done`, ``await``)
    first gives the operation its own record and then behaves exactly like
    a plain `Submission`.
    """

    __slots__ = ("_batch", "_i")

    # Made by Driver._submit_bulk, which sets _batch and _i; _driver and
    # _op are set by _record when the operation needs its own record.
    __init__ = object.__init__

    _batch: _Batch
    _i: int

    def _record(self) -> SQE:
        try:
            return self._op
        except AttributeError:
            pass
        batch = self._batch
        op = self._op = batch.driver._upgrade(batch, self._i)
        self._driver = batch.driver
        return op

    def wait(self) -> Any:
        """Block (``io_uring_enter(GETEVENTS)``) until the operation completes; return its value.

        As `Submission.wait`.
        """
        res = self._reaped()
        if res is not None and res >= 0:
            return res
        self._record()
        return Submission.wait(self)

    def _reaped(self) -> int | None:
        # The result if the completion is in, collecting what completed
        # (without a system call) when called on the driver's thread.
        batch = self._batch
        res: int | None = batch.results[self._i]
        if res is None:
            ring = batch.driver._ring
            if ring is not None and _get_ident() == batch.driver._thread:
                batch.driver._reap(ring)
                res = batch.results[self._i]
        return res

    def done(self) -> bool:
        """Whether the completion has arrived (collects completions without blocking)."""
        batch = self._batch
        i = self._i
        if batch.pins[i] is not None:  # in flight without its own record
            driver = batch.driver
            if driver._ring is not None:
                driver._poll()
            if batch.pins[i] is not None:
                return False
        if batch.results[i] is not None:
            return True
        self._record()
        return Submission.done(self)

    def cancel(self) -> None:
        """Ask the kernel to cancel the operation (``IORING_OP_ASYNC_CANCEL``); idempotent."""
        self._record()
        Submission.cancel(self)

    def event(self) -> Event | None:
        """The submitted event (buffers come back through it)."""
        event: Event = self._batch.events[self._i]
        return event

    def __await__(self) -> Generator[Any, None, Any]:
        """Await the completion inside asyncio, as `Submission.__await__`."""
        self._record()
        return Submission.__await__(self)

    def __repr__(self) -> str:
        self._record()
        return Submission.__repr__(self)


class _NopBatchSubmission(_BatchSubmission):
    """A `_BatchSubmission` of a `Nop`: ``wait()`` returns None, like ``Nop.complete``."""

    __slots__ = ()

    def wait(self) -> Any:
        """Block (``io_uring_enter(GETEVENTS)``) until the operation completes; None.

        As `Submission.wait`.
        """
        _BatchSubmission.wait(self)  # raises for a failed Nop
        return None
