"""Green I/O: sockets, TLS, select, file objects and child processes (layer: above ``_sync``).

Each operation tries the non-blocking system call and, when it would block,
waits on a loop watcher through the hub. Public names are in ``gevent.socket``,
``gevent.ssl``, ``gevent.select``, ``gevent.fileobject`` and ``gevent.subprocess``.
"""

from __future__ import annotations

__all__: list[str] = []
