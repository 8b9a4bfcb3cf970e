"""TCP echo round trips through ``gevent.server.StreamServer`` and ``gevent.socket``.

The server and its clients share one process: ``CLIENTS`` (100) greenlets each
open one connection (TCP_NODELAY) and, once every connection is up and accepted,
send a 64-byte message and wait for its echo, N / CLIENTS times. Connecting is
not timed; the timed section is the round trips alone.

Metrics: ``time_s``, ``us_per_roundtrip`` (wall time over all N round trips),
``roundtrips_per_s``, ``connect_s`` (untimed setup, for information).
"""

from __future__ import annotations

from _benchlib import emit, perf_counter, size, unavailable

import gevent

BENCH = "tcp_echo"
CLIENTS = 100
MESSAGE = b"x" * 64


def main() -> None:
    n = size(50_000)
    try:
        from gevent import socket
        from gevent.event import Event
        from gevent.server import StreamServer
    except ImportError as exc:
        unavailable(BENCH, n, exc)

    accepted = [0]
    all_accepted = Event()

    def echo(conn: socket.socket, _address: object) -> None:
        accepted[0] += 1
        if accepted[0] == CLIENTS:
            all_accepted.set()
        while True:
            data = conn.recv(4096)
            if not data:
                return
            conn.sendall(data)

    server = StreamServer(("127.0.0.1", 0), echo, backlog=1024)
    server.start()
    port = server.server_port
    per_client = max(1, n // CLIENTS)
    total = per_client * CLIENTS
    connected = [0]
    all_connected = Event()
    go = Event()

    def client() -> None:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connected[0] += 1
            if connected[0] == CLIENTS:
                all_connected.set()
            go.wait()
            for _ in range(per_client):
                conn.sendall(MESSAGE)
                got = 0
                while got < len(MESSAGE):
                    chunk = conn.recv(4096)
                    if not chunk:
                        raise RuntimeError("server closed the connection")
                    got += len(chunk)

    gevent.sleep(0)
    c0 = perf_counter()
    clients = [gevent.spawn(client) for _ in range(CLIENTS)]
    if not (all_connected.wait(30) and all_accepted.wait(30)):
        gevent.joinall(clients, timeout=1, raise_error=True)
        raise RuntimeError(f"only {connected[0]} connected, {accepted[0]} accepted")
    connect_s = perf_counter() - c0
    t0 = perf_counter()
    go.set()
    gevent.joinall(clients, raise_error=True)
    elapsed = perf_counter() - t0
    server.stop()
    emit(BENCH, n, time_s=elapsed, us_per_roundtrip=elapsed / total * 1e6,
         roundtrips_per_s=total / elapsed, connect_s=connect_s, clients=CLIENTS)


if __name__ == "__main__":
    main()
