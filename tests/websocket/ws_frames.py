"""Raw websocket frames for tests: build what a (possibly misbehaving) peer sends,
and parse what our side sends, without going through wsproto."""

from __future__ import annotations

import os
import struct
from typing import Any

TEXT, BINARY, CLOSE, PING, PONG, CONT = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


def frame(opcode: int, payload: bytes = b"", *, fin: bool = True, mask: bool = True,
          rsv1: bool = False) -> bytes:
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    length = len(payload)
    mask_bit = 0x80 if mask else 0
    if length < 126:
        header = struct.pack("!BB", first, mask_bit | length)
    elif length < 65536:
        header = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return header + key + masked


def close_frame(code: int | None = 1000, reason: bytes = b"", **kw: Any) -> bytes:
    payload = b"" if code is None else struct.pack("!H", code) + reason
    return frame(CLOSE, payload, **kw)


def read_frame(sock: Any) -> tuple[int, bytes]:
    """Read one unmasked frame the server sent: (opcode, payload); (-1, b'') at EOF."""
    head = _read_exact(sock, 2)
    if not head:
        return -1, b""
    opcode = head[0] & 0x0F
    length = head[1] & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", _read_exact(sock, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", _read_exact(sock, 8))
    assert not head[1] & 0x80, "a server must not mask its frames"
    return opcode, _read_exact(sock, length)


def _read_exact(sock: Any, n: int) -> bytes:
    data = b""
    while len(data) < n:
        more = sock.recv(n - len(data))
        if not more:
            return data
        data += more
    return data


def close_code(payload: bytes) -> int | None:
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None


def upgrade_request(path: str = "/", *, key: str = "dGhlIHNhbXBsZSBub25jZQ==",
                    extra: str = "", version: str = "13", method: str = "GET") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: {version}\r\n{extra}\r\n").encode("latin-1")


def read_response_head(sock: Any) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(1)
        if not more:
            break
        data += more
    return data
