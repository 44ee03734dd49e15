"""Child processes on Unix: the kernel facts behind `stdio2.process`.

**fork/exec and posix_spawn.** A Unix process starts another program in two
steps: ``fork`` copies the calling process, and the copy calls ``execve`` to
replace itself with the new program. Everything the child should differ in
(standard streams, working directory, process group, user ids, signal
dispositions) is arranged *between* the two calls, in the copy. ``posix_spawn``
packages the pair: the caller describes those in-between steps as data
("file actions": dup2, close, open; "attributes": process group, session,
signal mask, signals reset to default) and libc performs them. glibc (2.24+)
implements it with ``clone(CLONE_VM | CLONE_VFORK)``: no page tables are
copied, the parent sleeps until the child has called ``execve``, and an
``execve`` failure (ENOENT, EACCES, ENOEXEC) is reported by ``posix_spawn``
itself, in the parent. That makes it the fastest way to start a program and
the one where a missing program is an error and not a child exiting 127.
macOS implements it as a system call with the same guarantee. Older glibc,
musl and other C libraries are not relied on to report exec failures, so
this backend uses ``posix_spawn`` only on glibc 2.24+ and macOS, where it is
known to (the same rule Python's `subprocess` applies) and for the options it can express. Python
3.11's ``os.posix_spawn`` has no "change directory" action and no user/group
switching, so a `Command` with ``current_dir``, ``uid``, ``gid`` or
``groups`` goes through `subprocess.Popen`, whose C helper
(``_posixsubprocess``) forks (``vfork`` where safe), applies the options and
reports any failure of the child's set-up or ``execve`` through a
close-on-exec pipe before the child could run user code. stdio2 *adopts* the
child: it keeps the pid, marks the ``Popen`` object as finished so that its
finaliser neither warns nor reaps, and drops it.

**Why not fork in Python?** After ``fork`` only the calling thread exists in
the child, but every lock other threads held stays locked forever: the
allocator's, stdio's, the import lock, a logging handler's. Python code in a
forked child of a multi-threaded parent can deadlock on the first of them
(CPython 3.12 warns about it), and it runs the interpreter's per-object
bookkeeping on a full copy of the heap, which makes it about four times
slower than the C path. Both C paths run only async-signal-safe code between
fork and exec.

**Close-on-exec.** ``execve`` keeps every descriptor that is not marked
``FD_CLOEXEC``. Python opens everything close-on-exec (PEP 446) and so does
stdio2, so on the ``posix_spawn`` path only the descriptors the file actions
put on 0, 1 and 2 survive (``dup2`` clears the flag on the new number). Rust
stops there; stdio2 also closes, in the child, the descriptors that are
inheritable anyway (one passed down by our own parent, one a library made
inheritable): with one ``POSIX_SPAWN_CLOSEFROM`` action (everything from 3
up) where Python 3.13+ and glibc 2.34+ offer it, otherwise with one close
action per descriptor listed from ``/proc/self/fd`` for each spawn. The ``Popen``
path closes every descriptor above 2 (``close_fds=True``, with
``close_range`` in the child).

**Signal dispositions.** Signals a process *ignores* stay ignored across
``execve``; handled ones revert to default. CPython ignores ``SIGPIPE`` (so a
write to a closed pipe raises ``BrokenPipeError`` instead of killing the
interpreter) and ``SIGXFSZ``. A child inheriting that is not killed when its
reader goes away: each write fails with EPIPE instead. ``yes`` then prints
"Broken pipe" and exits with status 1 where a shell expects a quiet death by
SIGPIPE (status 141), and a program that ignores write errors keeps writing
into the void. Both are reset to default in the child (``setsigdef``, or ``restore_signals`` on
the Popen path), and the posix_spawn path also clears the signal mask, as
Rust does.

**Zombies and reaping.** A child that exits stays in the process table as a
*zombie* holding its exit status until the parent collects it with
``waitpid``. Until then its pid cannot be reused, which is what makes
signalling an unreaped child safe: ``kill(pid)`` cannot reach a stranger.
After the reap the number is free and may belong to anyone, so `Process`
reaps and signals under one lock, and blocks only in calls that do *not* reap
(``waitid(..., WEXITED | WNOWAIT)`` or ``poll`` on a pidfd), reaping with
``WNOHANG`` afterwards. A child nobody waits for is put on an orphan list
and reaped without blocking at the next spawn, so it does not stay a zombie.

**pidfd (Linux 5.3+).** ``pidfd_open(pid)`` returns a descriptor that refers
to the process itself, not to its number: it becomes readable (``POLLIN``)
when the process exits, and ``pidfd_send_signal`` on it can never reach a
recycled pid. Waiting with a deadline therefore polls the pidfd with a
timeout. Elsewhere a deadline wait is a bounded sleep loop around
``waitpid(WNOHANG)``.

**Process groups and sessions.** ``setpgid(0, 0)`` in the child
(``process_group(0)``) makes it the leader of a new group whose id is its
pid; ``killpg(pgid, sig)`` then signals the child and every descendant that
stayed in the group, e.g. grandchildren that would otherwise keep its pipes
open. ``setsid`` also detaches it from the controlling terminal. The group
id stays reserved while any member (or the unreaped leader) lives.

**Wait status.** ``waitpid`` returns an int: low 7 bits the terminating
signal (0: normal exit, 0x7f: stopped), bit 0x80 "core dumped", bits 8-15
the exit code or stop signal, 0xffff "continued". The ``os.W*`` functions
decode it.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":  # pragma: no cover - the Unix backend is never imported there
    raise ImportError("stdio2._sys.unix is the Unix backend")

import errno
import fcntl
import io
import os
import select
import signal
import stat
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Final

from stdio2.io._deadline import wait_ms
from stdio2.io._error import Error, ErrorKind

__all__ = [
    "INHERIT",
    "NULL",
    "Process",
    "SpawnRequest",
    "abort",
    "continued",
    "core_dumped",
    "exit_code",
    "exit_now",
    "find_program",
    "getpid",
    "reap_orphans",
    "signal_name",
    "spawn",
    "stopped_signal",
    "term_signal",
]

INHERIT: Final = -1
NULL: Final = -2

_HAS_PIDFD: Final = hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")
_HAS_WAITID: Final = hasattr(os, "waitid") and hasattr(os, "WNOWAIT")
_DEVNULL: Final = os.devnull.encode()
# Signals CPython sets to SIG_IGN at start-up; a child must get them back at default.
_RESET_SIGNALS: Final = tuple(
    getattr(signal, name) for name in ("SIGPIPE", "SIGXFSZ", "SIGXFZ") if hasattr(signal, name)
)


def _spawn_reports_exec_errors() -> bool:
    # posix_spawn must report execve failures in the parent, or a missing
    # program would look like a child exiting 127. Known good: macOS and
    # glibc >= 2.24 (clone+vfork implementation).
    if not hasattr(os, "posix_spawn"):
        return False
    if sys.platform == "darwin":
        return True
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")
        if text is None:
            return False
        name, version = text.split(maxsplit=1)
        major, minor = (int(p) for p in version.split(".")[:2])
    except (AttributeError, ValueError, OSError):
        return False
    return sys.platform.startswith("linux") and name == "glibc" and (major, minor) >= (2, 24)


_USE_POSIX_SPAWN: Final = _spawn_reports_exec_errors()


# -- wait statuses ----------------------------------------------------------------------


def exit_code(raw: int) -> int | None:
    """The exit code (``WEXITSTATUS``) when the process exited normally, else None."""
    return os.WEXITSTATUS(raw) if os.WIFEXITED(raw) else None


def term_signal(raw: int) -> int | None:
    """The signal that terminated the process (``WTERMSIG``), else None."""
    return os.WTERMSIG(raw) if os.WIFSIGNALED(raw) else None


def core_dumped(raw: int) -> bool:
    """Whether a signal-terminated process dumped core (``WCOREDUMP``)."""
    return os.WIFSIGNALED(raw) and os.WCOREDUMP(raw)


def stopped_signal(raw: int) -> int | None:
    """The signal that stopped the process (``WSTOPSIG``), for a stopped status, else None."""
    return os.WSTOPSIG(raw) if os.WIFSTOPPED(raw) else None


def continued(raw: int) -> bool:
    """Whether the status reports a continued process (``WIFCONTINUED``)."""
    return os.WIFCONTINUED(raw)


def signal_name(sig: int) -> str | None:
    """``SIGKILL`` for 9 etc., or None for a number this platform does not name."""
    try:
        return signal.Signals(sig).name
    except ValueError:
        return None


# -- program lookup -------------------------------------------------------------------


def find_program(program: bytes, path_var: bytes | None) -> bytes:
    """The file ``execvp`` would run for *program*, searching *path_var* (``PATH``).

    A name containing ``/`` is used as it is. Otherwise each ``PATH`` entry
    is tried in order (an empty entry means the current directory; no
    ``PATH`` at all means ``os.defpath``) with ``stat`` and
    ``access(X_OK)``; the first executable regular file wins. Raises
    `Error` NotFound, or PermissionDenied if a match existed but was not
    executable, naming *program*.
    """
    if b"/" in program:
        return program
    shown = os.fsdecode(program)
    if not program:
        raise Error.from_raw_os_error(errno.ENOENT, path=shown)
    if path_var is None:
        path_var = os.defpath.encode()
    denied = False
    for entry in path_var.split(b":"):
        candidate = (entry or b".") + b"/" + program
        try:
            st = os.stat(candidate)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if os.access(candidate, os.X_OK):
            return candidate
        denied = True
    raise Error.from_raw_os_error(errno.EACCES if denied else errno.ENOENT, path=shown)


def has_separator(program: bytes) -> bool:
    """Whether *program* names a file (contains ``/``) rather than a command to look up."""
    return b"/" in program


def parent_path_var() -> bytes | None:
    """This process's ``PATH`` (from ``os.environb``), or None when unset."""
    return os.environb.get(b"PATH")


