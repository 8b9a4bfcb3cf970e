"""``WSGIServer``: a ``StreamServer`` that serves each connection with a ``WSGIHandler``.

The handler (``gevent._http._handler``) does the HTTP; this module holds the
server's configuration (logs, the base environ, the handler class) and the
``python -m gevent.pywsgi`` entry point.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from .. import version_info
from .._http._environ import LoggingLogAdapter, WSGISecureEnviron, _NoopLog
from .._http._handler import WSGIHandler
from .._io._socketcommon import getfqdn
from ._server import StreamServer

__all__ = ["WSGIServer", "_main"]


def _make_log(log: Any, level: int) -> Any:
    if log == "default":
        return sys.stderr
    if log is None:
        return _NoopLog()
    if not hasattr(log, "write") and hasattr(log, "log"):
        return LoggingLogAdapter(log, level)
    return log


class WSGIServer(StreamServer):
    """A WSGI server: ``WSGIServer(listener, application)``.

    Args:
        log: the access log: ``'default'`` (stderr), None (nothing), a file-like
            object or a ``logging.Logger`` (logged at INFO).
        error_log: where errors go (``wsgi.errors``), taking the same values;
            a logger gets ERROR.
        handler_class: the ``WSGIHandler`` subclass to use.
        environ: extra keys for every request's environ.
        ssl_args: as for ``StreamServer``; they make the scheme ``https``.
    """

    handler_class: Any = WSGIHandler
    log: Any = None
    error_log: Any = None
    environ_class: Any = dict
    secure_environ_class: Any = WSGISecureEnviron
    application: Any = None
    environ: Any = None

    base_env: dict[str, Any] = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_SOFTWARE": "gevent/{}.{} Python/{}.{}".format(
            *version_info[:2], *sys.version_info[:2]),
        "SCRIPT_NAME": "",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }

    def __init__(self, listener: Any, application: Any = None, backlog: int | None = None,
                 spawn: Any = "default", log: Any = "default", error_log: Any = "default",
                 handler_class: Any = None, environ: Any = None, **ssl_args: Any) -> None:
        handle = ssl_args.pop("handle", None)
        if handle is not None:
            warnings.warn("the 'handle' argument of WSGIServer is deprecated",
                          DeprecationWarning, stacklevel=2)
        StreamServer.__init__(self, listener, handle=handle, backlog=backlog, spawn=spawn,
                              **ssl_args)
        if application is not None:
            self.application = application
        if handler_class is not None:
            self.handler_class = handler_class
        self.log = _make_log(log, 20)
        self.error_log = _make_log(error_log, 40)
        self.set_environ(environ)
        self.set_max_accept()

    def set_environ(self, environ: Any = None) -> None:
        if environ is not None:
            self.environ = environ
        extra = self.environ
        self.environ = self.environ_class(self.base_env)
        self.environ["wsgi.url_scheme"] = "https" if self.ssl_enabled else "http"
        if extra is not None:
            self.environ.update(extra)
        if self.environ.get("wsgi.errors") is None:
            self.environ["wsgi.errors"] = self.error_log

    def set_max_accept(self) -> None:
        if self.environ.get("wsgi.multiprocess"):
            self.max_accept = 1

    def get_environ(self) -> Any:
        return self.environ_class(self.environ)

    def init_socket(self) -> None:
        StreamServer.init_socket(self)
        self.update_environ()

    def update_environ(self) -> None:
        """Set SERVER_NAME and SERVER_PORT from the bound address."""
        address = self.address
        if isinstance(address, tuple):
            if "SERVER_NAME" not in self.environ:
                try:
                    name = getfqdn(address[0])
                except OSError:
                    name = str(address[0])
                self.environ["SERVER_NAME"] = name
            self.environ.setdefault("SERVER_PORT", str(address[1]))
        else:
            self.environ.setdefault("SERVER_NAME", "")
            self.environ.setdefault("SERVER_PORT", "")

    def handle(self, sock: Any, address: Any) -> None:
        handler = self.handler_class(sock, address, self)
        handler.handle()


def _main(argv: list[str] | None = None) -> None:
    """``python -m gevent.pywsgi module:app [-b host:port]``."""
    import argparse
    import importlib

    parser = argparse.ArgumentParser(prog="python -m gevent.pywsgi",
                                     description="Serve a WSGI application with gevent.")
    parser.add_argument("app", help="the application, as module:callable")
    parser.add_argument("-b", "--bind", default=":8080", help="address to listen on")
    args = parser.parse_args(argv)
    module_name, _, attr = args.app.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in (attr or "application").split("."):
        target = getattr(target, part)
    server = WSGIServer(args.bind, target)
    print(f"Serving on {args.bind}...")
    server.serve_forever()
