"""Property and stateful tests: the buffered types against simple models.

* BufReader over any chunking of its input, with `Interrupted` and hard
  failures injected, yields the same bytes, lines and splits as the whole
  input does, whatever mix of calls reads it.
* BufWriter / LineWriter deliver exactly the bytes they accepted, in order,
  for any write sizes, capacities, short writes and failures, and never lose
  one: what has not reached the inner writer is in ``buffer()``.
"""

from __future__ import annotations

from typing import Any

from buffered_helpers import ScriptReader, ScriptWriter, broken, interrupted, rust_lines, split_keep
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from stdio2.io import BufReader, BufWriter, Error, ErrorKind, LineWriter

# Bytes that make interesting lines: newlines, '\r', a delimiter, UTF-8
# pieces, bytes that are never valid UTF-8, and what str.splitlines would
# also break at (\x0b, \x1c, U+0085, U+2028) but lines must not.
_ALPHABET = [b"a", b"b", b"\n", b"\r", b",", b"\xc3\xa9", b"\xe4\xb8\xad", b"\xff", b"\xc3"]
_ALPHABET += [b"\x0b", b"\x1c", b"\xc2\x85", b"\xe2\x80\xa8"]
_PLAIN = [b"a", b"bb", b"ccc ", b"\xc3\xa9", b"\xe4\xb8\xad"]
# Mostly line-shaped data (several lines per buffer is what the line
# iterators' look-ahead needs), sometimes arbitrary token soup.
_line = st.tuples(
    st.lists(st.sampled_from(_PLAIN), max_size=6).map(b"".join),
    st.sampled_from([b"\n", b"\n", b"\r\n", b",", b"\xff\n", b""]),
).map(b"".join)
texts = st.one_of(
    st.lists(_line, max_size=16).map(b"".join),
    st.lists(st.sampled_from(_ALPHABET), max_size=60).map(b"".join),
)
chunkings = st.lists(st.integers(1, 40), min_size=1, max_size=8)
capacities = st.integers(0, 33)


def _faults(calls: set[int], kind: ErrorKind | None) -> dict[int, BaseException]:
    return {k: (interrupted() if kind is None else broken(kind)) for k in calls}


def _decoded(segs: list[bytes]) -> list[object]:
    out: list[object] = []
    for s in segs:
        try:
            out.append(s.decode())
        except UnicodeDecodeError:
            out.append("ERR")
    return out


def _drain(it: Any) -> list[object]:
    got: list[object] = []
    while True:
        try:
            got.append(next(it))
        except StopIteration:
            return got
        except Error as e:
            assert e.kind is ErrorKind.InvalidData
            got.append("ERR")


@settings(max_examples=200)
@given(texts, chunkings, capacities, st.sets(st.integers(0, 30), max_size=6))
def test_lines_split_any_chunking(
    data: bytes, chunks: list[int], cap: int, ints: set[int]
) -> None:
    def reader() -> BufReader:
        return BufReader(ScriptReader(data, chunks, _faults(ints, None)), cap)

    if cap == 0:  # Rust: a zero-capacity BufReader's BufRead side sees EOF
        assert _drain(reader().lines()) == []
        return
    assert _drain(reader().lines()) == _decoded(rust_lines(data))
    assert _drain(reader().split(b",")) == [
        s[:-1] if s.endswith(b",") else s for s in split_keep(data, ord(","))
    ]
    r = reader()
    got: list[object] = []
    while True:
        try:
            line = r.read_line()
        except Error as e:
            assert e.kind is ErrorKind.InvalidData
            got.append("ERR")
            continue
        if not line:
            break
        got.append(line)
    assert got == _decoded(split_keep(data, 10))
    out = bytearray()
    assert reader().read_to_end(out) == len(data) and out == data


