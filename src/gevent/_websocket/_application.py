"""``WebSocketApplication`` and ``Resource``: callbacks instead of a receive loop.

For code ported from gevent-websocket: an application class gets ``on_open``,
``on_message`` and ``on_close`` calls, and ``Resource`` routes request paths to
such classes (or to plain WSGI applications).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._connection import WebSocket

__all__ = ["Resource", "WebSocketApplication"]


class WebSocketApplication:
    """Subclass and override the ``on_*`` methods; ``Resource`` builds one per connection.

    ``protocol_name``: when set, ``Resource`` routes a websocket to this class only
    if the subprotocol the server chose (``Settings.subprotocols``) is this one.
    """

    protocol_name: str | None = None

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws

    def handle(self) -> None:
        """Call ``on_open``, then ``on_message`` per message, then ``on_close``."""
        ws = self.ws
        self.on_open()
        try:
            while True:
                message = ws.receive()
                if message is None:
                    break
                self.on_message(message)
        finally:
            if not ws.closed:
                ws.close()
            self.on_close(ws.close_code, ws.close_reason)

    def on_open(self) -> None:
        """The websocket is open (before the first message)."""

    def on_message(self, message: str | bytes) -> None:
        """One whole message arrived. The default does nothing."""

    def on_close(self, code: int | None, reason: str | None) -> None:
        """The websocket is closed, with the close code and reason (1006 if it dropped)."""


class Resource:
    """A WSGI application routing by path: ``{regex: WebSocketApplication subclass or
    WSGI app}``, tried in order with ``re.match`` on ``PATH_INFO``.

    A websocket request goes to the first matching ``WebSocketApplication``
    subclass; any request to a matching WSGI application; anything else gets 404.
    """

    def __init__(self, apps: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        items = apps.items() if isinstance(apps, Mapping) else apps
        self._routes = [(re.compile(pattern), app) for pattern, app in items]

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        ws = environ.get("wsgi.websocket")
        for pattern, app in self._routes:
            if not pattern.match(path):
                continue
            if isinstance(app, type) and issubclass(app, WebSocketApplication):
                if ws is None:
                    continue
                if app.protocol_name is not None and ws.protocol != app.protocol_name:
                    continue
                app(ws).handle()
                return []
            return app(environ, start_response)  # type: ignore[no-any-return]
        body = b"Not Found\n"
        start_response("404 Not Found", [("Content-Type", "text/plain"),
                                         ("Content-Length", str(len(body)))])
        return [body]
