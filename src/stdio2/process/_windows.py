"""The Windows half of `Command.spawn`: handles for the child's streams, lookup, ``CreateProcessW``.

Portable decisions live in `_command`; this module turns a `Command` into
the arguments of `stdio2._sys.windows.process.create_process`. Every
standard handle the child gets is an *inheritable duplicate* made just for
this spawn (the parent's own handles stay non-inheritable) and closed right
after ``CreateProcessW``; the backend restricts inheritance to exactly those
handles.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from stdio2.io._error import Error, ErrorKind

if TYPE_CHECKING:
    from stdio2.process._command import Command

_win: Any = None
if sys.platform == "win32":
    import importlib

    _win = importlib.import_module("stdio2._sys.windows.process")

__all__ = ["start_windows", "stdio_owner"]

_NAMES = ("stdin", "stdout", "stderr")


def stdio_owner(source: object) -> Any:
    """The `OwnedHandle` a ``Stdio(source)`` holds: moved from an owner, duplicated from a borrow."""
    from stdio2._sys._owner import Owner
    from stdio2.os.windows.io import BorrowedHandle, OwnedHandle, _HandleCell

    if isinstance(source, Owner) and isinstance(source._cell, _HandleCell):
        return OwnedHandle(source)
    if isinstance(source, int) and not isinstance(source, bool):
        raise TypeError(
            "Stdio(...) takes a handle owner (File, OwnedHandle, ChildStdout ...), not a bare "
            f"number; adopt it with Stdio(OwnedHandle.from_raw_handle({source}))"
        )
    as_handle = getattr(source, "as_handle", None)
    if as_handle is not None and not isinstance(source, type):
        borrowed = as_handle()
        if isinstance(borrowed, BorrowedHandle):
            return borrowed.try_clone_to_owned()
    raise TypeError(
        "Stdio(...) takes a handle owner (File, OwnedHandle, ChildStdout, PipeReader ...) or "
        f"an object with as_handle(), got {type(source).__name__}; "
        "or use Stdio.inherit(), Stdio.piped(), Stdio.null()"
    )


def _child_env(cmd: Command) -> tuple[str | None, str | None, bool]:
    # (environment block or None to inherit, the child's PATH, whether PATH changed)
    if not cmd._env_clear and not cmd._env:
        return None, None, False
    pairs: dict[str, str] = {} if cmd._env_clear else _win.environ_pairs()
    path_changed = cmd._env_clear
    path_key = _win.env_key("PATH")
    for k, v in cmd._env.items():
        key = k.__fspath__()
        wanted = _win.env_key(key)
        if wanted == path_key:
            path_changed = True
        # Windows' own comparison (env_key), not str.upper: "ß" and "SS" are two variables.
        for existing in [e for e in pairs if _win.env_key(e) == wanted]:
            del pairs[existing]
        if v is not None:
            pairs[key] = v.__fspath__()
    block: str = _win.environment_block(pairs.items())
    child_path = next((v for k, v in pairs.items() if k.upper() == "PATH"), None)
    return block, child_path, path_changed


def _command_line(cmd: Command, resolved: str) -> tuple[str | None, str]:
    args: list[Any] = []
    for i, a in enumerate(cmd._args):
        text = a.__fspath__()
        args.append(_win.RawArg(text) if i in cmd._raw_args else text)
    if _win.is_batch_file(resolved):
        return _win.cmd_exe_path(), _win.make_bat_command_line(resolved, args)
    arg0 = (cmd._arg0 or cmd._program).__fspath__()
    return resolved, _win.make_command_line(arg0, args)


def start_windows(cmd: Command, default_in: str, default_out: str) -> tuple[Any, list[Any]]:
    """Start *cmd* with ``CreateProcessW``: the process and the parent's pipe ends; see `Command.spawn`."""
    from stdio2._sys.windows import handle as _h
    from stdio2.os.windows.io import _HandleCell
    from stdio2.process._command import _FD, _INHERIT, _NULL, _PIPED
    from stdio2.process._pipes import ChildStderr, ChildStdin, ChildStdout

    program = cmd._program.__fspath__()
    shown = cmd._program.to_string_lossy()
    env_block, child_path, path_changed = _child_env(cmd)
    parent_path = next((v for k, v in _win.environ_pairs().items() if k.upper() == "PATH"), None)
    dirs = _win.search_dirs(child_path if path_changed else None, _win.app_dir(), parent_path)
    resolved = _win.resolve_program(program, dirs)
    if resolved is None:
        raise Error.from_raw_os_error(_win.ERROR_FILE_NOT_FOUND, path=shown)
    application, line = _command_line(cmd, resolved)
    cwd = None if cmd._cwd is None else cmd._cwd.__fspath__()

    stdio = (cmd._stdin, cmd._stdout, cmd._stderr)
    defaults = (default_in, default_out, default_out)
    child_handles: list[int] = []
    parent_ends: list[Any] = [None, None, None]
    try:
        for target, (cfg, default) in enumerate(zip(stdio, defaults, strict=True)):
            kind = default if cfg is None else cfg._kind
            if kind == _INHERIT:
                child_handles.append(_win.inheritable_duplicate(_win.std_handle(target)))
            elif kind == _NULL:
                child_handles.append(_win.open_nul(write=target != 0))
            elif kind == _PIPED:
                parent, child = _win.make_pipe(child_reads=target == 0)
                child_handles.append(child)
                cls: Any = (ChildStdin, ChildStdout, ChildStderr)[target]
                parent_ends[target] = cls._wrap(_HandleCell(parent, _h.KERNEL32))
            else:
                assert kind == _FD and cfg is not None
                owner = cfg._owner
                if owner is None or owner.closed():
                    raise Error(
                        ErrorKind.InvalidInput,
                        f"the handle given as the child's {_NAMES[target]} was already handed to an "
                        "earlier child (a Stdio from a handle is used once)",
                    )
                child_handles.append(_win.inheritable_duplicate(owner.as_raw_handle()))
        proc = _win.create_process(
            application,
            line,
            env_block=env_block,
            cwd=cwd,
            flags=cmd._creation_flags,
            std=(child_handles[0], child_handles[1], child_handles[2]),
            shown=shown,
        )
    except BaseException:
        for end in parent_ends:
            if end is not None:
                end.close()
        raise
    finally:
        for h in child_handles:
            _win.close_handle(h)
    # As on Unix: a handle moved into a Stdio belongs to the child now.
    for cfg in stdio:
        if cfg is not None and cfg._kind == _FD and cfg._owner is not None:
            owner, cfg._owner = cfg._owner, None
            owner.close()
    return proc, parent_ends
