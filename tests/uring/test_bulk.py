"""submit_all's bulk path: a batch of one built-in type on one owner, all bytearrays.

Such a batch is prepared at C level with one shared record instead of one
record per operation. These tests hold it to the same guarantees as the
general path: each buffer pinned until its own completion, the descriptor
kept until the last one, cancellation, deadlines, dropping, closing the
driver, ``await`` and ``wait_any`` behave the same, and the kernel gets the
same entries (contents checked against a model).
"""

from __future__ import annotations

import array
import asyncio
import errno
import gc
import os
import socket
import threading
from pathlib import Path

import pytest
from _uringutil import errors_in_another_thread, fd_is_open, owned_file
from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2.io import Deadline, Error, ErrorKind, pipe
from stdio2.os.fd import BorrowedFd
from stdio2.os.linux import uring
from stdio2.os.linux.uring._driver import _BatchSubmission


def test_a_qualifying_batch_takes_the_bulk_path(ring: uring.Driver, tmp_path: Path) -> None:
    data = os.urandom(64 * 100)
    (tmp_path / "f").write_bytes(data)
    with owned_file(tmp_path / "f") as f:
        bufs = [bytearray(64) for _ in range(100)]
        subs = ring.submit_all([uring.Read(f, b, offset=64 * (99 - i)) for i, b in enumerate(bufs)])
        assert all(type(s) is _BatchSubmission for s in subs)
        assert all(isinstance(s, uring.Submission) for s in subs)
        assert [s.wait() for s in subs] == [64] * 100
        assert [s.wait() for s in subs] == [64] * 100  # the same value again
        assert b"".join(reversed(bufs)) == data
        assert subs[5].event() is not None and subs[5].done()
        assert ring.in_flight() == 0 and ring._pinned_count() == 0 and not ring._batches
        for b in bufs:
            b.extend(b"free")  # every export released


def test_each_buffer_stays_pinned_until_its_own_completion(ring: uring.Driver) -> None:
    r, w = pipe()
    raw = r.as_raw_fd()
    bufs = [bytearray(b"\xee" * 4) for _ in range(12)]
    subs = ring.submit_all([uring.Read(r, b) for b in bufs])
    assert ring.in_flight() == 12 and ring._pinned_count() == 12
    for b in bufs:
        with pytest.raises(BufferError):
            b.extend(b"x")
    w.write(b"abcdefgh")  # enough for two of the reads
    while ring.in_flight() > 10:
        ring._poll()
    assert ring._pinned_count() == 10
    released = 0
    for b in bufs:
        try:
            b.extend(b"x")  # only a buffer whose read completed can grow
            released += 1
        except BufferError:
            pass
    assert released == 2
    assert sum(s.done() for s in subs) == 2
    r.close()
    assert fd_is_open(raw), "closing the owner waits for the reads still in flight"
    w.write(b"0123456789" * 4)
    got = [s.wait() for s in subs]
    assert got == [4] * 12
    assert not fd_is_open(raw)  # the last completion released it
    assert b"\xee" not in b"".join(bytes(b[:4]) for b in bufs)
    assert ring.in_flight() == 0 and ring._pinned_count() == 0
    w.close()


def test_dropped_bulk_submissions_keep_buffers_and_descriptor(ring: uring.Driver) -> None:
    r, w = pipe()
    raw = r.as_raw_fd()
    bufs = [bytearray(b"\xee" * 4) for _ in range(10)]
    ring.submit_all([uring.Read(r, b) for b in bufs])  # every submission dropped at once
    gc.collect()
    r.close()
    assert fd_is_open(raw)
    with pytest.raises(BufferError):
        bufs[0].extend(b"x")
    w.write(b"x" * 40)
    while ring.in_flight():
        ring.submit(uring.Nop()).wait()
    assert all(bytes(b[:4]) == b"xxxx" for b in bufs)
    assert not fd_is_open(raw)
    bufs[0].extend(b"x")
    w.close()


