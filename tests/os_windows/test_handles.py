"""Windows handles and sockets: the value rules, and the ownership rules of `stdio2.os.windows.io`.

Most of this runs everywhere. The handle-value rules are pure integer logic.
The ownership rules (one owner, close once, checked borrows, deferred close
while a call is in flight, try_from never closes, pseudo handles never
closed) are exercised with `RecordingOps`, a stand-in for kernel32 that
hands out handle numbers and records every release. That is not a mock of
the OS: no code path under test talks to an OS through it, it is the
reference model of the kernel's handle table against which stdio2's own
bookkeeping is checked. The real release path is ``CloseHandle`` (lazy
``kernel32``), exercised by the tests marked ``win32`` at the end, which run
on Windows (or under Wine).
"""

from __future__ import annotations

import copy
import gc
import pickle
import sys
import threading
import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
)

from stdio2._sys.windows import handle as h
from stdio2.io import Error, ErrorKind
from stdio2.os.windows import io as wio
from stdio2.os.windows.io import (
    AsHandle,
    AsRawHandle,
    AsSocket,
    BorrowedHandle,
    BorrowedSocket,
    FromRawHandle,
    HandleOrInvalid,
    HandleOrNull,
    IntoRawHandle,
    InvalidHandleError,
    NullHandleError,
    OwnedHandle,
    OwnedSocket,
)

BITS = h.POINTER_BITS
TOP = 1 << BITS
windows_only = pytest.mark.skipif(sys.platform != "win32", reason="needs real kernel32/ws2_32")
not_windows = pytest.mark.skipif(sys.platform == "win32", reason="checks the off-Windows refusal")


class RecordingOps:
    """The kernel's handle table, as a model: hands out numbers, records releases.

    Stands in for kernel32/ws2_32 so the ownership logic can run on Linux;
    it refuses what the kernel refuses (closing or duplicating a value that
    is not open) by failing the test.
    """

    def __init__(self, start: int = 0x100) -> None:
        self.open: set[int] = set()
        self.released: list[int] = []
        self.checked: list[int] = []
        self._next = start

    def new(self) -> int:
        raw = self._next
        self._next += 4
        self.open.add(raw)
        return raw

    def close(self, raw: int) -> None:
        assert raw in self.open, f"release of {raw:#x}, which is not open (double close?)"
        self.open.remove(raw)
        self.released.append(raw)

    def duplicate(self, raw: int) -> int:
        if h.is_closable(raw):
            assert raw in self.open, f"duplicate of {raw:#x}, which is not open"
        return self.new()

    def check(self, raw: int) -> None:
        self.checked.append(raw)
        if raw not in self.open:
            raise Error(ErrorKind.InvalidInput, f"{raw:#x} is not open")


pointer_ints = st.integers(min_value=-(1 << (BITS - 1)), max_value=TOP - 1)
pseudo_ints = st.one_of(
    st.integers(min_value=-(1 << (BITS - 1)), max_value=-1),
    st.integers(min_value=1 << (BITS - 1), max_value=TOP - 1),
)
real_ints = st.integers(min_value=1, max_value=(1 << (BITS - 1)) - 1)


# -- the value rules ---------------------------------------------------------------


@pytest.mark.parametrize("bits", [32, 64])
@given(data=st.data())
@settings(max_examples=200)
def test_every_pointer_value_is_classified(bits: int, data: st.DataObject) -> None:
    value = data.draw(st.integers(min_value=-(1 << (bits - 1)), max_value=(1 << bits) - 1))
    canonical = h.normalize_handle(value, bits)
    # The model: the signed reading decides everything.
    signed = value - (1 << bits) if value >= 1 << (bits - 1) else value
    assert canonical == value % (1 << bits)
    assert 0 <= canonical < 1 << bits
    assert h.to_signed(value, bits) == signed
    assert h.normalize_handle(signed, bits) == canonical  # both spellings, one handle
    assert h.is_null(value, bits) == (signed == 0)
    assert h.is_invalid(value, bits) == (signed == -1)
    assert h.is_pseudo(value, bits) == (signed < 0)
    assert h.is_closable(value, bits) == (signed > 0)
    name = h.pseudo_name(value, bits)
    assert (name is not None) == (-6 <= signed <= -1)
    assert h.normalize_socket(value, bits) == canonical


