"""The traits, for ``from stdio2.io.prelude import *`` (Rust's ``std::io::prelude``)."""

from stdio2.io._traits import BufRead, Read, Seek, Write

__all__ = ["BufRead", "Read", "Seek", "Write"]
