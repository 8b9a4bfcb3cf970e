"""The opening handshake, sans-IO: is this request an upgrade, may it be, and with what.

The server side reads the WSGI environ the HTTP layer built and answers either
an ``Accepted`` (the 101 headers, the chosen subprotocol and extensions) or a
``Rejection`` (a complete error response), never touching a socket. The
permessage-deflate offer is parsed here rather than by wsproto because a client
may send several offers and wsproto's helper lets a later one overwrite an
earlier one; here the first acceptable offer wins (RFC 7692 5.1).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union

from wsproto.extensions import Extension, PerMessageDeflate

__all__ = [
    "Accepted",
    "Rejection",
    "Settings",
    "accept_token",
    "check_request",
    "is_websocket_request",
    "negotiate_deflate",
]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SUPPORTED_VERSION = "13"

SubprotocolChooser = Callable[[list[str], Mapping[str, Any]], Union[str, None]]
OriginCheck = Callable[[Union[str, None], Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Settings:
    """How the server upgrades and runs websockets (``WSGIServer.websocket_settings``).

    subprotocols: the server's subprotocols in order of preference (the first one
        the client also offers is chosen), or a function ``(offered, environ)``
        returning the chosen name or None.
    allowed_origins: None accepts any ``Origin``; otherwise a collection of exact
        origins (``"https://example.com"``) or a function ``(origin, environ) -> bool``.
        A request from another origin gets ``403 Forbidden``.
    compression: accept permessage-deflate offers.
    max_message_size: a message over this many bytes (after decompression) closes
        the connection with 1009.
    max_frame_size: likewise for one frame; None means ``max_message_size``.
    ping_interval: send a ping this often (seconds) while the connection is idle;
        None sends none.
    ping_timeout: close the connection if nothing arrives this long after a ping.
    close_timeout: how long ``close()`` waits for the peer's close frame.
    """

    subprotocols: Sequence[str] | SubprotocolChooser = ()
    allowed_origins: Collection[str] | OriginCheck | None = None
    compression: bool = True
    max_message_size: int = 1 << 25
    max_frame_size: int | None = None
    ping_interval: float | None = None
    ping_timeout: float = 20.0
    close_timeout: float = 5.0

    def __post_init__(self) -> None:
        if isinstance(self.subprotocols, str):
            raise TypeError("subprotocols must be a sequence of names, not one string: "
                            f"write ({self.subprotocols!r},)")
        if self.max_message_size <= 0:
            raise ValueError(f"max_message_size must be positive, not {self.max_message_size}")
        if self.max_frame_size is not None and self.max_frame_size <= 0:
            raise ValueError(f"max_frame_size must be positive, not {self.max_frame_size}")
        for name in ("ping_interval", "ping_timeout", "close_timeout"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, not {value}")

    @property
    def frame_limit(self) -> int:
        return self.max_frame_size if self.max_frame_size is not None else self.max_message_size


class Rejection(NamedTuple):
    """A complete response refusing the upgrade."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Accepted:
    """What the 101 response says and what the connection then uses."""

    headers: list[tuple[str, str]]
    protocol: str | None
    extensions: list[Extension] = field(default_factory=list)


def accept_token(key: str | bytes) -> str:
    """The ``Sec-WebSocket-Accept`` value for a ``Sec-WebSocket-Key`` (RFC 6455 4.2.2)."""
    if isinstance(key, str):
        key = key.encode("ascii")
    return base64.b64encode(hashlib.sha1(key.strip() + _GUID).digest()).decode("ascii")


def _tokens(value: str | None) -> list[str]:
    if not value:
        return []
    return [token.strip() for token in value.split(",") if token.strip()]


def is_websocket_request(environ: Mapping[str, Any]) -> bool:
    """Is the request a websocket opening handshake (``Upgrade: websocket`` and a
    ``Sec-WebSocket-Key``)?

    Without the key it is some other use of ``Upgrade`` that the application
    handles itself, as gevent always let it (gevent's own tests answer such a
    request with their own 101); with it, a malformed handshake is refused.
    """
    return (bool(environ.get("HTTP_SEC_WEBSOCKET_KEY"))
            and "websocket" in (t.lower() for t in _tokens(environ.get("HTTP_UPGRADE"))))


def _reject(status: str, reason: str, extra: Sequence[tuple[str, str]] = ()) -> Rejection:
    body = reason.encode("utf-8") + b"\n"
    headers = [("Content-Type", "text/plain; charset=utf-8"),
               ("Content-Length", str(len(body))), ("Connection", "close"), *extra]
    return Rejection(status, headers, body)


def _origin_allowed(settings: Settings, origin: str | None, environ: Mapping[str, Any]) -> bool:
    allowed = settings.allowed_origins
    if allowed is None:
        return True
    if callable(allowed):
        return bool(allowed(origin, environ))
    return origin is not None and origin in allowed


