"""TCP and UDP servers: ``StreamServer`` and ``DatagramServer``.

The implementation lives in ``gevent._servers._server``.
"""

from __future__ import annotations

from ._servers._server import (
    DEFAULT_REUSE_ADDR,
    BaseServer,
    DatagramServer,
    StreamServer,
    _tcp_listener,
    _udp_socket,
)

__all__ = ["DatagramServer", "StreamServer"]

_ = (DEFAULT_REUSE_ADDR, BaseServer, _tcp_listener, _udp_socket)
