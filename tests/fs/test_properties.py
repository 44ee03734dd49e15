"""Property tests: listings against the set of names created, tree removal against random trees."""

from __future__ import annotations

import os
import shutil
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from stdio2 import fs
from stdio2.os.unix.ffi import OsStrExt

# Any byte but NUL and "/", excluding the names "." and "..".
names = st.binary(min_size=1, max_size=12).filter(
    lambda b: b"\0" not in b and b"/" not in b and b not in (b".", b"..")
)


@settings(max_examples=60, deadline=None)
@given(st.sets(names, max_size=20), st.integers(0, 20))
def test_read_dir_lists_exactly_what_was_created(created: set[bytes], stop_after: int) -> None:
    d = tempfile.mkdtemp(prefix="stdio2-prop-").encode()
    try:
        for name in created:
            with open(d + b"/" + name, "wb"):
                pass
        listed = {e.file_name() for e in fs.read_dir(d)}
        assert listed == {OsStrExt.from_bytes(n) for n in created}
        # Stopping early and dropping the iterator is a normal way to end.
        with fs.read_dir(d) as rd:
            for i, entry in enumerate(rd):
                assert os.fsencode(entry.path()) == d + b"/" + OsStrExt.as_bytes(entry.file_name())
                if i >= stop_after:
                    break
    finally:
        shutil.rmtree(d)


trees = st.recursive(
    st.just(None),  # a file
    lambda children: st.dictionaries(names, children, max_size=4),
    max_leaves=25,
)


def _build(path: bytes, node: object, outside: bytes, links: list[bool]) -> None:
    if node is None:
        with open(path, "wb") as f:
            f.write(b"x")
        return
    os.mkdir(path)
    assert isinstance(node, dict)
    for name, child in node.items():
        _build(path + b"/" + name, child, outside, links)
    if links and links.pop():
        os.symlink(outside, path + b"/\xfflink-out")


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(names, trees, max_size=5), st.lists(st.booleans(), max_size=10))
def test_remove_dir_all_removes_random_trees_and_nothing_else(
    tree: dict[bytes, object], links: list[bool]
) -> None:
    base = tempfile.mkdtemp(prefix="stdio2-prop-").encode()
    try:
        outside = base + b"/outside"
        os.mkdir(outside)
        with open(outside + b"/keep", "wb"):
            pass
        root = base + b"/root"
        _build(root, tree, outside, list(links))
        fs.remove_dir_all(root)
        assert not os.path.lexists(root)
        assert os.listdir(outside) == [b"keep"]
    finally:
        shutil.rmtree(base)
