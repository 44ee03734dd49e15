"""Windows command lines, tested on any OS: round trip through the MSVC rules; batch-file safety."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2.io import Error, ErrorKind
from stdio2.os.windows.process import (
    CommandExt,
    RawArg,
    environment_block,
    is_batch_file,
    make_bat_command_line,
    make_command_line,
)
from stdio2.process import Command

WS = " \t"


def msvc_parse(line: str) -> list[str]:
    """A reference parser written from Microsoft's documented rules ("Parsing C++ command-line arguments").

    argv[0]: quotes toggle quoting, nothing is escaped, unquoted space/tab ends it.
    Then: space/tab outside quotes separate; 2n backslashes + quote -> n
    backslashes and the quote toggles; 2n+1 backslashes + quote -> n
    backslashes and a literal quote; other backslashes are literal; inside
    quotes, "" is a literal quote.
    """
    i, n = 0, len(line)
    argv0: list[str] = []
    quoted = False
    while i < n:
        c = line[i]
        if c == '"':
            quoted = not quoted
        elif c in WS and not quoted:
            break
        else:
            argv0.append(c)
        i += 1
    out = ["".join(argv0)]
    while i < n and line[i] in WS:
        i += 1
    cur: list[str] = []
    quoted = False
    started = False
    while i < n:
        c = line[i]
        if c in WS and not quoted:
            out.append("".join(cur))
            cur, started = [], False
            while i < n and line[i] in WS:
                i += 1
            continue
        started = True
        if c == "\\":
            j = i
            while j < n and line[j] == "\\":
                j += 1
            count = j - i
            if j < n and line[j] == '"':
                cur.append("\\" * (count // 2))
                if count % 2:
                    cur.append('"')
                    i = j + 1
                else:
                    i = j  # the quote is processed as a quote below
                continue
            cur.append("\\" * count)
            i = j
            continue
        if c == '"':
            if quoted and i + 1 < n and line[i + 1] == '"':
                cur.append('"')
                i += 2
                continue
            quoted = not quoted
            i += 1
            continue
        cur.append(c)
        i += 1
    if started or cur:
        out.append("".join(cur))
    return out


def test_reference_parser_matches_documented_examples() -> None:
    # The table from Microsoft's documentation.
    assert msvc_parse('p "a b c" d e') == ["p", "a b c", "d", "e"]
    assert msvc_parse('p "ab\\"c" "\\\\" d') == ["p", 'ab"c', "\\", "d"]
    assert msvc_parse('p a\\\\\\b d"e f"g h') == ["p", "a\\\\\\b", "de fg", "h"]
    assert msvc_parse('p a\\\\\\"b c d') == ["p", 'a\\"b', "c", "d"]
    assert msvc_parse('p a\\\\\\\\"b c" d e') == ["p", "a\\\\b c", "d", "e"]
    assert msvc_parse('p a"b"" c d') == ["p", 'ab" c d']
    assert msvc_parse('"C:\\Program Files\\x.exe" ""') == ["C:\\Program Files\\x.exe", ""]


def test_known_lines() -> None:
    assert make_command_line("prog", []) == '"prog"'
    assert make_command_line("prog", ["", "a b", "x\ty"]) == '"prog" "" "a b" "x\ty"'
    assert make_command_line("prog", ['a"b', "c\\", 'd\\"e']) == '"prog" a\\"b c\\ d\\\\\\"e'
    assert make_command_line("prog", ["end\\ ", "x"]) == '"prog" "end\\ " x'
    assert make_command_line("prog", ["a b\\"]) == '"prog" "a b\\\\"'
    assert make_command_line("prog", ["a"], force_quotes=True) == '"prog" "a"'
    assert make_command_line("prog", [RawArg('/c "raw stuff"'), "x"]) == '"prog" /c "raw stuff" x'


_tricky = st.sampled_from(['"', "\\", " ", "\t", "a", "é", "\u2028", "%", "&", "^", "\n"])
_text = st.text(alphabet=st.one_of(_tricky, st.characters(exclude_characters="\0")), max_size=24)
_program = st.text(alphabet=st.characters(exclude_characters='\0"'), min_size=1, max_size=20)


@settings(max_examples=300)
@given(_program, st.lists(_text, max_size=6), st.booleans())
def test_round_trip_through_msvc_rules(program: str, args: list[str], force: bool) -> None:
    line = make_command_line(program, args, force_quotes=force)
    assert msvc_parse(line) == [program, *args]


def test_nul_and_quote_in_program_are_refused() -> None:
    for call in (
        lambda: make_command_line("p\0", []),
        lambda: make_command_line('p"q', []),
        lambda: make_command_line("p", ["a\0"]),
        lambda: make_command_line("p", [RawArg("\0")]),
    ):
        with pytest.raises(Error) as info:
            call()
        assert info.value.kind is ErrorKind.InvalidInput
    with pytest.raises(TypeError):
        make_command_line("p", [b"bytes"])  # type: ignore[list-item]


# -- batch files -----------------------------------------------------------------------------

PREFIX = 'cmd.exe /e:ON /v:OFF /d /c "'
META = set("&|<>()^")
PERCENT_BREAK = "%%cd:~,%"


def _cmd_view(line: str) -> str:
    assert line.startswith(PREFIX) and line.endswith('"')
    return line[len(PREFIX) : -1]


def _metachars_outside_quotes(inner: str) -> list[str]:
    """What cmd.exe would treat as syntax: metacharacters while its quote toggle is off."""
    quoted = False
    bad = []
    for c in inner:
        if c == '"':
            quoted = not quoted
        elif not quoted and c in META:
            bad.append(c)
    return bad


def test_batch_detection() -> None:
    assert is_batch_file("C:\\x\\run.BAT") and is_batch_file("go.cmd") and is_batch_file("go.cmd. ")
    assert not is_batch_file("go.exe") and not is_batch_file("bat")


def test_batbadbut_payload_stays_quoted() -> None:
    line = make_bat_command_line("C:\\t\\script.bat", ['"&calc.exe', "a&b", "%PATH%", "plain"])
    inner = _cmd_view(line)
    assert _metachars_outside_quotes(inner) == []
    assert inner == '"C:\\t\\script.bat" """&calc.exe" "a&b" "%%cd:~,%PATH%%cd:~,%" plain'