@given(st.one_of(st.integers(max_value=-(1 << (BITS - 1)) - 1), st.integers(min_value=TOP)))
@settings(max_examples=100)
def test_values_that_are_not_pointers_are_refused(value: int) -> None:
    with pytest.raises(ValueError):
        h.normalize_handle(value)
    with pytest.raises(ValueError):
        OwnedHandle.from_raw_handle(value)
    with pytest.raises(ValueError):
        BorrowedHandle.borrow_raw(value)


@pytest.mark.parametrize("bad", [True, False, 1.0, "1", b"\x01", None])
def test_non_ints_are_type_errors(bad: object) -> None:
    with pytest.raises(TypeError):
        h.normalize_handle(bad)
    with pytest.raises(TypeError, match=r"OwnedHandle\.from_raw_handle"):
        OwnedHandle.from_raw_handle(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"BorrowedHandle\.borrow_raw"):
        BorrowedHandle.borrow_raw(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"OwnedSocket\.from_raw_socket"):
        OwnedSocket.from_raw_socket(bad)  # type: ignore[arg-type]


def test_named_constants() -> None:
    assert h.INVALID_HANDLE_VALUE == h.CURRENT_PROCESS == TOP - 1
    assert h.CURRENT_THREAD == TOP - 2
    assert h.INVALID_SOCKET == TOP - 1
    assert h.describe_handle(0) == "NULL"
    assert h.describe_handle(-1) == "-1 (current process)"
    assert h.describe_handle(-2) == "-2 (current thread)"
    assert h.describe_handle(0x1A4) == "0x1a4"
    assert h.describe_handle(-0x80000000).endswith("(pseudo)")  # HKEY_CLASSES_ROOT
    assert h.pseudo_name(-4) == "current process token"


def test_wsaprotocol_info_has_the_windows_layout() -> None:
    info = h.WSAPROTOCOL_INFOW
    assert _sizeof(info) == 628
    assert info.ProviderId.offset == 20
    assert info.ProtocolChain.offset == 40
    assert info.iAddressFamily.offset == 76
    assert info.iSocketType.offset == 88
    assert info.iProtocol.offset == 92
    assert info.szProtocol.offset == 116


def _sizeof(t: Any) -> int:
    import ctypes

    return ctypes.sizeof(t)


# -- NULL, INVALID and the conversions ---------------------------------------------


@given(pointer_ints)
@settings(max_examples=200)
def test_handle_or_null_try_from_never_closes(value: int) -> None:
    ops = RecordingOps()
    raw = h.normalize_handle(value)
    if h.is_closable(raw):
        ops.open.add(raw)
    wrapped = HandleOrNull._adopt(raw, ops)
    if raw == 0:
        with pytest.raises(NullHandleError):
            OwnedHandle.try_from(wrapped)
        assert ops.released == []
    else:
        owned = OwnedHandle.try_from(wrapped)
        assert ops.released == []
        assert owned.as_raw_handle() == raw
        owned.close()
        assert ops.released == ([raw] if h.is_closable(raw) else [])
    # The conversion consumed the wrapper, whatever its outcome.
    with pytest.raises(Error) as info:
        OwnedHandle.try_from(wrapped)
    assert info.value.kind is ErrorKind.InvalidInput
    assert ops.open == set()


@given(pointer_ints)
@settings(max_examples=200)
def test_handle_or_invalid_try_from_never_closes(value: int) -> None:
    ops = RecordingOps()
    raw = h.normalize_handle(value)
    if h.is_closable(raw):
        ops.open.add(raw)
    if raw == 0:
        with pytest.raises(NullHandleError):
            HandleOrInvalid._adopt(raw, ops)
        return
    wrapped = HandleOrInvalid._adopt(raw, ops)
    if raw == h.INVALID_HANDLE_VALUE:
        with pytest.raises(InvalidHandleError):
            OwnedHandle.try_from(wrapped)
        assert ops.released == []
    else:
        owned = OwnedHandle.try_from(wrapped)
        assert ops.released == []
        owned.close()
        assert ops.released == ([raw] if h.is_closable(raw) else [])
    assert ops.open == set()


