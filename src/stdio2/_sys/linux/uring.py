"""io_uring from pure Python: the kernel interface `stdio2.os.linux.uring` is built on.

**What io_uring is.** Classic Unix I/O is *readiness* based: ``poll`` says a
descriptor is ready, then ``read`` copies the data, one system call each.
io_uring (Linux 5.1+) is *completion* based: the program describes whole
operations ("read 4 KiB from fd 7 at offset 0 into this address") in a
shared-memory queue, the kernel performs them, possibly in parallel, and
posts one result per operation into a second queue. One ``io_uring_enter``
can submit thousands of operations and wait for any number of results.

**The two rings.** ``io_uring_setup(entries, params)`` returns a descriptor
and fills ``params`` with the layout of three memory regions, which are
``mmap``-ed from that descriptor (with ``IORING_FEAT_SINGLE_MMAP``, 5.4+,
the submission and completion rings share one mapping):

* the *submission queue* (SQ) ring: ``head``, ``tail``, ``ring_mask`` and an
  index array (at ``IORING_OFF_SQ_RING``);
* the array of 64-byte submission queue entries, SQEs (``IORING_OFF_SQES``);
* the *completion queue* (CQ) ring: ``head``, ``tail`` and the 16-byte
  completion entries, CQEs ``{u64 user_data; s32 res; u32 flags}``
  (``IORING_OFF_CQ_RING``).

**Who owns which index.** Each ring is a single-producer single-consumer
queue. For the SQ the program produces: it fills entries and advances
``tail``; the kernel consumes and advances ``head``. For the CQ the kernel
produces (advances ``tail``) and the program consumes (advances ``head``).
Indices are free-running 32-bit counters; ``index & ring_mask`` is the slot.
The SQ index array maps ring positions to SQE slots; this driver fills it
with the identity once at set-up, so SQE slot ``tail & mask`` is the entry
at ring position ``tail`` and the array is never written again.

**Why Python without memory fences is correct here.** C code pairs the
index updates with ``smp_store_release`` / ``smp_load_acquire``; Python has
no fences. This driver never needs them because it never shares a ring
with a kernel thread *concurrently*:

* No ``IORING_SETUP_SQPOLL``: the kernel reads the SQ only inside our own
  ``io_uring_enter``. The SQEs and the new tail are written before that
  system call, and a system call entry is a full barrier on every
  architecture (on x86-64 ``syscall`` serialises and x86 is TSO anyway; on
  aarch64 ``svc`` is a context synchronisation event and the kernel's entry
  code orders all earlier accesses before it reads user memory through the
  ring's ``smp_load_acquire``).
* CQEs are read only after ``io_uring_enter`` returned. With
  ``IORING_SETUP_DEFER_TASKRUN`` (6.1+, used when available) the kernel
  posts completions *only* inside ``io_uring_enter(GETEVENTS)`` on the
  submitting thread, so every CQE and the tail that publishes it were
  written by our own thread before the system call returned: program order
  is enough. Without DEFER_TASKRUN a completion may be posted from another
  CPU at any moment; on x86 (TSO: loads are not reordered with older loads)
  reading the tail and then the entry is still correct, and on aarch64 the
  driver only trusts entries below a tail it read after an
  ``io_uring_enter`` that itself waited for them, the exception-return path
  being a barrier as well. No polling of the CQ tail in a busy loop is done.
* The new CQ head is stored after the entries were copied out, and the
  kernel reads it (to find free CQ space) only when posting, which under
  DEFER_TASKRUN is inside our next system call again.

**user_data.** The kernel copies each SQE's 64-bit ``user_data`` into its
CQE untouched. The driver uses a fresh counter value per entry, so a late
completion can never be confused with a newer operation (no ABA).

**Cancellation.** ``IORING_OP_ASYNC_CANCEL`` with the target's user_data
asks the kernel to stop an operation. It is a request, not a command: the
target still posts exactly one CQE, with ``-ECANCELED`` if it was stopped,
or its real result if it had already finished (the cancel request itself
then completes with ``-ENOENT`` or ``-EALREADY``). Until that CQE is seen,
the kernel may still write into the target's buffers, which is why the
driver keeps them alive (and pinned) until then.

**Linked timeouts.** An SQE with ``IOSQE_IO_LINK`` followed by an
``IORING_OP_LINK_TIMEOUT`` entry bounds the first operation: if the timer
fires first, the operation completes with ``-ECANCELED`` and the timeout
with ``-ETIME``; otherwise the timeout completes with ``-ECANCELED``.

**Waiting with a time limit.** ``IORING_ENTER_EXT_ARG`` (5.11+) passes a
``struct io_uring_getevents_arg`` whose ``ts`` bounds the wait;
``io_uring_enter`` then fails with ``ETIME`` when it passes.

**SINGLE_ISSUER and DEFER_TASKRUN.** ``IORING_SETUP_SINGLE_ISSUER`` (6.0)
promises that one thread submits; ``IORING_SETUP_DEFER_TASKRUN`` (6.1)
postpones completion work to the next ``io_uring_enter(GETEVENTS)`` of that
thread instead of interrupting it. Both match the driver's one-thread model
and make completions cheaper; another thread's ``io_uring_enter`` fails with
``EEXIST``. Where the kernel refuses these flags the driver sets the ring up
without them.

**eventfd.** ``IORING_REGISTER_EVENTFD`` makes the kernel signal an eventfd
whenever a completion is posted, or (DEFER_TASKRUN) is queued for posting.
asyncio watches that descriptor for readability; the handler then enters
the ring with GETEVENTS before reaping, since under DEFER_TASKRUN nothing
reaches the CQ otherwise.

**Calling the kernel through ctypes, cheaply.** There is no libc wrapper
for the io_uring calls, so they go through libc's variadic ``syscall``.
What matters is that each argument arrives in its register at the width
the kernel reads. A ``CFUNCTYPE`` prototype guarantees that, but its
per-argument conversion costs microseconds per call on CPython 3.11, more
than ``io_uring_enter`` itself; so the hot ``io_uring_enter`` is called
without a prototype, the 64-bit arguments (syscall number, pointer, size)
passed as ctypes objects of the right type and the 32-bit ones
(``unsigned int`` in the kernel, which truncates the register) as ints.
The rare ``io_uring_setup`` / ``io_uring_register`` keep their prototypes.

**Probe.** ``IORING_REGISTER_PROBE`` fills ``struct io_uring_probe`` with a
flag per opcode saying whether this kernel implements it.

**Availability.** Kernels built without io_uring return ``ENOSYS``; seccomp
profiles (containers, some sandboxes) and ``kernel.io_uring_disabled``
return ``EPERM`` or ``ENOSYS``. `setup` reports both as ``Unsupported``
and remembers the answer for the life of the process.
"""

