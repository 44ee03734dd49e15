"""Run the benchmarks: ``python3 -m benchmarks [--quick] [-k WORD]``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import benchmarks
from benchmarks._harness import CASES, run_case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few rounds, small inputs (CI smoke)")
    parser.add_argument("-k", dest="select", default="", help="run cases whose name contains this")
    args = parser.parse_args(argv)
    for info in pkgutil.iter_modules(benchmarks.__path__):
        if info.name.startswith("bench_"):
            importlib.import_module(f"benchmarks.{info.name}")
    print("ratio = stdio2 time / standard-library time (paired median, interleaved rounds);")
    print("below 1.0 means stdio2 was faster. [q1-q3] is the spread of the paired ratios.\n")
    width = max((len(c.name) for c in CASES), default=10)
    group = None
    failed = 0
    for c in CASES:
        if args.select and args.select not in c.name and args.select not in c.group:
            continue
        if c.group != group:
            group = c.group
            print(f"== {group}")
        try:
            r = run_case(c, quick=args.quick)
        except Exception as e:  # report and go on: one broken case must not hide the rest
            failed += 1
            print(f"  {c.name:<{width}}  FAILED: {type(e).__name__}: {e}")
            continue
        target = f"  target {r.target:.2f}x" if r.target else ""
        print(
            f"  {r.name:<{width}}  {r.ratio:5.2f}x  [{r.q1:.2f}-{r.q3:.2f}]"
            f"  vs {r.anchor}{target}"
        )
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