def test_the_errors_are_value_errors_with_rusts_text() -> None:
    assert issubclass(NullHandleError, ValueError)
    assert issubclass(InvalidHandleError, ValueError)
    assert "was null" in str(NullHandleError())
    assert "INVALID_HANDLE_VALUE" in str(InvalidHandleError())


def test_sentinels_work_on_every_platform() -> None:
    # No system call is needed to refuse a sentinel or to own a pseudo handle.
    with pytest.raises(NullHandleError):
        OwnedHandle.try_from(HandleOrNull.from_raw_handle(0))
    with pytest.raises(InvalidHandleError):
        OwnedHandle.try_from(HandleOrInvalid.from_raw_handle(-1))
    with pytest.raises(InvalidHandleError):
        OwnedHandle.try_from(HandleOrInvalid.from_raw_handle(TOP - 1))
    with pytest.raises(NullHandleError):
        HandleOrInvalid.from_raw_handle(0)
    with OwnedHandle.try_from(HandleOrNull.from_raw_handle(-1)) as me:
        assert me.as_raw_handle() == h.CURRENT_PROCESS  # -1 here is the current process
    with pytest.raises(NullHandleError):
        OwnedHandle.from_raw_handle(0)
    with pytest.raises(NullHandleError):
        BorrowedHandle.borrow_raw(0)


def test_try_from_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="HandleOrNull or HandleOrInvalid"):
        OwnedHandle.try_from(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="try_from"):
        OwnedHandle(HandleOrNull.from_raw_handle(0))


def test_wrappers_cannot_be_built_directly() -> None:
    for cls in (HandleOrNull, HandleOrInvalid, BorrowedHandle, BorrowedSocket):
        with pytest.raises(TypeError, match=r"from_raw_handle|borrow_raw|as_handle|as_socket"):
            cls(5)


# -- pseudo handles -----------------------------------------------------------------


@given(pseudo_ints)
@settings(max_examples=200)
def test_pseudo_handles_are_never_released(value: int) -> None:
    ops = RecordingOps()
    owned = OwnedHandle._adopt(h.normalize_handle(value), ops)
    assert ops.checked == []  # a pseudo handle needs no validity check
    clone = owned.try_clone()  # DuplicateHandle of a pseudo handle gives a real handle
    moved = OwnedHandle(owned)
    moved.close()
    assert ops.released == []
    clone.close()
    assert len(ops.released) == 1


@pytest.mark.parametrize("value", [-1, -2, -3, -4, -5, -6, -0x80000000, 1 << (BITS - 1)])
def test_dropping_a_pseudo_owner_releases_and_warns_of_nothing(value: int) -> None:
    ops = RecordingOps()
    forgotten = OwnedHandle._adopt(h.normalize_handle(value), ops)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        del forgotten
        gc.collect()
    assert not [w for w in seen if issubclass(w.category, ResourceWarning)]
    assert ops.released == []


def test_public_pseudo_handles_need_no_os() -> None:
    with OwnedHandle.from_raw_handle(-2) as thread:
        assert thread.as_raw_handle() == h.CURRENT_THREAD
        borrowed = thread.as_handle()
        assert BorrowedHandle.borrow_raw(-1).as_raw_handle() == h.CURRENT_PROCESS
        assert repr(thread) == "OwnedHandle(-2 (current thread))"
        assert repr(borrowed) == "BorrowedHandle(-2 (current thread))"
    assert repr(thread) == "OwnedHandle(closed)"
    assert repr(borrowed) == "BorrowedHandle(<owner closed>)"


# -- ownership --------------------------------------------------------------------