from __future__ import annotations

import sys

if sys.platform != "linux":  # pragma: no cover - Linux only
    raise ImportError("stdio2._sys.linux.uring needs Linux")

import array
import ctypes
import errno
import mmap
import os
import platform
import socket
import struct
from typing import Any, Final

from stdio2.io._error import Error, ErrorKind

# -- kernel constants (include/uapi/linux/io_uring.h) ------------------------

OP_NOP: Final = 0
OP_READV: Final = 1
OP_WRITEV: Final = 2
OP_FSYNC: Final = 3
OP_READ_FIXED: Final = 4
OP_WRITE_FIXED: Final = 5
OP_TIMEOUT: Final = 11
OP_ACCEPT: Final = 13
OP_ASYNC_CANCEL: Final = 14
OP_LINK_TIMEOUT: Final = 15
OP_CONNECT: Final = 16
OP_OPENAT: Final = 18
OP_CLOSE: Final = 19
OP_STATX: Final = 21
OP_READ: Final = 22
OP_WRITE: Final = 23
OP_SEND: Final = 26
OP_RECV: Final = 27
OP_SPLICE: Final = 30

OPCODE_NAMES: Final = {
    0: "NOP", 1: "READV", 2: "WRITEV", 3: "FSYNC", 4: "READ_FIXED", 5: "WRITE_FIXED",
    6: "POLL_ADD", 7: "POLL_REMOVE", 8: "SYNC_FILE_RANGE", 9: "SENDMSG", 10: "RECVMSG",
    11: "TIMEOUT", 12: "TIMEOUT_REMOVE", 13: "ACCEPT", 14: "ASYNC_CANCEL",
    15: "LINK_TIMEOUT", 16: "CONNECT", 17: "FALLOCATE", 18: "OPENAT", 19: "CLOSE",
    20: "FILES_UPDATE", 21: "STATX", 22: "READ", 23: "WRITE", 24: "FADVISE",
    25: "MADVISE", 26: "SEND", 27: "RECV", 28: "OPENAT2", 29: "EPOLL_CTL", 30: "SPLICE",
    31: "PROVIDE_BUFFERS", 32: "REMOVE_BUFFERS", 33: "TEE", 34: "SHUTDOWN",
    35: "RENAMEAT", 36: "UNLINKAT", 37: "MKDIRAT", 38: "SYMLINKAT", 39: "LINKAT",
}  # fmt: skip

