"""gunicorn settings for wsgi_gunicorn.py: print the ready line once the worker runs."""

from __future__ import annotations

import sys
from typing import Any


def post_worker_init(worker: Any) -> None:
    import gevent

    port = worker.sockets[0].getsockname()[1]
    sys.stdout.write(f"{port} {gevent.__file__}\n")
    sys.stdout.flush()
