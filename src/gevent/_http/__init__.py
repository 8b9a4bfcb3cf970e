"""HTTP/1.x: the sans-IO parser (``_parser``) and the WSGI handler that drives it.

``_parser`` turns bytes into requests and knows no socket, greenlet or clock;
``_handler``, ``_input`` and ``_environ`` are the blocking driver. The server
that accepts connections is in ``gevent._servers``; the public names are in
``gevent.pywsgi``.
"""

from __future__ import annotations

__all__: list[str] = []