SETUP_CQSIZE: Final = 1 << 3
SETUP_CLAMP: Final = 1 << 4
SETUP_SUBMIT_ALL: Final = 1 << 7
SETUP_COOP_TASKRUN: Final = 1 << 8
SETUP_SINGLE_ISSUER: Final = 1 << 12
SETUP_DEFER_TASKRUN: Final = 1 << 13

FEAT_SINGLE_MMAP: Final = 1 << 0
FEAT_NODROP: Final = 1 << 1
FEAT_RW_CUR_POS: Final = 1 << 3
FEAT_EXT_ARG: Final = 1 << 8

ENTER_GETEVENTS: Final = 1 << 0
ENTER_EXT_ARG: Final = 1 << 3

SQE_IO_LINK: Final = 1 << 2

SQ_CQ_OVERFLOW: Final = 1 << 1  # io_uring's sq_flags: CQEs wait in the kernel's overflow list

ASYNC_CANCEL_ALL: Final = 1 << 0
ASYNC_CANCEL_ANY: Final = 1 << 2

FSYNC_DATASYNC: Final = 1

REGISTER_BUFFERS: Final = 0
UNREGISTER_BUFFERS: Final = 1
REGISTER_EVENTFD: Final = 4
UNREGISTER_EVENTFD: Final = 5
REGISTER_PROBE: Final = 8

_OFF_SQ_RING: Final = 0
_OFF_CQ_RING: Final = 0x8000000
_OFF_SQES: Final = 0x10000000

AT_FDCWD: Final = -100
AT_EMPTY_PATH: Final = 0x1000
AT_SYMLINK_NOFOLLOW: Final = 0x100
STATX_BASIC_STATS: Final = 0x7FF
STATX_BTIME: Final = 0x800

NO_OFFSET: Final = (1 << 64) - 1  # offset -1: "use (and advance) the file position"

# One SQE (64 bytes): opcode, flags, ioprio, fd, off/addr2, addr/splice_off_in, len,
# op_flags (rw_flags, msg_flags, open_flags ...), user_data, buf_index,
# personality, splice_fd_in/file_index, addr3, pad.
SQE_SIZE: Final = 64
SQE: Final = struct.Struct("=BBHiQQIIQHHiQQ")
# The same entry for a plain read/write/send/recv: opcode, fd, offset
# (`NO_OFFSET` for the file position), address, length, op flags (msg_flags),
# user_data; every other field (flags, ioprio, buf_index ... pad) written as
# zero bytes. Eight arguments instead of fourteen: the batched fast path
# packs one per entry.
SQE_RW: Final = struct.Struct("=B3xiQQIIQ24x")


def rw_word0(opcode: int, fd: int) -> int:
    """The first 64-bit word of a plain entry: *opcode*, no flags, no ioprio, *fd* (for `Ring.put_rw`)."""
    return int.from_bytes(SQE_RW.pack(opcode, fd, 0, 0, 0, 0, 0)[:8], sys.byteorder)


CQE_SIZE: Final = 16
_U32: Final = struct.Struct("=I")
U32: Final = _U32
_CQE_HEAD: Final = struct.Struct("=Qi")  # user_data, res
_U32_AT: Final = _U32.unpack_from
_U32_PUT: Final = _U32.pack_into
TIMESPEC: Final = struct.Struct("=qq")
_GETEVENTS_ARG: Final = struct.Struct("=QIIQ")
_PARAMS_SIZE: Final = 120

# -- system calls ---------------------------------------------------------------

_NUMBERS: Final = {"x86_64": (425, 426, 427), "aarch64": (425, 426, 427), "arm64": (425, 426, 427)}


