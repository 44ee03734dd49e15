"""submit_all's inline fast path (Read/Write/Recv/Send of bytearrays and writable memoryviews, Nop).

The fast path prepares entries without calling ``prepare``; these tests pin
down that it hands the kernel exactly what the general path would, keeps the
same ownership guarantees, and falls back to the general path (and its
errors) for everything it does not cover.
"""

from __future__ import annotations

import gc
import os
import socket
from pathlib import Path

import pytest
from _uringutil import fd_is_open, owned_file
from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2.io import Error, ErrorKind, pipe
from stdio2.os.fd import BorrowedFd, OwnedFd
from stdio2.os.linux import uring


def test_batched_reads_and_writes_deliver_the_right_bytes(ring: uring.Driver, tmp_path: Path) -> None:
    data = os.urandom(64 * 1024)
    with owned_file(tmp_path / "f") as f:
        # Writes of bytearrays and writable memoryviews (fast), and bytes (general), in one batch.
        chunks = [data[i : i + 4096] for i in range(0, len(data), 4096)]
        bufs: list[object] = []
        for i, c in enumerate(chunks):
            bufs.append(bytearray(c) if i % 3 == 0 else memoryview(bytearray(c)) if i % 3 == 1 else c)
        subs = ring.submit_all([uring.Write(f, b, offset=4096 * i) for i, b in enumerate(bufs)])  # type: ignore[arg-type]
        assert [s.wait() for s in subs] == [4096] * len(chunks)
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
        # Reads at scattered offsets into bytearrays and memoryview slices.
        offsets = [(i * 7919) % (len(data) - 100) for i in range(50)]
        store = bytearray(100 * 50)
        targets: list[bytearray | memoryview] = [
            bytearray(100) if i % 2 else memoryview(store)[100 * i : 100 * i + 100] for i in range(50)
        ]
        subs = ring.submit_all(uring.Read(f, t, offset=o) for t, o in zip(targets, offsets, strict=True))
        assert all(s.wait() == 100 for s in subs)
        for t, o in zip(targets, offsets, strict=True):
            assert bytes(t) == data[o : o + 100]
        # offset None: the file position (NO_OFFSET in the entry).
        os.lseek(f.as_raw_fd(), 10, os.SEEK_SET)
        head = bytearray(5)
        (sub,) = ring.submit_all([uring.Read(f, head)])
        assert sub.wait() == 5 and bytes(head) == data[10:15]


def test_fast_path_pins_until_completion(ring: uring.Driver) -> None:
    r, w = pipe()
    with r, w:
        buf = bytearray(8)
        backing = bytearray(8)
        view = memoryview(backing)
        part = view[:4]
        subs = ring.submit_all([uring.Read(r, buf), uring.Read(r, part)])
        assert ring._pinned_count() == 2
        with pytest.raises(BufferError):
            buf.extend(b"more")
        part.release()  # our own views go; the driver's pin must still hold the bytearray
        view.release()
        with pytest.raises(BufferError):
            backing.extend(b"more")
        w.write(b"abcdefgh")
        counts = [s.wait() for s in subs]
        assert ring._pinned_count() == 0
        buf.extend(b"!")
        backing.extend(b"!")
        got = bytes(buf[: counts[0]]) + bytes(backing[: counts[1]])
        assert sorted(got) == sorted(b"abcdefgh"[: sum(counts)])


def test_dropped_fast_submission_keeps_buffer_and_descriptor(ring: uring.Driver) -> None:
    r, w = pipe()
    raw = r.as_raw_fd()
    buf = bytearray(b"\xee" * 8)
    ring.submit_all([uring.Read(r, buf)])  # the submission is dropped at once
    gc.collect()
    r.close()
    assert fd_is_open(raw), "the number stays ours while the kernel reads it"
    with pytest.raises(BufferError):
        buf.extend(b"x")
    w.write(b"late")
    ring.submit(uring.Nop()).wait()
    assert bytes(buf[:4]) == b"late"
    assert not fd_is_open(raw)  # released the moment the completion was reaped
    buf.extend(b"x")
    w.close()


def test_send_recv_batched_over_sockets(ring: uring.Driver) -> None:
    a, b = socket.socketpair()
    with a, b:
        fa, fb = BorrowedFd.borrow_raw(a.fileno()), BorrowedFd.borrow_raw(b.fileno())
        msgs = [bytearray(b"m%03d" % i) for i in range(20)]
        sends = ring.submit_all(uring.Send(fa, m) for m in msgs)
        assert all(s.wait() == 4 for s in sends)
        inbox = bytearray(80)
        recv = ring.submit_all([uring.Recv(fb, memoryview(inbox))])[0]
        n = recv.wait()
        assert bytes(inbox[:n]) == b"".join(msgs)[:n] and n > 0
        # A read-only memoryview cannot receive: the general path's TypeError.
        with pytest.raises(TypeError):
            ring.submit_all([uring.Recv(fb, memoryview(b"ro"))])
        assert ring.in_flight() == 0 and ring._pinned_count() == 0


