"""Fixtures for the websocket tests: a pywsgi server on a free local port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gevent import pywsgi


@pytest.fixture
def serve() -> Iterator[Callable[..., Any]]:
    """``serve(app, settings=None)`` starts a WSGIServer on 127.0.0.1 and returns it;
    every server started is stopped afterwards."""
    servers: list[Any] = []

    def start(app: Any, settings: Any = None, **kw: Any) -> Any:
        server = pywsgi.WSGIServer(("127.0.0.1", 0), app, log=None, **kw)
        if settings is not None:
            server.websocket_settings = settings
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop(timeout=1)