def test_cancel_and_deadline_on_bulk_submissions(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        bufs = [bytearray(4) for _ in range(10)]
        subs = ring.submit_all([uring.Read(r, b) for b in bufs])
        subs[3].cancel()
        subs[3].cancel()  # idempotent
        with pytest.raises(Error) as info:
            subs[3].wait()
        assert info.value.kind is ErrorKind.Uncategorized and info.value.raw_os_error() == errno.ECANCELED
        with pytest.raises(Error) as info, Deadline.after(0.05):
            subs[4].wait()
        assert info.value.kind is ErrorKind.TimedOut
        bufs[3].extend(b"x")  # both completed (cancelled): released
        bufs[4].extend(b"x")
        assert ring.in_flight() == 8 and ring._pinned_count() == 8
        w.write(b"y" * 32)
        rest = [s.wait() for i, s in enumerate(subs) if i not in (3, 4)]
        assert rest == [4] * 8
        assert ring.in_flight() == 0 and ring._pinned_count() == 0


def test_closing_the_driver_cancels_bulk_operations(tmp_path: Path) -> None:
    r, w = pipe()
    raw = r.as_raw_fd()
    with w:
        bufs = [bytearray(4) for _ in range(20)]
        with uring.Driver(8) as ring:  # 20 entries on an 8-entry ring: flushed and refilled
            subs = ring.submit_all([uring.Read(r, b) for b in bufs])
            assert ring.in_flight() == 20
            r.close()
            assert fd_is_open(raw)
        assert not fd_is_open(raw)
        assert not ring._batches and not ring._inflight
        for s in subs:
            with pytest.raises(Error) as info:
                s.wait()
            assert info.value.raw_os_error() == errno.ECANCELED
        for b in bufs:
            b.extend(b"free")


def test_bulk_completions_overflowing_the_cq() -> None:
    r, w = pipe()
    with r, w, uring.Driver(4) as small:  # a CQ of 8 for 40 reads: the kernel's overflow list
        bufs = [bytearray(8) for _ in range(40)]
        subs = small.submit_all([uring.Read(r, b) for b in bufs])
        assert all(type(s) is _BatchSubmission for s in subs)
        payload = b"".join(b"%08d" % i for i in range(40))
        w.write(payload)
        assert [s.wait() for s in subs] == [8] * 40
        assert sorted(bytes(b) for b in bufs) == sorted(payload[i : i + 8] for i in range(0, 320, 8))
        assert small.in_flight() == 0 and small._pinned_count() == 0


def test_bulk_errors_are_per_operation(ring: uring.Driver, tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    with owned_file(tmp_path / "f", os.O_WRONLY) as wo:
        subs = ring.submit_all([uring.Read(wo, bytearray(4), offset=0) for _ in range(9)])
        for s in subs:
            for _ in range(2):
                with pytest.raises(Error) as info:
                    s.wait()
                assert info.value.raw_os_error() == errno.EBADF
    with owned_file(tmp_path / "f", os.O_RDONLY) as ro:
        subs = ring.submit_all([uring.Write(ro, bytearray(b"z"), offset=0) for _ in range(9)])
        for s in subs:
            with pytest.raises(Error) as info:
                s.wait()
            assert info.value.raw_os_error() == errno.EBADF
    assert ring.in_flight() == 0 and ring._pinned_count() == 0


def test_bulk_send_recv_carry_their_flags(ring: uring.Driver) -> None:
    a, b = socket.socketpair()
    with a, b:
        fa, fb = BorrowedFd.borrow_raw(a.fileno()), BorrowedFd.borrow_raw(b.fileno())
        # MSG_DONTWAIT on an empty socket: every recv fails at once with EAGAIN,
        # which only happens if the flag reached the kernel.
        subs = ring.submit_all([uring.Recv(fb, bytearray(4), socket.MSG_DONTWAIT) for _ in range(8)])
        for s in subs:
            with pytest.raises(Error) as info:
                s.wait()
            assert info.value.raw_os_error() == errno.EAGAIN
        msgs = [bytearray(b"m%03d" % i) for i in range(16)]
        assert [s.wait() for s in ring.submit_all([uring.Send(fa, m) for m in msgs])] == [4] * 16
        inbox = [bytearray(4) for _ in range(16)]
        assert [s.wait() for s in ring.submit_all([uring.Recv(fb, m) for m in inbox])] == [4] * 16
        assert sorted(bytes(m) for m in inbox) == sorted(bytes(m) for m in msgs)


def test_await_and_wait_any_on_bulk_submissions(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        # (Which of several reads waiting on one pipe gets the data is up to
        # the kernel: every test below writes enough for all of them.)
        subs = ring.submit_all([uring.Read(r, bytearray(4)) for _ in range(8)])

        async def main() -> list[int]:
            asyncio.get_running_loop().call_later(0.02, w.write, b"q" * 32)
            return [await s for s in subs]

        assert asyncio.run(main()) == [4] * 8
        subs = ring.submit_all([uring.Read(r, bytearray(4)) for _ in range(8)])
        with pytest.raises(Error) as info, Deadline.after(0.02):
            ring.wait_any(subs)
        assert info.value.kind is ErrorKind.TimedOut
        w.write(b"p" * 32)
        done: set[int] = set()
        while len(done) < 8:
            done.update(subs.index(s) for s in ring.wait_any(subs))
        assert [s.wait() for s in subs] == [4] * 8


def test_offset_none_and_mixed_batches(ring: uring.Driver, tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(bytes(range(64)))
    with owned_file(tmp_path / "f") as f, owned_file(tmp_path / "f") as g:
        bufs = [bytearray(8) for _ in range(8)]
        subs = ring.submit_all([uring.Read(f, b) for b in bufs])  # the file position, in order
        assert sum(s.wait() for s in subs) == 64
        assert sorted(b"".join(bufs)) == list(range(64))
        # Two owners, or a bytes buffer, or a memoryview: the general path, same results.
        mixed = ring.submit_all([uring.Read(f if i % 2 else g, bytearray(8), offset=8 * i) for i in range(8)])
        assert all(type(s) is not _BatchSubmission for s in mixed)
        assert [s.wait() for s in mixed] == [8] * 8


@settings(max_examples=40, deadline=None)
@given(
    entries=st.sampled_from([4, 8, 16, 64]),
    batches=st.lists(
        st.lists(st.tuples(st.integers(0, 4000), st.integers(1, 96)), min_size=8, max_size=70),
        min_size=1,
        max_size=4,
    ),
)
def test_bulk_batches_match_a_model(
    tmp_path_factory: pytest.TempPathFactory, entries: int, batches: list[list[tuple[int, int]]]
) -> None:
    """Several bulk batches in a row (ring wrap-around, refills) read exactly the model's bytes."""
    path = tmp_path_factory.mktemp("bulk") / "f"
    model = os.urandom(4096)
    path.write_bytes(model)
    with uring.Driver(entries) as ring, owned_file(path) as f:
        pending = []
        for reads in batches:
            bufs = [bytearray(n) for _, n in reads]
            subs = ring.submit_all(
                [uring.Read(f, b, offset=o) for b, (o, _) in zip(bufs, reads, strict=True)]
            )
            pending.append((subs, bufs, reads))
        for subs, bufs, reads in pending:
            for s, b, (o, n) in zip(subs, bufs, reads, strict=True):
                expected = model[o : o + n]
                assert s.wait() == len(expected)
                assert bytes(b[: len(expected)]) == expected
        assert ring.in_flight() == 0 and ring._pinned_count() == 0


def test_bulk_submissions_refuse_other_threads(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        subs = ring.submit_all([uring.Read(r, bytearray(4)) for _ in range(8)])
        errors = errors_in_another_thread(subs[0].wait, subs[1].cancel, subs[2].done)
        assert len(errors) == 3
        assert all(e.kind is ErrorKind.Unsupported and "thread" in str(e) for e in errors)
        assert ring.in_flight() == 8 and ring._pinned_count() == 8  # nothing was touched
        w.write(b"t" * 32)
        assert [s.wait() for s in subs] == [4] * 8


def test_bulk_nops() -> None:
    with uring.Driver(8) as ring:
        nop = uring.Nop()
        subs = ring.submit_all([nop] * 100)  # one event submitted 100 times: 100 operations
        assert all(isinstance(s, _BatchSubmission) for s in subs)
        assert ring._pinned_count() == 0
        assert [s.wait() for s in subs] == [None] * 100
        assert all(s.done() and s.event() is nop for s in subs)
        subs[7].cancel()  # completed already: nothing to do
        assert subs[7].wait() is None and "Nop" in repr(subs[7])
        assert ring.in_flight() == 0 and not ring._batches


# -- Driver.read_many ------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    entries=st.sampled_from([4, 16, 64]),
    reads=st.lists(
        st.tuples(st.integers(0, 4100), st.integers(0, 96), st.sampled_from(["ba", "mv", "other"])),
        max_size=70,
    ),
)
def test_read_many_matches_a_model(
    tmp_path_factory: pytest.TempPathFactory, entries: int, reads: list[tuple[int, int, str]]
) -> None:
    """Counts and bytes of every read match the file; empty buffers, views, refills, short reads at EOF."""
    path = tmp_path_factory.mktemp("many") / "f"
    model = os.urandom(4096)
    path.write_bytes(model)
    backing = [bytearray(b"\xee" * n) for _, n, _ in reads]
    bufs: list[object] = [
        b if kind == "ba" else memoryview(b) if kind == "mv" else array.array("B", b)
        for b, (_, _, kind) in zip(backing, reads, strict=True)
    ]
    with uring.Driver(entries) as ring, owned_file(path) as f:
        counts = ring.read_many(f, bufs, [o for o, _, _ in reads])  # type: ignore[arg-type]
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
    for count, buf, (o, n, _) in zip(counts, bufs, reads, strict=True):
        expected = model[o : o + n]
        assert count == len(expected)
        assert bytes(memoryview(buf).cast("B")[:count]) == expected  # type: ignore[arg-type]
    for buf in bufs:
        if isinstance(buf, memoryview):
            buf.release()  # our own export; then only a forgotten pin could block a resize
    for b in backing:
        b.extend(b"free")


def test_read_many_errors(ring: uring.Driver, tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abcdefgh")
    with owned_file(tmp_path / "f", os.O_WRONLY) as wo, owned_file(tmp_path / "f", os.O_RDONLY) as ro:
        with pytest.raises(Error) as info:
            ring.read_many(wo, [bytearray(2) for _ in range(10)], range(10))
        assert info.value.raw_os_error() == errno.EBADF
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
        with pytest.raises(TypeError, match="writable"):
            ring.read_many(ro, [bytearray(2), b"ro"], [0, 2])
        with pytest.raises(ValueError, match="offsets"):
            ring.read_many(ro, [bytearray(2)], [0, 2])
        with pytest.raises(ValueError, match=">= 0"):
            ring.read_many(ro, [bytearray(2)], [-1])
        with pytest.raises(TypeError, match="ints"):
            ring.read_many(ro, [bytearray(2)], [1.5])  # type: ignore[list-item]
        with pytest.raises(TypeError):
            ring.read_many(ro.as_raw_fd(), [bytearray(2)], [0])
        assert ring.read_many(ro, [], []) == []
        assert ring.read_many(ro.as_fd(), [bytearray(3)], [5]) == [3]
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
    with pytest.raises(Error) as info:
        ring.read_many(ro, [bytearray(2)], [0])
    assert info.value.kind is ErrorKind.InvalidInput


def test_read_many_deadline_cancels_and_reaps(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        bufs = [bytearray(4) for _ in range(10)]
        with pytest.raises(Error) as info, Deadline.after(0.05):
            ring.read_many(r, bufs, [0] * 10)  # a pipe ignores the offsets
        assert info.value.kind is ErrorKind.TimedOut
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
        for b in bufs:
            b.extend(b"free")
        w.write(b"z" * 40)
        assert ring.read_many(r, [bytearray(4) for _ in range(10)], [0] * 10) == [4] * 10


def test_read_many_closing_the_owner_meanwhile_is_deferred(ring: uring.Driver) -> None:
    r, w = pipe()
    raw = r.as_raw_fd()
    with w:
        bufs = [bytearray(4) for _ in range(8)]

        def close_then_write() -> None:
            r.close()  # from another thread, while the reads are in flight
            assert fd_is_open(raw)
            w.write(b"c" * 32)

        timer = threading.Timer(0.05, close_then_write)
        timer.start()
        assert ring.read_many(r, bufs, [0] * 8) == [4] * 8
        timer.join()
        assert not fd_is_open(raw)


# -- read_many into one buffer split evenly --------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    entries=st.sampled_from([4, 64]),
    chunk=st.integers(1, 300),
    offsets=st.lists(st.integers(0, 4100), min_size=1, max_size=40),
    kind=st.sampled_from(["ba", "mv", "array"]),
)
def test_read_many_into_one_split_buffer_matches_a_model(
    tmp_path_factory: pytest.TempPathFactory, entries: int, chunk: int, offsets: list[int], kind: str
) -> None:
    path = tmp_path_factory.mktemp("split") / "f"
    model = os.urandom(4096)
    path.write_bytes(model)
    backing = bytearray(b"\xee" * (chunk * len(offsets)))
    buf: object = (
        backing if kind == "ba" else memoryview(backing) if kind == "mv" else array.array("B", backing)
    )
    with uring.Driver(entries) as ring, owned_file(path) as f:
        counts = ring.read_many(f, buf, offsets)  # type: ignore[arg-type]
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
    got = memoryview(buf).cast("B")  # type: ignore[arg-type]
    for i, (count, o) in enumerate(zip(counts, offsets, strict=True)):
        expected = model[o : o + chunk]
        assert count == len(expected)
        part = got[i * chunk : (i + 1) * chunk]
        assert bytes(part[:count]) == expected
        assert bytes(part[count:]) == b"\xee" * (chunk - count)  # a short read leaves the rest alone
        part.release()
    got.release()
    if isinstance(buf, memoryview):
        buf.release()
    backing.extend(b"free")  # no pin is left on the buffer


def test_read_many_split_buffer_errors(ring: uring.Driver, tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abcdefgh")
    with owned_file(tmp_path / "f", os.O_RDONLY) as ro:
        with pytest.raises(ValueError, match="does not split into 3 equal parts"):
            ring.read_many(ro, bytearray(10), [0, 1, 2])
        with pytest.raises(ValueError, match="does not split"):
            ring.read_many(ro, bytearray(), [0])
        with pytest.raises(TypeError, match="writable"):
            ring.read_many(ro, b"read-only", [0])
        assert ring.read_many(ro, bytearray(4), []) == []
        buf = bytearray(6)
        assert ring.read_many(ro, buf, [6, 0, 3]) == [2, 2, 2]
        assert buf == b"ghabde"
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
        buf.extend(b"free")


def test_read_many_split_buffer_deadline_cancels_and_releases(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        buf = bytearray(40)
        with pytest.raises(Error) as info, Deadline.after(0.05):
            ring.read_many(r, buf, [0] * 10)  # a pipe nobody writes to
        assert info.value.kind is ErrorKind.TimedOut
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
        buf.extend(b"free")  # every read's share of the pin is gone
        w.write(b"z" * 8)
        assert ring.read_many(r, bytearray(8), [0, 0]) == [4, 4]
