"""A WSGI server (``WSGIServer``) built on ``gevent.server.StreamServer``.

The server lives in ``gevent._servers._wsgi``, the handler in
``gevent._http._handler``, and HTTP parsing, which knows nothing of sockets, in
``gevent._http._parser``. Run an application with
``python -m gevent.pywsgi module:app --port 8080`` (``--help`` lists the
options: TLS, limits, logs); SIGTERM stops it gracefully.
"""

from __future__ import annotations

from ._http._handler import (
    MAX_REQUEST_LINE,
    Environ,
    Input,
    LoggingLogAdapter,
    SecureEnviron,
    WSGIHandler,
    WSGISecureEnviron,
    _NoopLog,
    format_date_time,
)
from ._servers._cli import main as _main
from ._servers._wsgi import WSGIServer

__all__ = [
    "Environ",
    "LoggingLogAdapter",
    "SecureEnviron",
    "WSGIHandler",
    "WSGISecureEnviron",
    "WSGIServer",
]

# Users subclass these and see them in reprs and tracebacks: name the public module.
for _cls in (Environ, Input, LoggingLogAdapter, SecureEnviron, WSGIHandler, WSGIServer,
             WSGISecureEnviron):
    # Not __name__: under ``python -m gevent.pywsgi`` that is "__main__".
    _cls.__module__ = "gevent.pywsgi"
del _cls

_ = (MAX_REQUEST_LINE, _NoopLog, format_date_time)

if __name__ == "__main__":
    raise SystemExit(_main())
