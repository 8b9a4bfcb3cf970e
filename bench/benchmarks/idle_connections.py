"""Memory per idle connection: N client connections to a ``StreamServer``, all blocked.

The server and its clients share one process: N client greenlets each open one
connection and block in ``recv``; the server's N handler greenlets block in
``recv`` too. So one "connection" here is both ends: a client greenlet with its
socket and a server handler greenlet with its accepted socket (two descriptors).

Pass 1 (timed): from nothing to N connections up and accepted, then the resident
set growth. Pass 2 (untimed): the same under tracemalloc. Each pass tears its
connections down (clients killed, handlers see EOF). A small warm-up round first
takes lazy imports and first-use caches out of both passes. RLIMIT_NOFILE's soft
limit is raised if it is below about 2N; if it cannot be, the script reports
itself unavailable.

Metrics: ``time_s`` (setup of N connections), ``us_per_conn``, ``rss_per_conn``
(bytes of RSS growth per connection, /proc/self/statm), ``traced_per_conn``
(bytes of Python heap per connection, tracemalloc). ``rss_per_conn`` is the
runner's compared metric for this row; kernel socket buffers are not in it.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from _benchlib import emit, perf_counter, raise_nofile, rss_bytes, size, unavailable

import gevent

BENCH = "idle_connections"
WARMUP = 20


def main() -> None:
    n = size(2_000)
    try:
        from gevent import socket
        from gevent.event import Event
        from gevent.server import StreamServer
    except ImportError as exc:
        unavailable(BENCH, n, exc)
    ok, limit = raise_nofile(2 * n + 200)
    if not ok:
        unavailable(BENCH, n, OSError(f"RLIMIT_NOFILE soft limit {limit} cannot reach "
                                      f"{2 * n + 200} for {n} connections"))

    state: dict[str, Any] = {}

    def reset(target: int) -> None:
        state.update(target=target, accepted=0, connected=0, closed=0,
                     all_accepted=Event(), all_connected=Event(), all_closed=Event())

    def handler(conn: Any, _address: object) -> None:
        state["accepted"] += 1
        if state["accepted"] == state["target"]:
            state["all_accepted"].set()
        try:
            conn.recv(1)  # blocks until the client goes away
        finally:
            state["closed"] += 1
            if state["closed"] == state["target"]:
                state["all_closed"].set()

    server = StreamServer(("127.0.0.1", 0), handler, backlog=max(128, n + 16))
    server.start()
    address = ("127.0.0.1", server.server_port)

    def client() -> None:
        with socket.create_connection(address) as conn:
            state["connected"] += 1
            if state["connected"] == state["target"]:
                state["all_connected"].set()
            conn.recv(1)  # blocks until killed

    def open_all(count: int) -> list[Any]:
        reset(count)
        clients = [gevent.spawn(client) for _ in range(count)]
        if not (state["all_connected"].wait(120) and state["all_accepted"].wait(120)):
            gevent.joinall(clients, timeout=1, raise_error=True)
            raise RuntimeError(f"{state['connected']} of {count} connected, "
                               f"{state['accepted']} accepted")
        return clients

    def close_all(clients: list[Any]) -> None:
        gevent.killall(clients)
        if not state["all_closed"].wait(60):
            raise RuntimeError(f"only {state['closed']} of {state['target']} handlers ended")

    close_all(open_all(WARMUP))
    gc.collect()

    rss0 = rss_bytes()
    t0 = perf_counter()
    clients = open_all(n)
    elapsed = perf_counter() - t0
    rss1 = rss_bytes()
    close_all(clients)
    del clients
    gc.collect()

    tracemalloc.start()
    traced0 = tracemalloc.get_traced_memory()[0]
    clients = open_all(n)
    traced1 = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    close_all(clients)
    server.stop()

    emit(BENCH, n, time_s=elapsed, us_per_conn=elapsed / n * 1e6,
         rss_per_conn=(rss1 - rss0) / n, traced_per_conn=(traced1 - traced0) / n)


if __name__ == "__main__":
    main()
