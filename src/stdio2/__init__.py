"""stdio2: what Rust's standard library got right about I/O, for Python.

Single-syscall ``read``/``write`` with looping conveniences that never lose
data, owned and borrowed OS handles (I/O safety), lossless OS strings,
deadline scopes and a pure-Python io_uring driver.

Importing ``stdio2`` itself imports nothing heavy; import the submodule you
need (``stdio2.io``, ``stdio2.fs``, ``stdio2.net`` ...).
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