class _Calls:
    # libc's syscall() is variadic; setup and register get a prototype with
    # a fixed signature so ctypes passes every argument in the right register
    # width. The hot io_uring_enter gets the same guarantee more cheaply (below).
    def __init__(self) -> None:
        nrs = _NUMBERS.get(platform.machine())
        if nrs is None:
            raise Error(
                ErrorKind.Unsupported,
                f"io_uring system call numbers are not known for {platform.machine()}",
            )
        self.nr_setup, self.nr_enter, self.nr_register = nrs
        libc = ctypes.CDLL(None, use_errno=True)
        c_long, c_uint, c_void_p, c_size_t = ctypes.c_long, ctypes.c_uint, ctypes.c_void_p, ctypes.c_size_t
        proto = ctypes.CFUNCTYPE
        self.setup = proto(c_long, c_long, c_uint, c_void_p, use_errno=True)(("syscall", libc))
        self.register = proto(c_long, c_long, c_uint, c_uint, c_void_p, c_uint, use_errno=True)(
            ("syscall", libc)
        )
        # The hot io_uring_enter, without argtypes: converting seven
        # arguments through a prototype costs ~4 us per call on CPython 3.11
        # (more than the system call). Without argtypes ctypes passes a
        # Python int as a C int (libffi sign-extends it into the 64-bit
        # register) and a ctypes object as its own C type. So every
        # argument whose upper 32 bits matter goes in as a ctypes object of
        # the right width: the syscall number (c_long: glibc moves the whole
        # register into rax / x8), the ``arg`` pointer (c_void_p) and
        # ``argsz`` (c_size_t). fd, to_submit, min_complete and flags are
        # ``unsigned int`` / ``u32`` in the kernel's SYSCALL_DEFINE6, which
        # truncates each register to 32 bits, so plain ints are exact.
        raw = ctypes.CDLL(None, use_errno=True).syscall
        raw.restype = c_long
        self.enter_raw = raw
        self.enter_nr = c_long(self.nr_enter)
        self.null = c_void_p(0)
        self.size0 = c_size_t(0)


_calls: _Calls | None = None
_unsupported: Error | None = None


def _get_calls() -> _Calls:
    global _calls
    if _calls is None:
        _calls = _Calls()
    return _calls


def unsupported_reason() -> Error | None:
    """The remembered `Error` (Unsupported) if io_uring proved unavailable in this process."""
    return _unsupported