def test_borrow_after_close_raises_and_never_hands_out_the_number() -> None:
    ops = RecordingOps()
    raw = ops.new()
    owned = OwnedHandle._adopt(raw, ops)
    borrowed = owned.as_handle()
    assert isinstance(borrowed, BorrowedHandle)
    assert borrowed.as_raw_handle() == raw
    assert borrowed.as_handle() is borrowed
    owned.close()
    assert ops.released == [raw]
    # The table recycles the number for an unrelated object...
    ops._next = raw
    other = OwnedHandle._adopt(ops.new(), ops)
    assert other.as_raw_handle() == raw
    # ...and the stale borrow refuses to reach it.
    for call in (borrowed.as_raw_handle, borrowed.try_clone_to_owned, owned.as_raw_handle,
                 owned.as_handle, owned.try_clone, owned.into_raw_handle):
        with pytest.raises(Error) as info:
            call()
        assert info.value.kind is ErrorKind.InvalidInput
    owned.close()  # idempotent
    other.close()
    assert ops.released == [raw, raw]


def test_into_raw_handle_releases_ownership() -> None:
    ops = RecordingOps()
    raw = ops.new()
    owned = OwnedHandle._adopt(raw, ops)
    borrowed = owned.as_handle()
    assert owned.into_raw_handle() == raw
    assert owned.closed()
    with pytest.raises(Error):
        borrowed.as_raw_handle()
    owned.close()
    assert ops.released == []
    OwnedHandle._adopt(raw, ops).close()
    assert ops.released == [raw]


def test_moving_ownership_closes_the_source_not_the_handle() -> None:
    ops = RecordingOps()
    raw = ops.new()
    first = OwnedHandle._adopt(raw, ops)
    old_borrow = first.as_handle()
    second = OwnedHandle(first)
    assert first.closed() and not second.closed()
    with pytest.raises(Error):
        old_borrow.as_raw_handle()
    assert second.as_raw_handle() == raw
    with pytest.raises(Error):
        OwnedHandle(first)  # a closed owner has nothing to give
    second.close()
    assert ops.released == [raw]


def test_owned_handle_from_objects() -> None:
    class Giver:
        def __init__(self, raw: int) -> None:
            self.raw = raw

        def into_raw_handle(self) -> int:
            return self.raw

    with OwnedHandle(Giver(-2)) as got:
        assert got.as_raw_handle() == h.CURRENT_THREAD
    with pytest.raises(NullHandleError):
        OwnedHandle(Giver(0))
    with pytest.raises(TypeError, match="from_raw_handle"):
        OwnedHandle(5)
    with pytest.raises(TypeError):
        OwnedHandle(object())
    sock_ops = RecordingOps()
    sock = OwnedSocket._adopt(sock_ops.new(), sock_ops)
    with pytest.raises(TypeError, match="does not own a handle"):
        OwnedHandle(sock)
    assert not sock.closed()
    sock.close()


def test_owners_cannot_be_copied_or_pickled() -> None:
    with OwnedHandle.from_raw_handle(-1) as owned:
        for obj in (owned, owned.as_handle()):
            with pytest.raises(TypeError, match="try_clone"):
                copy.copy(obj)
            with pytest.raises(TypeError, match="try_clone"):
                copy.deepcopy(obj)
            with pytest.raises(TypeError, match="try_clone"):
                pickle.dumps(obj)


def test_unclosed_owner_is_released_with_a_resource_warning() -> None:
    ops = RecordingOps()
    raw = ops.new()
    owned = OwnedHandle._adopt(raw, ops)
    with pytest.warns(ResourceWarning, match="unclosed"):
        del owned
        gc.collect()
    assert ops.released == [raw]
    # An unconverted HandleOrNull holding a real handle is an owner too.
    raw2 = ops.new()
    wrapped = HandleOrNull._adopt(raw2, ops)
    with pytest.warns(ResourceWarning):
        del wrapped
        gc.collect()
    assert ops.released == [raw, raw2]


