"""A chat room over websockets: every message goes to everyone in the room.

    python examples/websocket_chat.py           # serve ws://127.0.0.1:8001/chat?name=NAME
    python examples/websocket_chat.py --demo    # serve, run three clients, print the log

The room is a set of websockets. Each connection's greenlet receives messages
and broadcasts them; a slow or dead client cannot stall the others, because
each send happens in its own greenlet (a Group), and a failed send just drops
that client.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import parse_qs

import gevent
from gevent import pywsgi
from gevent.pool import Group
from gevent.websocket import WebSocket, WebSocketError, connect


class Room:
    def __init__(self) -> None:
        self.members: dict[WebSocket, str] = {}
        self.senders = Group()

    def broadcast(self, text: str) -> None:
        for ws in list(self.members):
            self.senders.spawn(self._send, ws, text)

    def _send(self, ws: WebSocket, text: str) -> None:
        try:
            ws.send(text)
        except WebSocketError:
            self.members.pop(ws, None)

    def serve(self, ws: WebSocket, name: str) -> None:
        self.members[ws] = name
        self.broadcast(f"* {name} joined")
        try:
            while (message := ws.receive()) is not None:
                self.broadcast(f"<{name}> {message}")
        finally:
            self.members.pop(ws, None)
            self.broadcast(f"* {name} left")


room = Room()


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    ws = environ.get("wsgi.websocket")
    if ws is None or environ["PATH_INFO"] != "/chat":
        start_response("404 Not Found", [("Content-Length", "0")])
        return []
    name = parse_qs(environ.get("QUERY_STRING", "")).get("name", ["anonymous"])[0]
    room.serve(ws, name)
    return []


def demo() -> None:
    server = pywsgi.WSGIServer(("127.0.0.1", 0), app, log=None)
    server.start()
    base = f"ws://127.0.0.1:{server.server_port}/chat?name="
    logs: dict[str, list[str]] = {}

    def listen(name: str, ws: WebSocket) -> None:
        logs[name] = []
        while (line := ws.receive()) is not None:
            logs[name].append(str(line))

    clients = {name: connect(base + name) for name in ("ann", "bob", "cid")}
    listeners = [gevent.spawn(listen, name, ws) for name, ws in clients.items()]
    gevent.sleep(0.1)
    clients["ann"].send("hello, all")
    gevent.sleep(0.1)
    clients["bob"].send("hi ann")
    gevent.sleep(0.1)
    clients["cid"].close()
    gevent.sleep(0.1)
    for ws in clients.values():
        ws.close()
    gevent.joinall(listeners, timeout=5)
    for line in logs["ann"]:
        print(line)
    server.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["--demo"]:
        demo()
    else:
        print("Chat on ws://127.0.0.1:8001/chat?name=NAME")
        pywsgi.WSGIServer(("127.0.0.1", 8001), app).serve_forever()
