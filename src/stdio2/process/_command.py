"""`Command` (the process builder) and `Stdio` (what a child's standard stream is connected to)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Final

from stdio2.io._deadline import current_instant
from stdio2.io._error import Error, ErrorKind
from stdio2.os_str import OsString
from stdio2.process._child import Child
from stdio2.process._pipes import ChildStderr, ChildStdin, ChildStdout
from stdio2.process._status import ExitStatus, Output, exit_status

if sys.platform == "win32":
    import importlib

    _backend: Any = importlib.import_module("stdio2._sys.windows.process")
    _win: Any = _backend
    _fd: Any = None
    _fdmod: Any = None
else:
    _win: Any = None
    from stdio2._sys.unix import fd as _fd
    from stdio2._sys.unix import process as _backend
    from stdio2.os import fd as _fdmod

__all__ = ["Command", "Stdio"]

_from_fspath = OsString.from_fspath

_INHERIT: Final = "inherit"
_PIPED: Final = "piped"
_NULL: Final = "null"
_FD: Final = "fd"


class Stdio:
    """What a child's stdin, stdout or stderr is connected to (Rust's ``Stdio``).

    ``Stdio.inherit()`` (the parent's stream), ``Stdio.piped()`` (a new pipe
    whose parent end appears on the `Child`), ``Stdio.null()``
    (``/dev/null``), or ``Stdio(owner)``: a descriptor owner (``File``,
    ``OwnedFd``, ``PipeReader``/``PipeWriter``, a `ChildStdout` of another
    child ...) whose descriptor is *moved* into the Stdio (the owner is left
    closed); the child gets it as the stream and the parent's copy is closed
    once a child was spawned with it. A borrowed descriptor (``BorrowedFd``,
    ``stdio2.io.stdout()``) is duplicated instead (``F_DUPFD_CLOEXEC``).
    """

    __slots__ = ("_kind", "_owner")

    _kind: str
    _owner: Any

    def __init__(self, source: object, /) -> None:
        if isinstance(source, Stdio):
            self._kind, self._owner = source._kind, source._owner
            source._owner = None
            return
        if _fdmod is None:  # Windows: a handle owner (moved) or a handle borrow (duplicated)
            from stdio2.process._windows import stdio_owner

            self._kind = _FD
            self._owner = stdio_owner(source)
            return
        if isinstance(source, _fdmod.FdOwner):
            owner = _fdmod.OwnedFd(source)
        elif isinstance(source, int) and not isinstance(source, bool):
            raise TypeError(
                "Stdio(...) takes a descriptor owner (File, OwnedFd, ChildStdout ...), not a bare "
                f"number; adopt it with Stdio(OwnedFd.from_raw_fd({source}))"
            )
        elif hasattr(source, "as_fd") and not isinstance(source, type):
            cell = _fdmod.fd_of(source, "Stdio(...)")
            owner = _fdmod.OwnedFd._adopt(_fdmod._dup(cell, "descriptor"))
            del cell
        else:
            raise TypeError(
                "Stdio(...) takes a descriptor owner (File, OwnedFd, ChildStdout, PipeReader ...) or "
                f"an object with as_fd(), got {type(source).__name__}; "
                "or use Stdio.inherit(), Stdio.piped(), Stdio.null()"
            )
        self._kind = _FD
        self._owner = owner

    @classmethod
    def _make(cls, kind: str) -> Stdio:
        self = object.__new__(cls)
        self._kind = kind
        self._owner = None
        return self

    @classmethod
    def inherit(cls) -> Stdio:
        """The child uses the parent's stream (the default for `Command.spawn` and `status`)."""
        return cls._make(_INHERIT)

    @classmethod
    def piped(cls) -> Stdio:
        """A new pipe (``pipe2(O_CLOEXEC)``) between parent and child; the parent end goes on the `Child`."""
        return cls._make(_PIPED)

    @classmethod
    def null(cls) -> Stdio:
        """``/dev/null`` (``NUL`` on Windows): reads give end of file, writes are discarded."""
        return cls._make(_NULL)

    def __repr__(self) -> str:
        if self._kind == _FD:
            return f"Stdio({self._owner!r})"
        return f"Stdio.{self._kind}()"


def _stdio_arg(value: object, call: str) -> Stdio:
    if isinstance(value, Stdio):
        return value
    try:
        return Stdio(value)
    except TypeError:
        raise TypeError(
            f"{call} takes a Stdio (Stdio.inherit(), Stdio.piped(), Stdio.null(), Stdio(file)) "
            f"or a descriptor owner, got {type(value).__name__}"
        ) from None


def _os_arg(value: object, call: str) -> OsString:
    try:
        return _from_fspath(value)
    except TypeError:
        raise TypeError(
            f"{call} takes a str, bytes, OsString or os.PathLike, got {type(value).__name__}"
        ) from None