class Ring:
    """One io_uring instance: its descriptor, the mapped rings and the raw operations on them.

    Not thread-safe: the public `Driver` confines it to one thread. All
    offsets are computed once here so the hot paths are a few
    ``struct.pack_into`` / ``unpack_from`` calls on the mappings.
    """

    sq_entries: int
    cq_entries: int
    sq_tail: int
    sq_known_head: int
    sq_mask: int
    cq_head: int
    cq_mask: int
    flags: int
    features: int

    def __init__(self, entries: int, flags: int | None, cq_entries: int | None = None) -> None:
        global _unsupported
        if _unsupported is not None:
            raise _unsupported
        calls = _get_calls()
        self._calls = calls
        attempts: list[int]
        extra = SETUP_CLAMP | SETUP_SUBMIT_ALL | (SETUP_CQSIZE if cq_entries else 0)
        if flags is None:
            # Preferred first; the kernel refuses unknown flags with EINVAL.
            attempts = [
                extra | SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN,
                extra | SETUP_COOP_TASKRUN,
                extra,
                SETUP_CLAMP | (SETUP_CQSIZE if cq_entries else 0),
            ]
        else:
            attempts = [flags | (SETUP_CQSIZE if cq_entries else 0)]
        params = ctypes.create_string_buffer(_PARAMS_SIZE)
        fd = -1
        err = 0
        for f in attempts:
            ctypes.memset(params, 0, _PARAMS_SIZE)
            struct.pack_into("=II", params, 4, cq_entries or 0, f)
            fd = calls.setup(calls.nr_setup, entries, ctypes.addressof(params))
            if fd >= 0:
                break
            err = ctypes.get_errno()
            if err in (errno.ENOSYS, errno.EPERM, errno.EACCES):
                _unsupported = Error(
                    ErrorKind.Unsupported,
                    f"io_uring is not available: io_uring_setup failed with "
                    f"{errno.errorcode.get(err, err)} ({os.strerror(err)}); the kernel lacks "
                    "io_uring, or a seccomp filter / kernel.io_uring_disabled blocks it",
                )
                raise _unsupported
            if err != errno.EINVAL:
                break
        if fd < 0:
            raise Error.from_raw_os_error(err)
        self.fd = fd
        try:
            self._map(bytes(params))
        except BaseException:
            os.close(fd)
            raise

    def _map(self, p: bytes) -> None:
        (sq_entries, cq_entries, flags, _cpu, _idle, features, _wq) = struct.unpack_from("=7I", p, 0)
        sq_head, sq_tail, sq_mask, _sq_n, sq_flags, _dropped, sq_array = struct.unpack_from("=7I", p, 40)
        cq_head, cq_tail, cq_mask, _cq_n, _ovf, cq_cqes = struct.unpack_from("=6I", p, 80)
        need = FEAT_SINGLE_MMAP | FEAT_NODROP | FEAT_EXT_ARG
        if features & need != need:
            raise Error(
                ErrorKind.Unsupported,
                "this kernel's io_uring lacks SINGLE_MMAP, NODROP or EXT_ARG (Linux 5.11+ needed)",
            )
        self.sq_entries = sq_entries
        self.cq_entries = cq_entries
        self.flags = flags
        self.features = features
        self.defer_taskrun = bool(flags & SETUP_DEFER_TASKRUN)
        size = max(sq_array + sq_entries * 4, cq_cqes + cq_entries * CQE_SIZE)
        prot = mmap.PROT_READ | mmap.PROT_WRITE
        mflags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
        self._rings = mmap.mmap(self.fd, size, mflags, prot, offset=_OFF_SQ_RING)
        self._sqes_map = mmap.mmap(self.fd, sq_entries * SQE_SIZE, mflags, prot, offset=_OFF_SQES)
        self.rings = memoryview(self._rings)
        self.sqes = memoryview(self._sqes_map)
        self.sq_head_off = sq_head
        self.sq_tail_off = sq_tail
        self.sq_flags_off = sq_flags
        # params holds the *offsets* of the ring fields; the values live in the ring.
        self.sq_mask = _U32_AT(self.rings, sq_mask)[0]
        self.cq_head_off = cq_head
        self.cq_tail_off = cq_tail
        self.cq_mask = _U32_AT(self.rings, cq_mask)[0]
        if self.sq_mask != sq_entries - 1 or self.cq_mask != cq_entries - 1:  # pragma: no cover
            raise Error(ErrorKind.Unsupported, "unexpected io_uring ring layout")
        self.cqes_off = cq_cqes
        # The identity index array: ring position i uses SQE slot i.
        for i in range(sq_entries):
            _U32_PUT(self.rings, sq_array + 4 * i, i)
        self.sq_tail = _U32_AT(self.rings, sq_tail)[0]
        # The SQ head as last read: the kernel only moves it forward, so
        # ``entries - (tail - sq_known_head)`` is a safe lower bound of the
        # free space, refreshed (one read) only when it reaches zero.
        self.sq_known_head = self.sq_tail
        self.cq_head = _U32_AT(self.rings, cq_head)[0]
        # Strided views of the CQE array for bulk harvesting: user_data is
        # the 64-bit word 2*i, res the 32-bit word 4*i + 2.
        cq_bytes = self.rings[cq_cqes : cq_cqes + cq_entries * CQE_SIZE]
        self.cqe_u64 = cq_bytes.cast("Q")
        self.cqe_i32 = cq_bytes.cast("i")
        # The SQE array as 64-bit words (entry i is words 8*i .. 8*i+7), for
        # writing a whole batch of entries field by field (`put_rw`).
        self.sqe_u64 = self.sqes.cast("Q")

    # -- submission side ---------------------------------------------------------

    def sq_space(self) -> int:
        """Free SQ slots: entries minus those written but not yet consumed by the kernel."""
        head: int = _U32_AT(self.rings, self.sq_head_off)[0]
        self.sq_known_head = head
        return self.sq_entries - ((self.sq_tail - head) & 0xFFFFFFFF)

    def put_rw(
        self, word0: int, offs: memoryview, addrs: memoryview, word3: memoryview, user_data: int
    ) -> None:
        """Write ``len(offs)`` plain read/write entries at the SQ tail and advance it (no publish).

        Every entry gets the same first word (opcode, zero flags and
        ioprio, fd: see `rw_word0`); *offs*, *addrs* and *word3* (length
        in the low half, op flags in the high half) are ``"Q"`` views, one
        item per entry; user_data counts up from *user_data*; the rest of
        each entry is zeroed. C-level copies per field instead of one
        ``pack_into`` per entry. The caller made sure the SQ has room.
        """
        n = len(offs)
        mask = self.sq_mask
        q = self.sqe_u64
        done = 0
        while done < n:
            slot = (self.sq_tail + done) & mask
            k = min(n - done, mask + 1 - slot)  # up to the end of the array: the ring wraps
            part = q[8 * slot : 8 * (slot + k)]
            # One contiguous zero fill (a memcpy), then the five fields
            # that are not zero (a strided copy each, ~10 ns per entry).
            part[:] = memoryview(bytes(SQE_SIZE * k)).cast("Q")
            part[0::8] = array.array("Q", (word0,)) * k
            part[1::8] = offs[done : done + k]
            part[2::8] = addrs[done : done + k]
            part[3::8] = word3[done : done + k]
            part[4::8] = array.array("Q", range(user_data + done, user_data + done + k))
            done += k
        self.sq_tail += n

    def publish_tail(self) -> None:
        """Store our SQ tail into the ring (read by the kernel in the next io_uring_enter)."""
        _U32_PUT(self.rings, self.sq_tail_off, self.sq_tail & 0xFFFFFFFF)

    def take_back(self, n: int) -> None:
        """Remove the *n* newest entries from the SQ (the caller checked `unsubmitted`) and publish the tail.

        Legal because the kernel reads the tail only inside ``io_uring_enter``
        (no SQPOLL): entries it has not consumed are still ours to withdraw.
        """
        self.sq_tail -= n
        self.publish_tail()

    def unsubmitted(self) -> int:
        """Entries published but not yet consumed by the kernel."""
        head: int = _U32_AT(self.rings, self.sq_head_off)[0]
        return (self.sq_tail - head) & 0xFFFFFFFF

    def cq_overflowing(self) -> bool:
        """Whether the kernel holds completions in its overflow list (CQ ring was full)."""
        return bool(_U32_AT(self.rings, self.sq_flags_off)[0] & SQ_CQ_OVERFLOW)

    def enter(self, to_submit: int, min_complete: int, flags: int, arg: int = 0, argsz: int = 0) -> int:
        """``io_uring_enter``; returns the count submitted or a negative errno (never raises)."""
        calls = self._calls
        if arg:
            r: int = calls.enter_raw(
                calls.enter_nr, self.fd, to_submit, min_complete, flags,
                ctypes.c_void_p(arg), ctypes.c_size_t(argsz),
            )  # fmt: skip
        else:
            r = calls.enter_raw(
                calls.enter_nr, self.fd, to_submit, min_complete, flags, calls.null, calls.size0
            )
        if r < 0:
            return -ctypes.get_errno()
        return r

    # -- completion side ------------------------------------------------------

    def cq_ready(self) -> int:
        """CQEs posted and not yet consumed."""
        tail: int = _U32_AT(self.rings, self.cq_tail_off)[0]
        return (tail - self.cq_head) & 0xFFFFFFFF

    def harvest(self) -> tuple[list[int], list[int]]:
        """Copy out every posted CQE as (user_data list, res list), in order; does not advance head."""
        tail = _U32_AT(self.rings, self.cq_tail_off)[0]
        head = self.cq_head
        n = (tail - head) & 0xFFFFFFFF
        if not n:
            return [], []
        if n == 1:  # common for single operations: one unpack instead of four slices
            ud, res = _CQE_HEAD.unpack_from(self.rings, self.cqes_off + (head & self.cq_mask) * CQE_SIZE)
            return [ud], [res]
        mask = self.cq_mask
        start = head & mask
        end = start + n
        u64, i32 = self.cqe_u64, self.cqe_i32
        if end <= mask + 1:
            return u64[2 * start : 2 * end : 2].tolist(), i32[4 * start + 2 : 4 * end : 4].tolist()
        first = mask + 1
        rest = end - first
        uds = u64[2 * start :: 2].tolist() + u64[0 : 2 * rest : 2].tolist()
        res = i32[4 * start + 2 :: 4].tolist() + i32[2 : 4 * rest : 4].tolist()
        return uds, res

    def advance_cq(self, n: int) -> None:
        """Release *n* consumed CQEs to the kernel (store the new head)."""
        self.cq_head = (self.cq_head + n) & 0xFFFFFFFF
        _U32_PUT(self.rings, self.cq_head_off, self.cq_head)

    # -- registration -------------------------------------------------------------

    def register(self, opcode: int, arg: int, nr_args: int) -> None:
        """``io_uring_register``; raises `Error` on failure."""
        calls = self._calls
        r = calls.register(calls.nr_register, self.fd, opcode, arg, nr_args)
        if r < 0:
            raise Error.from_raw_os_error(ctypes.get_errno())

    def probe(self) -> frozenset[int]:
        """``IORING_REGISTER_PROBE``: the opcodes this kernel supports."""
        nops = 256
        buf = ctypes.create_string_buffer(16 + 8 * nops)
        self.register(REGISTER_PROBE, ctypes.addressof(buf), nops)
        raw = bytes(buf)
        ops_len = raw[1]
        out = set()
        for i in range(ops_len):
            op, _resv, fl = struct.unpack_from("=BBH", raw, 16 + 8 * i)
            if fl & 1:  # IO_URING_OP_SUPPORTED
                out.add(op)
        return frozenset(out)

    def close(self) -> None:
        """Unmap the rings and close the descriptor (the kernel tears the ring down)."""
        fd, self.fd = self.fd, -1
        for view in ("cqe_u64", "cqe_i32", "sqe_u64", "rings", "sqes"):
            v = getattr(self, view, None)
            if v is not None:
                v.release()
        for m in ("_rings", "_sqes_map"):
            mm = getattr(self, m, None)
            if mm is not None:
                mm.close()
        if fd >= 0:
            os.close(fd)


