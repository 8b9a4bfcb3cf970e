"""A small WSGI application to serve from the command line.

    python -m gevent.pywsgi wsgi_hello:application --port 8080

(run it from this folder, or put the folder on PYTHONPATH). ``/`` says hello,
``/echo`` returns the request body, ``/stream`` streams five lines a second
apart, and ``/slow?seconds=N`` answers after N seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs

import gevent

StartResponse = Callable[..., Any]


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    if path == "/echo":
        body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [body]
    if path == "/stream":
        def lines() -> Iterator[bytes]:
            for i in range(5):
                yield b"line %d\n" % i
                gevent.sleep(1)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return lines()
    if path == "/slow":
        seconds = float(parse_qs(environ["QUERY_STRING"]).get("seconds", ["1"])[0])
        gevent.sleep(seconds)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"slept %g\n" % seconds]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"Hello, World!\n"]
