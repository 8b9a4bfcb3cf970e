"""WebSockets (RFC 6455) with permessage-deflate (RFC 7692), built into ``gevent.pywsgi``.

Server: ``WSGIServer`` upgrades a request that asks for a websocket and hands
the application ``environ['wsgi.websocket']`` (a ``WebSocket``) and
``environ['wsgi.websocket_version']``, the contract of gevent-websocket::

    def app(environ, start_response):
        ws = environ["wsgi.websocket"]
        while (message := ws.receive()) is not None:
            ws.send(message)
        return []

Limits, subprotocols, origin checks and pings are set with
``server.websocket_settings = Settings(...)``. Client: ``connect(url)`` returns the
same ``WebSocket``. ``WebSocketApplication`` and ``Resource`` help port code
written for gevent-websocket. The engine is in ``gevent._websocket``; framing is
done by wsproto. See docs/websocket.md.
"""

from __future__ import annotations

from ._websocket._application import Resource, WebSocketApplication
from ._websocket._client import connect
from ._websocket._connection import ConnectionClosed, WebSocket
from ._websocket._errors import HandshakeError, WebSocketError
from ._websocket._handshake import Settings, accept_token

__all__ = [
    "ConnectionClosed",
    "HandshakeError",
    "Resource",
    "Settings",
    "WebSocket",
    "WebSocketApplication",
    "WebSocketError",
    "accept_token",
    "connect",
]

for _cls in (ConnectionClosed, HandshakeError, Resource, Settings, WebSocket,
             WebSocketApplication, WebSocketError):
    _cls.__module__ = __name__
del _cls