# -- memory helpers -----------------------------------------------------------


class _PyBuffer(ctypes.Structure):
    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.c_void_p),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.c_void_p),
        ("strides", ctypes.c_void_p),
        ("suboffsets", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
    ]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_get_buffer.restype = ctypes.c_int
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]
_release_buffer.restype = None
_char_from_buffer = ctypes.c_char.from_buffer
_addressof = ctypes.addressof


def pin(buf: Any, writable: bool) -> tuple[memoryview, int, int]:
    """Pin *buf* for the kernel: ``(view, address, length)``.

    The returned memoryview is an export of *buf*: while it is unreleased a
    ``bytearray`` cannot be resized (BufferError) and its storage cannot
    move. The address is read from a second, momentary export. Raises
    ``TypeError`` for objects without the buffer protocol, non-contiguous
    views, and read-only buffers where *writable* is required.
    """
    view = memoryview(buf)
    if type(buf) is bytearray and view.nbytes:
        # The common case: contiguous, writable, non-empty.
        return view, _addressof(_char_from_buffer(view)), view.nbytes
    if not view.c_contiguous:
        view.release()
        raise TypeError("io_uring needs a C-contiguous buffer")
    if view.readonly:
        if writable:
            view.release()
            raise TypeError(f"a read-only {type(buf).__name__} cannot receive data")
        return view, _readonly_address(view), view.nbytes
    if view.nbytes == 0:
        return view, 0, 0
    return view, _addressof(_char_from_buffer(view)), view.nbytes


