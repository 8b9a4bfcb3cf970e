"""A TLS server closes the TLS socket it made for a connection once the handler returns.

Regression: ``wrap_socket_and_handle`` left the socket to the garbage collector,
which raised a ResourceWarning for every HTTPS connection.
"""

from __future__ import annotations

import ssl as stdssl
from typing import Any

import gevent
from gevent import socket, ssl
from gevent.pywsgi import WSGIServer
from gevent.server import StreamServer


def _client_context() -> stdssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _server_context(certificate: tuple[str, str]) -> stdssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def _talk(port: int, data: bytes, until: bytes) -> bytes:
    """Send ``data`` over TLS and read until the reply ends with ``until``."""
    with socket.create_connection(("127.0.0.1", port)) as raw, \
            _client_context().wrap_socket(raw) as conn:
        conn.sendall(data)
        reply = b""
        while not reply.endswith(until):
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply


def test_stream_server_closes_the_tls_socket(certificate: tuple[str, str]) -> None:
    seen: list[Any] = []

    def handle(sock: Any, address: Any) -> None:
        seen.append(sock)
        sock.sendall(sock.recv(100))
        # Returns without closing: the server owns the socket it made.

    server = StreamServer(("127.0.0.1", 0), handle, ssl_context=_server_context(certificate))
    server.start()
    try:
        with gevent.Timeout(10):
            assert _talk(server.server_port, b"hello", b"hello") == b"hello"
            while not seen or seen[0].fileno() != -1:
                gevent.sleep(0.01)
    finally:
        server.stop()
    assert isinstance(seen[0], ssl.SSLSocket)


def test_wsgi_server_closes_the_tls_socket(certificate: tuple[str, str]) -> None:
    seen: list[Any] = []

    class Recording(WSGIServer):
        def handle(self, sock: Any, address: Any) -> None:
            seen.append(sock)
            super().handle(sock, address)

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    server = Recording(("127.0.0.1", 0), app, ssl_context=_server_context(certificate),
                       log=None)
    server.start()
    try:
        with gevent.Timeout(10):
            reply = _talk(server.server_port,
                          b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"ok")
            assert reply.endswith(b"ok")
            while not seen or seen[0].fileno() != -1:
                gevent.sleep(0.01)
    finally:
        server.stop()
    assert isinstance(seen[0], ssl.SSLSocket)
