"""``WSGIServer``: a ``StreamServer`` that serves each connection with a ``WSGIHandler``.

The handler (``gevent._http._handler``) does the HTTP; this module holds the
server's configuration (logs, the base environ, the handler class, the
limits) and its graceful shutdown. The command line is in ``_cli``.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from greenlet import getcurrent

from .. import version_info
from .._http._environ import LoggingLogAdapter, WSGISecureEnviron, _NoopLog
from .._http._handler import WSGIHandler
from .._hub_local import get_hub_noargs as get_hub
from .._io._socketcommon import getfqdn
from .._sync._event import Event
from ..hub import kill
from ..timeout import Timeout
from ._server import StreamServer

__all__ = ["WSGIServer"]


def _check_limit(name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{name} must be a positive number or None, not {value!r}")
    if name in ("max_connections", "max_body_size") and not isinstance(value, int):
        raise ValueError(f"{name} must be a positive int or None, not {value!r}")


def _make_log(log: Any, level: int) -> Any:
    if log == "default":
        return sys.stderr
    if log is None:
        return _NoopLog()
    if not hasattr(log, "write") and hasattr(log, "log"):
        return LoggingLogAdapter(log, level)
    return log


_UNSET: Any = object()


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

    The limits below are keyword-only; each defaults to the class attribute
    of the same name, and None turns it off (docs/http.md):

        header_timeout: seconds for a whole request head (line and headers) to
            arrive, from its first byte (from the accept for the first
            request, or the TLS handshake); trickling does not extend it.
        keepalive_timeout: seconds an idle keep-alive connection may wait
            for its next request.
        body_timeout: seconds a read of the request body may wait for data.
        write_timeout: seconds a response write may wait for the client to read.
        max_connections: connections served at once; at the cap new ones wait
            in the listen backlog.
        max_body_size: the largest request body, in bytes (413 beyond).
        strict_http: refuse every malformed request (the default, from
            ``gevent.config.pywsgi_strict``); False keeps the four leniencies
            gevent's pywsgi has and its own test suite relies on
            (``gevent._http._parser.analyse``, docs/http.md).
    """

    handler_class: Any = WSGIHandler
    log: Any = None
    error_log: Any = None
    environ_class: Any = dict
    secure_environ_class: Any = WSGISecureEnviron
    application: Any = None
    environ: Any = None

    header_timeout: float | None = 20.0
    keepalive_timeout: float | None = 5.0
    body_timeout: float | None = 30.0
    write_timeout: float | None = 30.0
    max_connections: int | None = 1000
    max_body_size: int | None = 1 << 30
    # None: ``gevent.config.pywsgi_strict`` (GEVENT_PYWSGI_STRICT), read per connection.
    strict_http: bool | None = None

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
                 handler_class: Any = None, environ: Any = None, *,
                 header_timeout: Any = _UNSET, keepalive_timeout: Any = _UNSET,
                 body_timeout: Any = _UNSET, write_timeout: Any = _UNSET,
                 max_connections: Any = _UNSET, max_body_size: Any = _UNSET,
                 strict_http: Any = _UNSET, **ssl_args: Any) -> None:
        handle = ssl_args.pop("handle", None)
        if handle is not None:
            warnings.warn("the 'handle' argument of WSGIServer is deprecated",
                          DeprecationWarning, stacklevel=2)
        limits = {"header_timeout": header_timeout, "keepalive_timeout": keepalive_timeout,
                  "body_timeout": body_timeout, "write_timeout": write_timeout,
                  "max_connections": max_connections, "max_body_size": max_body_size}
        for name, value in limits.items():
            if value is not _UNSET:
                _check_limit(name, value)
        StreamServer.__init__(self, listener, handle=handle, backlog=backlog, spawn=spawn,
                              **ssl_args)
        for name, value in limits.items():
            if value is not _UNSET:
                setattr(self, name, value)
        if max_connections is _UNSET and self.pool is not None:
            # A pool already bounds the handlers (gunicorn passes one sized by its
            # worker_connections): the class default must not cap it lower.
            self.max_connections = None
        if strict_http is not _UNSET:
            self.strict_http = bool(strict_http)
        self._handlers: dict[int, tuple[Any, Any]] = {}
        self._stopping = False
        self._drained: Event | None = None
        self._stopped: Event | None = None
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
        key = id(handler)
        handlers = self._handlers
        handlers[key] = (handler, getcurrent())
        try:
            handler.handle()
        finally:
            del handlers[key]
            if not handlers and self._drained is not None:
                self._drained.set()

    def wrap_socket_and_handle(self, client_socket: Any, address: Any) -> Any:
        """The TLS handshake, under the head deadline, then ``handle``."""
        assert self.ssl_args is not None
        deadline = Timeout(self.header_timeout)
        try:
            with deadline:
                ssl_socket = self.wrap_socket(client_socket, **self.ssl_args)
        except Timeout as ex:
            if ex is not deadline:
                raise
            return None
        try:
            return self.handle(ssl_socket, address)
        finally:
            ssl_socket.close()  # ours, as in StreamServer.wrap_socket_and_handle

    def stop(self, timeout: float | None = None) -> None:
        """Shut down gracefully within ``timeout`` seconds (default ``stop_timeout``).

        Stops accepting and closes the listening socket; closes connections
        waiting for a request; lets the requests in progress finish, each
        answered with ``Connection: close``; kills what is left at the
        deadline.
        """
        if timeout is None:
            timeout = self.stop_timeout
        self.close()
        if self._stopping:
            # Another greenlet is stopping us: wait for it, within our own deadline.
            done = self._stopped
            if done is not None:
                done.wait(timeout + 1)
            return
        self._stopping = True
        self._stopped = Event()
        try:
            for handler, _ in list(self._handlers.values()):
                close_if_idle = getattr(handler, "close_if_idle", None)
                if close_if_idle is not None:  # a handler_class not built on WSGIHandler
                    close_if_idle()
            if self._handlers and not self._wait_drained(timeout):
                hub = get_hub()
                for _, glet in list(self._handlers.values()):
                    if glet is not hub:  # spawn=None runs handlers in the hub
                        kill(glet)
                self._wait_drained(1)
        finally:
            self._stopping = False
            self._drained = None
            self._stopped.set()
        StreamServer.stop(self, timeout=0)

    def _wait_drained(self, timeout: float) -> bool:
        if not self._handlers:
            return True
        drained = self._drained = Event()
        return drained.wait(timeout)
