"""``BaseServer``: the accept loop that gevent's servers share.

The implementation lives in ``gevent._servers._server``.
"""

from __future__ import annotations

from ._servers._server import BaseServer, parse_address

__all__ = ["BaseServer"]

_ = parse_address
