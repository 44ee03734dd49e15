"""Ownership rules against a model, and a multi-threaded stress run; the real fd table must match."""

from __future__ import annotations

import fcntl
import os
import random
import threading

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    precondition,
    rule,
)

from stdio2.io import Error, ErrorKind, pipe
from stdio2.os.fd import BorrowedFd, OwnedFd


def is_open(fd: int) -> bool:
    try:
        fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError:
        return False
    return True


def fd_table() -> set[int]:
    # listdir opens one descriptor for the directory; it is closed again by
    # the time is_open runs, so it drops out.
    return {fd for fd in map(int, os.listdir("/proc/self/fd")) if is_open(fd)}


class Slot:
    """The model of one owner: the number it holds, or None once closed/moved/released."""

    def __init__(self, obj: OwnedFd, fd: int) -> None:
        self.obj = obj
        self.fd: int | None = fd


class OwnershipMachine(RuleBasedStateMachine):
    owners = Bundle("owners")
    borrows = Bundle("borrows")
    raws = Bundle("raws")

    def __init__(self) -> None:
        super().__init__()
        self.baseline = fd_table()
        self.slots: list[Slot] = []
        self.raw_numbers: set[int] = set()

    def _expected(self) -> set[int]:
        return {s.fd for s in self.slots if s.fd is not None} | self.raw_numbers

    def _add(self, obj: OwnedFd) -> Slot:
        slot = Slot(obj, obj.as_raw_fd())
        assert slot.fd not in self._expected(), "two owners of one number"
        self.slots.append(slot)
        return slot

    @rule(target=owners)
    def open(self) -> Slot:
        return self._add(OwnedFd.from_raw_fd(os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)))

    @rule(target=owners)
    def open_pipe(self) -> object:
        r, w = pipe()
        return multiple(self._add(OwnedFd(r)), self._add(OwnedFd(w)))

    @rule(target=owners, slot=owners)
    def clone(self, slot: Slot) -> object:
        if slot.fd is None:
            with pytest.raises(Error):
                slot.obj.try_clone()
            return multiple()
        return self._add(slot.obj.try_clone())

    @rule(target=borrows, slot=owners)
    def borrow(self, slot: Slot) -> object:
        if slot.fd is None:
            with pytest.raises(Error):
                slot.obj.as_fd()
            return multiple()
        return (slot.obj.as_fd(), slot)

    @rule(slot=owners)
    def close(self, slot: Slot) -> None:
        slot.obj.close()
        if slot.fd is not None:
            assert not is_open(slot.fd)
        slot.fd = None

    @rule(target=owners, slot=owners)
    def move(self, slot: Slot) -> object:
        if slot.fd is None:
            with pytest.raises(Error):
                OwnedFd(slot.obj)
            return multiple()
        new = Slot(OwnedFd(slot.obj), slot.fd)
        slot.fd = None
        self.slots.append(new)
        return new

    @rule(target=raws, slot=owners)
    def into_raw(self, slot: Slot) -> object:
        if slot.fd is None:
            with pytest.raises(Error):
                slot.obj.into_raw_fd()
            return multiple()
        n = slot.obj.into_raw_fd()
        assert n == slot.fd
        slot.fd = None
        self.raw_numbers.add(n)
        return n

    @rule(target=owners, n=consumes(raws))
    def from_raw(self, n: int) -> Slot:
        self.raw_numbers.discard(n)
        return self._add(OwnedFd.from_raw_fd(n))

    @rule(slot=owners)
    def second_owner_refused(self, slot: Slot) -> None:
        if slot.fd is not None:
            with pytest.raises(Error):
                OwnedFd.from_raw_fd(slot.fd)

    @rule(pair=borrows)
    def use_borrow(self, pair: tuple[BorrowedFd, Slot]) -> None:
        b, slot = pair
        if slot.fd is None:
            with pytest.raises(Error) as info:
                b.as_raw_fd()
            assert info.value.kind is ErrorKind.InvalidInput
        else:
            assert b.as_raw_fd() == slot.fd

    @precondition(lambda self: bool(self.slots))
    @rule(data=st.data())
    def borrow_clone(self, data: st.DataObject) -> None:
        slot = data.draw(st.sampled_from(self.slots))
        if slot.fd is None:
            return
        with slot.obj.as_fd().try_clone_to_owned() as c:
            assert c.as_raw_fd() not in self._expected()

    @invariant()
    def fd_table_matches_model(self) -> None:
        now = fd_table()
        expected = self._expected()
        assert expected <= now
        # Everything else open now was open before the machine started.
        assert now - expected <= self.baseline

    def teardown(self) -> None:
        for s in self.slots:
            s.obj.close()
        for n in self.raw_numbers:
            os.close(n)


TestOwnership = OwnershipMachine.TestCase
TestOwnership.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


def test_stress_threads_open_close_borrow() -> None:
    before = len(fd_table())
    errors: list[BaseException] = []
    shared = [OwnedFd.from_raw_fd(os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)) for _ in range(8)]
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[OwnedFd] = []
        try:
            for _ in range(2000):
                op = rng.random()
                if op < 0.35 or not mine:
                    mine.append(OwnedFd.from_raw_fd(os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)))
                elif op < 0.55:
                    mine.pop(rng.randrange(len(mine))).close()
                elif op < 0.7:
                    mine.append(mine[rng.randrange(len(mine))].try_clone())
                else:
                    # Borrow a shared owner that other threads may be replacing.
                    i = rng.randrange(len(shared))
                    b = shared[i].as_fd() if not shared[i].closed() else None
                    if rng.random() < 0.2:
                        with lock:
                            old = shared[i]
                            shared[i] = OwnedFd.from_raw_fd(
                                os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
                            )
                            old.close()
                    if b is not None:
                        try:
                            n = b.as_raw_fd()
                            assert n >= 0
                        except Error as e:
                            assert e.kind is ErrorKind.InvalidInput
            for o in mine:
                o.close()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in shared:
        o.close()
    assert not errors, errors
    assert len(fd_table()) == before


def test_stress_close_racing_blocked_reads() -> None:
    before = fd_table()
    outcomes: list[object] = []

    def read_once(r: object) -> None:
        try:
            outcomes.append(r.read(bytearray(8)))  # type: ignore[attr-defined]
        except Error as e:
            outcomes.append(e.kind)

    rng = random.Random(7)
    for _ in range(150):
        r, w = pipe()
        rfd = r.as_raw_fd()
        t = threading.Thread(target=read_once, args=(r,))
        t.start()
        if rng.random() < 0.5:
            threading.Event().wait(rng.random() / 2000)
        r.close()
        # Whether or not the read is in flight, the number is either still
        # our pipe (deferred) or already free; never something else.
        if rng.random() < 0.5:
            try:
                w.write(b"x")
            except Error as e:  # the read end was really closed already
                assert e.kind is ErrorKind.BrokenPipe
        w.close()
        t.join(5)
        assert not t.is_alive()
        assert not is_open(rfd) or rfd in before
    assert set(outcomes) <= {0, 1, ErrorKind.InvalidInput}
    assert fd_table() == before
