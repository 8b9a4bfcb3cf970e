"""WSGIServer.stop(timeout): graceful shutdown, on the virtual clock.

Stop accepting; close idle keep-alive connections at once; let requests in
progress finish, each answered with ``Connection: close``; kill what is left
at the deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_wsgi_limits import PollFirstClock, connect, now, read_all

import gevent
from gevent import socket
from gevent._core import Loop
from gevent._hub_local import get_hub_if_exists, set_hub, set_loop
from gevent.hub import Hub
from gevent.pywsgi import WSGIServer

finished: list[str] = []


def app(env: dict[str, Any], start_response: Any) -> Any:
    path = env["PATH_INFO"]
    if path.startswith("/sleep/"):
        gevent.sleep(float(path.rsplit("/", 1)[1]))
    if path == "/stream":
        def stream() -> Iterator[bytes]:
            for i in range(3):
                yield b"part%d" % i
                gevent.sleep(1)
        start_response("200 OK", [])
        return stream()
    finished.append(path)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"done"]


@pytest.fixture
def virtual_hub() -> Iterator[Hub]:
    old = get_hub_if_exists()
    if old is not None:
        old.destroy(destroy_loop=True)
    set_hub(None)
    clock = PollFirstClock()
    loop = Loop(default=True, clock=clock)
    clock.loop = loop
    set_loop(loop)
    finished.clear()
    yield gevent.get_hub()


@pytest.fixture
def server(virtual_hub: Hub) -> Iterator[WSGIServer]:
    srv = WSGIServer(("127.0.0.1", 0), app, log=None, error_log=None)
    srv.start()
    yield srv
    srv.stop(timeout=0)


def headers_of(response: bytes) -> dict[str, str]:
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return {k.lower(): v for k, _, v in (line.partition(": ") for line in head)}


def test_stop_closes_idle_keepalive_connections_at_once(server: WSGIServer) -> None:
    sock = connect(server)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(65536).endswith(b"done")
    start = now()
    server.stop(timeout=30)
    assert now() - start < 1  # nothing was in progress: no waiting for the deadline
    assert read_all(sock) == b""
    sock.close()


def test_stop_refuses_new_connections(server: WSGIServer) -> None:
    port = server.server_port
    server.stop(timeout=1)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port))


def test_in_flight_request_finishes_with_connection_close(server: WSGIServer) -> None:
    sock = connect(server)
    sock.sendall(b"GET /sleep/3 HTTP/1.1\r\nHost: x\r\n\r\n")
    gevent.sleep(1)
    start = now()
    server.stop(timeout=30)
    # stop() returned once the request was done, not at the deadline.
    assert 1 < now() - start < 3
    response = read_all(sock)
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert headers_of(response)["connection"] == "close"
    assert response.endswith(b"done")
    sock.close()


def test_request_over_the_deadline_is_killed(server: WSGIServer) -> None:
    sock = connect(server)
    sock.sendall(b"GET /sleep/100 HTTP/1.1\r\nHost: x\r\n\r\n")
    gevent.sleep(1)
    start = now()
    server.stop(timeout=2)
    assert now() - start == pytest.approx(2, abs=0.5)
    assert read_all(sock) == b""
    assert "/sleep/100" not in finished
    assert not server._handlers
    sock.close()


def test_streamed_response_in_progress_finishes(server: WSGIServer) -> None:
    sock = connect(server)
    sock.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
    gevent.sleep(0.5)
    server.stop(timeout=30)
    response = read_all(sock)
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert response.endswith(b"0\r\n\r\n")  # the whole chunked stream, then closed
    sock.close()


def test_pipelined_request_after_stop_is_not_run(server: WSGIServer) -> None:
    sock = connect(server)
    sock.sendall(b"GET /sleep/2 HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n")
    gevent.sleep(1)
    server.stop(timeout=30)
    response = read_all(sock)
    assert response.count(b"HTTP/1.1 200 OK") == 1
    assert "/second" not in finished
    sock.close()


def test_connection_mid_head_finishes_its_request(server: WSGIServer) -> None:
    sock = connect(server)
    sock.sendall(b"GET /late HTTP/1.1\r\n")

    def rest() -> None:
        gevent.sleep(1)
        sock.sendall(b"Host: x\r\n\r\n")

    gevent.spawn(rest)
    gevent.sleep(0.5)
    server.stop(timeout=30)
    response = read_all(sock)
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert headers_of(response)["connection"] == "close"
    assert finished == ["/late"]
    sock.close()


def test_server_can_start_again_after_a_graceful_stop(virtual_hub: Hub) -> None:
    srv = WSGIServer(("127.0.0.1", 0), app, log=None, error_log=None)
    srv.start()
    srv.stop(timeout=1)
    srv.start()
    try:
        sock = connect(srv)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_all(sock).endswith(b"done")
        sock.close()
    finally:
        srv.stop(timeout=0)
