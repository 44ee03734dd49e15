"""STUB: being written; see the issue tracker."""

from typing import Any

Broadcast: Any = None
Bytes: Any = None
Chain: Any = None
Empty: Any = None
Lines: Any = None
Repeat: Any = None
Sink: Any = None
Split: Any = None
Take: Any = None
Tee: Any = None
copy: Any = None
empty: Any = None
read_to_string: Any = None
repeat: Any = None
sink: Any = None
