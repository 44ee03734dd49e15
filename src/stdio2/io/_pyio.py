"""STUB: being written; see the issue tracker."""

from typing import Any

from_pyio: Any = None
to_pyio: Any = None
