"""`Deadline` as a value and as a scope: fixed instants, nesting, threads, asyncio tasks."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from stdio2.io import Deadline
from stdio2.io._deadline import current_instant, scopes_open


def test_instant_fixed_at_creation() -> None:
    d = Deadline.after(10.0)
    time.sleep(0.01)
    with d:
        assert Deadline.current() is d
        assert d.remaining() < 10.0


def test_at_and_ordering() -> None:
    now = time.monotonic()
    a, b = Deadline.at(now + 1), Deadline.at(now + 2)
    assert a < b and a == Deadline.at(now + 1) and hash(a) == hash(Deadline.at(now + 1))


def test_remaining_clamped_and_expired() -> None:
    d = Deadline.at(time.monotonic() - 5)
    assert d.remaining() == 0.0
    assert d.expired()
    assert not Deadline.after(60).expired()


def test_invalid_durations() -> None:
    with pytest.raises(ValueError):
        Deadline.after(-1)
    with pytest.raises(ValueError):
        Deadline.after(float("nan"))


def test_nested_scopes_take_earliest() -> None:
    outer, inner = Deadline.after(1.0), Deadline.after(100.0)
    assert Deadline.current() is None
    with outer:
        with inner:
            assert Deadline.current() is outer
            with Deadline.after(0.5) as tight:
                assert Deadline.current() is tight
            assert Deadline.current() is outer
        assert Deadline.current() is outer
    assert Deadline.current() is None
    assert current_instant() is None
    assert not scopes_open


def test_scope_exits_on_exception() -> None:
    with pytest.raises(RuntimeError), Deadline.after(1):
        raise RuntimeError
    assert Deadline.current() is None


def test_scopes_are_per_thread() -> None:
    seen: list[object] = []
    with Deadline.after(5):
        t = threading.Thread(target=lambda: seen.append(Deadline.current()))
        t.start()
        t.join()
        assert current_instant() is not None
    assert seen == [None]


def test_asyncio_tasks_inherit() -> None:
    async def child() -> Deadline | None:
        return Deadline.current()

    async def main() -> tuple[object, object]:
        with Deadline.after(3) as d:
            got = await asyncio.create_task(child())
        return d, got

    d, got = asyncio.run(main())
    assert got is d