def _environ_dict() -> Mapping[bytes, bytes]:
    # os.environb iterates in Python (one __getitem__ per variable, ~20 us
    # for 40 variables); the plain dict behind it (the same one os.environ
    # and putenv keep in step) converts in C.
    data = getattr(os.environb, "_data", None)
    return data if type(data) is dict else os.environb


def environ_bytes() -> dict[bytes, bytes]:
    """A copy of this process's environment as bytes (``os.environb``)."""
    return dict(_environ_dict())


# -- spawning ---------------------------------------------------------------------------


class SpawnRequest:
    """Everything the portable layer decided about one spawn, in OS terms (bytes, numbers)."""

    __slots__ = (
        "argv",
        "cwd",
        "env",
        "gid",
        "groups",
        "path",
        "pgroup",
        "setsid",
        "shown",
        "stdio",
        "uid",
    )

    def __init__(
        self,
        path: bytes,
        argv: list[bytes],
        env: dict[bytes, bytes] | None,
        stdio: tuple[int, int, int],
        *,
        shown: str,
        cwd: bytes | None = None,
        pgroup: int | None = None,
        setsid: bool = False,
        uid: int | None = None,
        gid: int | None = None,
        groups: Sequence[int] | None = None,
    ) -> None:
        self.path = path
        self.argv = argv
        self.env = env
        # Per standard stream: INHERIT, NULL or a descriptor to dup2 onto it.
        self.stdio = stdio
        self.shown = shown
        self.cwd = cwd
        self.pgroup = pgroup
        self.setsid = setsid
        self.uid = uid
        self.gid = gid
        self.groups = groups


