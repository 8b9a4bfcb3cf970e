"""WebSockets (RFC 6455, RFC 7692): the engine behind ``gevent.websocket``.

``_handshake`` is sans-IO (is a request an upgrade, may it be, with which
subprotocol and extensions); ``_connection`` drives wsproto's sans-IO framing on
a green socket; ``_upgrade`` is the hook ``gevent._http._handler`` calls for
each request; ``_client`` connects out; ``_application`` is the
``WebSocketApplication`` helper for code ported from gevent-websocket.
"""

from __future__ import annotations

__all__: list[str] = []