# The batched fast path's pin for a non-empty ``bytearray``:
# ``pin_bytearray_object(buf)`` (``c_char.from_buffer``) exports *buf* through a
# memoryview the ctypes object keeps, so until that one object is dropped the
# bytearray cannot be resized and its storage cannot move; dropping the last
# reference (the driver holds the only one) releases the export at once in
# CPython. ``address_of_pin(pin)`` is the buffer's address. One object per
# entry instead of a memoryview plus a momentary ctypes view as in `pin`.
pin_bytearray_object: Final = ctypes.c_char.from_buffer
address_of_pin: Final = ctypes.addressof


def _readonly_address(view: memoryview) -> int:
    if view.nbytes == 0:
        return 0
    pb = _PyBuffer()
    if _get_buffer(view, ctypes.byref(pb), 0) != 0:  # pragma: no cover - raises in C
        raise TypeError("buffer protocol failed")
    try:
        return pb.buf or 0
    finally:
        _release_buffer(ctypes.byref(pb))


def c_string(path: bytes) -> ctypes.Array[ctypes.c_char]:
    """A NUL-terminated copy of *path* in memory that stays put while referenced."""
    if b"\0" in path:
        raise ValueError("embedded null byte in path")
    return ctypes.create_string_buffer(path)


def raw_buffer(data: bytes | int) -> ctypes.Array[ctypes.c_char]:
    """A fixed C buffer holding *data* (or *data* zero bytes) that stays put while referenced."""
    if isinstance(data, int):
        return ctypes.create_string_buffer(data)
    buf = ctypes.create_string_buffer(len(data))
    ctypes.memmove(buf, data, len(data))
    return buf


def timespec(seconds: float) -> ctypes.Array[ctypes.c_char]:
    """A ``struct __kernel_timespec`` for a relative time of *seconds* (>= 0)."""
    seconds = max(0.0, seconds)
    sec = int(seconds)
    nsec = min(999_999_999, round((seconds - sec) * 1e9))
    buf = ctypes.create_string_buffer(TIMESPEC.size)
    TIMESPEC.pack_into(buf, 0, sec, nsec)
    return buf


def getevents_arg(ts: ctypes.Array[ctypes.c_char]) -> ctypes.Array[ctypes.c_char]:
    """``struct io_uring_getevents_arg`` pointing at the timespec *ts* (no signal mask).

    Only *ts*'s address is stored: the caller keeps *ts* referenced until the
    ``io_uring_enter`` that uses the argument has returned.
    """
    buf = ctypes.create_string_buffer(_GETEVENTS_ARG.size)
    _GETEVENTS_ARG.pack_into(buf, 0, 0, 0, 0, _addressof(ts))
    return buf


GETEVENTS_ARG_SIZE: Final = _GETEVENTS_ARG.size