def test_failed_adoption_owns_nothing() -> None:
    ops = RecordingOps()
    with pytest.raises(Error):
        OwnedHandle._adopt(0x400, ops)  # not open in the table
    with pytest.raises(Error):
        HandleOrNull._adopt(0x400, ops)
    assert ops.checked == [0x400, 0x400]
    assert ops.released == []


def test_try_clone_is_an_independent_owner() -> None:
    ops = RecordingOps()
    owned = OwnedHandle._adopt(ops.new(), ops)
    clone = owned.try_clone()
    via_borrow = owned.as_handle().try_clone_to_owned()
    values = {owned.as_raw_handle(), clone.as_raw_handle(), via_borrow.as_raw_handle()}
    assert len(values) == 3
    owned.close()
    assert clone.as_handle().as_raw_handle() in ops.open
    clone.close()
    via_borrow.close()
    assert ops.open == set()
    assert sorted(ops.released) == sorted(values)


def test_close_while_a_call_is_in_flight_waits_for_it() -> None:
    class SlowOps(RecordingOps):
        def __init__(self) -> None:
            super().__init__()
            self.entered = threading.Event()
            self.proceed = threading.Event()

        def duplicate(self, raw: int) -> int:
            self.entered.set()
            assert self.proceed.wait(10)
            assert raw in self.open  # the close requested meanwhile has not happened
            return super().duplicate(raw)

    ops = SlowOps()
    raw = ops.new()
    owned = OwnedHandle._adopt(raw, ops)
    borrowed = owned.as_handle()
    result: list[OwnedHandle] = []
    worker = threading.Thread(target=lambda: result.append(owned.try_clone()))
    worker.start()
    assert ops.entered.wait(10)
    owned.close()  # returns at once; the release waits for the duplicate
    assert owned.closed()
    assert ops.released == []
    with pytest.raises(Error):
        borrowed.as_raw_handle()
    ops.proceed.set()
    worker.join(10)
    gc.collect()
    assert ops.released == [raw]
    result[0].close()
    assert ops.open == set()


