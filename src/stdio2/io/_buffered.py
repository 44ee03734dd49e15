"""STUB: being written; see the issue tracker."""

from typing import Any

BufReader: Any = None
BufWriter: Any = None
IntoInnerError: Any = None
LineWriter: Any = None
