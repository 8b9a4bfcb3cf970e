"""The echo application Autobahn's fuzzingclient talks to: ``python echo_server.py PORT``."""

from __future__ import annotations

import sys
from typing import Any

from gevent import pywsgi
from gevent.websocket import Settings, WebSocketError


def echo(environ: dict[str, Any], start_response: Any) -> Any:
    ws = environ.get("wsgi.websocket")
    if ws is None:
        start_response("400 Bad Request", [("Content-Length", "0")])
        return []
    while True:
        message = ws.receive()
        if message is None:
            return []
        try:
            ws.send(message)
        except WebSocketError:
            # The peer's next frame broke the protocol: the connection is closed.
            return []


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9001
    server = pywsgi.WSGIServer(("127.0.0.1", port), echo, log=None)
    # Autobahn's 9.* cases send messages of up to 16 MiB.
    server.websocket_settings = Settings(max_message_size=1 << 25)
    server.serve_forever()
