"""Servers: the accept loop (``BaseServer``), stream and datagram servers, WSGI, backdoor.

The top layer of the package below ``gevent.monkey``. Public names are in
``gevent.baseserver``, ``gevent.server``, ``gevent.pywsgi`` and ``gevent.backdoor``.
"""

from __future__ import annotations

__all__: list[str] = []
