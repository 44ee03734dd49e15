"""io_uring blocked for real: a child process installs a seccomp filter, then asks for a ring.

A seccomp filter is how containers and sandboxes take io_uring away, so it is
the real mechanism to test `Driver()`'s `Unsupported` path with: the filter
makes ``io_uring_setup`` (425) fail with a chosen errno. A second filter,
installed after the first refusal, kills the process on any further
``io_uring_setup``: a child that survives its second ``Driver()`` proves the
refusal was remembered, not asked of the kernel again.
"""

from __future__ import annotations

import errno
import json
import subprocess
import sys

import pytest

_CHILD = r"""
import ctypes, errno, json, struct, sys

libc = ctypes.CDLL(None, use_errno=True)
# prctl is variadic: without a prototype ctypes would pass the address as a
# 32-bit int.
libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
RET_ERRNO, RET_ALLOW, RET_KILL_PROCESS = 0x00050000, 0x7FFF0000, 0x80000000
NR_IO_URING_SETUP = 425


def install(action):
    # Classic BPF over struct seccomp_data: load nr; if nr == 425 return
    # *action*, else allow. (One architecture: the test runs on x86_64 and
    # aarch64, where both numbers are 425.)
    insns = [
        (0x20, 0, 0, 0),                   # BPF_LD | BPF_W | BPF_ABS, offsetof(nr)
        (0x15, 0, 1, NR_IO_URING_SETUP),   # BPF_JMP | BPF_JEQ | BPF_K
        (0x06, 0, 0, action),              # BPF_RET | BPF_K
        (0x06, 0, 0, RET_ALLOW),
    ]
    code = b"".join(struct.pack("=HBBI", *i) for i in insns)
    filt = ctypes.create_string_buffer(code)
    prog = struct.pack("=HxxxxxxQ", len(insns), ctypes.addressof(filt))
    fprog = ctypes.create_string_buffer(prog)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


install(RET_ERRNO | int(sys.argv[1]))

from stdio2.io import Error
from stdio2.os.linux import uring

out = {}
try:
    uring.Driver(8)
except Error as e:
    out["first"] = [e.kind.name, str(e)]
install(RET_KILL_PROCESS)  # a second io_uring_setup would now kill us
try:
    uring.Driver(8)
except Error as e:
    out["second"] = [e.kind.name, str(e)]
print(json.dumps(out))
"""


@pytest.mark.parametrize("code", [errno.ENOSYS, errno.EPERM, errno.EACCES])
def test_driver_is_unsupported_under_a_seccomp_filter_and_remembers_it(code: int) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(code)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr  # -SIGSYS would mean a second io_uring_setup
    out = json.loads(proc.stdout)
    kind, message = out["first"]
    assert kind == "Unsupported"
    assert errno.errorcode[code] in message and "seccomp" in message
    assert out["second"] == out["first"]