def spawn(req: SpawnRequest) -> Process:
    """Start the program; return its `Process`. Raises `Error` naming the program or directory.

    ``posix_spawn`` when it can express the request (see the module text),
    otherwise `subprocess.Popen`'s C fork/exec with ``close_fds=True`` and
    ``restore_signals=True``. Either way the child's set-up and ``execve``
    errors are raised here, in the parent.
    """
    if _orphans:
        reap_orphans()
    if (
        _USE_POSIX_SPAWN
        and req.cwd is None
        and req.uid is None
        and req.gid is None
        and req.groups is None
        and all(fd < 0 or fd > 2 for fd in req.stdio)
    ):
        pid = _posix_spawn(req)
    else:
        pid = _popen_spawn(req)
    return Process(pid, req.pgroup == 0 or req.setsid)


def _posix_spawn(req: SpawnRequest) -> int:
    actions: list[tuple[object, ...]] = []
    for target, spec in enumerate(req.stdio):
        if spec == NULL:
            flags = os.O_RDONLY if target == 0 else os.O_WRONLY
            actions.append((os.POSIX_SPAWN_OPEN, target, _DEVNULL, flags, 0))
        elif spec >= 0:
            actions.append((os.POSIX_SPAWN_DUP2, spec, target))
    # Close, in the child, the descriptors someone made inheritable (PEP 446
    # makes the rest close-on-exec), e.g. a jobserver pipe our own parent
    # passed down: one "close from 3" action where Python (3.13+) and libc
    # (glibc 2.34+) offer it, else one close per descriptor listed.
    if _CLOSEFROM is not None:
        actions.append((_CLOSEFROM, 3))
    else:
        actions.extend([(_CLOSE, fd) for fd in _fds_to_close()])
    # Always the mapping, never 3.13's env=None (the C environ): a library
    # calling setenv() directly would make the two differ, and the child
    # must see what os.environ says on every Python version.
    env = req.env if req.env is not None else _environ_dict()
    try:
        if req.pgroup is None:
            return os.posix_spawn(
                req.path,
                req.argv,
                env,
                file_actions=actions,
                setsid=req.setsid,
                setsigmask=(),
                setsigdef=_RESET_SIGNALS,
            )
        return os.posix_spawn(
            req.path,
            req.argv,
            env,
            file_actions=actions,
            setpgroup=req.pgroup,
            setsid=req.setsid,
            setsigmask=(),
            setsigdef=_RESET_SIGNALS,
        )
    except OSError as e:
        raise Error.from_os_error(e, path=req.shown) from None


