"""The driver's failure and cancellation paths, on real rings, pipes and files.

Each test drives one way an operation can end other than "submitted,
waited, completed" (cancelled, timed out, interrupted by a signal, dropped,
closed under, overflowing the completion queue) and then checks the
driver's promises: no buffer the kernel may still write is released or
handed back before its completion is reaped, nothing withdrawn runs later,
``in_flight()`` and the pinned-buffer count are right, and the driver keeps
working (later submissions, ``close()``).
"""

from __future__ import annotations

import asyncio
import errno
import gc
import os
import signal
import sys
from pathlib import Path

import pytest
from _uringutil import Interrupt, alarm_after, fd_is_open, owned_file

from stdio2.io import Deadline, Error, ErrorKind, pipe
from stdio2.os.linux import uring
from stdio2.os.linux.uring._driver import _BatchSubmission


def pinned(buf: bytearray) -> bool:
    """Whether *buf* is exported (a bytearray with a live export cannot grow)."""
    try:
        buf.append(0)
    except BufferError:
        return True
    buf.pop()
    return False


def settle(ring: uring.Driver) -> None:
    """Collect every completion that is due (a Nop round trip enters the ring)."""
    ring.submit(uring.Nop()).wait()


# -- bulk submissions: cancel, deadline, await, mixed with plain waits ---------------------------


