"""TCP echo round trips through ``gevent.server.StreamServer`` and ``gevent.socket``.

The server and its clients share one process: ``CLIENTS`` greenlets each hold one
connection and send a 64-byte message, then wait for the echo, N / CLIENTS times.

Metrics: ``time_s``, ``us_per_roundtrip`` (wall time over all N round trips),
``roundtrips_per_s``.
"""

from __future__ import annotations

from _benchlib import emit, perf_counter, size, unavailable

import gevent

BENCH = "tcp_echo"
CLIENTS = 10
MESSAGE = b"x" * 64


def main() -> None:
    n = size(20_000)
    try:
        from gevent import socket
        from gevent.server import StreamServer
    except ImportError as exc:
        unavailable(BENCH, n, exc)

    def echo(conn: socket.socket, _address: object) -> None:
        while True:
            data = conn.recv(4096)
            if not data:
                return
            conn.sendall(data)

    server = StreamServer(("127.0.0.1", 0), echo)
    server.start()
    port = server.server_port
    per_client = max(1, n // CLIENTS)
    total = per_client * CLIENTS

    def client() -> None:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for _ in range(per_client):
                conn.sendall(MESSAGE)
                got = 0
                while got < len(MESSAGE):
                    chunk = conn.recv(4096)
                    if not chunk:
                        raise RuntimeError("server closed the connection")
                    got += len(chunk)

    gevent.sleep(0)
    t0 = perf_counter()
    clients = [gevent.spawn(client) for _ in range(CLIENTS)]
    gevent.joinall(clients, raise_error=True)
    elapsed = perf_counter() - t0
    server.stop()
    emit(BENCH, n, time_s=elapsed, us_per_roundtrip=elapsed / total * 1e6,
         roundtrips_per_s=total / elapsed)


if __name__ == "__main__":
    main()