_FD_DIR: Final = next((d for d in ("/proc/self/fd", "/dev/fd") if os.path.isdir(d)), None)


_CLOSE: Final = getattr(os, "POSIX_SPAWN_CLOSE", None)
# posix_spawn_file_actions_addclosefrom_np: Python 3.13+ on glibc 2.34+ (and
# FreeBSD); it closes every descriptor from the given one up in the child.
_CLOSEFROM: Final = getattr(os, "POSIX_SPAWN_CLOSEFROM", None)
# glibc's posix_spawn ignores EBADF from a close action (a descriptor closed
# since it was listed, such as the listing's own), so on Linux every listed
# descriptor above 2 is closed in the child without asking which are
# inheritable: one ``close`` there is cheaper than one ``fcntl`` here, and
# closing a close-on-exec descriptor early changes nothing. Elsewhere
# (macOS) a failing close action fails the spawn, so only the inheritable
# ones are listed.
_CLOSE_IGNORES_EBADF: Final = sys.platform.startswith("linux")


def _fds_to_close() -> list[int]:
    # One listing of the descriptor table (~5 us; more just after a spawn,
    # when the caches are cold): a few percent of a spawn.
    if _FD_DIR is None:  # pragma: no cover - no descriptor directory to list
        return []
    try:
        fds = [fd for fd in map(int, os.listdir(_FD_DIR)) if fd > 2]
    except OSError:  # pragma: no cover
        return []
    if _CLOSE_IGNORES_EBADF:
        return fds
    out = []  # pragma: no cover - macOS
    getfd, cloexec = fcntl.F_GETFD, fcntl.FD_CLOEXEC
    for fd in fds:
        try:
            if not fcntl.fcntl(fd, getfd) & cloexec:
                out.append(fd)
        except OSError:
            pass  # the listing's own descriptor, already closed
    return out


