"""Every env test leaves the environment and the working directory as it found them."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    cwd = os.getcwd()
    if sys.platform == "win32":
        saved_s = dict(os.environ)
        yield
        os.chdir(cwd)
        for k in set(os.environ) - set(saved_s):
            del os.environ[k]
        for k, v in saved_s.items():
            if os.environ.get(k) != v:
                os.environ[k] = v
        return
    saved = dict(os.environb)
    yield
    os.chdir(cwd)
    for k in set(os.environb) - set(saved):
        del os.environb[k]
    for k, v in saved.items():
        if os.environb.get(k) != v:
            os.environb[k] = v