def _nul_error(what: str, value: OsString) -> Error:
    return Error(ErrorKind.InvalidInput, f"nul byte found in provided data: {what} {value!r}")


class Command:
    """A process builder (Rust's ``Command``): program, arguments, environment, directory, streams.

    Setters return the command so calls chain. `spawn` starts the program
    and returns a `Child`; `status` runs it to completion with inherited
    streams; `output` runs it with stdin on ``/dev/null`` and stdout/stderr
    captured. Arguments and environment values are `str`, `bytes`,
    `OsString` or ``os.PathLike`` and reach the child byte-exact (Unix: a
    `str` is encoded with ``os.fsencode``). A name without ``/`` is looked
    up in ``PATH`` (the child's, if this command sets or removes it).
    """

    __slots__ = (
        "_arg0",
        "_args",
        "_create_pidfd",
        "_creation_flags",
        "_cwd",
        "_env",
        "_env_clear",
        "_gid",
        "_groups",
        "_kill_on_drop",
        "_pgroup",
        "_program",
        "_raw_args",
        "_setsid",
        "_stderr",
        "_stdin",
        "_stdout",
        "_uid",
    )

    def __init__(self, program: str | bytes | OsString | Any) -> None:
        self._program = _os_arg(program, "Command(program)")
        self._args: list[OsString] = []
        self._raw_args: set[int] = set()
        self._arg0: OsString | None = None
        self._env: dict[OsString, OsString | None] = {}
        self._env_clear = False
        self._cwd: OsString | None = None
        self._stdin: Stdio | None = None
        self._stdout: Stdio | None = None
        self._stderr: Stdio | None = None
        self._pgroup: int | None = None
        self._setsid = False
        self._uid: int | None = None
        self._gid: int | None = None
        self._groups: tuple[int, ...] | None = None
        self._kill_on_drop = False
        self._create_pidfd = False
        self._creation_flags = 0

    # -- building

    def arg(self, arg: str | bytes | OsString | Any) -> Command:
        """Append one argument (passed as is: no shell, no splitting, no globbing)."""
        self._args.append(_os_arg(arg, "Command.arg(arg)"))
        return self

    def args(self, args: Any) -> Command:
        """Append each argument of the iterable *args* (a lone str is refused: use `arg`)."""
        if isinstance(args, (str, bytes, OsString)):
            raise TypeError("Command.args(args) takes an iterable of arguments; for one argument use arg()")
        self._args.extend(_os_arg(a, "Command.args(args)") for a in args)
        return self

    def env(self, key: str | bytes | OsString | Any, val: str | bytes | OsString | Any) -> Command:
        """Set the variable *key* to *val* in the child's environment (the parent's is unchanged)."""
        self._env[_os_arg(key, "Command.env(key, val)")] = _os_arg(val, "Command.env(key, val)")
        return self

    def envs(self, vars: Any) -> Command:
        """Set each ``(key, value)`` of *vars* (a mapping or an iterable of pairs)."""
        items = vars.items() if hasattr(vars, "items") else vars
        for key, val in items:
            self.env(key, val)
        return self

    def env_remove(self, key: str | bytes | OsString | Any) -> Command:
        """Remove *key* from the child's environment (whether inherited or set with `env`)."""
        self._env[_os_arg(key, "Command.env_remove(key)")] = None
        return self

    def env_clear(self) -> Command:
        """Start the child with an empty environment plus what `env` sets afterwards."""
        self._env_clear = True
        self._env.clear()
        return self

    def current_dir(self, dir: str | bytes | OsString | Any) -> Command:
        """Run the child in *dir* (relative names are relative to the parent's directory)."""
        self._cwd = _os_arg(dir, "Command.current_dir(dir)")
        return self

    def stdin(self, cfg: Stdio | Any) -> Command:
        """Connect the child's stdin (a `Stdio`, or a descriptor owner moved into one)."""
        self._stdin = _stdio_arg(cfg, "Command.stdin(cfg)")
        return self

    def stdout(self, cfg: Stdio | Any) -> Command:
        """Connect the child's stdout (a `Stdio`, or a descriptor owner moved into one)."""
        self._stdout = _stdio_arg(cfg, "Command.stdout(cfg)")
        return self

    def stderr(self, cfg: Stdio | Any) -> Command:
        """Connect the child's stderr (a `Stdio`, or a descriptor owner moved into one)."""
        self._stderr = _stdio_arg(cfg, "Command.stderr(cfg)")
        return self

    def kill_on_drop(self, kill_on_drop: bool) -> Command:
        """Whether a `Child` of this command is killed (SIGKILL) when collected or leaving ``with``."""
        self._kill_on_drop = bool(kill_on_drop)
        return self

    # -- inspecting

    def get_program(self) -> OsString:
        """The program as given to the constructor."""
        return self._program

    def get_args(self) -> list[OsString]:
        """The arguments (not including the program)."""
        return list(self._args)

    def get_envs(self) -> list[tuple[OsString, OsString | None]]:
        """The variables this command sets (value) or removes (None), sorted by name.

        Does not include the inherited environment, and does not say whether
        `env_clear` was called (as in Rust).
        """
        return sorted(self._env.items(), key=lambda kv: kv[0].as_encoded_bytes())

    def get_current_dir(self) -> Path | None:
        """The directory set with `current_dir`, or None."""
        return None if self._cwd is None else Path(self._cwd.__fspath__())

    def __repr__(self) -> str:
        parts = [self._program, *self._args]
        return "Command(" + " ".join(repr(p.to_string_lossy()) for p in parts) + ")"

    # -- running

    def spawn(self) -> Child:
        """Start the program with its streams inherited unless set; return the `Child`.

        Unix: ``posix_spawn`` (or `subprocess`'s C fork/exec for options it
        lacks: ``current_dir``, uid/gid/groups); Windows: ``CreateProcessW``
        with exactly the three standard handles inherited. Raises `Error` in the
        parent, naming the program or directory: NotFound (no such program
        or directory), PermissionDenied (not executable), InvalidInput (a
        NUL in an argument or variable, a descriptor already given to an
        earlier child), and the OS errors of pipe creation (EMFILE ...).
        """
        return self._spawn(_INHERIT, _INHERIT)

    def status(self) -> ExitStatus:
        """Run the program with inherited streams and wait for it; return its `ExitStatus`.

        Streams set to `Stdio.piped` are closed by the parent at once (no
        one could read them, and a child blocked on a full pipe would never
        exit). Under an active `Deadline` that passes, the child is killed
        and reaped and `Error` TimedOut is raised.
        """
        # No Child: nothing but this call can reach the process, and the
        # spawn-and-wait path is short (every Python step costs microseconds
        # right after the child ran on this CPU).
        proc, ends = self._start(_INHERIT, _INHERIT)
        for end in ends:
            if end is not None:
                end.close()
        try:
            return exit_status(proc.wait(current_instant(), sole_holder=True))
        except BaseException:
            _abandon(Child._new(proc, None, None, None, False))
            raise

    def output(self) -> Output:
        """Run the program with stdin on ``/dev/null`` and stdout/stderr captured (unless set).

        Both pipes are drained concurrently by one thread, so no amount of
        output on both deadlocks. Under an active `Deadline` that passes,
        the child is killed and reaped and `Error` TimedOut is raised.
        """
        child = self._spawn(_NULL, _PIPED)
        try:
            return child._wait_with_output(sole_holder=True)
        except BaseException:
            _abandon(child)
            raise

    def _prepare(self) -> tuple[bytes, list[bytes], dict[bytes, bytes] | None, bytes | None, str]:
        # (path to run, argv, environment or None to inherit, directory, program for messages)
        program = self._program.as_encoded_bytes()
        argv = [(self._arg0 if self._arg0 is not None else self._program).as_encoded_bytes()]
        argv.extend(a.as_encoded_bytes() for a in self._args)
        if b"\0" in program:
            raise _nul_error("program", self._program)
        for b in argv:
            if b"\0" in b:
                raise _nul_error("argument", OsString._from_inner(b))
        env = self._child_env()
        cwd = None
        if self._cwd is not None:
            cwd = self._cwd.as_encoded_bytes()
            if b"\0" in cwd:
                raise _nul_error("directory", self._cwd)
        if _backend.has_separator(program):
            path = program  # run as named (relative to the child's directory, as execvp)
        else:
            if self._env_clear or any(k.as_encoded_bytes() == b"PATH" for k in self._env):
                # The child's PATH decides, as execvp in the child would see it.
                path_var = None if env is None else env.get(b"PATH")
            else:
                path_var = _backend.parent_path_var()
            path = _backend.find_program(program, path_var)
        return path, argv, env, cwd, self._program.to_string_lossy()

    def _request(self, specs: list[int], prepared: tuple[Any, ...]) -> Any:
        path, argv, env, cwd, shown = prepared
        return _backend.SpawnRequest(
            path,
            argv,
            env,
            (specs[0], specs[1], specs[2]),
            shown=shown,
            cwd=cwd,
            pgroup=self._pgroup,
            setsid=self._setsid,
            uid=self._uid,
            gid=self._gid,
            groups=self._groups,
        )

    def _exec_request(self) -> Any:
        # CommandExt.exec: the streams are set up in this process itself.
        specs = []
        for target, cfg in enumerate((self._stdin, self._stdout, self._stderr)):
            kind = _INHERIT if cfg is None else cfg._kind
            if kind == _PIPED:
                raise Error(
                    ErrorKind.InvalidInput,
                    f"CommandExt.exec: Stdio.piped() for {_STREAM_NAMES[target]} has no parent to read it",
                )
            if kind == _INHERIT:
                specs.append(_backend.INHERIT)
            elif kind == _NULL:
                specs.append(_backend.NULL)
            else:
                assert cfg is not None
                if cfg._owner is None or cfg._owner.closed():
                    raise Error(ErrorKind.InvalidInput, "CommandExt.exec: that descriptor was already used")
                specs.append(cfg._owner.as_raw_fd())
        return self._request(specs, self._prepare())

    def _spawn(self, default_in: str, default_out: str) -> Child:
        proc, ends = self._start(default_in, default_out)
        child = Child._new(proc, ends[0], ends[1], ends[2], self._kill_on_drop)
        if self._create_pidfd:
            from stdio2.os.linux.process import ChildExt

            try:
                ChildExt.pidfd(child)
            except BaseException:
                child.kill()
                child.wait()
                child._close_pipes()
                raise
        return child

    def _start(self, default_in: str, default_out: str) -> tuple[Any, list[Any]]:
        # Start the process: the backend's process object and the parent's
        # ends of the piped streams (stdin, stdout, stderr; None where not
        # piped). A stream left unset takes the given default.
        if _fd is None:
            from stdio2.process._windows import start_windows

            return start_windows(self, default_in, default_out)
        prepared = self._prepare()
        stdio = (self._stdin, self._stdout, self._stderr)
        defaults = (default_in, default_out, default_out)
        specs: list[int] = []
        parent_ends: list[Any] = [None, None, None]
        child_ends: list[int] = []
        try:
            for target, (cfg, default) in enumerate(zip(stdio, defaults, strict=True)):
                kind = default if cfg is None else cfg._kind
                if kind == _INHERIT:
                    specs.append(_backend.INHERIT)
                elif kind == _NULL:
                    specs.append(_backend.NULL)
                elif kind == _PIPED:
                    r, w = _fd.make_pipe()
                    if target == 0:
                        child_ends.append(r)
                        specs.append(r)
                        parent_ends[0] = ChildStdin._adopt(_fd.new_cell(w))  # type: ignore[attr-defined,unused-ignore]
                    else:
                        child_ends.append(w)
                        specs.append(w)
                        cls: Any = ChildStdout if target == 1 else ChildStderr
                        parent_ends[target] = cls._adopt(_fd.new_cell(r))
                else:
                    assert cfg is not None
                    owner = cfg._owner
                    if owner is None or owner.closed():
                        raise Error(
                            ErrorKind.InvalidInput,
                            f"the descriptor given as the child's {_STREAM_NAMES[target]} was already "
                            "handed to an earlier child (a Stdio from a descriptor is used once)",
                        )
                    specs.append(owner.as_raw_fd())
            req = self._request(specs, prepared)
            proc = _backend.spawn(req)
        except BaseException:
            for end in parent_ends:
                if end is not None:
                    end.close()
            raise
        finally:
            for fd in child_ends:
                _fd.close_fd(fd)
        # The child has its copies now; the parent's copies of moved-in
        # descriptors are closed (a pipeline's reader must not be kept open
        # by us, or the writer never sees EPIPE).
        for cfg in stdio:
            if cfg is not None and cfg._kind == _FD and cfg._owner is not None:
                owner, cfg._owner = cfg._owner, None
                owner.close()
        return proc, parent_ends

    def _child_env(self) -> dict[bytes, bytes] | None:
        if not self._env_clear and not self._env:
            return None
        env: dict[bytes, bytes] = {} if self._env_clear else _backend.environ_bytes()
        for key, val in self._env.items():
            k = key.as_encoded_bytes()
            if val is None:
                env.pop(k, None)
                continue
            if not k or b"=" in k or b"\0" in k:
                raise Error(
                    ErrorKind.InvalidInput,
                    f"invalid environment variable name {key!r} (empty, or contains '=' or NUL)",
                )
            v = val.as_encoded_bytes()
            if b"\0" in v:
                raise _nul_error(f"value of environment variable {key.to_string_lossy()!r}:", val)
            env[k] = v
        return env


_STREAM_NAMES: Final = ("stdin", "stdout", "stderr")


def _abandon(child: Child) -> None:
    # status()/output() own their child: if waiting failed (deadline,
    # KeyboardInterrupt) nobody else can reach it, so kill and reap it in
    # bounded time.
    try:
        child.terminate_then_kill(0.0)
    except Error:
        pass
