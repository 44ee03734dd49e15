"""`ExitStatus`, `ExitStatusError`, `Output`: what a finished child leaves behind."""

from __future__ import annotations

import sys
from typing import Any

import attrs

__all__ = ["ExitStatus", "ExitStatusError", "Output", "exit_status"]

if sys.platform == "win32":
    _unix: Any = None
else:
    from stdio2._sys.unix import process as _unix


def _raw_arg(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"ExitStatus takes a raw status (int), got {type(value).__name__}")
    return value


@attrs.frozen(repr=False)
class ExitStatus:
    """How a child process ended (Rust's ``ExitStatus``); an immutable, hashable value.

    On Unix it wraps the raw ``waitpid`` status (``ExitStatus()`` is a
    successful exit; `stdio2.os.unix.process.ExitStatusExt` builds one from
    a raw status and reads signals); on Windows the exit code. No method
    makes a system call.
    """

    _raw: int = attrs.field(default=0, converter=_raw_arg)

    def success(self) -> bool:
        """Whether the process exited normally with code 0."""
        return self.code() == 0

    def code(self) -> int | None:
        """The exit code, or None when the process was ended by a signal (Unix)."""
        if _unix is None:
            return self._raw
        code: int | None = _unix.exit_code(self._raw)
        return code

    def exit_ok(self) -> None:
        """Return None on success; raise `ExitStatusError` otherwise (Rust's ``exit_ok``)."""
        if not self.success():
            raise ExitStatusError(self)

    def __str__(self) -> str:
        raw = self._raw
        if _unix is None:
            return f"exit code: {raw:#x}" if raw & 0x80000000 else f"exit code: {raw}"
        code = _unix.exit_code(raw)
        if code is not None:
            return f"exit status: {code}"
        sig = _unix.term_signal(raw)
        if sig is not None:
            text = f"signal: {_show_signal(sig)}"
            return text + " (core dumped)" if _unix.core_dumped(raw) else text
        sig = _unix.stopped_signal(raw)
        if sig is not None:
            return f"stopped (not terminated) by signal: {_show_signal(sig)}"
        if _unix.continued(raw):
            return "continued (WIFCONTINUED)"
        return f"unrecognised wait status: {raw} {raw:#x}"

    def __repr__(self) -> str:
        return f"ExitStatus({self})"


_new = object.__new__
_set_raw = object.__setattr__  # frozen: attrs' own __setattr__ refuses


def exit_status(raw: int) -> ExitStatus:
    """An `ExitStatus` of a raw status the OS just gave (trusted: no converter call)."""
    status: ExitStatus = _new(ExitStatus)
    _set_raw(status, "_raw", raw)
    return status


def _show_signal(sig: int) -> str:
    name = _unix.signal_name(sig)
    return f"{sig} ({name})" if name else str(sig)


class ExitStatusError(Exception):
    """A failed `ExitStatus`, raised by `ExitStatus.exit_ok` (Rust's ``ExitStatusError``).

    Not an `stdio2.io.Error`: the child ran; it just did not succeed.
    """

    def __init__(self, status: ExitStatus) -> None:
        if not isinstance(status, ExitStatus):
            raise TypeError(f"ExitStatusError takes an ExitStatus, got {type(status).__name__}")
        if status.success():
            raise ValueError("ExitStatusError needs an unsuccessful ExitStatus")
        super().__init__(status)
        self._status = status

    def code(self) -> int | None:
        """The non-zero exit code, or None when the process was ended by a signal."""
        return self._status.code()

    def into_status(self) -> ExitStatus:
        """The `ExitStatus` this error reports."""
        return self._status

    def __str__(self) -> str:
        return f"process exited unsuccessfully: {self._status}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ExitStatusError, (self._status,))


def _bytes_field(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"Output: stdout/stderr must be bytes, got {type(value).__name__}")


def _status_field(value: object) -> ExitStatus:
    if not isinstance(value, ExitStatus):
        raise TypeError(f"Output: status must be an ExitStatus, got {type(value).__name__}")
    return value


@attrs.frozen
class Output:
    """A finished child's status and everything it wrote (Rust's ``Output``); immutable.

    Returned by `Command.output` and `Child.wait_with_output`; ``stdout`` /
    ``stderr`` are empty when that stream was not captured.
    """

    status: ExitStatus = attrs.field(converter=_status_field)
    stdout: bytes = attrs.field(converter=_bytes_field)
    stderr: bytes = attrs.field(converter=_bytes_field)