def _popen_spawn(req: SpawnRequest) -> int:
    streams: list[int | None] = []
    for spec in req.stdio:
        streams.append(None if spec == INHERIT else subprocess.DEVNULL if spec == NULL else spec)
    try:
        popen = subprocess.Popen(
            req.argv,
            executable=req.path,
            stdin=streams[0],
            stdout=streams[1],
            stderr=streams[2],
            close_fds=True,
            restore_signals=True,
            cwd=req.cwd,
            # Never env=None: Popen would then hand the child the C environ,
            # which differs from os.environ when a library calls setenv() or
            # someone calls os.unsetenv() directly; both paths must give the
            # child what os.environ says (as _posix_spawn does).
            env=req.env if req.env is not None else _environ_dict(),
            start_new_session=req.setsid,
            process_group=req.pgroup,
            user=req.uid,
            group=req.gid,
            extra_groups=None if req.groups is None else list(req.groups),
        )
    except OSError as e:
        # Popen names the directory for a failed chdir, the program otherwise.
        shown = e.filename
        if isinstance(shown, bytes):
            shown = os.fsdecode(shown)
        if shown is None or (req.cwd is not None and shown != os.fsdecode(req.cwd)):
            shown = req.shown
        raise Error.from_os_error(e, path=shown) from None
    except (ValueError, subprocess.SubprocessError) as e:
        raise Error(ErrorKind.InvalidInput, f"spawning {req.shown}: {e}") from None
    pid = popen.pid
    # Adopt the child: a Popen with a return code set neither warns nor reaps
    # in its finaliser, and it owns no descriptor of ours (no PIPE was asked).
    popen.returncode = 0
    del popen
    return pid


def exec_replace(req: SpawnRequest) -> None:
    """Set this process up as *req* says and ``execve`` the program; raises `Error` on failure."""
    shown = req.shown
    try:
        for target, spec in enumerate(req.stdio):
            if spec == NULL:
                fd = os.open(os.devnull, os.O_RDONLY if target == 0 else os.O_WRONLY)
                os.dup2(fd, target)
                os.close(fd)
            elif spec >= 0:
                os.dup2(spec, target)  # the new number is inheritable
        if req.cwd is not None:
            shown = os.fsdecode(req.cwd)
            os.chdir(req.cwd)
            shown = req.shown
        if req.setsid:
            os.setsid()
        if req.pgroup is not None:
            os.setpgid(0, req.pgroup)
        if req.groups is not None:
            os.setgroups(list(req.groups))
        if req.gid is not None:
            os.setgid(req.gid)
        if req.uid is not None:
            os.setuid(req.uid)
        for sig in _RESET_SIGNALS:
            try:
                signal.signal(sig, signal.SIG_DFL)
            except ValueError:  # pragma: no cover - not the main thread
                pass
        env = req.env if req.env is not None else _environ_dict()
        os.execve(req.path, req.argv, env)
    except OSError as e:
        raise Error.from_os_error(e, path=shown) from None


# -- waiting and signalling ---------------------------------------------------------------


def _timed_out(what: str) -> Error:
    return Error(ErrorKind.TimedOut, f"{what}: the deadline passed")


