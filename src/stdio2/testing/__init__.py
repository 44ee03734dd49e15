"""A conformance kit for stdio2 readers, writers, buffered readers and seekers.

Run any implementation of the traits through the contract of DESIGN §3 (and
Rust's ``std::io``): short reads, end of file that stays end of file, empty
buffers, ``read_exact``/``read_to_end`` progress, ``TypeError`` for wrong
argument types, ``write_all``, ``flush``, seek semantics, and the consistency
of ``fill_buf``/``consume``/``read_until``/``lines``. A violation raises
``AssertionError`` whose message names the check and what was seen.

Factory signatures (each call must return a *fresh* object):

* ``check_read(factory)``: ``factory(data: bytes) -> Read`` whose stream is
  exactly *data*.
* ``check_bufread(factory)``: ``factory(data: bytes) -> BufRead``, likewise.
* ``check_seek(factory)``: ``factory(data: bytes) -> Seek`` positioned at 0
  over a stream of exactly *data* (if it is also a `Read`, the bytes read
  after each seek are checked too).
* ``check_write(factory)``: ``factory(data: bytes) -> (writer, getvalue)``;
  *data* is what the kit is about to write (so fixed-size destinations can be
  sized), and ``getvalue()`` returns the bytes that have reached the
  destination so far (the kit calls it after ``flush()``).

Example::

    from stdio2.io import Cursor
    from stdio2.testing import check_read
    check_read(lambda data: Cursor(data))
"""

from stdio2.testing._checks import check_bufread, check_read, check_seek, check_write

__all__ = ["check_bufread", "check_read", "check_seek", "check_write"]
