"""``python -m gevent.pywsgi module:app``: serve a WSGI application from the command line.

One process, one ``WSGIServer``. SIGTERM and SIGINT stop it gracefully
(``WSGIServer.stop`` with ``--graceful-timeout``): no new connections, idle
ones closed, requests in progress finished with ``Connection: close``. For
several worker processes, use gunicorn's ``-k gevent_pywsgi`` worker, which
runs this same server.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import ssl
import sys
from typing import Any

from ..hub import signal as signal_watcher
from ._wsgi import WSGIServer

__all__ = ["load_application", "main"]


def load_application(spec: str) -> Any:
    """The callable named by ``module:attr`` (``attr`` may be dotted; default ``application``)."""
    module_name, _, attr = spec.partition(":")
    if not module_name:
        raise ValueError(f"expected module:callable, not {spec!r}")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"cannot import {module_name!r} (is it on sys.path, "
                         f"or in the current directory?): {exc}") from exc
    for part in (attr or "application").split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ValueError(f"{module_name!r} has no attribute {attr or 'application'!r}; "
                             "name the WSGI callable as module:callable") from None
    if not callable(target):
        raise ValueError(f"{spec!r} is not callable: {target!r}")
    return target


def _optional(kind: type) -> Any:
    def parse(text: str) -> Any:
        if text.lower() in ("none", "off", "0"):
            return None
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive (or 'off'), not {text!r}")
        return value
    parse.__name__ = kind.__name__
    return parse


def _parser() -> argparse.ArgumentParser:
    defaults = WSGIServer
    parser = argparse.ArgumentParser(
        prog="python -m gevent.pywsgi",
        description="Serve a WSGI application with gevent's WSGIServer. "
                    "SIGTERM or SIGINT stops it gracefully.",
        epilog="Limits take 'off' to disable them. For several worker processes, run "
               "gunicorn -k gevent_pywsgi, which uses this same server.")
    parser.add_argument("app", help="the application, as module:callable "
                                    "(callable defaults to 'application')")
    parser.add_argument("-b", "--bind", help="HOST:PORT to listen on (overrides --host/--port; "
                                             "':PORT' means every interface)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on "
                        "(default %(default)s; 0.0.0.0 for every interface)")
    parser.add_argument("--port", type=int, default=8080, help="port (default %(default)s)")
    parser.add_argument("--certfile", help="TLS certificate (PEM); serves https")
    parser.add_argument("--keyfile", help="TLS private key (PEM), with --certfile")
    parser.add_argument("--access-log", default="-",
                        help="access log file, '-' for stderr (default), 'off' for none")
    parser.add_argument("--error-log", default="-", help="error log file, '-' for stderr")
    seconds = _optional(float)
    parser.add_argument("--header-timeout", type=seconds, default=defaults.header_timeout,
                        help="seconds for a request head to arrive (default %(default)s)")
    parser.add_argument("--keepalive-timeout", type=seconds,
                        default=defaults.keepalive_timeout,
                        help="seconds an idle keep-alive connection stays open "
                             "(default %(default)s)")
    parser.add_argument("--body-timeout", type=seconds, default=defaults.body_timeout,
                        help="seconds a body read may stall (default %(default)s)")
    parser.add_argument("--write-timeout", type=seconds, default=defaults.write_timeout,
                        help="seconds a response write may stall (default %(default)s)")
    count = _optional(int)
    parser.add_argument("--max-connections", type=count, default=defaults.max_connections,
                        help="connections served at once (default %(default)s)")
    parser.add_argument("--max-body-size", type=count, default=defaults.max_body_size,
                        help="largest request body in bytes; 413 beyond (default %(default)s)")
    parser.add_argument("--graceful-timeout", type=float, default=30.0,
                        help="seconds requests in progress get to finish on SIGTERM "
                             "(default %(default)s)")
    parser.add_argument("--lenient", action="store_true",
                        help="accept what gevent accepts: a missing Host, Content-Length "
                             "with chunked, obs-fold, malformed chunk extensions")
    return parser


def _open_log(name: str) -> Any:
    if name == "-":
        return sys.stderr
    if name.lower() in ("off", "none"):
        return None
    return open(name, "a", buffering=1, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if bool(args.certfile) != bool(args.keyfile):
        parser.error("--certfile and --keyfile go together")
    try:
        application = load_application(args.app)
    except ValueError as exc:
        parser.error(str(exc))
    listener: Any = args.bind if args.bind else (args.host, args.port)
    ssl_args: dict[str, Any] = {}
    if args.certfile:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(args.certfile, args.keyfile)
        except OSError as exc:  # ssl.SSLError included
            sys.stderr.write(f"python -m gevent.pywsgi: cannot use {args.certfile!r} and "
                             f"{args.keyfile!r}: {exc}\n")
            return 1
        ssl_args = {"ssl_context": context}
    try:
        server = WSGIServer(
            listener, application, log=_open_log(args.access_log),
            error_log=_open_log(args.error_log),
            header_timeout=args.header_timeout, keepalive_timeout=args.keepalive_timeout,
            body_timeout=args.body_timeout, write_timeout=args.write_timeout,
            max_connections=args.max_connections, max_body_size=args.max_body_size,
            strict_http=not args.lenient, **ssl_args)
        server.start()
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"python -m gevent.pywsgi: cannot listen on {listener!r}: {exc}\n")
        return 1
    scheme = "https" if ssl_args else "http"
    host, port = server.server_host, server.server_port
    sys.stderr.write(f"Serving {args.app} on {scheme}://{host}:{port} (pid {os.getpid()})\n")
    sys.stderr.flush()

    def shutdown(signum: int) -> None:
        sys.stderr.write(f"Signal {signum}: stopping (up to {args.graceful_timeout}s for "
                         "requests in progress)\n")
        # serve_forever wakes up and runs the graceful stop(graceful_timeout).
        server.close()

    watchers = [signal_watcher(signum, shutdown, signum)
                for signum in (signal.SIGTERM, signal.SIGINT)]
    try:
        server.serve_forever(stop_timeout=args.graceful_timeout)
    finally:
        for watcher in watchers:
            watcher.cancel()
    sys.stderr.write("Stopped.\n")
    return 0