class BufReaderMachine(RuleBasedStateMachine):
    """Any sequence of BufReader calls over a faulty chunked reader matches a position model."""

    @initialize(
        data=texts,
        chunks=chunkings,
        cap=st.integers(1, 33),
        ints=st.sets(st.integers(0, 60), max_size=8),
        fails=st.sets(st.integers(0, 60), max_size=4),
    )
    def setup(self, data: bytes, chunks: list[int], cap: int, ints: set[int], fails: set[int]) -> None:
        faults = _faults(ints, None)
        faults.update(_faults(fails - ints, ErrorKind.TimedOut))
        self.data = data
        self.pos = 0
        self.reader = BufReader(ScriptReader(data, chunks, faults), cap)
        self.lines = self.reader.lines()
        self.split = self.reader.split(b",")

    # -- the model ----------------------------------------------------------

    def _segment(self, delim: int) -> bytes:
        i = self.data.find(bytes((delim,)), self.pos)
        return self.data[self.pos : len(self.data) if i < 0 else i + 1]

    @invariant()
    def buffer_is_the_next_bytes(self) -> None:
        if hasattr(self, "reader"):
            buf = self.reader.buffer()
            assert buf == self.data[self.pos : self.pos + len(buf)]

    # -- single-call primitives (Interrupted and failures come through) -----

    @rule(n=st.integers(0, 40))
    def read(self, n: int) -> None:
        buf = bytearray(n)
        try:
            got = self.reader.read(buf)
        except (InterruptedError, TimeoutError):
            return
        assert buf[:got] == self.data[self.pos : self.pos + got]
        assert got > 0 or n == 0 or self.pos == len(self.data)
        self.pos += got

    @rule(n=st.integers(0, 40))
    def fill_and_consume(self, n: int) -> None:
        try:
            view = self.reader.fill_buf()
        except (InterruptedError, TimeoutError):
            return
        avail = bytes(view)
        del view
        assert avail == self.data[self.pos : self.pos + len(avail)]
        assert avail or self.pos == len(self.data)
        self.reader.consume(n)
        self.pos += min(n, len(avail))

    # -- conveniences (Interrupted retried; failures report progress) -------

    @rule(n=st.integers(0, 40))
    def read_exact(self, n: int) -> None:
        buf = bytearray(n)
        try:
            self.reader.read_exact(buf)
        except TimeoutError as e:
            assert buf[: e.progress] == self.data[self.pos : self.pos + e.progress]  # type: ignore[attr-defined]
            self.pos += e.progress  # type: ignore[attr-defined]
            return
        except Error as e:
            assert e.kind is ErrorKind.UnexpectedEof
            assert self.pos + n > len(self.data)
            assert e.progress == len(self.data) - self.pos
            self.pos = len(self.data)
            return
        assert buf == self.data[self.pos : self.pos + n]
        self.pos += n

    @rule(delim=st.sampled_from([10, 44, 13]))
    def read_until(self, delim: int) -> None:
        out = bytearray(b"~")
        want = self._segment(delim)
        try:
            n = self.reader.read_until(delim, out)
        except TimeoutError as e:
            p: int = e.progress  # type: ignore[attr-defined]
            assert out[1:] == want[:p] and len(out) == 1 + p
            self.pos += p
            return
        assert n == len(want) and out[1:] == want
        self.pos += n

    @rule(delim=st.sampled_from([10, 44]))
    def skip_until(self, delim: int) -> None:
        want = self._segment(delim)
        try:
            n = self.reader.skip_until(delim)
        except TimeoutError as e:
            self.pos += e.progress  # type: ignore[attr-defined]
            return
        assert n == len(want)
        self.pos += n

    @rule()
    def read_line(self) -> None:
        want = self._segment(10)
        try:
            line = self.reader.read_line()
        except TimeoutError:
            return  # lossless: the partial line went back into the buffer
        except Error as e:
            assert e.kind is ErrorKind.InvalidData
            self.pos += len(want)  # consumed, as in Rust
            return
        assert line.encode() == want
        self.pos += len(want)

    @rule()
    def next_line(self) -> None:
        want = self._segment(10)
        try:
            line = next(self.lines)
        except StopIteration:
            assert not want
            return
        except TimeoutError:
            return
        except Error as e:
            assert e.kind is ErrorKind.InvalidData
            self.pos += len(want)
            return
        assert [line.encode()] == rust_lines(want)
        self.pos += len(want)

    @rule()
    def next_split(self) -> None:
        want = self._segment(44)
        try:
            seg = next(self.split)
        except StopIteration:
            assert not want
            return
        except TimeoutError:
            return
        assert seg == (want[:-1] if want.endswith(b",") else want)
        self.pos += len(want)

    @rule()
    def read_to_end(self) -> None:
        out = bytearray()
        try:
            n = self.reader.read_to_end(out)
        except TimeoutError as e:
            assert out == self.data[self.pos : self.pos + e.progress]  # type: ignore[attr-defined]
            self.pos += e.progress  # type: ignore[attr-defined]
            return
        assert out == self.data[self.pos :] and n == len(out)
        self.pos = len(self.data)


BufReaderMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30)
TestBufReaderMachine = BufReaderMachine.TestCase


