"""Audit (issue 9): finding the program to start on Windows follows Rust's ``resolve_exe``.

- PATH entries are split with the Windows path-list rule (`env.split_paths`):
  a quoted entry may hold ``;``. stdio2 split at every ``;`` and stripped
  the quotes afterwards, turning ``"C:\\a;b"`` into ``C:\\a`` and ``b``.
- An empty program, or one ending in a separator, is InvalidInput ("program
  path has no file name"), not NotFound.
- ``.exe`` is appended to a path that does not end in ``.exe`` when that
  file exists (``tool.v2`` finds ``tool.v2.exe``), and to a bare name only
  when it has no ``.`` at all (``.hidden`` is looked up as it is).
The pure parts run everywhere; the file look-ups run on Windows (Wine here).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stdio2._sys.windows.process import resolve_program, search_dirs
from stdio2.io import Error, ErrorKind

windows_only = pytest.mark.skipif(sys.platform != "win32", reason="GetFileAttributesW")


def test_quoted_path_entries_keep_their_semicolons() -> None:
    dirs = search_dirs('"C:\\a;b";C:\\c;;', "D:\\app", 'E:\\p;"F:\\q"')
    expected = ["C:\\a;b", "C:\\c", "D:\\app"]
    if sys.platform != "win32":  # no system directories off Windows
        assert dirs == [*expected, "E:\\p", "F:\\q"]
    else:
        assert dirs[:3] == expected and dirs[-2:] == ["E:\\p", "F:\\q"]


@pytest.mark.parametrize("program", ["", "C:\\tools\\", "bin/"])
def test_a_program_without_a_file_name_is_invalid_input(program: str) -> None:
    with pytest.raises(Error) as info:
        resolve_program(program, [])
    assert info.value.kind is ErrorKind.InvalidInput


@windows_only
def test_exe_is_appended_to_a_path_with_another_extension(tmp_path: Path) -> None:
    (tmp_path / "tool.v2.exe").write_bytes(b"")
    assert resolve_program(str(tmp_path / "tool.v2"), []) == str(tmp_path / "tool.v2") + ".exe"
    # Already .exe (any case): used as given, existing or not.
    assert resolve_program(str(tmp_path / "x.EXE"), []) == str(tmp_path / "x.EXE")
    # No such .exe: the path as given, CreateProcessW reports what is wrong.
    assert resolve_program(str(tmp_path / "other.v2"), []) == str(tmp_path / "other.v2")


@windows_only
def test_a_bare_name_with_a_dot_is_searched_as_it_is(tmp_path: Path) -> None:
    (tmp_path / ".hidden").write_bytes(b"")
    (tmp_path / "plain.exe").write_bytes(b"")
    assert resolve_program(".hidden", [str(tmp_path)]) == str(tmp_path) + "\\.hidden"
    assert resolve_program("plain", [str(tmp_path)]) == str(tmp_path) + "\\plain.exe"
    assert resolve_program("missing", [str(tmp_path)]) is None


@windows_only
def test_command_with_an_empty_program_is_invalid_input() -> None:
    from stdio2.process import Command

    with pytest.raises(Error) as info:
        Command("").status()
    assert info.value.kind is ErrorKind.InvalidInput
