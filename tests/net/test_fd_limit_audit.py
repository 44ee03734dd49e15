"""Audit of issue 6: `recv_with_fds(buf, max_fds)` never hands out more than *max_fds* descriptors.

The control buffer is ``CMSG_SPACE(max_fds * 4)``, rounded up to 8 bytes, so
with ``max_fds=1`` two descriptors fit and the kernel sets no ``MSG_CTRUNC``:
the old code returned both. Now that is the typed truncation error, and no
descriptor leaks (the conftest checks the table).
"""

from __future__ import annotations

import os

import pytest

from stdio2.os.fd import OwnedFd
from stdio2.os.unix.net import AncillaryTruncatedError, UnixDatagram, UnixStream


@pytest.mark.parametrize("pair", [UnixStream.pair, UnixDatagram.pair])
@pytest.mark.parametrize(("sent", "max_fds"), [(2, 1), (4, 3), (3, 1), (1, 0)])
def test_more_descriptors_than_max_fds_is_truncation(pair: object, sent: int, max_fds: int) -> None:
    r, w = os.pipe()
    with OwnedFd.from_raw_fd(r) as ro, OwnedFd.from_raw_fd(w) as wo:
        a, b = pair()  # type: ignore[operator]
        with a, b:
            assert a.send_with_fds(b"data", [ro if i % 2 else wo for i in range(sent)]) == 4
            buf = bytearray(8)
            with pytest.raises(AncillaryTruncatedError) as info:
                b.recv_with_fds(buf, max_fds)
            assert info.value.progress == 4 and buf[:4] == b"data"
            assert info.value.fds_closed <= sent
            # The connection is still usable, and an exact fit is no error.
            assert a.send_with_fds(b"more", [ro] * (max_fds or 1)) == 4
            n, fds = b.recv_with_fds(buf, max_fds or 1)
            try:
                assert n == 4 and len(fds) == (max_fds or 1)
            finally:
                for fd in fds:
                    fd.close()
