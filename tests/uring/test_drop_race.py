"""A `Submission` dropped on another thread while the driver's thread reaps its completion.

A submission's finaliser runs on whatever thread drops the last reference,
and hands the event to its `Cancellation` (``SQE._abandon``); the driver's
thread meanwhile reaps the completion (``Driver._reap``). The cleanup of an
`Accept` or `OpenAt` cancellation closes the descriptor the kernel made for
nobody, so it must run exactly once: never zero times (a leaked descriptor),
never twice (a second close could hit a recycled number).

The deterministic tests stop one thread at a chosen line with a line trace
hook (``sys.settrace``, which traces only the thread that installs it) and
let the other run its whole part meanwhile: every interleaving of the
handshake in ``SQE._settle_abandoned`` is forced once. The hooks find their
line by its source text and each test checks its hook fired, so a rewrite
of those lines fails here loudly instead of silently testing nothing. The
last test lets real threads race with a tiny switch interval.
"""

from __future__ import annotations

import collections
import errno
import gc
import json
import linecache
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from stdio2.io import Deadline, Error, ErrorKind, pipe
from stdio2.net import TcpListener, TcpStream
from stdio2.os.linux import uring
from stdio2.os.linux.uring import _driver, _event

_WAIT = 10.0  # seconds: generous, the machine is shared; only a hang ever waits this long


def _open_fds() -> set[int]:
    return {int(n) for n in os.listdir("/proc/self/fd") if os.path.exists(f"/proc/self/fd/{n}")}


