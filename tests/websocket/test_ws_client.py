"""gevent.websocket.connect: URLs, refusals, timeouts, wss://, what it sends."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest

import gevent
import gevent.ssl
from gevent import socket
from gevent.websocket import HandshakeError, Settings, connect


def echo_app(environ: dict[str, Any], start_response: Any) -> Any:
    ws = environ["wsgi.websocket"]
    while (message := ws.receive()) is not None:
        ws.send(message)
    return []


def headers_app(environ: dict[str, Any], start_response: Any) -> Any:
    ws = environ["wsgi.websocket"]
    ws.send(repr((environ.get("HTTP_X_TOKEN"), environ.get("HTTP_ORIGIN"),
                  environ.get("HTTP_SEC_WEBSOCKET_PROTOCOL"), environ["PATH_INFO"],
                  environ["QUERY_STRING"])))
    ws.close()
    return []


@pytest.mark.parametrize("bad", ["http://example.com/", "example.com", "ws:///nohost"])
def test_bad_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="websocket URL"):
        connect(bad)


def test_subprotocols_must_be_a_sequence() -> None:
    with pytest.raises(TypeError, match="sequence"):
        connect("ws://127.0.0.1:1/", subprotocols="chat")


def test_request_carries_headers_origin_path_and_query(serve: Any) -> None:
    server = serve(headers_app, Settings(subprotocols=("b",)))
    ws = connect(f"ws://127.0.0.1:{server.server_port}/p/q?x=1", headers=[("X-Token", "t0k")],
                 origin="http://me.example", subprotocols=["a", "b"])
    assert ws.protocol == "b"
    assert ws.receive() == repr(("t0k", "http://me.example", "a, b", "/p/q", "x=1"))
    assert ws.receive() is None
    assert ws.close_code == 1000


def test_refused_upgrade_raises_handshake_error_with_the_status(serve: Any) -> None:
    server = serve(echo_app, Settings(allowed_origins=()))
    with pytest.raises(HandshakeError, match="403") as info:
        connect(f"ws://127.0.0.1:{server.server_port}/", origin="http://x")
    assert "not allowed" in str(info.value)


def test_a_plain_http_answer_is_a_handshake_error(serve: Any) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [("Content-Length", "2")])
        return [b"hi"]

    server = serve(app)
    with pytest.raises(HandshakeError, match="200"):
        connect(f"ws://127.0.0.1:{server.server_port}/")


def test_connection_refused_is_an_oserror() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(OSError):
        connect(f"ws://127.0.0.1:{port}/")


def test_handshake_timeout(virtual_hub: Any) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts in the kernel, never answers
    start = virtual_hub.loop.now()
    with pytest.raises(HandshakeError, match="took over 5"):
        connect(f"ws://127.0.0.1:{listener.getsockname()[1]}/", timeout=5)
    # The autojump clock also jumps while the connect itself waits (to the
    # socket's 5 s timer, though the connect completes at once).
    assert 5 <= virtual_hub.loop.now() - start <= 10.5
    listener.close()


def test_a_server_that_hangs_up_is_a_handshake_error() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def hang_up() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.close()

    g = gevent.spawn(hang_up)
    with pytest.raises(HandshakeError, match="closed the connection"):
        connect(f"ws://127.0.0.1:{listener.getsockname()[1]}/", timeout=10)
    g.get()
    listener.close()


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command")
    d = tmp_path_factory.mktemp("wscert")
    certfile, keyfile = Path(d, "cert.pem"), Path(d, "key.pem")
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(keyfile), "-out", str(certfile)],
                   check=True, capture_output=True, timeout=60)
    return str(certfile), str(keyfile)


def test_wss_roundtrip(serve: Any, cert: tuple[str, str]) -> None:
    certfile, keyfile = cert
    server_context = gevent.ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(certfile, keyfile)
    server = serve(echo_app, ssl_context=server_context)
    # A standard-library context works too: connect() makes the socket green.
    context = ssl.create_default_context(cafile=certfile)
    ws = connect(f"wss://localhost:{server.server_port}/", ssl_context=context)
    ws.send("over tls " * 1000)
    assert ws.receive() == "over tls " * 1000
    ws.close()
    assert ws.close_code == 1000
    # and the certificate is verified by default
    with pytest.raises(ssl.SSLError):
        connect(f"wss://localhost:{server.server_port}/")
