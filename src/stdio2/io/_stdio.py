"""STUB: being written; see the issue tracker."""

from typing import Any

Stderr: Any = None
StderrLock: Any = None
Stdin: Any = None
StdinLock: Any = None
Stdout: Any = None
StdoutLock: Any = None
stderr: Any = None
stdin: Any = None
stdout: Any = None