class WriterMachine(RuleBasedStateMachine):
    """Writers deliver exactly what they accepted, in order; the rest is in buffer()."""

    @initialize(
        line=st.booleans(),
        cap=st.integers(0, 24),
        limits=st.lists(st.integers(0, 30), min_size=1, max_size=6),
        faults=st.dictionaries(
            st.integers(0, 80), st.sampled_from(["int", "pipe"]), max_size=6
        ),
        perfect=st.booleans(),
    )
    def setup(
        self, line: bool, cap: int, limits: list[int], faults: dict[int, str], perfect: bool
    ) -> None:
        self.perfect = perfect
        if perfect:  # an inner writer that takes everything, every time
            self.inner = ScriptWriter()
        else:
            self.inner = ScriptWriter(
                limits,
                {k: interrupted() if v == "int" else broken() for k, v in faults.items()},
            )
        self.cap = cap
        self.line = line
        self.w: BufWriter | LineWriter = (LineWriter if line else BufWriter)(self.inner, cap)
        self.accepted = bytearray()

    @invariant()
    def nothing_lost_nothing_extra(self) -> None:
        if not hasattr(self, "w"):
            return
        buf = self.w.buffer()
        assert bytes(self.inner.out) + buf == bytes(self.accepted)
        assert len(buf) <= self.cap

    @invariant()
    def complete_lines_reach_inner(self) -> None:
        if getattr(self, "perfect", False) and self.line:
            assert len(self.inner.out) >= self.accepted.rfind(b"\n") + 1

    @rule(data=texts)
    def write(self, data: bytes) -> None:
        try:
            n = self.w.write(data)
        except (BrokenPipeError, InterruptedError) as e:
            assert e.progress == 0  # type: ignore[attr-defined]
            return
        except Error as e:
            assert e.kind is ErrorKind.WriteZero
            return
        assert 0 <= n <= len(data)
        self.accepted += data[:n]

    @rule(data=texts, as_view=st.booleans())
    def write_all(self, data: bytes, as_view: bool) -> None:
        try:
            self.w.write_all(memoryview(bytearray(data)) if as_view else data)
        except Error as e:
            assert e.kind in (ErrorKind.BrokenPipe, ErrorKind.WriteZero), e
            self.accepted += data[: e.progress]
            return
        self.accepted += data

    @rule(parts=st.lists(texts, max_size=4))
    def write_vectored(self, parts: list[bytes]) -> None:
        try:
            n = self.w.write_vectored(parts)
        except Error:
            return
        self.accepted += b"".join(parts)[:n]

    @rule()
    def flush(self) -> None:
        try:
            self.w.flush()
        except Error as e:
            assert e.kind in (ErrorKind.BrokenPipe, ErrorKind.WriteZero)

    def teardown(self) -> None:
        if hasattr(self, "w"):
            self.w.into_parts() if isinstance(self.w, BufWriter) else self.w._detach()


WriterMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=30)
TestWriterMachine = WriterMachine.TestCase


@settings(max_examples=150)
@given(
    st.lists(texts, max_size=12),
    st.integers(1, 24),
    st.lists(st.integers(1, 30), min_size=1, max_size=5),
)
def test_linewriter_matches_rust_shim_model(writes: list[bytes], cap: int, limits: list[int]) -> None:
    """A direct transcription of Rust's LineWriterShim::write, run side by side."""
    inner = ScriptWriter(limits)
    w = LineWriter(inner, cap)
    model_inner = ScriptWriter(limits)
    model_buf = bytearray()

    def model_flush_buf() -> None:
        nonlocal model_buf
        while model_buf:
            n = model_inner.write(bytes(model_buf))
            del model_buf[:n]

    def model_buffered_write(data: bytes) -> int:
        if len(data) > cap - len(model_buf):
            model_flush_buf()
        if len(data) >= cap:
            return model_inner.write(data)
        model_buf.extend(data)
        return len(data)

    def model_write(data: bytes) -> int:
        i = data.rfind(b"\n")
        if i < 0:
            if model_buf.endswith(b"\n"):
                model_flush_buf()
            return model_buffered_write(data)
        model_flush_buf()
        i += 1
        flushed = model_inner.write(data[:i])
        if flushed == 0:
            return 0
        if flushed >= i:
            tail = data[flushed:]
        elif i - flushed <= cap:
            tail = data[flushed:i]
        else:
            scan = data[flushed : flushed + cap]
            j = scan.rfind(b"\n")
            tail = scan[: j + 1] if j >= 0 else scan
        take = tail[: cap - len(model_buf)]
        model_buf.extend(take)
        return flushed + len(take)

    for data in writes:
        assert w.write(data) == model_write(data)
        assert inner.writes == model_inner.writes
        assert w.buffer() == bytes(model_buf)
    w.flush()
