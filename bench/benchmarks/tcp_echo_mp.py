"""TCP echo round trips with the server and the client in separate processes.

The script starts itself again as a child (``--server``, same interpreter and
environment, so the same gevent): a ``StreamServer`` echo handler bound to
127.0.0.1 port 0, which prints its port and the gevent it imported on one ready
line. Where two CPUs are usable the server is pinned to one and the client (this
process) to the other (``os.sched_setaffinity``); with one, neither is pinned.

The client opens ``CLIENTS`` (100) green connections (TCP_NODELAY), makes one
untimed round trip on each, waits until all have, then each sends a 64-byte
message and waits for the echo, N / CLIENTS times. The timed section is the
round trips alone. The server child is always stopped: at the end, on any
error, and (Linux parent-death signal, plus a getppid watch in the child) if
this process is killed.

Metrics: ``time_s``, ``us_per_roundtrip``, ``roundtrips_per_s``, ``connect_s``
(untimed), ``pinned`` (1 when the two processes have a core each, else 0).
"""

from __future__ import annotations

import sys

from _benchlib import (
    cpu_pair,
    emit,
    exit_with_parent,
    perf_counter,
    pin_self,
    ready,
    size,
    start_child,
    stop_child,
    unavailable,
)

import gevent

BENCH = "tcp_echo_mp"
CLIENTS = 100
MESSAGE = b"x" * 64


def serve() -> None:
    """The child: echo until killed."""
    from gevent.server import StreamServer

    def echo(conn: object, _address: object) -> None:
        recv = conn.recv  # type: ignore[attr-defined]
        sendall = conn.sendall  # type: ignore[attr-defined]
        while True:
            data = recv(4096)
            if not data:
                return
            sendall(data)

    exit_with_parent()
    server = StreamServer(("127.0.0.1", 0), echo, backlog=1024)
    server.start()
    ready(server.server_port, gevent.__file__)
    server.serve_forever()


def main() -> None:
    n = size(50_000)
    try:
        from gevent import socket
        from gevent.event import Event
        from gevent.server import StreamServer  # noqa: F401  (the child needs it)
    except ImportError as exc:
        unavailable(BENCH, n, exc)

    mine, theirs = cpu_pair()
    child, line = start_child([sys.executable, __file__, "0", "--server"], theirs)
    try:
        port_text, child_gevent = line.split(" ", 1)
        if child_gevent != gevent.__file__:
            raise RuntimeError(f"server child imported {child_gevent}, not {gevent.__file__}")
        port = int(port_text)
        pinned = pin_self(mine) and theirs is not None

        per_client = max(1, n // CLIENTS)
        total = per_client * CLIENTS
        connected = [0]
        all_connected = Event()
        go = Event()

        def roundtrip(conn: socket.socket) -> None:
            conn.sendall(MESSAGE)
            got = 0
            while got < len(MESSAGE):
                chunk = conn.recv(4096)
                if not chunk:
                    raise RuntimeError("server closed the connection")
                got += len(chunk)

        def client() -> None:
            with socket.create_connection(("127.0.0.1", port)) as conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                roundtrip(conn)  # untimed: the server has accepted and is echoing
                connected[0] += 1
                if connected[0] == CLIENTS:
                    all_connected.set()
                go.wait()
                for _ in range(per_client):
                    roundtrip(conn)

        c0 = perf_counter()
        clients = [gevent.spawn(client) for _ in range(CLIENTS)]
        if not all_connected.wait(30):
            gevent.joinall(clients, timeout=1, raise_error=True)
            raise RuntimeError(f"only {connected[0]} of {CLIENTS} connected")
        connect_s = perf_counter() - c0
        t0 = perf_counter()
        go.set()
        gevent.joinall(clients, raise_error=True)
        elapsed = perf_counter() - t0
    finally:
        stop_child(child)
    emit(BENCH, n, time_s=elapsed, us_per_roundtrip=elapsed / total * 1e6,
         roundtrips_per_s=total / elapsed, connect_s=connect_s, clients=CLIENTS,
         pinned=int(pinned))


if __name__ == "__main__":
    if "--server" in sys.argv[1:]:
        serve()
    else:
        main()
