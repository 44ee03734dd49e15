"""Random submit / cancel / drop / wait sequences over real pipes, sockets and a file, against a model."""

from __future__ import annotations

import random
import time

from _world import World
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

CHANNELS = st.integers(0, 2)


class UringMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = World.make(entries=4)

    @rule(channel=CHANNELS, size=st.integers(1, 64))
    def submit_read(self, channel: int, size: int) -> None:
        self.world.submit_read(channel, size)

    @rule(channel=CHANNELS, size=st.integers(1, 100))
    def write(self, channel: int, size: int) -> None:
        self.world.write(channel, size)

    @rule(spans=st.lists(st.tuples(st.integers(0, 4000), st.integers(1, 200)), min_size=1, max_size=12))
    def file_reads(self, spans: list[tuple[int, int]]) -> None:
        self.world.submit_file_reads(spans)

    @rule(offset=st.integers(0, 4000), size=st.integers(1, 96))
    def file_write(self, offset: int, size: int) -> None:
        self.world.file_write(offset, size)

    @precondition(lambda self: bool(self.world.pending))
    @rule(index=st.integers(0, 50))
    def cancel(self, index: int) -> None:
        self.world.cancel(index)

    @precondition(lambda self: bool(self.world.pending))
    @rule(index=st.integers(0, 50))
    def drop(self, index: int) -> None:
        self.world.drop(index)

    @precondition(lambda self: bool(self.world.pending))
    @rule(index=st.integers(0, 50))
    def wait(self, index: int) -> None:
        self.world.wait(index)

    @rule(channel=CHANNELS, action=st.sampled_from(["wait", "cancel", "drop"]))
    def on_stream(self, channel: int, action: str) -> None:
        index = self.world.stream_index(channel)
        if index is not None:
            getattr(self.world, action)(index)

    @rule()
    def collect(self) -> None:
        self.world.collect()

    @rule()
    def poll(self) -> None:
        self.world.poll()

    @invariant()
    def pins_match_in_flight(self) -> None:
        ring = self.world.ring
        if ring._ring is not None:
            assert ring._pinned_count() <= ring.in_flight()

    def teardown(self) -> None:
        self.world.close()


TestUringMachine = UringMachine.TestCase
TestUringMachine.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)


def test_ten_thousand_random_operations() -> None:
    rng = random.Random(0x5EED)
    world = World.make(entries=8)
    t0 = time.monotonic()
    try:
        while world.ops < 10_000:
            choice = rng.random()
            if choice < 0.25:
                world.submit_read(rng.randrange(3), rng.randint(1, 64))
            elif choice < 0.36:
                world.write(rng.randrange(3), rng.randint(1, 40))
            elif choice < 0.52:
                world.submit_file_reads(
                    [(rng.randrange(4000), rng.randint(1, 200)) for _ in range(rng.randint(1, 3))]
                )
            elif choice < 0.55:
                world.file_write(rng.randrange(4000), rng.randint(1, 96))
            elif choice < 0.97:
                # cancel / drop / wait, half of the time aimed at a stream read
                index = rng.randrange(50)
                if rng.random() < 0.5:
                    found = world.stream_index(rng.randrange(3))
                    index = index if found is None else found
                action = rng.random()
                if action < 0.2:
                    world.cancel(index)
                elif action < 0.35:
                    world.drop(index)
                else:
                    world.wait(index)
            elif choice < 0.99:
                world.poll()
            else:
                world.collect()
    finally:
        world.close()
    assert world.ops >= 10_000
    print(f"10 000 operations in {time.monotonic() - t0:.1f} s: {world.stats}")
    for what in (
        "file read checked",
        "stream read checked",
        "deadline",
        "cancelled",
        "dropped in flight",
        "abandoned read reported",
    ):
        assert world.stats.get(what, 0) >= 10, (what, world.stats)
