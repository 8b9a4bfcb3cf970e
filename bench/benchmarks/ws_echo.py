"""WebSocket echo of 1 KiB binary messages over 100 connections to ``pywsgi``.

Ours: the websocket built into ``gevent.pywsgi`` (``environ['wsgi.websocket']``).
The reference: gevent 26.9.0 with gevent-websocket 0.10.1's ``WebSocketHandler``
(install it into the reference environment: ``pip install gevent-websocket==0.10.1``;
without it the row is unavailable). The application is the same on both sides.

The clients are the same code on both sides too: raw green sockets, each sending
one precomputed masked frame and reading the 1028-byte unmasked echo, so the
timed section measures the servers. ``CLIENTS`` (100) connections, N round trips
in all; the handshakes are not timed. No compression is offered.

Metrics: ``time_s``, ``us_per_roundtrip``, ``roundtrips_per_s``, ``connect_s``.
"""

from __future__ import annotations

import base64
import os
import struct

from _benchlib import emit, perf_counter, size, unavailable

import gevent

BENCH = "ws_echo"
CLIENTS = 100
PAYLOAD = bytes(range(256)) * 4  # 1 KiB
MASK = b"\x37\xfa\x21\x3d"
FRAME = (struct.pack("!BBH", 0x82, 0x80 | 126, len(PAYLOAD)) + MASK
         + bytes(b ^ MASK[i % 4] for i, b in enumerate(PAYLOAD)))
REPLY_LEN = 4 + len(PAYLOAD)
CLOSE = b"\x88\x82" + MASK + bytes(a ^ b for a, b in zip(b"\x03\xe8", MASK[:2], strict=True))


def _server_factory() -> object:
    """A function (address, app) -> started server, or an ImportError."""
    from gevent import pywsgi

    try:
        import gevent.websocket  # noqa: F401  (ours: built in)

        def make(address: object, app: object) -> object:
            return pywsgi.WSGIServer(address, app, log=None)
    except ImportError:
        from geventwebsocket.handler import WebSocketHandler

        def make(address: object, app: object) -> object:
            return pywsgi.WSGIServer(address, app, log=None, handler_class=WebSocketHandler)
    return make


def main() -> None:
    n = size(50_000)
    try:
        from gevent import socket
        from gevent.event import Event

        make = _server_factory()
    except ImportError as exc:
        unavailable(BENCH, n, exc)

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        ws = environ["wsgi.websocket"]
        while True:
            message = ws.receive()  # type: ignore[attr-defined]
            if message is None:
                break
            ws.send(message, binary=True)  # type: ignore[attr-defined]
        return []

    server = make(("127.0.0.1", 0), app)  # type: ignore[operator]
    server.start()
    port = server.server_port
    per_client = max(1, n // CLIENTS)
    total = per_client * CLIENTS
    connected = [0]
    all_connected = Event()
    go = Event()

    def handshake(conn: socket.socket) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        conn.sendall((f"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                raise RuntimeError("the server closed the connection in the handshake")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"no upgrade: {head[:100]!r}")

    def client() -> None:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            handshake(conn)
            connected[0] += 1
            if connected[0] == CLIENTS:
                all_connected.set()
            go.wait()
            for _ in range(per_client):
                conn.sendall(FRAME)
                got = 0
                while got < REPLY_LEN:
                    chunk = conn.recv(65536)
                    if not chunk:
                        raise RuntimeError("server closed the connection")
                    got += len(chunk)
            conn.sendall(CLOSE)

    gevent.sleep(0)
    c0 = perf_counter()
    clients = [gevent.spawn(client) for _ in range(CLIENTS)]
    if not all_connected.wait(60):
        gevent.joinall(clients, timeout=1, raise_error=True)
        raise RuntimeError(f"only {connected[0]} connected")
    connect_s = perf_counter() - c0
    t0 = perf_counter()
    go.set()
    gevent.joinall(clients, raise_error=True)
    elapsed = perf_counter() - t0
    server.stop(timeout=1)
    emit(BENCH, n, time_s=elapsed, us_per_roundtrip=elapsed / total * 1e6,
         roundtrips_per_s=total / elapsed, connect_s=connect_s, clients=CLIENTS)


if __name__ == "__main__":
    main()
