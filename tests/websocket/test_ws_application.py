"""WebSocketApplication and Resource, the helpers for code ported from gevent-websocket."""

from __future__ import annotations

from typing import Any

from ws_frames import read_response_head

import gevent
from gevent import socket
from gevent.websocket import Resource, Settings, WebSocketApplication, connect

events: list[Any] = []


class Echo(WebSocketApplication):
    def on_open(self) -> None:
        events.append(("open", self.ws.path))

    def on_message(self, message: str | bytes) -> None:
        events.append(("message", message))
        self.ws.send(message)

    def on_close(self, code: int | None, reason: str | None) -> None:
        events.append(("close", code))


class Upper(WebSocketApplication):
    protocol_name = "upper"

    def on_message(self, message: str | bytes) -> None:
        assert isinstance(message, str)
        self.ws.send(message.upper())


def plain(environ: dict[str, Any], start_response: Any) -> Any:
    start_response("200 OK", [("Content-Length", "5")])
    return [b"plain"]


def make_resource() -> Resource:
    return Resource([("^/upper", Upper), ("^/echo", Echo), ("^/page", plain)])


def test_callbacks_in_order(serve: Any) -> None:
    events.clear()
    server = serve(make_resource())
    ws = connect(f"ws://127.0.0.1:{server.server_port}/echo/1")
    ws.send("one")
    assert ws.receive() == "one"
    ws.send(b"two")
    assert ws.receive() == b"two"
    ws.close(4000)
    for _ in range(100):
        if events and events[-1][0] == "close":
            break
        gevent.sleep(0.01)
    assert events == [("open", "/echo/1"), ("message", "one"), ("message", b"two"),
                      ("close", 4000)]


def test_routing_by_path_and_subprotocol(serve: Any) -> None:
    server = serve(make_resource(), Settings(subprotocols=("upper",)))
    port = server.server_port
    ws = connect(f"ws://127.0.0.1:{port}/upper", subprotocols=["upper"])
    ws.send("shout")
    assert ws.receive() == "SHOUT"
    ws.close()
    # without the subprotocol the route does not match: nothing else does either
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /upper HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 b"Sec-WebSocket-Version: 13\r\n\r\n")
    assert read_response_head(sock).startswith(b"HTTP/1.1 404")
    sock.close()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /page HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response_head(sock).startswith(b"HTTP/1.1 200")
    assert sock.recv(5) == b"plain"
    sock.close()
