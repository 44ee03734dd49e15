"""Helpers shared by the socket tests: connected pairs, child-process peers, descriptor checks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from stdio2.net import TcpListener, TcpStream


def tcp_pair(host: str = "127.0.0.1") -> tuple[TcpStream, TcpStream]:
    """A connected (client, server) pair of stdio2 streams over loopback."""
    with TcpListener.bind((host, 0)) as listener:
        client = TcpStream.connect(listener.local_addr())
        server, _ = listener.accept()
    return client, server


def have_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not have_ipv6(), reason="no IPv6 loopback (::1) on this machine")


def fd_is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


@contextmanager
def child(code: str, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """A Python child process running *code*, with its stdout piped; killed and reaped on exit."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()


def read_port(proc: subprocess.Popen[bytes]) -> int:
    """The first stdout line of a child peer: the port it listens on."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, "the child peer exited before announcing its port"
    return int(line)


def wait_until(predicate: object, timeout: float = 5.0) -> bool:
    """Poll *predicate* (a callable) every 5 ms until it is true or *timeout* passes."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.005)
    return False