@contextmanager
def _pause_at(
    module: Any, func: str, line: str, action: Callable[[], None], when: Callable[[FrameType], bool]
) -> Iterator[list[bool]]:
    """On this thread: call *action* just before line *line* of *module*'s *func* runs (once, if *when*).

    Yields a one-item list that says whether the hook fired.
    """
    filename = module.__file__
    fired = [False]

    def local(frame: FrameType, event: str, arg: object) -> Any:
        if (
            event == "line"
            and not fired[0]
            and linecache.getline(filename, frame.f_lineno).strip() == line
            and when(frame)
        ):
            fired[0] = True
            action()
        return local

    def global_(frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code.co_name == func and frame.f_code.co_filename == filename:
            return local
        return None

    old = sys.gettrace()
    sys.settrace(global_)
    try:
        yield fired
    finally:
        sys.settrace(old)


class CountingAccept(uring.Accept):
    """A user-defined event: an `Accept` whose cancellation records each cleanup run (thread, result)."""

    def __init__(self, listener: object) -> None:
        super().__init__(listener)
        self.runs: list[tuple[int, int]] = []

    def cancel(self) -> uring.Cancellation:
        runs = self.runs

        def cleanup(result: int) -> None:
            runs.append((threading.get_ident(), result))
            if result >= 0:
                os.close(result)

        return uring.Cancellation(self, cleanup=cleanup)


def _dropper(holder: list[object], go: threading.Event, dropped: threading.Event) -> threading.Thread:
    """A thread that, once *go* is set, drops the submission in *holder* (its last reference)."""

    def run() -> None:
        if go.wait(_WAIT):
            holder.clear()  # the finaliser (SQE._abandon) runs here, on this thread
        dropped.set()

    t = threading.Thread(target=run)
    t.start()
    return t


def _working_on(op: object) -> Callable[[FrameType], bool]:
    """A `_pause_at` condition: the paused frame's local ``op`` is *op*."""
    return lambda frame: frame.f_locals.get("op") is op


def _reap_until_settled(ring: uring.Driver, op: Any) -> None:
    """Collect completions (a Nop per round trip) until *op* is no longer in flight."""
    give_up = time.monotonic() + _WAIT
    while op._state == _event.IN_FLIGHT:
        assert time.monotonic() < give_up, "the accepted connection never completed"
        ring.submit(uring.Nop()).wait()


def _peer_closed(client: TcpStream) -> bool:
    """Whether the accepted end of *client*'s connection was closed (end of stream, not a hang)."""
    with Deadline.after(_WAIT):
        return client.read(bytearray(1)) == 0


@pytest.fixture
def listener() -> Iterator[TcpListener]:
    with TcpListener.bind("127.0.0.1:0") as lst:
        yield lst


def test_dropped_while_the_reaper_is_between_its_check_and_its_store(
    ring: uring.Driver, listener: TcpListener
) -> None:
    # The audit's interleaving: the reaper found no Cancellation, then (before
    # it marks the operation done) the other thread drops the submission
    # completely. The built-in Accept: its cleanup must close the
    # connection the kernel accepted for nobody.
    fds_before = _open_fds()
    holder: list[object] = [ring.submit(uring.Accept(listener))]
    op = holder[0]._op  # type: ignore[attr-defined]
    go, dropped = threading.Event(), threading.Event()
    t = _dropper(holder, go, dropped)

    def drop_now() -> None:
        go.set()
        assert dropped.wait(_WAIT)

    try:
        with TcpStream.connect(listener.local_addr()) as client:
            with _pause_at(_driver, "_reap", "op.result = res", drop_now, _working_on(op)) as fired:
                _reap_until_settled(ring, op)
            assert fired[0], "the hook never found the reap's fast path (was it rewritten?)"
            # The peer sees the close the cleanup made: end of stream, not a hang.
            assert _peer_closed(client)
    finally:
        go.set()
        t.join()
    assert op._state == _event.CONSUMED
    assert ring.in_flight() == 0
    gc.collect()
    assert _open_fds() == fds_before


def test_dropped_between_publishing_and_looking_both_sides_see_each_other(
    ring: uring.Driver, listener: TcpListener
) -> None:
    # The dropping thread has published its Cancellation but not yet looked
    # at the state when the reaper runs: the reaper sees the Cancellation and
    # runs it; the dropper then sees DONE too, and must not run it again.
    event = CountingAccept(listener)
    holder: list[object] = [ring.submit(event)]
    op = holder[0]._op  # type: ignore[attr-defined]
    paused, resume = threading.Event(), threading.Event()
    fired: list[bool] = []

    def wait_for_reaper() -> None:
        paused.set()
        assert resume.wait(_WAIT)

    def run() -> None:
        with _pause_at(
            _event, "_abandon", "if self._state != IN_FLIGHT:", wait_for_reaper, lambda f: True
        ) as hit:
            holder.clear()
        fired.extend(hit)
        paused.set()  # (in case the hook never fired)

    t = threading.Thread(target=run)
    t.start()
    try:
        assert paused.wait(_WAIT)
        with TcpStream.connect(listener.local_addr()) as client:
            _reap_until_settled(ring, op)
            me = threading.get_ident()
            assert [who for who, _ in event.runs] == [me]  # the reaper ran it
            assert event.runs[0][1] >= 0
            assert _peer_closed(client)
    finally:
        resume.set()
        t.join()
    assert fired == [True], "the hook never found _abandon's look at the state (was it rewritten?)"
    assert len(event.runs) == 1  # the dropper saw DONE but lost the claim
    assert op._state == _event.CONSUMED


def test_dropped_after_the_reaper_published_done_but_before_it_looked(
    ring: uring.Driver, listener: TcpListener
) -> None:
    # The reaper has stored the result and DONE; the other thread drops the
    # submission completely before the reaper looks for a Cancellation: the
    # dropper runs the cleanup, and the reaper's look then finds it claimed.
    event = CountingAccept(listener)
    holder: list[object] = [ring.submit(event)]
    op = holder[0]._op  # type: ignore[attr-defined]
    go, dropped = threading.Event(), threading.Event()
    t = _dropper(holder, go, dropped)

    def drop_now() -> None:
        go.set()
        assert dropped.wait(_WAIT)

    try:
        with TcpStream.connect(listener.local_addr()) as client:
            with _pause_at(
                _driver, "_reap", "if op._cancellation is not None:", drop_now, _working_on(op)
            ) as fired:
                _reap_until_settled(ring, op)
            assert fired[0], "the hook never found the reap's second look (was it rewritten?)"
            assert _peer_closed(client)
    finally:
        go.set()
        t.join()
    assert [who for who, _ in event.runs] == [t.ident]  # the dropper ran it, once
    assert event.runs[0][1] >= 0
    assert op._state == _event.CONSUMED


def test_dropped_on_the_reaping_thread_itself(ring: uring.Driver, listener: TcpListener) -> None:
    # The same window on one thread: a finaliser may run at any bytecode
    # (a garbage collection, or a drop inside another operation's cleanup).
    event = CountingAccept(listener)
    holder: list[object] = [ring.submit(event)]
    op = holder[0]._op  # type: ignore[attr-defined]
    with TcpStream.connect(listener.local_addr()) as client:
        with _pause_at(_driver, "_reap", "op.result = res", holder.clear, _working_on(op)) as fired:
            _reap_until_settled(ring, op)
        assert fired[0]
        assert _peer_closed(client)
    assert [who for who, _ in event.runs] == [threading.get_ident()]
    assert op._state == _event.CONSUMED


def test_many_submissions_dropped_on_another_thread_while_reaping(ring: uring.Driver, tmp_path: Path) -> None:
    # No pauses: real threads racing, a tiny switch interval, many OpenAt
    # operations (O_CREAT makes the kernel run each one in a worker, so most
    # complete after submit returned). Every descriptor the kernel opened for
    # a dropped submission must be closed again.
    #
    # CPython 3.11 switches threads only at calls and backward jumps, and the
    # reap's few bytecodes between its look and its store contain neither,
    # so a bare race never lands in them. A Python line tracer (what
    # coverage.py's Python tracer, pdb or a profiler install) makes every
    # line boundary a switch point: with one on both threads, the code
    # before the fix leaked descriptors in most runs of this loop.
    fds_before = _open_fds()
    paths = [str(tmp_path / f"f{i}") for i in range(16)]
    queue: collections.deque[object] = collections.deque()
    stop = threading.Event()

    def drop() -> None:
        sys.settrace(tracer)
        pop = queue.popleft
        while not stop.is_set() or queue:
            try:
                pop()  # the only reference: its finaliser runs here
            except IndexError:
                time.sleep(0)

    def line_tracer(frame: FrameType, event: str, arg: object) -> Any:
        return line_tracer

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        names = {"_reap", "_finish", "_abandon", "_settle_abandoned"}
        return line_tracer if frame.f_code.co_name in names else None

    old_interval = sys.getswitchinterval()
    old_trace = sys.gettrace()
    sys.setswitchinterval(1e-6)
    t = threading.Thread(target=drop)
    t.start()
    try:
        sys.settrace(tracer)
        give_up = time.monotonic() + 2.0
        while time.monotonic() < give_up:
            queue.extend(ring.submit_all([uring.OpenAt(p, os.O_RDWR | os.O_CREAT, 0o600) for p in paths]))
            while ring.in_flight():
                ring.submit(uring.Nop()).wait()
    finally:
        sys.settrace(old_trace)
        stop.set()
        t.join()
        sys.setswitchinterval(old_interval)
    assert ring.in_flight() == 0
    gc.collect()
    leaked = _open_fds() - fds_before
    assert not leaked, f"{len(leaked)} descriptors opened for dropped submissions were never closed"


def test_dropped_after_the_reap_runs_the_cleanup_once_on_the_dropping_thread(
    ring: uring.Driver, listener: TcpListener
) -> None:
    # A second run of an OpenAt/Accept cleanup would close a number again:
    # EBADF at best, someone else's descriptor at worst. The claim is one
    # list.pop: a submission dropped after its completion was reaped runs
    # the cleanup on the dropping thread, once.
    event = CountingAccept(listener)
    holder: list[object] = [ring.submit(event)]
    op = holder[0]._op  # type: ignore[attr-defined]
    with TcpStream.connect(listener.local_addr()):
        _reap_until_settled(ring, op)
    assert op._state == _event.DONE and not event.runs
    t = threading.Thread(target=holder.clear)
    t.start()
    t.join()
    assert [who for who, _ in event.runs] == [t.ident]
    op._settle_abandoned()  # a late second look (the reaper's) finds nothing left to run
    assert len(event.runs) == 1


# -- a cleanup that closes the driver ------------------------------------------------
#
# A cleanup runs in the middle of the driver's work: inside a reap, or
# wherever a dropped submission's finaliser happens to run. Closing the
# driver there would unmap the rings under the code that called the reap
# (a submit_all refilling a full queue went on writing entries into the
# released ring and failed with a raw TypeError). Driver.close refuses:
# the cleanup gets Error(ResourceBusy) and the driver goes on working.


class _ClosingRead(uring.Read):
    """A user-defined Read whose cancellation cleanup tries to close *driver*."""

    def __init__(self, fd: object, buf: bytearray, driver: uring.Driver, seen: list[BaseException]) -> None:
        super().__init__(fd, buf)
        self.driver = driver
        self.seen = seen

    def cancel(self) -> uring.Cancellation:
        driver, seen = self.driver, self.seen

        def cleanup(result: int) -> None:
            try:
                driver.close()
            except BaseException as e:
                seen.append(e)
                raise

        return uring.Cancellation(self, cleanup=cleanup)


@pytest.mark.parametrize("flags", [None, 0], ids=["default-flags", "no-defer-taskrun"])
def test_a_cleanup_cannot_close_the_driver_in_the_middle_of_a_submit_all(flags: int | None) -> None:
    # flags=0: no DEFER_TASKRUN, so the read's completion is posted at once
    # and the first refill of the full submission queue reaps it.
    seen: list[BaseException] = []
    rd, wr = pipe()
    with uring.Driver(8, flags) as ring, rd, wr:
        holder: list[object] = [ring.submit(_ClosingRead(rd, bytearray(1), ring, seen))]
        holder.clear()
        gc.collect()
        wr.write(b"x")
        batch = [uring.Nop() if i % 2 else uring.Timeout(0) for i in range(20)]  # mixed: not the bulk path
        with pytest.warns(RuntimeWarning, match="Cancellation cleanup raised"):
            subs = ring.submit_all(batch)
            assert seen  # the cleanup ran inside submit_all
            results = [s.wait() for s in subs]
        assert results == [None] * 20
        assert len(seen) == 1 and isinstance(seen[0], Error) and seen[0].kind is ErrorKind.ResourceBusy
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
        assert ring.submit(uring.Nop()).wait() is None  # still open, still working
    assert repr(ring) == "Driver(closed)"


def test_a_cleanup_cannot_close_the_driver_while_a_wait_reaps(ring: uring.Driver) -> None:
    seen: list[BaseException] = []
    rd, wr = pipe()
    with rd, wr:
        holder: list[object] = [ring.submit(_ClosingRead(rd, bytearray(1), ring, seen))]
        other = ring.submit(uring.Read(rd, bytearray(1)))
        holder.clear()
        gc.collect()
        wr.write(b"ab")
        with pytest.warns(RuntimeWarning, match="ResourceBusy"), Deadline.after(_WAIT):
            assert other.wait() == 1
        assert [type(e) for e in seen] == [Error]
        assert ring.in_flight() == 0 and ring._pinned_count() == 0
        # A cleanup may still submit; only closing is refused.
        assert ring.submit(uring.Nop()).wait() is None


def test_a_cleanup_on_another_thread_cannot_close_the_driver_either(
    ring: uring.Driver, listener: TcpListener
) -> None:
    # Dropped on another thread after the completion was reaped: the cleanup
    # runs there, and close() from there is the foreign-thread error.
    errors: list[BaseException] = []

    class ClosingAccept(uring.Accept):
        def cancel(self) -> uring.Cancellation:
            def cleanup(result: int) -> None:
                os.close(result)
                try:
                    ring.close()
                except Error as e:
                    errors.append(e)

            return uring.Cancellation(self, cleanup=cleanup)

    holder: list[object] = [ring.submit(ClosingAccept(listener))]
    op = holder[0]._op  # type: ignore[attr-defined]
    with TcpStream.connect(listener.local_addr()) as client:
        _reap_until_settled(ring, op)
        t = threading.Thread(target=holder.clear)
        t.start()
        t.join()
        assert _peer_closed(client)
    assert [e.kind for e in errors if isinstance(e, Error)] == [ErrorKind.Unsupported]
    assert ring.submit(uring.Nop()).wait() is None


# -- a withdrawn operation's cleanup -------------------------------------------------
#
# When io_uring_enter fails, the entries the kernel did not take are
# withdrawn and their submissions never made: those operations are
# abandoned on the spot, and their cleanup must run too (with ECANCELED: they
# never ran). A `Close` takes its descriptor from the owner when it is made,
# so before this its number stayed open for good. A child process makes
# io_uring_enter fail for real with a seccomp filter, as test_enter_fails.py
# does.

_WITHDRAW_CHILD = r"""
import ctypes, errno, json, os, struct, sys, tempfile

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4


def fail_enter_submitting(count):
    # io_uring_enter (426) with to_submit == count fails with EPERM.
    insns = [
        (0x20, 0, 0, 0), (0x15, 0, 3, 426), (0x20, 0, 0, 24), (0x15, 0, 1, count),
        (0x06, 0, 0, 0x00050000 | errno.EPERM), (0x06, 0, 0, 0x7FFF0000),
    ]
    filt = ctypes.create_string_buffer(b"".join(struct.pack("=HBBI", *i) for i in insns))
    fprog = ctypes.create_string_buffer(struct.pack("=HxxxxxxQ", len(insns), ctypes.addressof(filt)))
    if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.prctl(22, 2, ctypes.addressof(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl")


from stdio2.io import Error
from stdio2.os.fd import OwnedFd
from stdio2.os.linux import uring


def is_open(n):
    try:
        os.fstat(n)
    except OSError:
        return False
    return True


def owned():
    fd, path = tempfile.mkstemp()
    os.unlink(path)
    return OwnedFd.from_raw_fd(fd)


ring = uring.Driver(8)
case = sys.argv[1]
files = [owned() for _ in range(3)]
numbers = [f.as_raw_fd() for f in files]
if case == "submit":
    fail_enter_submitting(1)
    run = lambda: ring.submit(uring.Close(files[0]))
else:  # a general-path batch of 3 entries: the last flush fails
    fail_enter_submitting(3)
    run = lambda: ring.submit_all([uring.Close(f) for f in files])
try:
    run()
    raised = None
except Error as e:
    raised = e.raw_os_error()
out = {
    "raised": raised,
    "open": [is_open(n) for n in numbers],
    "in_flight": ring.in_flight(),
    # (Two entries: the filter lets that through in both cases.)
    "works": [s.wait() for s in ring.submit_all([uring.Nop(), uring.Nop()])] == [None, None],
}
ring.close()
print(json.dumps(out))
"""


@pytest.mark.parametrize(("case", "closes"), [("submit", 1), ("submit_all", 3)])
def test_a_withdrawn_close_still_closes_its_descriptor(case: str, closes: int) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _WITHDRAW_CHILD, case],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["raised"] == errno.EPERM
    assert out["open"] == [False] * closes + [True] * (3 - closes)
    assert out["in_flight"] == 0
    assert out["works"] is True
