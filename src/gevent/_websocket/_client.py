"""``connect(url)``: the client side, for ws:// and wss:// URLs.

The handshake is wsproto's (``H11Handshake``: it builds the request, checks
``Sec-WebSocket-Accept`` and finalizes the extensions the server agreed to);
then the same ``WebSocket`` as on the server runs the connection.
"""

from __future__ import annotations

import socket as _stdsocket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from wsproto.connection import ConnectionType
from wsproto.events import AcceptConnection, RejectConnection, Request
from wsproto.extensions import Extension, PerMessageDeflate
from wsproto.handshake import H11Handshake
from wsproto.utilities import ProtocolError as _WsprotoProtocolError

from .._io._socket import socket as _green_socket
from .._io._socketcommon import connect_first, getaddrinfo
from .._io._ssl import SSLSocket, create_default_context
from ..timeout import Timeout
from ._connection import WebSocket
from ._errors import HandshakeError
from ._handshake import Settings

__all__ = ["connect"]

_DEFAULT_PORTS = {"ws": 80, "wss": 443}
_MAX_RESPONSE_HEAD = 65536


def _open_socket(scheme: str, host: str, port: int, timeout: float | None,
                 ssl_context: Any) -> Any:
    sock = connect_first((host, port), timeout, None, False, getaddrinfo, _green_socket)
    try:
        sock.setsockopt(_stdsocket.IPPROTO_TCP, _stdsocket.TCP_NODELAY, 1)
        if scheme == "wss":
            if ssl_context is None:
                ssl_context = create_default_context()
            # Our SSLSocket with any context: a standard-library context's own
            # wrap_socket would make a socket that blocks the whole thread.
            sock = SSLSocket._create(sock=sock, server_hostname=host, context=ssl_context)
        return sock
    except BaseException:
        sock.close()
        raise


def _handshake(sock: Any, request: Request) -> tuple[Any, AcceptConnection, bytes]:
    """Send the request, read the answer: (wsproto connection, accept event, trailing bytes).

    Only the response head goes to wsproto: frames the server sent right behind
    its 101 are returned, for the ``WebSocket``'s own frame splitter.
    """
    shake = H11Handshake(ConnectionType.CLIENT)
    sock.sendall(shake.send(request))
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > _MAX_RESPONSE_HEAD:
            raise HandshakeError("the server's handshake answer has no end of headers in "
                                 f"{_MAX_RESPONSE_HEAD} bytes")
        more = sock.recv(65536)
        if not more:
            raise HandshakeError("the server closed the connection during the websocket "
                                 "handshake")
        data += more
    end = data.index(b"\r\n\r\n") + 4
    shake.receive_data(data[:end])
    for event in shake.events():
        if isinstance(event, AcceptConnection):
            assert shake.connection is not None
            return shake.connection, event, data[end:]
        if isinstance(event, RejectConnection):
            raise HandshakeError(
                f"the server refused the websocket upgrade with HTTP {event.status_code}"
                + _reject_detail(sock, event, data[end:]))
    raise HandshakeError("the server's handshake answer is incomplete")


def _reject_detail(sock: Any, event: RejectConnection, body: bytes) -> str:
    # The start of the refusal's body, if it says why (bounded, best effort).
    if not event.has_body:
        return ""
    length = dict(event.headers).get(b"content-length")
    try:
        wanted = min(int(length), 200) if length is not None else 0
        while len(body) < wanted:
            more = sock.recv(wanted - len(body))
            if not more:
                break
            body += more
    except (OSError, ValueError):
        pass
    text = body[:200].decode("utf-8", "replace").strip()
    return f": {text}" if text else ""


def connect(url: str, *, subprotocols: Sequence[str] = (), origin: str | None = None,
            headers: Sequence[tuple[str, str]] = (), timeout: float | None = None,
            ssl_context: Any = None, compression: bool = True,
            settings: Settings | None = None) -> WebSocket:
    """Open a websocket to ``url`` (``ws://host[:port]/path`` or ``wss://...``).

    subprotocols: offered in order; the server's choice is ``ws.protocol``.
    origin: sent as the ``Origin`` header. headers: extra request headers.
    timeout: for connecting and the handshake (the websocket itself does not time
        out; see ``settings``). ssl_context: for wss:// (default: the system's
        verified default context). compression: offer permessage-deflate.
    settings: limits, ping interval and close timeout (``Settings``).

    Raises ``HandshakeError`` if the server refuses, ``OSError`` if it cannot be reached.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"a websocket URL starts with ws:// or wss://, not {url!r}")
    if not parts.hostname:
        raise ValueError(f"the websocket URL {url!r} names no host")
    if isinstance(subprotocols, str):
        raise TypeError(f"subprotocols must be a sequence of names: write ({subprotocols!r},)")
    settings = settings if settings is not None else Settings()
    port = parts.port or _DEFAULT_PORTS[scheme]
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if ":" in parts.hostname:
        host_header = (f"[{parts.hostname}]" if parts.port is None
                       else f"[{parts.hostname}]:{parts.port}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    extra = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    if origin is not None:
        extra.append((b"Origin", origin.encode("latin-1")))
    offered: list[Extension] = [PerMessageDeflate()] if compression else []
    request = Request(host=host_header, target=target, subprotocols=list(subprotocols),
                      extensions=offered, extra_headers=extra)
    sock = _open_socket(scheme, parts.hostname, port, timeout, ssl_context)
    try:
        with Timeout._start_new_or_dummy(timeout, HandshakeError(
                f"the websocket handshake with {url} took over {timeout} seconds")):
            try:
                connection, accepted, trailing = _handshake(sock, request)
            except _WsprotoProtocolError as ex:
                raise HandshakeError(f"the server's handshake answer is invalid: {ex}") from ex
        sock.settimeout(None)
        ws = WebSocket(sock, client=True, settings=settings, connection=connection,
                       extensions=list(accepted.extensions), path=target, origin=origin,
                       protocol=accepted.subprotocol, owns_socket=True)
    except BaseException:
        sock.close()
        raise
    ws._begin_keepalive()
    if trailing:
        # Frames that came in the same read as the 101.
        ws._feed(connection, trailing)
    return ws