class Process:
    """One child process: its pid, its status once reaped, and an optional pidfd.

    Every reap and every signal happens under ``_lock``, so a signal can
    never be sent after the pid was released to the system. Blocking waits
    do not hold the lock (they block in calls that do not reap), so `kill`
    from another thread is never stuck behind a `wait`.
    """

    __slots__ = ("__weakref__", "_lock", "_pidfd", "group_leader", "pid", "status")

    def __init__(self, pid: int, group_leader: bool) -> None:
        self.pid = pid
        self.status: int | None = None
        self.group_leader = group_leader
        self._lock = threading.Lock()
        self._pidfd = -1

    # -- reaping

    def _reap(self, flags: int) -> int | None:
        # Caller holds the lock.
        if self.status is not None:
            return self.status
        try:
            pid, raw = os.waitpid(self.pid, flags)
        except ChildProcessError:
            raise Error(
                ErrorKind.Uncategorized,
                f"child process {self.pid} was reaped by someone else (waitpid: ECHILD)",
            ) from None
        except OSError as e:
            raise Error.from_os_error(e) from None
        if pid == 0:
            return None
        self.status = raw
        self._close_pidfd()
        return raw

    def try_wait(self) -> int | None:
        """``waitpid(pid, WNOHANG)``: the raw status if the child has exited (reaping it), else None."""
        status = self.status
        if status is not None:
            return status
        with self._lock:
            return self._reap(os.WNOHANG)

    def wait(self, instant: float | None, *, sole_holder: bool = False) -> int:
        """Block until the child exits and reap it; `Error` TimedOut when *instant* passes first.

        *sole_holder*: the caller is the only code that can reach this child
        (``Command.status``/``output``), so no other thread can signal it
        while it is being reaped: one blocking ``waitpid`` replaces the
        ``waitid(WNOWAIT)`` + ``waitpid(WNOHANG)`` pair.
        """
        status = self.status
        if status is not None:
            return status
        if sole_holder and instant is None:
            with self._lock:
                raw = self._reap(0)
            assert raw is not None
            return raw
        if instant is not None:
            if not self.wait_exit(instant):
                raise _timed_out(f"waiting for child process {self.pid}")
        elif _HAS_WAITID:
            try:
                os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
            except ChildProcessError:
                pass  # reaped by another thread of ours; _reap below reports it
            except OSError as e:
                raise Error.from_os_error(e) from None
        with self._lock:
            raw = self._reap(os.WNOHANG if (instant is not None or _HAS_WAITID) else 0)
            if raw is None:  # pragma: no cover - waitid said it exited
                raw = self._reap(0)
            assert raw is not None
            return raw

    def wait_exit(self, instant: float) -> bool:
        """Whether the child exits before the monotonic *instant*; does not reap it."""
        if self.status is not None:
            return True
        fd = self._pidfd_or_none()
        if fd >= 0:
            return _poll_readable(fd, instant)
        # Portable fallback: look without reaping where waitid exists,
        # else reap (the caller reaps anyway).
        delay = 0.0005
        while True:
            if _HAS_WAITID:
                try:
                    info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG)
                except ChildProcessError:
                    return True
                except OSError as e:
                    raise Error.from_os_error(e) from None
                if info is not None and info.si_pid:
                    return True
            elif self.try_wait() is not None:
                return True
            remaining = instant - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.05)

    # -- pidfd

    def _pidfd_or_none(self) -> int:
        if not _HAS_PIDFD:
            return -1
        with self._lock:
            if self._pidfd < 0 and self.status is None:
                try:
                    # Race-free: an unreaped child's pid cannot be reused.
                    self._pidfd = os.pidfd_open(self.pid)
                except OSError:
                    return -1  # seccomp or old kernel: use the sleep loop
            return self._pidfd

    def open_pidfd(self) -> int:
        """A new pidfd for this (unreaped) child, owned by the caller; `Error` if impossible."""
        if not _HAS_PIDFD:
            raise Error(ErrorKind.Unsupported, "pidfd_open is not available on this system")
        with self._lock:
            if self.status is not None:
                raise Error(
                    ErrorKind.InvalidInput,
                    f"child process {self.pid} was already reaped; its pid may belong to another process",
                )
            try:
                return os.pidfd_open(self.pid)
            except OSError as e:
                raise Error.from_os_error(e) from None

    def _close_pidfd(self) -> None:
        fd, self._pidfd = self._pidfd, -1
        if fd >= 0:
            os.close(fd)

    # -- signals

    def send_signal(self, sig: int, *, block: bool = True) -> bool:
        """Signal the child (``pidfd_send_signal`` or ``kill``); False if it was already reaped.

        With ``block=False`` (finalisers) gives up, returning False, when
        another call holds the lock.
        """
        if not self._lock.acquire(blocking=block):
            return False
        try:
            if self.status is not None:
                return False
            try:
                if self._pidfd >= 0:
                    signal.pidfd_send_signal(self._pidfd, sig)
                else:
                    os.kill(self.pid, sig)
            except ProcessLookupError:
                return False
            except OSError as e:
                raise Error.from_os_error(e) from None
            return True
        finally:
            self._lock.release()

    def send_group_signal(self, sig: int) -> bool:
        """``killpg(pid, sig)`` for a child that leads its own group; False when the group is gone."""
        with self._lock:
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                return False
            except OSError as e:
                raise Error.from_os_error(e) from None
            return True

    def forget(self) -> None:
        """The owner is gone: reap now if possible, else leave the pid to `reap_orphans`.

        Runs in finalisers, possibly in the middle of another call on this
        process in the same thread, so it never blocks on the lock.
        """
        if self.status is not None:
            return
        if self._lock.acquire(blocking=False):
            try:
                if self._reap(os.WNOHANG) is not None:
                    return
            except Error:
                return  # reaped behind our back: nothing left to collect
            finally:
                self._lock.release()
        _orphans.append(self)

    def __del__(self) -> None:
        fd, self._pidfd = getattr(self, "_pidfd", -1), -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass


