"""Keep-alive HTTP/1.1 requests to ``gevent.pywsgi.WSGIServer`` from greenlet clients.

The server and its clients share one process: ``CLIENTS`` greenlets each hold one
keep-alive connection and send N / CLIENTS ``GET`` requests one after another,
reading each response (status line, headers, a Content-Length body) before the
next. The application returns a short body with its own Content-Length; access
logging is off; both ends use TCP_NODELAY.

Metrics: ``time_s``, ``requests_per_s``, ``us_per_request`` (wall time over all
requests), ``lat_p50_ms`` and ``lat_p99_ms`` (per request, as one client sees it).
"""

from __future__ import annotations

from typing import Any

from _benchlib import emit, perf_counter, size, unavailable

import gevent

BENCH = "wsgi_load"
CLIENTS = 10
BODY = b"Hello, world!\n"
REQUEST = b"GET /hello?x=1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]


def read_response(conn: Any, buffer: bytearray) -> None:
    """Read one response off ``conn``; leftover bytes stay in ``buffer``."""
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            break
        chunk = conn.recv(65536)
        if not chunk:
            raise RuntimeError("server closed the connection")
        buffer += chunk
    head = bytes(buffer[:end]).lower()
    if not head.startswith(b"http/1.1 200"):
        raise RuntimeError(f"unexpected response: {head[:40]!r}")
    length = int(head.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
    total = end + 4 + length
    while len(buffer) < total:
        chunk = conn.recv(65536)
        if not chunk:
            raise RuntimeError("server closed the connection")
        buffer += chunk
    del buffer[:total]


def main() -> None:
    n = size(20_000)
    try:
        from gevent import socket
        from gevent.pywsgi import WSGIServer
    except ImportError as exc:
        unavailable(BENCH, n, exc)

    # TCP_NODELAY on the listener is inherited by accepted sockets (Linux): a
    # server that writes headers and body separately would otherwise meet the
    # client's delayed ACK (~40 ms a request), which measures TCP, not the server.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    server = WSGIServer(listener, app, log=None)
    server.start()
    port = server.server_port
    per_client = max(1, n // CLIENTS)
    total = per_client * CLIENTS
    latencies: list[float] = []

    def client() -> None:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffer = bytearray()
            record = latencies.append
            for _ in range(per_client):
                start = perf_counter()
                conn.sendall(REQUEST)
                read_response(conn, buffer)
                record(perf_counter() - start)

    gevent.sleep(0)
    t0 = perf_counter()
    clients = [gevent.spawn(client) for _ in range(CLIENTS)]
    gevent.joinall(clients, raise_error=True)
    elapsed = perf_counter() - t0
    server.stop()
    latencies.sort()
    emit(BENCH, n, time_s=elapsed, requests_per_s=total / elapsed,
         us_per_request=elapsed / total * 1e6,
         lat_p50_ms=latencies[len(latencies) // 2] * 1e3,
         lat_p99_ms=latencies[int(len(latencies) * 0.99)] * 1e3)


if __name__ == "__main__":
    main()
