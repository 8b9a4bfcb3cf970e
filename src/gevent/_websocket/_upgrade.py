"""The server side of the upgrade: what ``WSGIHandler.run_application`` calls first.

``serve(handler)`` returns False for a request that is not a websocket upgrade
(the handler then serves it as usual). Otherwise it answers the request whole:
a malformed or refused upgrade gets its error response without running the
application; a valid one runs the application with ``environ['wsgi.websocket']``
and ``environ['wsgi.websocket_version']``. The 101 goes out when the
application first uses the websocket (see ``_connection``). An application that
never touches it may answer with an ordinary response, or take over the raw
socket itself (simple-websocket does). Either way the connection is closed
afterwards: what follows an upgrade request on the wire is not HTTP.
"""

from __future__ import annotations

from typing import Any

from ._connection import WebSocket
from ._errors import WebSocketError
from ._handshake import Rejection, Settings, check_request, is_websocket_request

__all__ = ["DEFAULT_SETTINGS", "serve"]

DEFAULT_SETTINGS = Settings()


def _settings_for(server: Any) -> Settings | None:
    # ``WSGIServer.websocket_settings``: a Settings, None for the defaults, False to
    # leave upgrade requests to the application.
    settings = getattr(server, "websocket_settings", None)
    if settings is None:
        return DEFAULT_SETTINGS
    if settings is False:
        return None
    if not isinstance(settings, Settings):
        raise TypeError("WSGIServer.websocket_settings must be a gevent.websocket.Settings, "
                        f"None or False, not {type(settings).__name__}")
    return settings


def _send_101(handler: Any, headers: list[tuple[str, str]]) -> None:
    if handler.headers_sent:
        raise WebSocketError("the application already sent an HTTP response on this "
                             "connection: it cannot become a websocket now")
    handler.start_response("101 Switching Protocols", list(headers))
    handler.write(b"")


def serve(handler: Any) -> bool:
    """Serve ``handler``'s request if it asks for a websocket; False if it does not."""
    environ = handler.environ
    if not is_websocket_request(environ):
        return False
    settings = _settings_for(handler.server)
    if settings is None:
        return False
    handler.close_connection = True
    answer = check_request(environ, settings)
    if isinstance(answer, Rejection):
        handler.log_error("Refused websocket upgrade (from %s): %s %s", handler.client_address,
                          answer.status, answer.body.decode("utf-8", "replace").strip())
        handler.start_response(answer.status, answer.headers)(answer.body)
        return True
    ws = WebSocket(
        handler.socket, client=False, settings=settings, extensions=answer.extensions,
        path=environ.get("PATH_INFO"), origin=environ.get("HTTP_ORIGIN"),
        protocol=answer.protocol, environ=environ,
        start=lambda: _send_101(handler, answer.headers),
        first_read=getattr(handler.rfile, "read1", None))
    environ["wsgi.websocket"] = ws
    environ["wsgi.websocket_version"] = ws.version
    result = None
    try:
        result = handler.application(environ, handler.start_response)
        if not ws.started:
            # The application answered in plain HTTP, or took the socket itself.
            handler.result = result
            handler.process_result()
    finally:
        handler.result = None
        close = getattr(result, "close", None)
        try:
            if close is not None:
                close()
        finally:
            ws._finish()
            # Break the cycle environ -> websocket -> environ.
            environ.pop("wsgi.websocket", None)
            if ws.started:
                # The connection ends with the websocket. (A TLS socket made by
                # the server for this connection would otherwise only be
                # closed by the garbage collector.)
                try:
                    handler.socket.close()
                except OSError:
                    pass
    return True