def test_bulk_cancel_twice_and_after_completion(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        bufs = [bytearray(4) for _ in range(10)]
        subs = ring.submit_all([uring.Read(r, b) for b in bufs])
        assert all(type(s) is _BatchSubmission for s in subs)
        w.write(b"a" * 8)  # two reads complete
        settle(ring)
        finished = [i for i, s in enumerate(subs) if s.done()]
        assert len(finished) == 2
        for i in finished:
            subs[i].cancel()  # after completion: nothing to cancel
            subs[i].cancel()
            assert subs[i].wait() == 4
        rest = [i for i in range(10) if i not in finished]
        subs[rest[0]].cancel()
        subs[rest[0]].cancel()
        assert ring.in_flight() <= 8  # (a cancelled pipe read may complete at once)
        with pytest.raises(Error) as info:
            subs[rest[0]].wait()
        assert info.value.raw_os_error() == errno.ECANCELED
        subs[rest[0]].cancel()  # after the cancelled completion: still a no-op
        with pytest.raises(Error):
            subs[rest[0]].wait()  # the same outcome again
        assert not pinned(bufs[rest[0]])
        assert ring.in_flight() == 7 and ring._pinned_count() == 7
        w.write(b"b" * 28)
        assert [subs[i].wait() for i in rest[1:]] == [4] * 7
        assert ring.in_flight() == 0 and ring._pinned_count() == 0 and not ring._batches


def test_bulk_deadline_on_one_while_others_are_waited(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        bufs = [bytearray(b"\xee" * 4) for _ in range(9)]
        subs = ring.submit_all([uring.Read(r, b) for b in bufs])
        w.write(b"c" * 12)
        assert [s.done() for s in subs].count(True) == 3
        ready = [i for i, s in enumerate(subs) if s.done()]
        late = [i for i in range(9) if i not in ready]
        with pytest.raises(Error) as info, Deadline.after(0.02):
            subs[late[0]].wait()
        assert info.value.kind is ErrorKind.TimedOut
        assert not pinned(bufs[late[0]]) and bytes(bufs[late[0]]) == b"\xee" * 4
        with Deadline.after(0.02):
            assert subs[ready[0]].wait() == 4  # completed: the deadline does not matter
        assert ring.in_flight() == 5 and ring._pinned_count() == 5
        w.write(b"d" * 20)
        assert [subs[i].wait() for i in late[1:]] == [4] * 5
        with pytest.raises(Error) as info:
            subs[late[0]].wait()  # the timed-out one keeps its outcome
        assert info.value.kind is ErrorKind.TimedOut
        assert ring.in_flight() == 0 and ring._pinned_count() == 0


def test_bulk_await_cancelled_task_and_plain_waits(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        bufs = [bytearray(4) for _ in range(8)]
        subs = ring.submit_all([uring.Read(r, b) for b in bufs])

        async def main() -> None:
            task = asyncio.ensure_future(_await(subs[2]))
            await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The cancelled task's read is cancelled too, the others run on.
            with pytest.raises(Error) as info:
                await subs[2]
            assert info.value.raw_os_error() == errno.ECANCELED
            assert not pinned(bufs[2])
            with pytest.raises(Error) as info, Deadline.after(0.02):
                await subs[3]
            assert info.value.kind is ErrorKind.TimedOut

        asyncio.run(main())
        assert ring.in_flight() == 6 and ring._pinned_count() == 6
        w.write(b"e" * 24)
        assert [s.wait() for i, s in enumerate(subs) if i not in (2, 3)] == [4] * 6
        assert ring.in_flight() == 0 and ring._pinned_count() == 0


async def _await(sub: uring.Submission) -> object:
    return await sub


def test_wait_any_over_batches_and_singles_under_a_deadline(ring: uring.Driver, tmp_path: Path) -> None:
    r, w = pipe()
    with r, w:
        a = ring.submit_all([uring.Read(r, bytearray(4)) for _ in range(8)])
        b = ring.submit_all([uring.Read(r, bytearray(4)) for _ in range(8)])
        single = ring.submit(uring.Read(r, bytearray(4)))
        nops = ring.submit_all([uring.Nop() for _ in range(8)])
        everything = [*a, single, *b]
        with pytest.raises(Error) as info, Deadline.after(0.02):
            ring.wait_any(everything)
        assert info.value.kind is ErrorKind.TimedOut
        assert ring.in_flight() == 17  # nothing cancelled
        assert ring.wait_any([*everything, nops[3]]) == [nops[3]]
        w.write(b"f" * 4 * 17)
        done: set[int] = set()
        while len(done) < 17:
            done.update(map(id, ring.wait_any(everything)))
        assert [s.wait() for s in everything] == [4] * 17
        assert ring.in_flight() == 0 and ring._pinned_count() == 0 and not ring._batches


# -- read_many ------------------------------------------------------------------------------------


def test_read_many_deadline_with_some_reads_done(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        w.write(b"g" * 12)  # three of the ten reads can complete
        bufs = [bytearray(b"\xee" * 4) for _ in range(10)]
        with pytest.raises(Error) as info, Deadline.after(0.03):
            ring.read_many(r, bufs, [0] * 10)
        assert info.value.kind is ErrorKind.TimedOut
        assert sum(bytes(b) == b"gggg" for b in bufs) == 3
        assert sum(bytes(b) == b"\xee" * 4 for b in bufs) == 7
        assert not any(map(pinned, bufs))
        assert ring.in_flight() == 0 and ring._pinned_count() == 0 and not ring._batches
        w.write(b"h" * 40)  # nothing withdrawn or cancelled reads it
        assert ring.read_many(r, [bytearray(40)], [0]) == [40]


def test_read_many_failing_read_in_the_middle(ring: uring.Driver, tmp_path: Path) -> None:
    # Reading a directory fails (EISDIR) for every entry; a file read past
    # its end returns 0: per-read results, the first failure raised.
    (tmp_path / "f").write_bytes(b"0123456789")
    with owned_file(tmp_path / "f", os.O_RDONLY) as f:
        bufs = [bytearray(4) for _ in range(9)]
        assert ring.read_many(f, bufs, [0, 4, 8, 12, 0, 0, 0, 0, 0]) == [4, 4, 2, 0, 4, 4, 4, 4, 4]
    d = owned_file(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    with d:
        bufs = [bytearray(4) for _ in range(9)]
        with pytest.raises(Error) as info:
            ring.read_many(d, bufs, [0] * 9)
        assert info.value.raw_os_error() == errno.EISDIR
        assert not any(map(pinned, bufs))
        assert ring.in_flight() == 0 and ring._pinned_count() == 0 and not ring._batches


def test_read_many_interrupted_by_a_signal_leaves_no_read_running(ring: uring.Driver) -> None:
    # A KeyboardInterrupt-like exception from a real signal while read_many
    # blocks: when it propagates, no read may still be in the kernel's
    # hands (read_many returns no handle to wait on later), so a write
    # arriving afterwards must not land in the caller's buffers.
    r, w = pipe()
    with r, w:
        bufs = [bytearray(b"\xee" * 4) for _ in range(10)]
        with pytest.raises(Interrupt), alarm_after(0.03):
            ring.read_many(r, bufs, [0] * 10)
        assert ring.in_flight() == 0 and ring._pinned_count() == 0 and not ring._batches
        assert not any(map(pinned, bufs))
        w.write(b"i" * 40)
        settle(ring)
        assert all(bytes(b) == b"\xee" * 4 for b in bufs)
        assert ring.read_many(r, [bytearray(40)], [0]) == [40]


def test_wait_interrupted_by_a_signal_keeps_the_operation(ring: uring.Driver) -> None:
    # Submission.wait() interrupted: the submission is still the caller's,
    # the read still in flight (and pinned); waiting again completes it.
    r, w = pipe()
    with r, w:
        buf = bytearray(4)
        subs = ring.submit_all([uring.Read(r, buf), *(uring.Read(r, bytearray(4)) for _ in range(8))])
        single = ring.submit(uring.Read(r, bytearray(4)))
        for sub in (subs[0], single):
            with pytest.raises(Interrupt), alarm_after(0.02):
                sub.wait()
        with pytest.raises(Interrupt), alarm_after(0.02):
            ring.wait_any(subs)
        assert ring.in_flight() == 10 and pinned(buf)
        w.write(b"j" * 40)
        assert subs[0].wait() == 4 and single.wait() == 4
        assert [s.wait() for s in subs[1:]] == [4] * 8
        assert ring.in_flight() == 0 and ring._pinned_count() == 0


# -- close ----------------------------------------------------------------------------------------


def test_close_with_a_bulk_batch_partly_reaped_and_dropped_submissions() -> None:
    r, w = pipe()
    raw = r.as_raw_fd()
    with w:
        bufs = [bytearray(b"\xee" * 4) for _ in range(12)]
        ring = uring.Driver(8)
        subs = ring.submit_all([uring.Read(r, b) for b in bufs])
        w.write(b"k" * 16)
        settle(ring)
        assert sum(s.done() for s in subs) == 4
        extra = [bytearray(4) for _ in range(3)]
        for b in extra:
            ring.submit(uring.Read(r, b))  # dropped at once
        ring.submit_all([uring.Read(r, b) for b in [bytearray(4) for _ in range(9)]])  # dropped too
        gc.collect()
        subs[-1].cancel()
        r.close()
        assert fd_is_open(raw)
        ring.close()
        assert not fd_is_open(raw)
        assert ring.in_flight() == 0 and not ring._inflight and not ring._batches
        assert not any(map(pinned, bufs + extra))
        outcomes = []
        for s in subs:
            try:
                outcomes.append(s.wait())
            except Error as e:
                outcomes.append(e.raw_os_error())
        assert sorted(outcomes, key=str) == sorted([4] * 4 + [errno.ECANCELED] * 8, key=str)


def test_close_with_asyncio_awaits_pending(tmp_path: Path) -> None:
    r, w = pipe()
    with r, w:
        ring = uring.Driver(16)

        async def main() -> list[object]:
            subs = ring.submit_all([uring.Read(r, bytearray(4)) for _ in range(8)])
            tasks = [asyncio.ensure_future(_await(s)) for s in subs]
            await asyncio.sleep(0.01)
            ring.close()  # from inside the loop, while every task awaits
            return await asyncio.gather(*tasks, return_exceptions=True)

        results = asyncio.run(main())
        assert all(isinstance(e, Error) and e.raw_os_error() == errno.ECANCELED for e in results)
        assert not ring._inflight and not ring._batches


# -- the completion queue overflowing -------------------------------------------------------------


def test_bulk_batches_overflowing_a_small_cq_with_cancels_and_deadlines() -> None:
    r, w = pipe()
    with r, w, uring.Driver(4) as small:  # SQ 4, CQ 8; batches of 24 and 16
        a_bufs = [bytearray(4) for _ in range(24)]
        a = small.submit_all([uring.Read(r, b) for b in a_bufs])
        b = small.submit_all([uring.Nop() for _ in range(16)])  # 16 completions at once: overflow
        for i in (1, 5, 9):
            a[i].cancel()
        with pytest.raises(Error) as info, Deadline.after(0.02):
            a[2].wait()
        assert info.value.kind is ErrorKind.TimedOut
        assert [s.wait() for s in b] == [None] * 16
        w.write(b"m" * 4 * 20)
        got = []
        for i, s in enumerate(a):
            try:
                got.append(s.wait())
            except Error as e:
                got.append(e.kind if i == 2 else e.raw_os_error())
        assert got.count(4) == 20 and got.count(errno.ECANCELED) == 3 and got[2] is ErrorKind.TimedOut
        assert small.in_flight() == 0 and small._pinned_count() == 0 and not small._batches
        # 40 reads waiting on a pipe, all completing in one go: the kernel's overflow list.
        bufs = [bytearray(4) for _ in range(40)]
        with Deadline.after(2):
            w.write(b"n" * 160)
            assert small.read_many(r, bufs, [0] * 40) == [4] * 40
        assert small.in_flight() == 0 and small._pinned_count() == 0


# -- rings too small for an entry pair -----------------------------------------------------------


def test_linked_timeout_on_a_one_entry_ring() -> None:
    # A read with a linked timeout takes two SQ entries; a ring asked for
    # one entry must still submit both, never overwrite one with the other.
    r, w = pipe()
    with r, w, uring.Driver(1) as tiny:
        buf = bytearray(4)
        sub = tiny.submit(uring.Read(r, buf), timeout=0.02)
        with pytest.raises(Error) as info, Deadline.after(2):
            sub.wait()
        assert info.value.kind is ErrorKind.TimedOut
        assert tiny.in_flight() == 0 and not pinned(buf)
        w.write(b"o" * 4)
        assert tiny.submit(uring.Read(r, buf), timeout=1).wait() == 4


# -- a cleanup raising while completions are reaped ----------------------------------------------


class _LoudRead(uring.Event):
    """A pipe read whose `Cancellation` cleanup raises `Interrupt` (a KeyboardInterrupt mid-cleanup)."""

    def __init__(self, fd: object, buf: bytearray) -> None:
        self.fd, self.buf = fd, buf

    def prepare(self, sqe: uring.SQE) -> None:
        fd = sqe.use_fd(self.fd, "_LoudRead")
        addr, n = sqe.pin(self.buf, writable=True)
        sqe.prep(22, fd, addr, n, -1)  # IORING_OP_READ at the file position

    def cancel(self) -> uring.Cancellation:
        return uring.Cancellation(self, cleanup=self._boom)

    def _boom(self, result: int) -> None:
        raise Interrupt


def test_a_cleanup_raising_while_reaping_loses_no_completion(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        loud = bytearray(4)
        ring.submit(_LoudRead(r, loud))  # dropped: its cancellation runs at completion
        gc.collect()
        bufs = [bytearray(4) for _ in range(6)]
        subs = [ring.submit(uring.Read(r, b)) for b in bufs]
        bulk = ring.submit_all([uring.Read(r, bytearray(4)) for _ in range(8)])
        w.write(b"p" * 4 * 15)  # every read completes, in one harvest
        with pytest.raises(Interrupt):
            settle(ring)
        assert [s.wait() for s in subs] == [4] * 6
        assert [s.wait() for s in bulk] == [4] * 8
        assert not pinned(loud)
        assert ring.in_flight() == 0 and ring._pinned_count() == 0 and not ring._batches


def test_close_interrupted_by_a_cleanup_keeps_what_is_in_flight() -> None:
    # close() cut short by an exception must not free a buffer the kernel
    # may still write: what it did not reap stays referenced for good.
    from stdio2.os.linux.uring import _driver

    r, w = pipe()
    with r, w:
        ring = uring.Driver(16)
        ring.submit(_LoudRead(r, bytearray(4)))
        gc.collect()
        bufs = [bytearray(4) for _ in range(20)]
        subs = ring.submit_all([uring.Read(r, b) for b in bufs])
        before = len(_driver._graveyard)
        with pytest.raises(Interrupt):
            ring.close()
        ring.close()  # idempotent
        unreaped = [b for b in bufs if pinned(b)]
        kept = _driver._graveyard[before:]
        del _driver._graveyard[before:]
        # Either every read was reaped (cancelled) or its record is kept.
        assert len(unreaped) <= sum(1 for x in kept if isinstance(x, uring.SQE) and x._pins is not None)
        for s in subs:
            with pytest.raises(Error):
                s.wait()


# -- signals landing anywhere inside the driver ---------------------------------------------------


@pytest.mark.skipif(
    sys.version_info >= (3, 13),
    reason="3.13 runs signal handlers at more points than 3.11/3.12 (inside the reap's calls), "
    "where operations can stay counted in flight: pinned for good, never released early "
    "(see docs/completion-io.md)",
)
def test_interrupts_anywhere_in_bulk_submit_and_reap_leave_the_driver_consistent(tmp_path: Path) -> None:
    # One real SIGALRM per round, at a random moment; its handler raises
    # only while the driver's own code runs (re-arming itself otherwise), so
    # the exception lands somewhere inside submit_all / wait / the reap.
    # After each: every bulk batch's count matches its pinned buffers, and
    # at the end every operation completes, nothing stays pinned or counted.
    import random
    import time

    (tmp_path / "f").write_bytes(bytes(range(256)) * 16)
    armed = [False]

    def handler(signum: int, frame: object) -> None:
        if armed[0]:
            code = getattr(frame, "f_code", None)
            if code is not None and "/uring/" in code.co_filename:
                armed[0] = False
                raise Interrupt
            signal.setitimer(signal.ITIMER_REAL, 0.00002)

    rnd = random.Random(8)
    kept: list[tuple[list[bytearray], list[uring.Submission]]] = []
    orphans: list[bytearray] = []
    old = signal.signal(signal.SIGALRM, handler)
    interrupts = 0
    try:
        with owned_file(tmp_path / "f", os.O_RDONLY) as f, uring.Driver(16) as ring:
            # Until 60 interrupts have landed (about 0.6 s here), at most 5 s
            # on a slow or loaded machine.
            t_end = time.monotonic() + 5.0
            while interrupts < 60 and time.monotonic() < t_end:
                bufs = [bytearray(16) for _ in range(24)]
                try:
                    armed[0] = True
                    signal.setitimer(signal.ITIMER_REAL, rnd.uniform(0.00001, 0.0003))
                    subs = ring.submit_all([uring.Read(f, b, offset=16 * i) for i, b in enumerate(bufs)])
                    kept.append((bufs, subs))
                    for s in subs:
                        s.wait()
                    kept.pop()
                    armed[0] = False
                except Interrupt:
                    interrupts += 1
                    if not kept or kept[-1][0] is not bufs:
                        orphans.extend(bufs)  # submit_all itself was interrupted
                    for b in ring._batches:
                        assert b.live == sum(p is not None for p in b.pins) > 0
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            armed[0] = False
            settle(ring)
            for bufs, subs in kept:
                for i, s in enumerate(subs):
                    assert s.wait() == 16
                    assert bufs[i] == bytes(range(16 * i % 256, 16 * i % 256 + 16))
            assert ring.in_flight() == 0 and ring._pinned_count() == 0 and not ring._batches
            assert not any(map(pinned, orphans))
    finally:
        signal.signal(signal.SIGALRM, old)
    assert interrupts >= 20
