"""``await submission`` inside asyncio: the ring's eventfd wakes the loop."""

from __future__ import annotations

import asyncio
import errno
import socket
import time

import pytest

from stdio2.io import Deadline, Error, ErrorKind, pipe
from stdio2.net import TcpListener
from stdio2.os.linux import uring


def test_await_read(ring: uring.Driver) -> None:
    async def main() -> None:
        r, w = pipe()
        with r, w:
            buf = bytearray(8)
            sub = ring.submit(uring.Read(r, buf))
            asyncio.get_running_loop().call_later(0.02, w.write, b"late")
            assert await sub == 4
            assert bytes(buf[:4]) == b"late"
            done = ring.submit(uring.Nop())
            assert await done is None  # already complete: no suspension needed
            assert await ring.submit(uring.Timeout(0.01)) is None

    asyncio.run(main())


def test_many_concurrent_awaits(ring: uring.Driver) -> None:
    async def reader(r: object, i: int) -> bytes:
        buf = bytearray(16)
        n = await ring.submit(uring.Read(r, buf))
        return bytes(buf[:n])

    async def main() -> None:
        pipes = [pipe() for _ in range(30)]
        tasks = [asyncio.ensure_future(reader(r, i)) for i, (r, _) in enumerate(pipes)]
        await asyncio.sleep(0.01)
        for i, (_, w) in reversed(list(enumerate(pipes))):
            w.write(b"msg %d" % i)
        results = await asyncio.gather(*tasks)
        assert results == [b"msg %d" % i for i in range(30)]
        for r, w in pipes:
            r.close()
            w.close()

    asyncio.run(main())


def test_await_honours_deadline(ring: uring.Driver) -> None:
    async def main() -> None:
        r, w = pipe()
        with r, w:
            buf = bytearray(4)
            sub = ring.submit(uring.Read(r, buf))
            t0 = time.monotonic()
            with pytest.raises(Error) as info, Deadline.after(0.05):
                await sub
            assert info.value.kind is ErrorKind.TimedOut
            assert time.monotonic() - t0 >= 0.04
            buf.extend(b"unpinned")
            assert ring.in_flight() == 0

    asyncio.run(main())


def test_task_cancellation_cancels_the_operation(ring: uring.Driver) -> None:
    async def main() -> None:
        r, w = pipe()
        with r, w:
            buf = bytearray(4)
            sub = ring.submit(uring.Read(r, buf))
            task = asyncio.ensure_future(_await(sub))
            await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # the kernel's answer arrives; the buffer is free afterwards
            with pytest.raises(Error) as info:
                await sub
            assert info.value.raw_os_error() == errno.ECANCELED
            buf.extend(b"free")

    asyncio.run(main())


async def _await(sub: uring.Submission) -> object:
    return await sub


def test_echo_server_on_the_ring(ring: uring.Driver) -> None:
    async def serve_one(conn: object) -> None:
        buf = bytearray(1024)
        while True:
            n = await ring.submit(uring.Recv(conn, buf))
            if n == 0:
                return
            await ring.submit(uring.Send(conn, memoryview(buf)[:n]))

    async def main() -> None:
        with TcpListener.bind("127.0.0.1:0") as listener:
            port = listener.local_addr().port()
            loop = asyncio.get_running_loop()

            async def client(i: int) -> bytes:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"hello %d" % i)
                data = await reader.readexactly(len(b"hello %d" % i))
                writer.close()
                await writer.wait_closed()
                return data

            clients = [loop.create_task(client(i)) for i in range(5)]
            conns = []
            for _ in range(5):
                conn, _addr = await ring.submit(uring.Accept(listener))
                conns.append(conn)
            await asyncio.gather(*(serve_one(c) for c in conns))
            assert await asyncio.gather(*clients) == [b"hello %d" % i for i in range(5)]
            for c in conns:
                c.close()

    asyncio.run(main())


def test_two_loops_in_turn(ring: uring.Driver) -> None:
    async def once() -> None:
        a, b = socket.socketpair()
        from stdio2.os.fd import OwnedFd

        with OwnedFd.from_raw_fd(a.detach()) as x, OwnedFd.from_raw_fd(b.detach()) as y:
            buf = bytearray(4)
            sub = ring.submit(uring.Recv(x, buf))
            asyncio.get_running_loop().call_soon(lambda: ring.submit(uring.Send(y, b"ab")).wait())
            assert await sub == 2

    asyncio.run(once())
    asyncio.run(once())


def test_several_tasks_await_one_submission(ring: uring.Driver) -> None:
    async def main() -> None:
        r, w = pipe()
        with r, w:
            buf = bytearray(8)
            sub = ring.submit(uring.Read(r, buf))

            async def waiter() -> int:
                n: int = await sub
                return n

            tasks = [asyncio.ensure_future(waiter()) for _ in range(3)]
            await asyncio.sleep(0.01)  # all three suspended on the one operation
            w.write(b"shared")
            assert await asyncio.wait_for(asyncio.gather(*tasks), 5) == [6, 6, 6]
            assert bytes(buf[:6]) == b"shared"
            assert ring.in_flight() == 0

    asyncio.run(main())


def test_cancelling_one_of_several_awaiting_tasks_cancels_the_operation_for_all(
    ring: uring.Driver,
) -> None:
    async def main() -> None:
        r, w = pipe()
        with r, w:
            sub = ring.submit(uring.Read(r, bytearray(8)))

            async def waiter() -> object:
                return await sub

            first, second = asyncio.ensure_future(waiter()), asyncio.ensure_future(waiter())
            await asyncio.sleep(0.01)
            first.cancel()  # as documented: the operation is cancelled with its awaiting task
            with pytest.raises(asyncio.CancelledError):
                await first
            with pytest.raises(Error) as info:
                await asyncio.wait_for(second, 5)  # the other task is told, never left hanging
            assert info.value.raw_os_error() == errno.ECANCELED
            assert ring.in_flight() == 0

    asyncio.run(main())


def test_a_closed_event_loop_does_not_break_the_reap(ring: uring.Driver) -> None:
    # A task left pending on a loop that was closed still has its future on
    # the operation; completing the operation must not raise from the reap
    # ("Event loop is closed") into whoever reaps next.
    r, w = pipe()
    with r, w:
        buf = bytearray(8)
        sub = ring.submit(uring.Read(r, buf))

        async def waiter() -> object:
            return await sub

        loop = asyncio.new_event_loop()
        task = loop.create_task(waiter())
        loop.run_until_complete(asyncio.sleep(0.01))
        loop.close()
        w.write(b"data")
        assert sub.wait() == 4
        assert ring.submit(uring.Nop()).wait() is None
        assert ring.in_flight() == 0
        task._log_destroy_pending = False  # type: ignore[attr-defined]  # (left pending on purpose)
        del task
