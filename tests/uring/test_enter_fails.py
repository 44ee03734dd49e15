"""``io_uring_enter`` failing for real, part-way through a submission.

A child process installs a seccomp filter that makes ``io_uring_enter``
(426) fail with EPERM whenever it is asked to submit exactly 8 entries (the
size of the child's submission queue; 2 for a read with a linked timeout)
and lets every other call through. So
a batch of 20 reads fails at its first flush (8 entries waiting), a batch
of exactly 8 at its final flush, and a single submission works: the ring
stays usable after each failure, which shows what the failures left behind.

The driver's promise: the entries the kernel did not take are withdrawn
(their buffers released and never written, no operation left in flight),
the `Error` carries the errno, and the driver goes on working.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_CHILD = r"""
import ctypes, json, os, struct, sys, tempfile

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
RET_ERRNO, RET_ALLOW = 0x00050000, 0x7FFF0000
EPERM, NR_IO_URING_ENTER, SQ_SIZE = 1, 426, 8
FAIL_AT = int(sys.argv[2])  # io_uring_enter with this to_submit fails


def install():
    # struct seccomp_data: int nr at 0; args[1] (to_submit) at 24, whose
    # low 32 bits come first on the little-endian machines this runs on.
    insns = [
        (0x20, 0, 0, 0),                    # load nr
        (0x15, 0, 3, NR_IO_URING_ENTER),    # nr == io_uring_enter? else allow
        (0x20, 0, 0, 24),                   # load to_submit
        (0x15, 0, 1, FAIL_AT),              # to_submit == FAIL_AT? else allow
        (0x06, 0, 0, RET_ERRNO | EPERM),
        (0x06, 0, 0, RET_ALLOW),
    ]
    code = b"".join(struct.pack("=HBBI", *i) for i in insns)
    filt = ctypes.create_string_buffer(code)
    fprog = ctypes.create_string_buffer(struct.pack("=HxxxxxxQ", len(insns), ctypes.addressof(filt)))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


from stdio2.io import Error
from stdio2.os.fd import OwnedFd
from stdio2.os.linux import uring

fd, path = tempfile.mkstemp()
os.unlink(path)
os.write(fd, b"A" * 4096)
f = OwnedFd.from_raw_fd(fd)
ring = uring.Driver(SQ_SIZE)
install()


def pinned(buf):
    try:
        buf.append(0)  # a bytearray with a live export cannot grow
    except BufferError:
        return True
    buf.pop()
    return False


def attempt(name, run, bufs):
    out = {}
    try:
        run()
        out["raised"] = None
    except Error as e:
        out["raised"] = [e.kind.name, e.raw_os_error()]
    out["in_flight"] = ring.in_flight()
    out["pinned"] = sum(map(pinned, bufs))
    out["written"] = sum(any(b) for b in bufs)
    # The ring still works, and nothing withdrawn runs now.
    out["after"] = ring.submit(uring.Read(f, bytearray(4), 0)).wait()
    out["written_later"] = sum(any(b) for b in bufs)
    results[name] = out


def reads(n):
    return [bytearray(16) for _ in range(n)]


results = {}
case = sys.argv[1]
if case == "bulk refill":  # 20 reads: the first flush (8 entries) fails
    bufs = reads(20)
    attempt(case, lambda: ring.submit_all([uring.Read(f, b, 0) for b in bufs]), bufs)
elif case == "bulk last flush":  # exactly 8 reads: the final flush fails
    bufs = reads(8)
    attempt(case, lambda: ring.submit_all([uring.Read(f, b, 0) for b in bufs]), bufs)
elif case == "general refill":  # mixed events take the general path
    bufs = reads(10)
    events = [e for b in bufs for e in (uring.Read(f, b, 0), uring.Nop())]
    attempt(case, lambda: ring.submit_all(events), bufs)
elif case == "general last flush":
    bufs = reads(4)
    events = [e for b in bufs for e in (uring.Read(f, b, 0), uring.Nop())]
    attempt(case, lambda: ring.submit_all(events), bufs)
elif case == "read_many":
    bufs = reads(20)
    attempt(case, lambda: ring.read_many(f, bufs, [0] * 20), bufs)
elif case == "submit linked":  # one read and its linked timeout: 2 entries
    bufs = reads(1)
    attempt(case, lambda: ring.submit(uring.Read(f, bufs[0], 0), timeout=5.0), bufs)
elif case == "control":  # 7 reads never hit the filter
    bufs = reads(7)
    attempt(case, lambda: [s.wait() for s in ring.submit_all([uring.Read(f, b, 0) for b in bufs])], bufs)
ring.close()
f.close()
print(json.dumps(results[case]))
"""


def _run(case: str, fail_at: int = 8) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, case, str(fail_at)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out: dict[str, object] = json.loads(proc.stdout)
    return out


@pytest.mark.parametrize(
    ("case", "fail_at"),
    [
        ("bulk refill", 8),
        ("bulk last flush", 8),
        ("general refill", 8),
        ("general last flush", 8),
        ("read_many", 8),
        ("submit linked", 2),
    ],
)
def test_a_failed_enter_withdraws_what_the_kernel_did_not_take(case: str, fail_at: int) -> None:
    out = _run(case, fail_at)
    assert out["raised"] == ["PermissionDenied", 1]
    # Nothing the kernel never saw is left in flight, pinned, or run later.
    assert out["in_flight"] == 0
    assert out["pinned"] == 0
    assert out["written"] == 0
    assert out["after"] == 4
    assert out["written_later"] == 0


def test_the_filter_lets_other_submissions_through() -> None:
    out = _run("control")
    assert out["raised"] is None
    assert out["written"] == 7 and out["pinned"] == 0 and out["in_flight"] == 0