_orphans: list[Process] = []


def reap_orphans() -> int:
    """``waitpid(WNOHANG)`` each abandoned child; return how many are still running."""
    # pop/append are atomic under the GIL, so a finaliser adding an orphan
    # meanwhile is never lost.
    pending = []
    while _orphans:
        pending.append(_orphans.pop())
    for proc in pending:
        try:
            if proc.try_wait() is None:
                _orphans.append(proc)
        except Error:
            pass
    return len(_orphans)


def _poll_readable(fd: int, instant: float) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        ms = wait_ms(instant)
        try:
            if poller.poll(ms):
                return True
        except OSError as e:
            raise Error.from_os_error(e) from None
        if ms == 0:
            return False


# -- draining pipes ------------------------------------------------------------------------


def read_all(fd: int) -> bytes:
    """Read *fd* to end of file in C (``FileIO.readall``: ``read(2)`` into a growing buffer)."""
    try:
        with io.FileIO(fd, "rb", closefd=False) as f:
            return f.readall()
    except OSError as e:
        raise Error.from_os_error(e) from None


# 64 KiB: the default pipe capacity, and below glibc's mmap threshold, so
# each read reuses heap memory instead of faulting in fresh pages (measured:
# 256 KiB reads or 1 MiB pipes were slower, not faster).
_CHUNK: Final = 1 << 16


def drain(fds: Sequence[int], sinks: Sequence[list[bytes]], instant: float | None) -> None:
    """Read every descriptor in *fds* to end of file, appending the chunks to the matching sink.

    One thread, one ``poll(2)`` over all of them, then one ``read(2)`` per
    ready descriptor, so a child filling one pipe never blocks on the other.
    Raises `Error` TimedOut when *instant* passes first; the sinks keep
    what was read.
    """
    poller = select.poll()
    sink_of: dict[int, list[bytes]] = {}
    for fd, sink in zip(fds, sinks, strict=True):
        poller.register(fd, select.POLLIN)
        sink_of[fd] = sink
    read = os.read
    while sink_of:
        ms = -1 if instant is None else wait_ms(instant)
        try:
            ready = poller.poll(ms)
        except OSError as e:
            raise Error.from_os_error(e) from None
        if not ready:
            if ms == 0:
                raise _timed_out("reading the child's output")
            continue  # a far deadline is waited for a day at a time
        for fd, _events in ready:
            try:
                data = read(fd, _CHUNK)
            except OSError as e:
                raise Error.from_os_error(e) from None
            if data:
                sink_of[fd].append(data)
            else:
                poller.unregister(fd)
                del sink_of[fd]


# -- this process -------------------------------------------------------------------------


def getpid() -> int:
    """``getpid()``."""
    return os.getpid()


def exit_now(code: int) -> None:
    """``_exit(code)``: end the process at once (no unwinding, no further handlers)."""
    os._exit(code)


def abort() -> None:
    """``abort()``: SIGABRT, core dump where enabled; never returns."""
    os.abort()
