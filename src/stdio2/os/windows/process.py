r"""Windows extensions to `stdio2.process` (Rust's ``std::os::windows::process``).

`CommandExt.creation_flags` and `CommandExt.raw_arg`, and the pure
command-line builders Windows needs because a child receives one string,
not an argument list: `make_command_line` (C-runtime quoting that
round-trips through ``CommandLineToArgvW``) and `make_bat_command_line`
(cmd.exe quoting for ``.bat``/``.cmd`` files, which refuses arguments that
cannot be passed safely: the CVE-2024-24576 "BatBadBut" case). This module
is importable on every platform; the builders make no system call.

>>> from stdio2.os.windows.process import make_command_line
>>> print(make_command_line("C:\\Tools\\app.exe", ["a b", 'say "hi"', "end\\"]))
"C:\Tools\app.exe" "a b" "say \"hi\"" end\
"""

from __future__ import annotations

from stdio2._sys.windows.process import (
    RawArg,
    environment_block,
    is_batch_file,
    make_bat_command_line,
    make_command_line,
)
from stdio2.process import Command
from stdio2.process._command import _os_arg

__all__ = [
    "CommandExt",
    "RawArg",
    "environment_block",
    "is_batch_file",
    "make_bat_command_line",
    "make_command_line",
]


def _command(cmd: object, call: str) -> Command:
    if not isinstance(cmd, Command):
        raise TypeError(f"{call} takes a Command first, got {type(cmd).__name__}")
    return cmd


class CommandExt:
    """Windows-only `Command` settings (Rust's ``std::os::windows::process::CommandExt``)."""

    __slots__ = ()

    @staticmethod
    def creation_flags(cmd: Command, flags: int, /) -> Command:
        """Pass *flags* (``CREATE_NO_WINDOW``, ``DETACHED_PROCESS`` ...) to ``CreateProcessW``."""
        c = _command(cmd, "CommandExt.creation_flags")
        if isinstance(flags, bool) or not isinstance(flags, int):
            raise TypeError(f"CommandExt.creation_flags takes an int, got {type(flags).__name__}")
        if not 0 <= flags <= 0xFFFFFFFF:
            raise ValueError("CommandExt.creation_flags: flags are a 32-bit DWORD")
        c._creation_flags = flags
        return cmd

    @staticmethod
    def raw_arg(cmd: Command, text: str, /) -> Command:
        """Append *text* to the command line unquoted (for programs with their own parsing).

        Only Windows command lines distinguish raw text; the caller is
        responsible for its quoting (Rust's ``raw_arg``). Returns *cmd*.
        """
        c = _command(cmd, "CommandExt.raw_arg")
        c._raw_args.add(len(c._args))
        c._args.append(_os_arg(text, "CommandExt.raw_arg(cmd, text)"))
        return cmd
