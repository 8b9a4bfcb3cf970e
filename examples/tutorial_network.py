"""The tutorial's network cell: nine HTTP fetches, one after another, then concurrently.

The tutorial fetches a public web page with ``requests`` after
``monkey.patch_socket()``. This machine has no internet, so the script starts
its own small HTTP server (green, in this process) that answers every request
after a 0.1 s pause, and fetches from it with ``requests`` when it is installed,
or with ``urllib.request`` otherwise. Both sit on the stdlib ``socket`` module,
which the patch has made cooperative: the nine concurrent fetches overlap, so
they take about one pause instead of nine.
"""

from __future__ import annotations

import gevent.monkey

gevent.monkey.patch_socket()

import socket  # noqa: E402
import time  # noqa: E402
from http.server import BaseHTTPRequestHandler  # noqa: E402

import gevent  # noqa: E402

try:
    import requests  # type: ignore[import-untyped]
except ImportError:  # the machine may not have it; the stdlib client behaves the same here
    requests = None

DELAY = 0.1


class SlowHandler(BaseHTTPRequestHandler):
    """Answers every GET with a short JSON body, after ``DELAY`` seconds of 'network latency'."""

    def do_GET(self) -> None:
        gevent.sleep(DELAY)
        body = b'{"hello": "gevent"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(listener: socket.socket) -> None:
    while True:
        conn, addr = listener.accept()
        gevent.spawn(_handle, conn, addr)


def _handle(conn: socket.socket, addr: object) -> None:
    with conn:
        SlowHandler(conn, addr, None)  # type: ignore[arg-type]


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(50)
URL = f"http://127.0.0.1:{listener.getsockname()[1]}/"
server = gevent.spawn(serve, listener)


def fetch(pid: int) -> None:
    if requests is not None:
        body = requests.get(URL).content
    else:
        import urllib.request

        with urllib.request.urlopen(URL) as response:
            body = response.read()
    assert body == b'{"hello": "gevent"}'


def synchronous() -> None:
    for i in range(1, 10):
        fetch(i)


def asynchronous() -> None:
    threads = []
    for i in range(1, 10):
        threads.append(gevent.spawn(fetch, i))
    gevent.joinall(threads)


beg = time.time()
print("Synchronous:")
synchronous()
sync_took = time.time() - beg
print(sync_took)

beg = time.time()
print("Asynchronous:")
asynchronous()
async_took = time.time() - beg
print(async_took)

server.kill()
listener.close()
assert async_took < sync_took, (async_took, sync_took)
