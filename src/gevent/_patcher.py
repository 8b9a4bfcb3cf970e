"""Which standard library module each green module stands in for."""

from __future__ import annotations

MAPPING: dict[str, str] = {
    "gevent.local": "_threading_local",
    "gevent.socket": "socket",
    "gevent.select": "select",
    "gevent.selectors": "selectors",
    "gevent.ssl": "ssl",
    "gevent.thread": "_thread",
    "gevent.subprocess": "subprocess",
    "gevent.os": "os",
    "gevent.threading": "threading",
    "gevent.builtins": "builtins",
    "gevent.signal": "signal",
    "gevent.time": "time",
    "gevent.queue": "queue",
    "gevent.contextvars": "contextvars",
}
