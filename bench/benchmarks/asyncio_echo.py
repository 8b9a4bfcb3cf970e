"""An asyncio echo server and 50 client connections in one loop, N 64-byte round trips.

Both ends are asyncio protocols on the loop under test, so the cost is the
loop's: readiness, transports, callbacks. ``time_s`` is gevent.asyncio.EventLoop's
(median of the rounds); ``stock_time_s`` is the standard selector loop's in the
same process; ``ratio_vs_stock`` the quotient (goal: at most 1.5).
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from _benchlib import emit, size, unavailable

BENCH = "asyncio_echo"
CLIENTS = 50
PAYLOAD = b"x" * 64


class Echo(asyncio.Protocol):
    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)


class Client(asyncio.Protocol):
    def __init__(self, turns: int, done: asyncio.Future[None]) -> None:
        self.turns = turns
        self.done = done
        self.pending = b""

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def start(self) -> None:
        if self.turns:
            self.transport.write(PAYLOAD)
        else:
            self.done.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.pending += data
        if len(self.pending) < len(PAYLOAD):
            return
        self.pending = b""
        self.turns -= 1
        if self.turns:
            self.transport.write(PAYLOAD)
        elif not self.done.done():
            self.done.set_result(None)


def echo(loop: asyncio.AbstractEventLoop, n: int) -> None:
    async def run() -> None:
        server = await loop.create_server(Echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        per_client = max(1, n // CLIENTS)
        clients = []
        for _ in range(CLIENTS):
            done = loop.create_future()
            transport, proto = await loop.create_connection(
                lambda d=done: Client(per_client, d), "127.0.0.1", port)
            clients.append((transport, proto))
        for _, proto in clients:
            proto.start()
        await asyncio.gather(*(proto.done for _, proto in clients))
        for transport, _ in clients:
            transport.close()
        server.close()
        await server.wait_closed()

    loop.run_until_complete(run())


def main() -> None:
    n = size(50_000)
    try:
        from gevent.asyncio import EventLoop
    except ImportError as exc:
        unavailable(BENCH, n, exc)
    from _aiolib import compare

    result = compare(echo, n, EventLoop)
    emit(BENCH, n, us_per_roundtrip=result["time_s"] / n * 1e6, **result)


if __name__ == "__main__":
    main()