def _choose_subprotocol(settings: Settings, offered: list[str],
                        environ: Mapping[str, Any]) -> str | None:
    if not offered:
        return None
    choose = settings.subprotocols
    if callable(choose):
        chosen = choose(offered, environ)
        if chosen is not None and chosen not in offered:
            raise ValueError(f"the subprotocol chooser returned {chosen!r}, "
                             f"which the client did not offer ({offered!r})")
        return chosen
    for name in choose:
        if name in offered:
            return name
    return None


def check_request(environ: Mapping[str, Any], settings: Settings) -> Accepted | Rejection:
    """Validate a websocket upgrade request (RFC 6455 4.2.1) and say how to answer it."""
    if environ.get("REQUEST_METHOD") != "GET":
        return _reject("400 Bad Request", "A websocket upgrade must use GET.")
    if environ.get("SERVER_PROTOCOL") not in ("HTTP/1.1", "HTTP/2", "HTTP/2.0"):
        return _reject("400 Bad Request", "A websocket upgrade needs HTTP/1.1.")
    if "upgrade" not in (t.lower() for t in _tokens(environ.get("HTTP_CONNECTION"))):
        return _reject("400 Bad Request",
                       "A websocket upgrade needs 'Connection: Upgrade'.")
    version = (environ.get("HTTP_SEC_WEBSOCKET_VERSION") or "").strip()
    if version != SUPPORTED_VERSION:
        return _reject("426 Upgrade Required",
                       f"Unsupported websocket version {version!r}: this server speaks 13.",
                       [("Sec-WebSocket-Version", SUPPORTED_VERSION)])
    key = (environ.get("HTTP_SEC_WEBSOCKET_KEY") or "").strip()
    try:
        valid_key = len(base64.b64decode(key.encode("ascii"), validate=True)) == 16
    except (binascii.Error, UnicodeEncodeError):
        valid_key = False
    if not valid_key:
        return _reject("400 Bad Request",
                       "Sec-WebSocket-Key must be 16 bytes in base64.")
    origin = environ.get("HTTP_ORIGIN")
    if not _origin_allowed(settings, origin, environ):
        return _reject("403 Forbidden", f"Origin {origin!r} is not allowed.")
    protocol = _choose_subprotocol(
        settings, _tokens(environ.get("HTTP_SEC_WEBSOCKET_PROTOCOL")), environ)
    headers = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
               ("Sec-WebSocket-Accept", accept_token(key))]
    if protocol is not None:
        headers.append(("Sec-WebSocket-Protocol", protocol))
    extensions: list[Extension] = []
    if settings.compression:
        negotiated = negotiate_deflate(environ.get("HTTP_SEC_WEBSOCKET_EXTENSIONS"))
        if negotiated is not None:
            response, extension = negotiated
            headers.append(("Sec-WebSocket-Extensions", response))
            extensions.append(extension)
    return Accepted(headers, protocol, extensions)


def _parse_offer(offer: str) -> tuple[str, dict[str, str | None]] | None:
    parts = [part.strip() for part in offer.split(";")]
    params: dict[str, str | None] = {}
    for part in parts[1:]:
        if not part:
            return None
        name, eq, value = part.partition("=")
        name = name.strip().lower()
        if name in params:
            return None  # RFC 7692 7: a parameter given twice declines the offer
        params[name] = value.strip().strip('"') if eq else None
    return parts[0].lower(), params


def _window_bits(value: str | None) -> int | None:
    # Values are 8..15 without leading zeros. zlib cannot compress with an 8-bit
    # raw window (it silently uses 9), so 8 is treated as unacceptable.
    if value is None or not value.isdigit() or value != str(int(value)):
        return None
    bits = int(value)
    return bits if 9 <= bits <= 15 else None


def negotiate_deflate(header: str | None) -> tuple[str, PerMessageDeflate] | None:
    """Accept the first acceptable permessage-deflate offer in a
    ``Sec-WebSocket-Extensions`` header: the response text and the configured extension."""
    for offer in _tokens(header):
        parsed = _parse_offer(offer)
        if parsed is None or parsed[0] != PerMessageDeflate.name:
            continue
        params = parsed[1]
        if set(params) - {"server_no_context_takeover", "client_no_context_takeover",
                          "server_max_window_bits", "client_max_window_bits"}:
            continue
        if any(params[flag] is not None for flag in
               ("server_no_context_takeover", "client_no_context_takeover")
               if flag in params):
            continue
        response = [PerMessageDeflate.name]
        server_bits: int | None = None
        if "server_max_window_bits" in params:
            server_bits = _window_bits(params["server_max_window_bits"])
            if server_bits is None:
                continue
            response.append(f"server_max_window_bits={server_bits}")
        client_bits = params.get("client_max_window_bits")
        # Only a hint of what the client will use; inflating with the largest
        # window reads any smaller one, so nothing is answered for it.
        if client_bits is not None and not (client_bits.isdigit()
                                            and 8 <= int(client_bits) <= 15):
            continue
        if "server_no_context_takeover" in params:
            response.append("server_no_context_takeover")
        if "client_no_context_takeover" in params:
            response.append("client_no_context_takeover")
        text = "; ".join(response)
        extension = PerMessageDeflate()
        # finalize() is wsproto's way to configure and enable an agreed extension.
        extension.finalize(text)
        return text, extension
    return None