def iovecs(views: list[tuple[int, int]]) -> ctypes.Array[ctypes.c_char]:
    """An array of ``struct iovec {void *base; size_t len}`` for ``(address, length)`` pairs."""
    buf = ctypes.create_string_buffer(16 * max(1, len(views)))
    for i, (addr, n) in enumerate(views):
        struct.pack_into("=QQ", buf, 16 * i, addr, n)
    return buf


def address(buf: ctypes.Array[ctypes.c_char]) -> int:
    """Address of a ctypes buffer made by this module."""
    return _addressof(buf)


# -- socket addresses and statx ------------------------------------------------


def sockaddr(family: int, host: str, port: int, flowinfo: int = 0, scope_id: int = 0) -> bytes:
    """Encode ``struct sockaddr_in`` / ``sockaddr_in6`` (ports in network order)."""
    if family == socket.AF_INET:
        return struct.pack("=H", family) + struct.pack("!H", port) + socket.inet_pton(family, host) + bytes(8)
    return (
        struct.pack("=H", family)
        + struct.pack("!HI", port, flowinfo)
        + socket.inet_pton(family, host)
        + struct.pack("=I", scope_id)
    )


def parse_sockaddr(raw: bytes) -> tuple[Any, ...] | None:
    """Decode a ``sockaddr_in``/``sockaddr_in6`` into Python's socket address tuple; None otherwise."""
    if len(raw) < 2:
        return None
    family = struct.unpack_from("=H", raw)[0]
    if family == socket.AF_INET and len(raw) >= 16:
        port = struct.unpack_from("!H", raw, 2)[0]
        return (socket.inet_ntop(family, raw[4:8]), port)
    if family == socket.AF_INET6 and len(raw) >= 28:
        port, flow = struct.unpack_from("!HI", raw, 2)
        scope = struct.unpack_from("=I", raw, 24)[0]
        return (socket.inet_ntop(family, raw[8:24]), port, flow, scope)
    return None


STATX_SIZE: Final = 256


def stat_result_from_statx(raw: bytes) -> tuple[os.stat_result, int | None]:
    """An ``os.stat_result`` (and the birth time in ns, if reported) from a ``struct statx``."""
    mask, blksize = struct.unpack_from("=II", raw, 0)
    nlink, uid, gid, mode = struct.unpack_from("=IIIH", raw, 16)
    ino, size, blocks = struct.unpack_from("=QQQ", raw, 32)

    def ts(off: int) -> int:
        sec, nsec = struct.unpack_from("=qI", raw, off)
        return int(sec) * 1_000_000_000 + int(nsec)

    a_ns, b_ns, c_ns, m_ns = ts(64), ts(80), ts(96), ts(112)
    rmaj, rmin, dmaj, dmin = struct.unpack_from("=IIII", raw, 128)
    dev = os.makedev(dmaj, dmin)
    rdev = os.makedev(rmaj, rmin)
    st = os.stat_result(
        (
            mode, ino, dev, nlink, uid, gid, size,
            a_ns // 1_000_000_000, m_ns // 1_000_000_000, c_ns // 1_000_000_000,
            a_ns / 1e9, m_ns / 1e9, c_ns / 1e9, a_ns, m_ns, c_ns,
            blksize, blocks, rdev,
        )
    )  # fmt: skip
    return st, (b_ns if mask & STATX_BTIME else None)


AF_INET: Final = socket.AF_INET
AF_INET6: Final = socket.AF_INET6
SOCK_CLOEXEC: Final = socket.SOCK_CLOEXEC
MSG_NOSIGNAL: Final = int(socket.MSG_NOSIGNAL)  # a plain int: `int | MsgFlag` runs enum code (microseconds)


def put_u32(buf: ctypes.Array[ctypes.c_char], value: int) -> None:
    """Store a native 32-bit unsigned value at the start of *buf*."""
    _U32_PUT(buf, 0, value & 0xFFFFFFFF)


def get_u32(buf: ctypes.Array[ctypes.c_char]) -> int:
    """The native 32-bit unsigned value at the start of *buf*."""
    value: int = _U32_AT(buf, 0)[0]
    return value


def make_eventfd() -> int:
    """``eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)``; raises `Error`."""
    try:
        return os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
    except OSError as e:
        raise Error.from_os_error(e) from None


def drain_eventfd(fd: int) -> None:
    """Read (reset) a non-blocking eventfd; nothing to read is fine."""
    try:
        os.eventfd_read(fd)
    except (BlockingIOError, InterruptedError):
        pass
    except OSError as e:
        raise Error.from_os_error(e) from None


def close_fd(fd: int) -> None:
    """``close(fd)`` ignoring errors (used on cleanup paths only)."""
    try:
        os.close(fd)
    except OSError:
        pass
