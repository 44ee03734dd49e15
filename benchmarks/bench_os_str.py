"""WTF-8 conversions against the C codecs, and OsString per-call costs against os.fsencode/fsdecode."""

from __future__ import annotations

import os
from collections.abc import Callable

from benchmarks._harness import Pair, case
from stdio2.os_str import OsString
from stdio2.os_str.wtf8 import Wtf8

_PARAGRAPH = (
    "The quick brown fox jumps over the lazy dog. "
    "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efve fa\u00e7ade. "
    "\u4e2d\u6587\u6587\u672c\u3068\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8. "
    "\u0420\u0443\u0441\u0441\u043a\u0438\u0439 \u0442\u0435\u043a\u0441\u0442. "
    "Emoji \U0001f600\U0001f680 and math \U0001d4b3.\n"
)


def _repeated(fn: Callable[[], object], quick: bool) -> Callable[[], None]:
    # Quick inputs are small enough that the first allocation in a round
    # (fresh pages) dominates one call; several calls per round even that out.
    reps = 8 if quick else 1

    def run() -> None:
        for _ in range(reps):
            fn()

    return run


def _mixed_text(quick: bool) -> str:
    target = (1 if quick else 64) << 20  # bytes of UTF-8
    unit = len(_PARAGRAPH.encode())
    return _PARAGRAPH * (target // unit + 1)


@case("wtf8_from_str_mixed", "str.encode('utf-8', 'surrogatepass')", target=1.2)
def wtf8_from_str(quick: bool) -> Pair:
    text = _mixed_text(quick)
    return Pair(
        stdio2=_repeated(lambda: Wtf8.from_str(text), quick),
        stdlib=_repeated(lambda: text.encode("utf-8", "surrogatepass"), quick),
    )


@case("wtf8_to_str_mixed", "bytes.decode('utf-8', 'surrogatepass')", target=1.2)
def wtf8_to_str(quick: bool) -> Pair:
    text = _mixed_text(quick)
    w = Wtf8.from_str(text)
    data = w.as_bytes()
    return Pair(
        stdio2=_repeated(w.to_str, quick),
        stdlib=_repeated(lambda: data.decode("utf-8", "surrogatepass"), quick),
    )


@case("wtf8_from_str_lone_surrogates", "str.encode('utf-8', 'surrogatepass')")
def wtf8_from_str_lone(quick: bool) -> Pair:
    # The slower path: the text holds lone surrogates (one per paragraph), so the
    # strict encoder fails and the pair scan runs.
    text = (_PARAGRAPH + "\udc80") * (len(_mixed_text(quick)) // (len(_PARAGRAPH) + 1))
    return Pair(
        stdio2=_repeated(lambda: Wtf8.from_str(text), quick),
        stdlib=_repeated(lambda: text.encode("utf-8", "surrogatepass"), quick),
    )


@case("wtf8_from_bytes_validate", "bytes.decode('utf-8', 'surrogatepass')")
def wtf8_from_bytes(quick: bool) -> Pair:
    data = _mixed_text(quick).encode()
    return Pair(
        stdio2=_repeated(lambda: Wtf8.from_bytes(data), quick),
        stdlib=_repeated(lambda: data.decode("utf-8", "surrogatepass"), quick),
    )


_PATHS = [f"/home/user/projects/stdio2/src/file_{i:04d}.py" for i in range(1000)]
_CALLS = 20


@case("os_string_from_fspath_per_call", "os.fsencode(str)")
def from_fspath(quick: bool) -> Pair:
    paths = _PATHS[:200] if quick else _PATHS
    from_fspath = OsString.from_fspath
    fsencode = os.fsencode

    def ours() -> None:
        for _ in range(_CALLS):
            for p in paths:
                from_fspath(p)

    def theirs() -> None:
        for _ in range(_CALLS):
            for p in paths:
                fsencode(p)

    return Pair(stdio2=ours, stdlib=theirs, ops=_CALLS * len(paths))


@case("os_string_fspath_per_call", "os.fsdecode(bytes)")
def to_fspath(quick: bool) -> Pair:
    paths = _PATHS[:200] if quick else _PATHS
    strings = [OsString(p) for p in paths]
    raw = [os.fsencode(p) for p in paths]
    fspath = os.fspath
    fsdecode = os.fsdecode

    def ours() -> None:
        for _ in range(_CALLS):
            for s in strings:
                fspath(s)

    def theirs() -> None:
        for _ in range(_CALLS):
            for b in raw:
                fsdecode(b)

    return Pair(stdio2=ours, stdlib=theirs, ops=_CALLS * len(paths))