def test_fast_path_falls_back_with_the_right_errors(ring: uring.Driver) -> None:
    r, w = pipe()
    with w:
        ok = bytearray(4)
        with pytest.raises(TypeError):
            ring.submit_all([uring.Read(r, ok), uring.Read(r, bytearray(4)), uring.Read(r, b"ro")])
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
        ok.extend(b"free")  # withdrawn: unpinned
        event = uring.Read(r, bytearray(4))
        r.close()
        with pytest.raises(Error) as info:
            ring.submit_all([uring.Nop(), event])
        assert info.value.kind is ErrorKind.InvalidInput
        # Empty buffers go the general way too (a zero-length read completes with 0).
        r2, w2 = pipe()
        with r2, w2:
            assert ring.submit_all([uring.Read(r2, bytearray())])[0].wait() == 0
        assert ring.in_flight() == 0


def test_fast_path_refills_a_small_ring(tmp_path: Path) -> None:
    data = os.urandom(300 * 16)
    path = tmp_path / "f"
    path.write_bytes(data)
    with uring.Driver(4) as small, owned_file(path) as f:
        bufs = [bytearray(16) for _ in range(300)]
        subs = small.submit_all(uring.Read(f, b, offset=16 * i) for i, b in enumerate(bufs))
        assert all(s.wait() == 16 for s in subs)
        assert b"".join(bufs) == data
        nops = small.submit_all(uring.Nop() for _ in range(100))
        assert all(s.wait() is None for s in nops)
        assert small.in_flight() == 0 and small._pinned_count() == 0


def test_outcome_is_kept(ring: uring.Driver, tmp_path: Path) -> None:
    with owned_file(tmp_path / "f") as f:
        (sub,) = ring.submit_all([uring.Write(f, bytearray(b"abc"), offset=0)])
        assert sub.wait() == 3 and sub.done() and sub.wait() == 3
        bad = OwnedFd.from_raw_fd(os.open(tmp_path / "f", os.O_RDONLY | os.O_CLOEXEC))
        with bad:
            (sub,) = ring.submit_all([uring.Write(bad, bytearray(b"x"), offset=0)])
            for _ in range(2):
                with pytest.raises(Error) as info:
                    sub.wait()
                assert info.value.kind is ErrorKind.PermissionDenied or info.value.raw_os_error() == 9


@settings(max_examples=60, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.booleans(), st.integers(0, 4000), st.integers(1, 96), st.sampled_from(["ba", "mv"])),
        min_size=1,
        max_size=40,
    )
)
def test_batches_match_a_model(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[bool, int, int, str]]
) -> None:
    """Random batches of writes then reads (disjoint phases) against a bytearray model of the file."""
    path = tmp_path_factory.mktemp("model") / "f"
    model = bytearray(os.urandom(4096))
    path.write_bytes(model)
    with uring.Driver(16) as ring, owned_file(path) as f:
        writes = [(o, n, kind) for is_write, o, n, kind in ops if is_write]
        reads = [(o, n, kind) for is_write, o, n, kind in ops if not is_write]
        # Writes in one batch may run in any order: make them disjoint-free by applying in order
        # only when they do not overlap an earlier write of the batch.
        taken: list[tuple[int, int]] = []
        events: list[uring.Event] = []
        for i, (o, n, kind) in enumerate(writes):
            if any(o < e and s < o + n for s, e in taken):
                continue
            taken.append((o, o + n))
            payload = bytearray((i * 31 + j) % 256 for j in range(n))
            model[o : o + n] = payload
            events.append(uring.Write(f, payload if kind == "ba" else memoryview(payload), offset=o))
        sizes = [len(e.data) for e in events if isinstance(e, uring.Write)]
        assert [s.wait() for s in ring.submit_all(events)] == sizes
        expected = bytes(model)
        bufs = [bytearray(n) for _, n, _ in reads]
        subs = ring.submit_all(
            uring.Read(f, b if kind == "ba" else memoryview(b), offset=o)
            for b, (o, _, kind) in zip(bufs, reads, strict=True)
        )
        for s, b, (o, n, _) in zip(subs, bufs, reads, strict=True):
            got = s.wait()
            assert got == len(expected[o : o + n])
            assert bytes(b[:got]) == expected[o : o + n]
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
