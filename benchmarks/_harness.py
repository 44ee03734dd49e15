"""The measuring method: interleaved rounds, paired medians, ratios.

Shared, noisy machines make absolute times meaningless, so every case runs
its stdio2 function and its standard-library anchor in the same process,
alternating which goes first, for many rounds. Each round gives one ratio
(stdio2 time / stdlib time); the reported figure is the median of those
paired ratios, with the 25th-75th percentile spread. A ratio below 1.0 means
stdio2 was faster.

A case is a function that prepares its inputs and returns a `Pair`: two
zero-argument callables doing the same job, and an optional cleanup.
Register it with `case`.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["CASES", "Pair", "Result", "case", "pinned", "run_case"]


@dataclass
class Pair:
    stdio2: Callable[[], object]
    stdlib: Callable[[], object]
    cleanup: Callable[[], object] | None = None
    # How many operations one call performs, to report per-op times.
    ops: int = 1


@dataclass
class Result:
    name: str
    anchor: str
    ratio: float
    q1: float
    q3: float
    rounds: int
    ns_per_op_stdio2: float
    ns_per_op_stdlib: float
    target: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Case:
    name: str
    anchor: str
    make: Callable[[bool], Pair]
    target: float | None
    group: str


CASES: list[Case] = []


def case(
    name: str, anchor: str, *, target: float | None = None, group: str = ""
) -> Callable[[Callable[[bool], Pair]], Callable[[bool], Pair]]:
    """Register a case: *make(quick)* returns the `Pair` to time.

    *anchor* names the standard-library way; *target* is the ratio the issue
    asks for (reported, never asserted).
    """

    def register(make: Callable[[bool], Pair]) -> Callable[[bool], Pair]:
        CASES.append(Case(name, anchor, make, target, group or make.__module__.rsplit(".", 1)[-1]))
        return make

    return register


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run_case(c: Case, *, quick: bool) -> Result:
    pair = c.make(quick)
    rounds = 5 if quick else 21
    ratios: list[float] = []
    t_a: list[float] = []
    t_b: list[float] = []
    gc_was = gc.isenabled()
    try:
        pair.stdio2()  # warm up both (imports, caches, page cache)
        pair.stdlib()
        gc.collect()
        gc.disable()
        for i in range(rounds):
            if i % 2:
                b = _time(pair.stdlib)
                a = _time(pair.stdio2)
            else:
                a = _time(pair.stdio2)
                b = _time(pair.stdlib)
            t_a.append(a)
            t_b.append(b)
            ratios.append(a / b)
    finally:
        if gc_was:
            gc.enable()
        if pair.cleanup is not None:
            pair.cleanup()
    qs = statistics.quantiles(ratios, n=4) if len(ratios) >= 2 else [ratios[0]] * 3
    return Result(
        name=c.name,
        anchor=c.anchor,
        ratio=statistics.median(ratios),
        q1=qs[0],
        q3=qs[2],
        rounds=rounds,
        ns_per_op_stdio2=statistics.median(t_a) / pair.ops * 1e9,
        ns_per_op_stdlib=statistics.median(t_b) / pair.ops * 1e9,
        target=c.target,
    )


@contextmanager
def pinned(cpu: int = 0) -> Iterator[None]:
    """Pin this process (and so both ends of an in-process pipe/socket pair) to one CPU."""
    import os

    if not hasattr(os, "sched_setaffinity"):
        yield
        return
    old = os.sched_getaffinity(0)
    cpus = sorted(old)
    os.sched_setaffinity(0, {cpus[cpu % len(cpus)]})
    try:
        yield
    finally:
        os.sched_setaffinity(0, old)
