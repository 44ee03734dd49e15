"""Buffers the kernel may still write stay pinned: cases the earlier tests did not name (audit of issue 8).

* The same ``bytearray`` in several reads of one batch, on the general
  path (2 events) and on the bulk path (8 on one owner). It stays pinned
  until the last of them completes.
* A memoryview slice that the caller releases while its read is in
  flight. The driver's own export keeps the underlying bytearray pinned.
* ``array('B')`` and ``mmap`` buffers: appending to the array and closing
  the mmap raise BufferError while the read is in flight.
"""

from __future__ import annotations

import array
import mmap
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from stdio2.os.fd import OwnedFd
from stdio2.os.linux import uring


@contextmanager
def _pipe() -> Iterator[tuple[OwnedFd, OwnedFd]]:
    r, w = os.pipe2(os.O_CLOEXEC)
    with OwnedFd.from_raw_fd(r) as rd, OwnedFd.from_raw_fd(w) as wr:
        yield rd, wr


def _until(cond: object, what: str) -> None:
    give_up = time.monotonic() + 5
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < give_up, what
        time.sleep(0.001)


def test_one_buffer_in_two_reads_of_a_batch(ring: uring.Driver) -> None:
    buf = bytearray(4)
    with _pipe() as (r1, w1), _pipe() as (r2, w2):
        first, second = ring.submit_all([uring.Read(r1, buf), uring.Read(r2, buf)])
        os.write(w1.as_raw_fd(), b"AAAA")
        assert first.wait() == 4
        with pytest.raises(BufferError):
            buf.append(0)  # the second read still holds it
        os.write(w2.as_raw_fd(), b"BBBB")
        assert second.wait() == 4
        assert buf == b"BBBB"
        buf.append(0)
        assert ring._pinned_count() == 0


def test_one_buffer_in_every_read_of_a_bulk_batch(ring: uring.Driver) -> None:
    buf = bytearray(4)
    with _pipe() as (r, w):
        subs = ring.submit_all([uring.Read(r, buf) for _ in range(8)])
        assert type(subs[0]).__name__ == "_BatchSubmission"  # the bulk path
        for i in range(8):
            with pytest.raises(BufferError):
                buf.append(0)
            os.write(w.as_raw_fd(), bytes([65 + i]) * 4)  # one read's worth (each takes at most 4)
            _until(lambda i=i: sum(s.done() for s in subs) == i + 1, "a read did not complete")
        assert sorted(s.wait() for s in subs) == [4] * 8
        assert buf == b"HHHH"
        buf.append(0)
        assert ring._pinned_count() == 0


def test_a_released_slice_keeps_its_bytearray_pinned(ring: uring.Driver) -> None:
    backing = bytearray(16)
    view = memoryview(backing)[4:8]
    with _pipe() as (r, w):
        for submit in (ring.submit, lambda ev: ring.submit_all([ev])[0]):
            sub = submit(uring.Read(r, view))
            del sub  # dropped too: only the driver holds the read now
            view.release()
            with pytest.raises(BufferError):
                backing.extend(b"x")
            os.write(w.as_raw_fd(), b"WXYZ")
            # (Each Nop's submission reaps what has completed.)
            _until(lambda: ring.submit(uring.Nop()).wait() is None and ring.in_flight() == 0, "read pending")
            assert backing[4:8] == b"WXYZ" and backing[:4] == bytes(4) and backing[8:] == bytes(8)
            backing.extend(b"x")  # released
            del backing[-1]
            view = memoryview(backing)[4:8]
        view.release()


def test_array_and_mmap_buffers_are_pinned(ring: uring.Driver) -> None:
    arr = array.array("B", bytes(4))
    mm = mmap.mmap(-1, 4096)
    with _pipe() as (r1, w1), _pipe() as (r2, w2):
        sub_a = ring.submit(uring.Read(r1, arr))
        sub_m = ring.submit(uring.Read(r2, mm))
        with pytest.raises(BufferError):
            arr.append(1)
        with pytest.raises(BufferError):
            mm.close()
        os.write(w1.as_raw_fd(), b"abcd")
        os.write(w2.as_raw_fd(), b"efgh")
        assert (sub_a.wait(), sub_m.wait()) == (4, 4)
        assert arr.tobytes() == b"abcd" and mm[:4] == b"efgh"
        arr.append(1)
        mm.close()
