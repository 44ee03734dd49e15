"""Runs last in this directory: no child of the test process is left a zombie."""

from __future__ import annotations

import gc
import os
import time

from stdio2._sys.unix import process as backend


def _zombie_children() -> list[int]:
    me = os.getpid()
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, ppid = fields[0], int(fields[1])
        if ppid == me and state == "Z":
            out.append(int(name))
    return out


def test_no_zombie_children_remain() -> None:
    gc.collect()
    # Children abandoned while still running are reaped at the next spawn
    # (or here); give the slowest of them (a 0.1 s sleep) time to end.
    end = time.monotonic() + 5
    while backend.reap_orphans() and time.monotonic() < end:
        time.sleep(0.02)
    assert _zombie_children() == []
