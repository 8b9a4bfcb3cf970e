"""The exceptions of ``gevent.websocket`` (names kept from gevent-websocket for porting)."""

from __future__ import annotations

__all__ = ["HandshakeError", "WebSocketError"]


class WebSocketError(OSError):
    """A websocket cannot do what was asked: it is closed, or the peer broke the protocol.

    An ``OSError``, so code that catches socket errors around a websocket loop
    catches these too.
    """


class HandshakeError(WebSocketError):
    """The opening handshake failed (the client could not upgrade the connection)."""
