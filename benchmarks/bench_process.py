"""Child processes: spawn-and-wait latency and captured-output throughput vs `subprocess.run`.

The spawn case runs ``/bin/true`` (nothing but process creation and reaping
is timed) with this process pinned to one CPU, which its children inherit,
so parent and child share a CPU on both sides; the capture case has a child
write N MiB to stdout as fast as it can (``head -c N /dev/zero``) while the
parent collects it.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable

from benchmarks._harness import Pair, case, pinned
from stdio2.process import Command, Stdio


def _spawns(quick: bool, ours: Callable[[], object], theirs: Callable[[], object]) -> Pair:
    """*n* spawn-and-wait calls each way, pinned to one CPU that the children inherit."""
    n = 20 if quick else 100
    pin = pinned()
    pin.__enter__()

    def with_stdio2() -> None:
        for _ in range(n):
            ours()

    def with_subprocess() -> None:
        for _ in range(n):
            theirs()

    return Pair(with_stdio2, with_subprocess, lambda: pin.__exit__(None, None, None), ops=n)


@case("Command('/bin/true').status()", "subprocess.run(['/bin/true'])", target=1.0)
def _spawn_status(quick: bool) -> Pair:
    return _spawns(
        quick, Command("/bin/true").status, lambda: subprocess.run(["/bin/true"], check=False)
    )


@case("Command('/bin/true').output()", "subprocess.run(['/bin/true'], capture_output=True)", target=1.0)
def _spawn_output(quick: bool) -> Pair:
    return _spawns(
        quick,
        Command("/bin/true").output,
        lambda: subprocess.run(["/bin/true"], capture_output=True, check=False),
    )


def _bare_spawn(close_descriptors: bool) -> Callable[[], object]:
    """``os.posix_spawn`` + ``waitpid`` of /bin/true with no Python layer: the spawn floor.

    With *close_descriptors*, the child also gets what issue 7 requires of
    every spawn: no descriptor but 0/1/2 inherited. Where the C library and
    CPython (3.13+) offer ``POSIX_SPAWN_CLOSEFROM`` that is one file action;
    before 3.13 the only way through ``posix_spawn`` is a close action per
    open descriptor, listed from /proc/self/fd for each spawn. SIGPIPE and
    SIGXFSZ are reset to their defaults in the child either way, as
    `subprocess` does.
    """
    argv = [b"/bin/true"]
    env = os.environb
    sigdef = (signal.SIGPIPE, signal.SIGXFSZ)
    closefrom = getattr(os, "POSIX_SPAWN_CLOSEFROM", None)
    close = os.POSIX_SPAWN_CLOSE
    spawn, waitpid, listdir = os.posix_spawn, os.waitpid, os.listdir

    def run() -> None:
        if not close_descriptors:
            actions: list[tuple[int, ...]] = []
        elif closefrom is not None:
            actions = [(closefrom, 3)]
        else:
            actions = [(close, fd) for fd in map(int, listdir("/proc/self/fd")) if fd > 2]
        pid = spawn(argv[0], argv, env, file_actions=actions, setsigmask=(), setsigdef=sigdef)
        waitpid(pid, 0)

    return run


@case(
    "spawn floor: os.posix_spawn + waitpid, descriptors closed",
    "subprocess.run(['/bin/true'])",
)
def _spawn_floor(quick: bool) -> Pair:
    return _spawns(quick, _bare_spawn(True), lambda: subprocess.run(["/bin/true"], check=False))


@case(
    "spawn reference: os.posix_spawn + waitpid, descriptors leak",
    "subprocess.run(['/bin/true'])",
)
def _spawn_leaky(quick: bool) -> Pair:
    return _spawns(quick, _bare_spawn(False), lambda: subprocess.run(["/bin/true"], check=False))


def _capture(mib: int, both: bool) -> Pair:
    size = mib << 20
    argv = ["head", "-c", str(size), "/dev/zero"]
    cmd = Command(argv[0]).args(argv[1:])
    if not both:
        cmd.stderr(Stdio.inherit())
    err = subprocess.PIPE if both else None

    def with_stdio2() -> None:
        out = cmd.output()
        assert len(out.stdout) == size

    def with_subprocess() -> None:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=err, check=False)
        assert len(out.stdout) == size

    return Pair(with_stdio2, with_subprocess)


@case(
    "capture 64 MiB stdout (quick: 4): output(), stderr inherited",
    "subprocess.run(..., stdout=PIPE)",
    target=1.3,
)
def _capture_stdout(quick: bool) -> Pair:
    # The same job on both sides: one captured pipe, read to EOF in C.
    return _capture(4 if quick else 64, both=False)


@case(
    "capture 64 MiB stdout (quick: 4) + stderr: output()",
    "subprocess.run(..., capture_output=True)",
    target=1.3,
)
def _capture_both(quick: bool) -> Pair:
    # Two pipes: both sides poll and read in chunks, then join.
    return _capture(4 if quick else 64, both=True)