class LockedOps(RecordingOps):
    """`RecordingOps` safe to call from several threads (the model's own bookkeeping needs a lock)."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def new(self) -> int:
        with self.lock:
            return super().new()

    def close(self, raw: int) -> None:
        with self.lock:
            super().close(raw)


def test_threads_share_owners_and_every_handle_is_released_once() -> None:
    ops = LockedOps()
    shared = [OwnedHandle._adopt(ops.new(), ops) for _ in range(64)]
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        try:
            for i in range(300):
                owner = shared[(seed * 31 + i) % len(shared)]
                try:
                    borrowed = owner.as_handle()
                    value = borrowed.as_raw_handle()
                    assert value in ops.open or owner.closed()
                    owner.try_clone().close()
                except Error as e:
                    assert e.kind is ErrorKind.InvalidInput  # closed by another thread
                if i % 7 == seed % 7:
                    owner.close()  # several threads may close the same owner at once
                mine = OwnedHandle._adopt(ops.new(), ops)
                mine.as_handle().try_clone_to_owned().close()
                mine.close()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for owner in shared:
        owner.close()
    gc.collect()
    assert errors == []
    assert ops.open == set()
    assert len(ops.released) == len(set(ops.released))  # nothing released twice


def test_protocols_are_structural() -> None:
    class Mine:
        def __init__(self) -> None:
            self.owned = OwnedHandle.from_raw_handle(-1)

        def as_handle(self) -> BorrowedHandle:
            return self.owned.as_handle()

    mine = Mine()
    assert isinstance(mine, AsHandle)
    assert not isinstance(mine, AsRawHandle)
    assert isinstance(mine.owned, AsHandle)
    assert isinstance(mine.owned, AsRawHandle)
    assert isinstance(mine.owned, IntoRawHandle)
    assert isinstance(mine.owned, FromRawHandle)
    assert isinstance(mine.as_handle(), AsRawHandle)
    assert not isinstance(5, AsRawHandle)
    assert wio._borrow_handle_arg(mine, "f").as_raw_handle() == h.CURRENT_PROCESS
    with pytest.raises(TypeError, match=r"BorrowedHandle\.borrow_raw"):
        wio._borrow_handle_arg(5, "f")
    with pytest.raises(TypeError, match="as_handle"):
        wio._borrow_handle_arg(object(), "f")
    mine.owned.close()


# -- standard handles --------------------------------------------------------------


@pytest.mark.parametrize("absent", [0, -1, TOP - 1])
def test_an_absent_std_handle_is_a_null_borrow(absent: int) -> None:
    borrowed = BorrowedHandle._std(absent)
    assert borrowed.as_raw_handle() == 0
    assert repr(borrowed) == "BorrowedHandle(NULL)"
    with pytest.raises(Error) as info:
        borrowed.try_clone_to_owned()  # refused before any system call
    assert info.value.kind is ErrorKind.InvalidInput


def test_a_present_std_handle_is_borrowed_as_is() -> None:
    assert BorrowedHandle._std(0x50).as_raw_handle() == 0x50


# -- sockets -----------------------------------------------------------------------


def test_socket_ownership() -> None:
    ops = RecordingOps(start=0)
    zero = ops.new()
    assert zero == 0  # 0 is a possible SOCKET; only INVALID_SOCKET is not
    owned = OwnedSocket._adopt(zero, ops)
    borrowed = owned.as_socket()
    assert isinstance(owned, AsSocket) and isinstance(borrowed, AsSocket)
    assert borrowed.as_raw_socket() == 0
    clone = borrowed.try_clone_to_owned()
    clone2 = owned.try_clone()
    moved = OwnedSocket(owned)
    with pytest.raises(Error):
        borrowed.as_raw_socket()
    raw = clone.into_raw_socket()
    assert ops.released == []
    moved.close()
    clone2.close()
    OwnedSocket._adopt(raw, ops).close()
    assert ops.open == set()
    assert sorted(ops.released) == [0, 4, 8]
    with pytest.raises(ValueError, match="INVALID_SOCKET"):
        OwnedSocket.from_raw_socket(-1)
    with pytest.raises(ValueError, match="INVALID_SOCKET"):
        BorrowedSocket.borrow_raw(TOP - 1)
    with pytest.raises(TypeError, match="does not own a socket"):
        OwnedSocket(OwnedHandle.from_raw_handle(-1))
    with pytest.raises(TypeError, match="from_raw_socket"):
        OwnedSocket(3)
    with pytest.raises(TypeError, match=r"BorrowedSocket\.borrow_raw"):
        wio._borrow_socket_arg(3, "f")


# -- a model-checked state machine -------------------------------------------------


class OwnershipMachine(RuleBasedStateMachine):
    """Owners, borrows, clones, moves and raw values against a model of the handle table."""

    owners = Bundle("owners")
    borrows = Bundle("borrows")
    raws = Bundle("raws")

    @initialize()
    def setup(self) -> None:
        self.ops = RecordingOps()
        # model: owner object -> the value it holds, or None once closed/moved
        self.holds: dict[int, int | None] = {}
        self.objects: list[OwnedHandle] = []
        self.detached: set[int] = set()

    def _track(self, owner: OwnedHandle, raw: int | None) -> OwnedHandle:
        self.holds[id(owner)] = raw
        self.objects.append(owner)
        return owner

    @rule(target=owners)
    def open_real(self) -> OwnedHandle:
        raw = self.ops.new()
        return self._track(OwnedHandle._adopt(raw, self.ops), raw)

    @rule(target=owners, signed=st.integers(min_value=-6, max_value=-1))
    def own_pseudo(self, signed: int) -> OwnedHandle:
        raw = h.normalize_handle(signed)
        return self._track(OwnedHandle._adopt(raw, self.ops), raw)

    @rule(target=owners, owner=owners)
    def clone(self, owner: OwnedHandle) -> OwnedHandle:
        if self.holds[id(owner)] is None:
            with pytest.raises(Error):
                owner.try_clone()
            return multiple()  # type: ignore[return-value]
        clone = owner.try_clone()
        return self._track(clone, clone.as_raw_handle())

    @rule(target=owners, owner=owners)
    def move(self, owner: OwnedHandle) -> OwnedHandle:
        raw = self.holds[id(owner)]
        if raw is None:
            with pytest.raises(Error):
                OwnedHandle(owner)
            return multiple()  # type: ignore[return-value]
        new = OwnedHandle(owner)
        self.holds[id(owner)] = None
        return self._track(new, raw)

    @rule(owner=owners)
    def close(self, owner: OwnedHandle) -> None:
        raw = self.holds[id(owner)]
        before = len(self.ops.released)
        owner.close()
        self.holds[id(owner)] = None
        expected = 1 if raw is not None and h.is_closable(raw) else 0
        assert len(self.ops.released) == before + expected

    @rule(target=raws, owner=owners)
    def into_raw(self, owner: OwnedHandle) -> int:
        raw = self.holds[id(owner)]
        if raw is None:
            with pytest.raises(Error):
                owner.into_raw_handle()
            return multiple()  # type: ignore[return-value]
        assert owner.into_raw_handle() == raw
        self.holds[id(owner)] = None
        if h.is_closable(raw):
            self.detached.add(raw)
        return raw

    @rule(target=owners, raw=consumes(raws))
    def readopt(self, raw: int) -> OwnedHandle:
        self.detached.discard(raw)
        return self._track(OwnedHandle._adopt(raw, self.ops), raw)

    @rule(target=borrows, owner=owners)
    def borrow(self, owner: OwnedHandle) -> tuple[OwnedHandle, BorrowedHandle]:
        if self.holds[id(owner)] is None:
            with pytest.raises(Error):
                owner.as_handle()
            return multiple()  # type: ignore[return-value]
        return (owner, owner.as_handle())

    @rule(pair=borrows)
    def use_borrow(self, pair: tuple[OwnedHandle, BorrowedHandle]) -> None:
        owner, borrowed = pair
        raw = self.holds[id(owner)]
        if raw is None:
            with pytest.raises(Error) as info:
                borrowed.as_raw_handle()
            assert info.value.kind is ErrorKind.InvalidInput
        else:
            assert borrowed.as_raw_handle() == raw

    @invariant()
    def table_matches_model(self) -> None:
        if not hasattr(self, "ops"):
            return
        held = {raw for raw in self.holds.values() if raw is not None and h.is_closable(raw)}
        assert self.ops.open == held | self.detached
        for owner in self.objects:
            raw = self.holds[id(owner)]
            assert owner.closed() == (raw is None)
            if raw is not None:
                assert owner.as_raw_handle() == raw

    def teardown(self) -> None:
        if not hasattr(self, "ops"):
            return
        for owner in self.objects:
            owner.close()
        for raw in sorted(self.detached):
            self.ops.close(raw)
        assert self.ops.open == set()
        assert len(self.ops.released) == len(set(self.ops.released))


TestOwnershipMachine = OwnershipMachine.TestCase
TestOwnershipMachine.settings = settings(max_examples=100, stateful_step_count=30)


# -- off Windows: no call is attempted -----------------------------------------------


@not_windows
def test_off_windows_real_values_are_unsupported() -> None:
    for call in (
        lambda: OwnedHandle.from_raw_handle(0x100),
        lambda: BorrowedHandle.borrow_raw(0x100),
        lambda: HandleOrNull.from_raw_handle(0x100),
        lambda: HandleOrInvalid.from_raw_handle(0x100),
        lambda: OwnedSocket.from_raw_socket(0x100),
        lambda: BorrowedSocket.borrow_raw(0),
        lambda: h.get_std_handle(h.STD_OUTPUT_HANDLE),
        lambda: OwnedHandle.from_raw_handle(-1).try_clone(),
    ):
        with pytest.raises(Error) as info:
            call()
        assert info.value.kind is ErrorKind.Unsupported
    gc.collect()


# -- on Windows: the real kernel32 and ws2_32 -----------------------------------------


def _dup_of_new_file(tmp_path: Any) -> int:
    """A fresh handle, owned by nobody, to a new file (duplicated from a CRT descriptor)."""
    import _winapi  # type: ignore[import-not-found,unused-ignore]
    import msvcrt
    import os

    fd = os.open(tmp_path / "f.bin", os.O_RDWR | os.O_CREAT | os.O_BINARY)  # type: ignore[attr-defined,unused-ignore]
    try:
        me = _winapi.GetCurrentProcess()
        return int(
            _winapi.DuplicateHandle(
                me, msvcrt.get_osfhandle(fd), me, 0, False, _winapi.DUPLICATE_SAME_ACCESS  # type: ignore[attr-defined,unused-ignore]
            )
        )
    finally:
        os.close(fd)


@windows_only
def test_windows_close_handle(tmp_path: Any) -> None:
    raw = _dup_of_new_file(tmp_path)
    owned = OwnedHandle.from_raw_handle(raw)
    assert owned.as_raw_handle() == raw
    BorrowedHandle.borrow_raw(raw)  # GetHandleInformation accepts it
    owned.close()
    with pytest.raises(Error) as info:
        BorrowedHandle.borrow_raw(raw)  # closed: GetHandleInformation refuses it
    assert info.value.raw_os_error() == 6  # ERROR_INVALID_HANDLE


@windows_only
def test_windows_duplicate_handle(tmp_path: Any) -> None:
    with OwnedHandle.from_raw_handle(_dup_of_new_file(tmp_path)) as owned:
        with owned.try_clone() as clone:
            assert clone.as_raw_handle() != owned.as_raw_handle()
            with owned.as_handle().try_clone_to_owned() as second:
                assert second.as_raw_handle() not in (owned.as_raw_handle(), clone.as_raw_handle())
        with OwnedHandle.from_raw_handle(-1).try_clone() as process:
            assert h.is_closable(process.as_raw_handle())  # a real handle to this process


@windows_only
def test_windows_get_std_handle() -> None:
    for which in (h.STD_INPUT_HANDLE, h.STD_OUTPUT_HANDLE, h.STD_ERROR_HANDLE):
        raw = h.get_std_handle(which)
        assert 0 <= raw < TOP
        BorrowedHandle._std(raw).as_raw_handle()


@windows_only
def test_windows_sockets() -> None:
    import socket

    with socket.socket() as s:
        raw = s.detach()
    with OwnedSocket.from_raw_socket(raw) as owned, owned.try_clone() as clone:
        assert clone.as_raw_socket() != raw
        BorrowedSocket.borrow_raw(clone.as_raw_socket())
    with pytest.raises(Error):
        BorrowedSocket.borrow_raw(raw)  # closed: getsockopt refuses it (WSAENOTSOCK)


class FailingDuplicateOps(RecordingOps):
    """`DuplicateHandle` / `WSADuplicateSocketW` failing, as with ERROR_NOT_ENOUGH_MEMORY."""

    def duplicate(self, raw: int) -> int:
        raise Error.from_raw_os_error(8)


@pytest.mark.parametrize("kind", ["handle", "borrowed handle", "socket", "borrowed socket"])
def test_a_kept_clone_error_does_not_keep_the_value_open(kind: str) -> None:
    # The owner's cell is held during the call; a caller that keeps the
    # error (and with it the traceback's frames) must not defer the close.
    ops = FailingDuplicateOps()
    raw = ops.new()
    owner: Any = OwnedSocket._adopt(raw, ops) if "socket" in kind else OwnedHandle._adopt(raw, ops)
    target: Any = owner
    if kind == "borrowed handle":
        target = owner.as_handle()
    elif kind == "borrowed socket":
        target = owner.as_socket()
    clone = target.try_clone_to_owned if kind.startswith("borrowed") else target.try_clone
    with pytest.raises(Error) as info:
        clone()
    kept = info.value
    assert kept.__traceback__ is not None
    owner.close()
    assert ops.released == [raw]
    assert ops.open == set()
