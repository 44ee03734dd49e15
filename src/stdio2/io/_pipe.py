"""STUB: being written; see the issue tracker."""

from typing import Any

PipeReader: Any = None
PipeWriter: Any = None
pipe: Any = None
