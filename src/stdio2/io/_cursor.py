"""STUB: being written; see the issue tracker."""

from typing import Any

Cursor: Any = None
