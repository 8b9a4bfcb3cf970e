"""gunicorn's gevent workers against this package, in a subprocess.

``-k gevent_pywsgi`` runs our ``pywsgi.WSGIServer`` with gunicorn's handler
subclass (it overrides ``log_request`` and ``get_environ``); ``-k gevent``
runs our ``StreamServer`` and ``monkey.patch_all()`` under gunicorn's own HTTP
parser. Skipped when gunicorn is not installed (it is in the ``test`` extra).
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("gunicorn")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Gunicorn:
    def __init__(self, worker: str, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-k", worker, "-b", "127.0.0.1:0",
             "--workers", "1", "--no-control-socket", "--graceful-timeout", "10",
             "--access-logfile", "-", *extra, "wsgi_hello:application"],
            cwd=EXAMPLES, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        self.lines: list[str] = []
        self.port = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if match:
                self.port = int(match.group(1))
            if "Booting worker" in line:
                break
        if not self.port:
            self.kill()
            raise AssertionError("gunicorn did not start:\n" + "".join(self.lines))

    def request(self, data: bytes) -> bytes:
        # The worker may still be importing when the master logs its boot.
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
                    sock.sendall(data)
                    parts = []
                    while chunk := sock.recv(65536):
                        parts.append(chunk)
                    return b"".join(parts)
            except ConnectionResetError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        return "".join(self.lines) + out

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate(timeout=30)


@pytest.fixture(params=["gevent_pywsgi", "gevent"])
def gunicorn(request: pytest.FixtureRequest) -> Iterator[Gunicorn]:
    server = Gunicorn(request.param)
    yield server
    if server.proc.poll() is None:
        server.kill()


GET = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def body_of(response: bytes) -> bytes:
    """The body of the last response in ``response``, de-chunked if it is chunked."""
    head, _, body = response.rpartition(b"HTTP/1.1 ")[2].partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" not in head.lower():
        return body
    out = b""
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if not size:
            return out
        out, body = out + body[:size], body[size + 2:]


@pytest.mark.slow
def test_hello_keepalive_post_and_stream(gunicorn: Gunicorn) -> None:
    response = gunicorn.request(GET)
    assert response.startswith(b"HTTP/1.1 200 OK\r\n"), response
    assert body_of(response) == b"Hello, World!\n"
    # Two requests on one connection, the second with a body.
    both = gunicorn.request(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
                            b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n"
                            b"Connection: close\r\n\r\nabc")
    assert both.count(b"HTTP/1.1 200 OK") == 2 and body_of(both) == b"abc"
    chunked = gunicorn.request(b"POST /echo HTTP/1.1\r\nHost: localhost\r\n"
                               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                               b"3\r\nxyz\r\n0\r\n\r\n")
    assert body_of(chunked) == b"xyz"
    streamed = gunicorn.request(b"GET /stream HTTP/1.1\r\nHost: localhost\r\n"
                                b"Connection: close\r\n\r\n")
    assert body_of(streamed) == b"".join(b"line %d\n" % i for i in range(5))
    log = gunicorn.stop()
    assert gunicorn.proc.returncode == 0, log
    assert '"GET / HTTP/1.1" 200' in log  # gunicorn's access log saw our requests
    assert "Traceback" not in log, log


@pytest.mark.slow
def test_concurrent_slow_requests_overlap(gunicorn: Gunicorn) -> None:
    # Ten 1-second requests at once finish in far less than ten seconds.
    gunicorn.request(GET)  # the worker is up
    start = time.monotonic()
    socks = []
    for _ in range(10):
        sock = socket.create_connection(("127.0.0.1", gunicorn.port), timeout=30)
        sock.sendall(b"GET /slow?seconds=1 HTTP/1.1\r\nHost: localhost\r\n"
                     b"Connection: close\r\n\r\n")
        socks.append(sock)
    for sock in socks:
        with sock:
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
            assert body_of(data) == b"slept 1\n"
    assert time.monotonic() - start < 8
    gunicorn.stop()
    assert gunicorn.proc.returncode == 0


@pytest.mark.slow
def test_pywsgi_worker_refuses_a_smuggling_attempt() -> None:
    server = Gunicorn("gevent_pywsgi")
    try:
        response = server.request(b"POST / HTTP/1.1\r\nHost: localhost\r\n"
                                  b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + GET)
        assert response.startswith(b"HTTP/1.1 400 ")
        assert response.count(b"HTTP/1.1") == 1
    finally:
        server.stop()
