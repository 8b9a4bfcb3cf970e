"""WSGIServer's slow-client deadlines and limits, on the virtual clock.

Server and clients share one hub whose clock jumps to the next timer whenever
everything waits, so a 20-second deadline takes no real time and the answer
is the same every run. The sockets are real (loopback): only time is virtual.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import gevent
from gevent import socket
from gevent._core import Loop, MockClock
from gevent._hub_local import get_hub_if_exists, set_hub, set_loop
from gevent.hub import Hub
from gevent.pywsgi import WSGIServer


class PollFirstClock(MockClock):
    """An autojump clock that jumps only when no descriptor is ready.

    The plain autojump clock jumps as soon as the loop would block, before
    the poll has seen bytes already waiting on a loopback socket, so a timer
    could fire ahead of a response already sent. Epoll is level-triggered,
    so looking first leaves the readiness for the loop's own poll.
    """

    __slots__ = ("loop",)

    def __init__(self) -> None:
        super().__init__(autojump=True)
        self.loop: Any = None

    def sleep_time(self, timeout: float) -> float:
        if self.loop is not None and self.loop._poller.poll(0):
            return 0.0
        return super().sleep_time(timeout)


@pytest.fixture
def virtual_hub() -> Iterator[Hub]:
    """This thread's hub on a PollFirstClock (overrides conftest's fixture here)."""
    old = get_hub_if_exists()
    if old is not None:
        old.destroy(destroy_loop=True)
    set_hub(None)
    clock = PollFirstClock()
    loop = Loop(default=True, clock=clock)
    clock.loop = loop
    set_loop(loop)
    yield gevent.get_hub()


def app(env: dict[str, Any], start_response: Any) -> Any:
    path = env["PATH_INFO"]
    if path == "/echo":
        body = env["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [body]
    if path == "/big":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [b"x" * (8 << 20)]
    if path == "/slow-stream":
        # A long response the application streams slowly: no deadline may cut it.
        def stream() -> Iterator[bytes]:
            for i in range(10):
                gevent.sleep(20)
                yield b"%d" % i
        start_response("200 OK", [])
        return stream()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def make_server(**kwargs: Any) -> WSGIServer:
    srv = WSGIServer(("127.0.0.1", 0), app, log=None, error_log=None, **kwargs)
    srv.start()
    return srv


@pytest.fixture
def server(virtual_hub: Hub) -> Iterator[WSGIServer]:
    srv = make_server()
    yield srv
    srv.stop(timeout=0)


def connect(srv: WSGIServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", srv.server_port))
    # Without it Nagle holds a small write back until the peer's delayed ACK,
    # which comes in real time: on the virtual clock the bytes would seem lost.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_all(sock: socket.socket) -> bytes:
    parts = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(parts)
        parts.append(data)


def get(srv: WSGIServer, path: str = "/") -> bytes:
    """One request on a fresh connection; the whole response."""
    sock = connect(srv)
    try:
        sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode())
        return read_all(sock)
    finally:
        sock.close()


def now() -> float:
    return float(gevent.get_hub().loop.now())


def test_defaults_are_set_and_bounded() -> None:
    srv = WSGIServer(("127.0.0.1", 0), app)
    try:
        assert srv.header_timeout is not None and 0 < srv.header_timeout <= 30
        assert srv.keepalive_timeout is not None and 0 < srv.keepalive_timeout <= 10
        assert srv.body_timeout is not None and 0 < srv.body_timeout <= 60
        assert srv.write_timeout is not None and srv.write_timeout > 0
        assert srv.max_connections is not None and srv.max_body_size is not None
    finally:
        srv.close()


@pytest.mark.parametrize(("name", "value"), [
    ("header_timeout", 0), ("keepalive_timeout", -1), ("body_timeout", "5"),
    ("max_connections", 1.5), ("max_body_size", True),
])
def test_bad_limits_are_refused(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match=name):
        WSGIServer(("127.0.0.1", 0), app, **{name: value})


def test_slowloris_head_is_cut_at_the_deadline_while_others_are_served(
        server: WSGIServer) -> None:
    sock = connect(server)
    start = now()

    def trickle() -> None:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        try:
            while True:
                gevent.sleep(1)
                sock.sendall(b"X-Slow: y\r\n")  # bytes keep coming, slowly
        except OSError:
            pass

    trickler = gevent.spawn(trickle)
    gevent.sleep(5)
    # A fresh client is served at once, slowloris or not.
    assert get(server).startswith(b"HTTP/1.1 200 OK")
    response = read_all(sock)
    elapsed = now() - start
    assert response.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert server.header_timeout is not None
    assert server.header_timeout <= elapsed < server.header_timeout + 2
    trickler.kill()
    sock.close()


def test_connection_that_never_sends_is_closed_quietly(server: WSGIServer) -> None:
    sock = connect(server)
    start = now()
    assert read_all(sock) == b""  # no 408 for a connection that never spoke
    assert now() - start == pytest.approx(server.header_timeout, abs=1)
    sock.close()


def test_idle_keepalive_is_closed(server: WSGIServer) -> None:
    sock = connect(server)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200 OK") and first.endswith(b"hello")
    idle_from = now()
    assert read_all(sock) == b""
    assert now() - idle_from == pytest.approx(server.keepalive_timeout, abs=1)
    sock.close()


def test_keepalive_within_the_timeout_is_served(server: WSGIServer) -> None:
    assert server.keepalive_timeout is not None
    sock = connect(server)
    for _ in range(3):
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).endswith(b"hello")
        gevent.sleep(server.keepalive_timeout - 1)
    sock.close()


def test_head_deadline_counts_from_the_first_byte_after_idle(server: WSGIServer) -> None:
    assert server.keepalive_timeout is not None and server.header_timeout is not None
    sock = connect(server)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(65536).endswith(b"hello")
    gevent.sleep(server.keepalive_timeout - 1)
    start = now()
    sock.sendall(b"GET / HTTP/1.1\r\n")  # then nothing more
    assert read_all(sock).startswith(b"HTTP/1.1 408 ")
    assert now() - start == pytest.approx(server.header_timeout, abs=1)
    sock.close()


def test_stalled_body_times_out_while_others_are_served(server: WSGIServer) -> None:
    sock = connect(server)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
    start = now()
    gevent.sleep(1)
    assert get(server).startswith(b"HTTP/1.1 200 OK")
    response = read_all(sock)
    assert response.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert now() - start == pytest.approx(server.body_timeout, abs=1)
    sock.close()


def test_a_slow_but_moving_body_is_not_cut(virtual_hub: Hub) -> None:
    srv = make_server(body_timeout=5)
    try:
        sock = connect(srv)
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n")
        for byte in b"abcdef":
            gevent.sleep(4)  # each under the stall timeout; 24 s in all
            sock.sendall(bytes([byte]))
        response = sock.recv(65536)
        assert response.startswith(b"HTTP/1.1 200 OK") and response.endswith(b"abcdef")
        sock.close()
    finally:
        srv.stop(timeout=0)


def test_a_client_that_does_not_read_is_cut(virtual_hub: Hub) -> None:
    srv = make_server(write_timeout=10)
    try:
        sock = connect(srv)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        start = now()
        gevent.sleep(30)  # never read while the server writes 8 MiB
        assert now() - start >= 30
        assert len(srv._handlers) == 0  # the handler gave up and closed
        sock.close()
    finally:
        srv.stop(timeout=0)


def test_slow_streamed_response_is_not_cut(server: WSGIServer) -> None:
    # 200 s of a response that trickles out: longer than every deadline.
    sock = connect(server)
    sock.sendall(b"GET /slow-stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = read_all(sock)
    assert data.startswith(b"HTTP/1.1 200 OK")
    assert data.endswith(b"1\r\n9\r\n0\r\n\r\n")
    sock.close()


def test_disable_timeouts_turns_every_deadline_off(virtual_hub: Hub) -> None:
    seen = []

    def takeover(env: dict[str, Any], start_response: Any) -> Any:
        handler = env["gevent.handler"]
        handler.disable_timeouts()
        raw = handler.socket
        seen.append(raw.gettimeout())
        gevent.sleep(500)  # an upgraded connection may be silent for long
        raw.sendall(b"still here")
        start_response("200 OK", [])
        return []

    srv = WSGIServer(("127.0.0.1", 0), takeover, log=None, error_log=None,
                     environ={}, handler_class=_ExposingHandler)
    srv.start()
    try:
        sock = connect(srv)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_all(sock).startswith(b"still hereHTTP/1.1 200 OK")
        assert seen == [None]
        sock.close()
    finally:
        srv.stop(timeout=0)


class _ExposingHandler(WSGIServer.handler_class):  # type: ignore[name-defined,misc]
    def get_environ(self) -> Any:
        env = super().get_environ()
        env["gevent.handler"] = self
        return env


def test_body_over_the_limit_is_413_before_it_is_read(virtual_hub: Hub) -> None:
    srv = make_server(max_body_size=100)
    try:
        sock = connect(srv)
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        response = read_all(sock)
        assert response.startswith(b"HTTP/1.1 413 Content Too Large\r\n")
        assert b"100 Continue" not in response
        sock.close()
        assert get(srv, "/").startswith(b"HTTP/1.1 200")
    finally:
        srv.stop(timeout=0)


def test_chunked_body_over_the_limit_is_413(virtual_hub: Hub) -> None:
    srv = make_server(max_body_size=100)
    try:
        sock = connect(srv)
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"40\r\n" + b"a" * 64 + b"\r\n40\r\n" + b"b" * 64 + b"\r\n0\r\n\r\n")
        response = read_all(sock)
        assert response.startswith(b"HTTP/1.1 413 Content Too Large\r\n")
        sock.close()
        # At the limit exactly is fine.
        sock = connect(srv)
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     b"Connection: close\r\n\r\n64\r\n" + b"a" * 100 + b"\r\n0\r\n\r\n")
        assert read_all(sock).endswith(b"a" * 100)
        sock.close()
    finally:
        srv.stop(timeout=0)


def test_connection_cap_holds_new_connections_in_the_backlog(virtual_hub: Hub) -> None:
    srv = make_server(max_connections=2)
    try:
        first, second = connect(srv), connect(srv)
        for sock in (first, second):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(65536).endswith(b"hello")
        third = connect(srv)  # the kernel completes the handshake; we do not accept
        third.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer: list[bytes] = []
        reader = gevent.spawn(lambda: answer.append(read_all(third)))
        gevent.sleep(1)
        assert answer == [] and len(srv._handlers) == 2
        first.close()  # a slot frees up: the third is accepted and served
        reader.join(timeout=5)
        assert answer and answer[0].endswith(b"hello")
        second.close()
        third.close()
    finally:
        srv.stop(timeout=0)


def test_tls_handshake_has_the_head_deadline(virtual_hub: Hub, tmp_path: Any) -> None:
    import shutil
    import subprocess
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    from gevent import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    srv = make_server(ssl_context=context, header_timeout=7)
    try:
        sock = connect(srv)  # and never say hello
        start = now()
        assert read_all(sock) == b""
        assert now() - start == pytest.approx(7, abs=1)
        assert not srv._handlers
        sock.close()
    finally:
        srv.stop(timeout=0)


def test_keepalive_timeout_alone_never_cuts_a_slow_head(virtual_hub: Hub) -> None:
    # Regression: with no head deadline, the armed keep-alive deadline must be
    # dropped once the next request starts, not left to fire mid-head.
    srv = make_server(keepalive_timeout=2, header_timeout=None)
    try:
        sock = connect(srv)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).endswith(b"hello")
        gevent.sleep(1)
        sock.sendall(b"GET / HTTP/1.1\r\n")
        gevent.sleep(10)
        sock.sendall(b"Host: x\r\n\r\n")
        assert sock.recv(65536).endswith(b"hello")
        idle_from = now()
        assert read_all(sock) == b""
        assert now() - idle_from == pytest.approx(2, abs=0.5)
        sock.close()
    finally:
        srv.stop(timeout=0)


def test_many_keepalive_requests_each_get_the_full_timeouts(virtual_hub: Hub) -> None:
    # The one timer sleeps on to moved deadlines; every phase still gets its own.
    srv = make_server(keepalive_timeout=3, header_timeout=4)
    try:
        sock = connect(srv)
        for pause in (0, 2.5, 0.1, 2.9, 0.5, 2.5, 2.5):
            gevent.sleep(pause)  # under the keep-alive timeout
            sock.sendall(b"GET / HTTP/1.1\r\n")
            gevent.sleep(3.5)  # under the head deadline, over the keep-alive timeout
            sock.sendall(b"Host: x\r\n\r\n")
            assert sock.recv(65536).endswith(b"hello")
        start = now()
        sock.sendall(b"GET / HTTP/1.1\r\n")
        assert read_all(sock).startswith(b"HTTP/1.1 408 ")
        assert now() - start == pytest.approx(4, abs=0.5)
        sock.close()
    finally:
        srv.stop(timeout=0)


def test_keepalive_timeout_off_keeps_an_idle_connection(virtual_hub: Hub) -> None:
    srv = make_server(keepalive_timeout=None, body_timeout=5)
    try:
        sock = connect(srv)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).endswith(b"hello")
        gevent.sleep(100)  # far past the body timeout, which is for bodies only
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).endswith(b"hello")
        sock.close()
    finally:
        srv.stop(timeout=0)


# ------------------------------------------- defaults under a pool, other servers


def test_a_pool_alone_bounds_the_handlers_unless_a_cap_is_given() -> None:
    # gunicorn's gevent workers pass spawn=Pool(worker_connections): the class
    # default of max_connections must not cap that lower.
    from gevent.pool import Pool

    pooled = WSGIServer(("127.0.0.1", 0), None, spawn=Pool(5000), log=None)
    assert pooled.max_connections is None
    capped = WSGIServer(("127.0.0.1", 0), None, spawn=Pool(5000), max_connections=10, log=None)
    assert capped.max_connections == 10
    plain = WSGIServer(("127.0.0.1", 0), None, log=None)
    assert plain.max_connections == WSGIServer.max_connections


def test_a_server_without_strict_http_gets_the_strict_default() -> None:
    from gevent.pywsgi import WSGIHandler

    class Bare:
        """A server class that knows nothing of the limits (e.g. a StreamServer)."""

    a, b = socket.socketpair()
    try:
        assert WSGIHandler(a, ("127.0.0.1", 1), Bare())._strict is True
        assert WSGIHandler(a, ("127.0.0.1", 1), WSGIServer(("127.0.0.1", 0), None))._strict is True
        lenient = WSGIServer(("127.0.0.1", 0), None, strict_http=False)
        assert WSGIHandler(a, ("127.0.0.1", 1), lenient)._strict is False
    finally:
        a.close()
        b.close()