@pytest.mark.parametrize("arg", ["a\nb", "\r", "x\r\n&calc", "nul\0"])
def test_batch_arguments_that_cannot_be_passed_are_refused(arg: str) -> None:
    with pytest.raises(Error) as info:
        make_bat_command_line("s.bat", ["ok", arg])
    assert info.value.kind is ErrorKind.InvalidInput


@pytest.mark.parametrize("script", ['a"b.bat', "dir\\"])
def test_bad_script_names_are_refused(script: str) -> None:
    with pytest.raises(Error) as info:
        make_bat_command_line(script, [])
    assert info.value.kind is ErrorKind.InvalidInput


@settings(max_examples=300)
@given(st.lists(_text.filter(lambda s: "\r" not in s and "\n" not in s), max_size=6), st.booleans())
def test_batch_lines_are_never_injectable(args: list[str], force: bool) -> None:
    inner = _cmd_view(make_bat_command_line("C:\\s.cmd", args, force_quotes=force))
    assert _metachars_outside_quotes(inner) == []
    # Every % is part of the expansion breaker: no %NAME% can form.
    assert "%" not in inner.replace(PERCENT_BREAK, "")


def test_batch_arguments_quoting_rules() -> None:
    inner = _cmd_view(make_bat_command_line("s.bat", ["", "trail\\", "a-b_c.d:/x@y?z*#$+", "café"]))
    assert inner == '"s.bat" "" "trail\\\\" a-b_c.d:/x@y?z*#$+ café'


def test_environment_block() -> None:
    block = environment_block([("b", "2"), ("A", "1"), ("B", "3"), ("=C:", "C:\\")])
    assert block == "=C:=C:\\\0A=1\0B=3\0\0"
    assert environment_block([]) == "\0\0"
    for bad in ([("", "x")], [("a=b", "x")], [("k", "v\0")]):
        with pytest.raises(Error):
            environment_block(bad)


def test_command_ext_records_flags_and_raw_args() -> None:
    cmd = CommandExt.raw_arg(CommandExt.creation_flags(Command("x"), 0x08000000), '"raw"').arg("b")
    assert cmd._creation_flags == 0x08000000
    assert [a.to_str() for a in cmd.get_args()] == ['"raw"', "b"]
    assert cmd._raw_args == {0}
    with pytest.raises(ValueError):
        CommandExt.creation_flags(Command("x"), 1 << 40)
    with pytest.raises(TypeError):
        CommandExt.creation_flags(Command("x"), True)
