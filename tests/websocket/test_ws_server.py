"""The upgrade in gevent.pywsgi, end to end: a real server, our client and raw sockets.

Server and clients run in this process. Raw client sockets carry a timeout, so
a server that hangs fails the test instead of blocking it.
"""

from __future__ import annotations

from typing import Any

import pytest
from ws_frames import (
    BINARY,
    CLOSE,
    PING,
    PONG,
    TEXT,
    close_code,
    close_frame,
    frame,
    read_frame,
    read_response_head,
    upgrade_request,
)

import gevent
from gevent import socket
from gevent.websocket import ConnectionClosed, Settings, WebSocketError, connect

seen: list[Any] = []


def echo_app(environ: dict[str, Any], start_response: Any) -> Any:
    ws = environ.get("wsgi.websocket")
    if ws is None:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"plain http\n"]
    seen.append((ws.path, ws.origin, ws.protocol, ws.version,
                 environ.get("wsgi.websocket_version")))
    while True:
        message = ws.receive()
        if message is None:
            seen.append(("closed", ws.close_code))
            return []
        ws.send(message)


@pytest.fixture(autouse=True)
def _clear_seen() -> None:
    seen.clear()


def eventually(condition: Any, timeout: float = 10.0) -> None:
    """Let the server side run until ``condition()`` holds (what it records comes
    after the client is done); fail if it still does not after ``timeout``."""
    with gevent.Timeout(timeout, AssertionError(f"still false after {timeout} s")):
        while not condition():
            gevent.sleep(0.01)


def url(server: Any, path: str = "/") -> str:
    return f"ws://127.0.0.1:{server.server_port}{path}"


def raw_client(server: Any, request: bytes) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", server.server_port))
    sock.settimeout(10)
    sock.sendall(request)
    return sock, read_response_head(sock)


def test_echo_text_and_binary(serve: Any) -> None:
    server = serve(echo_app)
    ws = connect(url(server, "/chat"), origin="http://example.com")
    ws.send("héllo")
    assert ws.receive() == "héllo"
    ws.send(b"\x00\xff")
    assert ws.receive() == b"\x00\xff"
    ws.send("as bytes", binary=True)
    assert ws.receive() == b"as bytes"
    ws.send(b"as text", binary=False)
    assert ws.receive() == "as text"
    ws.close()
    assert ws.closed and ws.close_code == 1000
    eventually(lambda: seen and seen[-1] == ("closed", 1000))
    assert seen[0] == ("/chat", "http://example.com", None, "13", "13")


def test_plain_requests_are_served_as_before(serve: Any) -> None:
    server = serve(echo_app)
    sock, head = raw_client(server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert sock.recv(100) == b"plain http\n"
    # keep-alive still works: a second request on the same connection
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response_head(sock).startswith(b"HTTP/1.1 200 OK")
    sock.close()


def test_close_sends_the_status_code(serve: Any) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.websocket"].close(4001, b"bye now")
        return []

    server = serve(app)
    sock, head = raw_client(server, upgrade_request())
    assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in head
    opcode, payload = read_frame(sock)
    assert opcode == CLOSE
    assert close_code(payload) == 4001
    assert payload[2:] == b"bye now"
    sock.sendall(close_frame(4001))
    assert sock.recv(10) == b""  # the server closes the TCP connection
    sock.close()


def test_peer_close_is_echoed_and_receive_returns_none(serve: Any) -> None:
    server = serve(echo_app)
    sock, _ = raw_client(server, upgrade_request())
    sock.sendall(frame(TEXT, b"hi"))
    assert read_frame(sock) == (TEXT, b"hi")
    sock.sendall(close_frame(1001, b"leaving"))
    opcode, payload = read_frame(sock)
    assert opcode == CLOSE and close_code(payload) == 1001
    assert read_frame(sock) == (-1, b"")
    sock.close()
    eventually(lambda: seen and seen[-1] == ("closed", 1001))


def test_ping_is_answered_with_pong(serve: Any) -> None:
    server = serve(echo_app)
    sock, _ = raw_client(server, upgrade_request())
    sock.sendall(frame(PING, b"are you there"))
    assert read_frame(sock) == (PONG, b"are you there")
    sock.close()


def test_fragmented_message_is_joined(serve: Any) -> None:
    server = serve(echo_app)
    sock, _ = raw_client(server, upgrade_request())
    sock.sendall(frame(BINARY, b"ab", fin=False) + frame(PING, b"p")
                 + frame(0, b"cd", fin=False) + frame(0, b"ef"))
    assert read_frame(sock) == (PONG, b"p")
    assert read_frame(sock) == (BINARY, b"abcdef")
    sock.close()


@pytest.mark.parametrize(("data", "code"), [
    (frame(TEXT, b"\xff\xfe not utf-8"), 1007),
    (frame(TEXT, b"unmasked", mask=False), 1002),
    (frame(0x3, b"reserved opcode"), 1002),
    (frame(PING, b"x" * 126), 1002),
    (frame(PING, b"fragmented ping", fin=False), 1002),
    (frame(0, b"continuation with nothing to continue"), 1002),
    (close_frame(999), 1002),
    (frame(TEXT, b"rsv1 without deflate", rsv1=True), 1002),
])
def test_protocol_violations_get_the_right_close_code(serve: Any, data: bytes,
                                                      code: int) -> None:
    server = serve(echo_app)
    sock, _ = raw_client(server, upgrade_request())
    sock.sendall(data)
    opcode, payload = read_frame(sock)
    assert opcode == CLOSE
    assert close_code(payload) == code
    assert read_frame(sock) == (-1, b"")  # and the connection is closed, not left hanging
    sock.close()
    eventually(lambda: seen and seen[-1] == ("closed", code))


def test_message_size_limit_closes_with_1009(serve: Any) -> None:
    server = serve(echo_app, Settings(max_message_size=1000))
    sock, _ = raw_client(server, upgrade_request())
    sock.sendall(frame(BINARY, b"x" * 1000))
    assert read_frame(sock) == (BINARY, b"x" * 1000)
    # over the limit across fragments
    sock.sendall(frame(BINARY, b"x" * 600, fin=False) + frame(0, b"y" * 600))
    opcode, payload = read_frame(sock)
    assert (opcode, close_code(payload)) == (CLOSE, 1009)
    assert read_frame(sock) == (-1, b"")
    sock.close()


def test_frame_size_limit_closes_with_1009(serve: Any) -> None:
    server = serve(echo_app, Settings(max_message_size=10000, max_frame_size=100))
    sock, _ = raw_client(server, upgrade_request())
    sock.sendall(frame(TEXT, b"a" * 100, fin=False) + frame(0, b"b" * 100))
    assert read_frame(sock) == (TEXT, b"a" * 100 + b"b" * 100)
    sock.sendall(frame(TEXT, b"a" * 101))
    opcode, payload = read_frame(sock)
    assert (opcode, close_code(payload)) == (CLOSE, 1009)
    sock.close()


@pytest.mark.parametrize(("request_bytes", "status"), [
    (upgrade_request(version="8"), b"426"),
    (upgrade_request(key="too-short"), b"400"),
    (upgrade_request(method="POST"), b"400"),
    (upgrade_request().replace(b"Connection: Upgrade", b"Connection: keep-alive"), b"400"),
])
def test_invalid_upgrades_are_refused_without_running_the_app(
        serve: Any, request_bytes: bytes, status: bytes) -> None:
    server = serve(echo_app)
    sock, head = raw_client(server, request_bytes)
    assert head.split(b" ")[1] == status
    if status == b"426":
        assert b"Sec-WebSocket-Version: 13\r\n" in head
    sock.close()
    assert seen == []


def test_upgrade_without_a_key_is_left_to_the_app(serve: Any) -> None:
    # Not a websocket handshake: served as gevent always did (the app may answer 101).
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        assert "wsgi.websocket" not in environ
        start_response("101 Switching Protocols", [("Connection", "close")])
        return []

    server = serve(app)
    sock, head = raw_client(server, b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    sock.close()


def test_origin_check(serve: Any) -> None:
    server = serve(echo_app, Settings(allowed_origins={"https://good.example"}))
    sock, head = raw_client(server, upgrade_request(extra="Origin: https://evil.example\r\n"))
    assert head.startswith(b"HTTP/1.1 403")
    sock.close()
    ws = connect(url(server), origin="https://good.example")
    ws.send("ok")
    assert ws.receive() == "ok"
    ws.close()


def test_subprotocol_selection_follows_the_server_preference(serve: Any) -> None:
    server = serve(echo_app, Settings(subprotocols=("v2.chat", "v1.chat")))
    ws = connect(url(server), subprotocols=["v1.chat", "v2.chat"])
    assert ws.protocol == "v2.chat"
    ws.close()
    ws = connect(url(server), subprotocols=["other"])
    assert ws.protocol is None
    ws.close()
    eventually(lambda: len([entry for entry in seen if entry[0] == "closed"]) == 2)
    assert [entry[2] for entry in seen if entry[0] != "closed"] == ["v2.chat", None]


def test_app_that_ignores_the_websocket_answers_in_plain_http(serve: Any) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        assert "wsgi.websocket" in environ
        start_response("404 Not Found", [("Content-Length", "4")])
        return [b"nope"]

    server = serve(app)
    sock, head = raw_client(server, upgrade_request())
    assert head.startswith(b"HTTP/1.1 404")
    assert sock.recv(10) == b"nope"
    assert sock.recv(10) == b""  # closed after an upgrade request
    sock.close()


def test_body_returned_after_upgrade_is_not_written_into_the_stream(serve: Any) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        ws = environ["wsgi.websocket"]
        ws.send("only this")
        ws.close()
        return [b"garbage"]

    server = serve(app)
    sock, _ = raw_client(server, upgrade_request())
    assert read_frame(sock) == (TEXT, b"only this")
    assert read_frame(sock)[0] == CLOSE
    sock.sendall(close_frame(1000))
    assert sock.recv(100) == b""
    sock.close()


def test_app_returning_with_the_socket_open_closes_it(serve: Any) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.websocket"].send("hello and goodbye")
        return []

    server = serve(app, Settings(close_timeout=0.2))
    ws = connect(url(server))
    assert ws.receive() == "hello and goodbye"
    assert ws.receive() is None
    assert ws.close_code == 1000


def test_send_after_close_raises(serve: Any) -> None:
    server = serve(echo_app)
    ws = connect(url(server))
    ws.close()
    with pytest.raises(ConnectionClosed) as info:
        ws.send("too late")
    assert isinstance(info.value, WebSocketError)
    assert "closed" in str(info.value)
    assert ws.receive() is None
    ws.close()  # closing twice is harmless


def test_concurrent_senders_do_not_interleave_frames(serve: Any) -> None:
    server = serve(echo_app)
    ws = connect(url(server))
    big = "x" * 300_000
    senders = [gevent.spawn(ws.send, big + str(i)) for i in range(5)]
    got = sorted(str(ws.receive())[-1] for _ in range(5))
    gevent.joinall(senders, raise_error=True)
    assert got == ["0", "1", "2", "3", "4"]
    ws.close()


def test_compression_roundtrip_and_negotiated_parameters(serve: Any) -> None:
    server = serve(echo_app)
    sock, head = raw_client(server, upgrade_request(
        extra="Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; "
              "client_no_context_takeover\r\n"))
    assert (b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; "
            b"client_no_context_takeover\r\n") in head
    sock.close()
    ws = connect(url(server))
    assert [e.name for e in ws.extensions] == ["permessage-deflate"]
    text = "compress me " * 5000
    ws.send(text)
    assert ws.receive() == text
    ws.close()


def test_compression_can_be_turned_off(serve: Any) -> None:
    server = serve(echo_app, Settings(compression=False))
    ws = connect(url(server))
    assert ws.extensions == []
    ws.send("plain")
    assert ws.receive() == "plain"
    ws.close()


def test_environ_keeps_what_simple_websocket_reads(serve: Any) -> None:
    found: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        found["software"] = environ["SERVER_SOFTWARE"]
        wsgi_input = environ["wsgi.input"]
        # simple-websocket: the raw socket behind the input, on either form.
        raw = wsgi_input.raw if hasattr(wsgi_input, "raw") else wsgi_input.rfile.raw
        found[environ["PATH_INFO"]] = raw._sock
        start_response("200 OK", [("Content-Length", "0")])
        return []

    server = serve(app)
    sock, head = raw_client(server, b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    sock.close()
    sock, head = raw_client(server, upgrade_request("/upgrade"))
    sock.close()
    assert found["software"].startswith("gevent/")
    assert isinstance(found["/plain"], socket.socket)
    assert isinstance(found["/upgrade"], socket.socket)


def test_bytes_sent_with_the_request_are_not_lost(serve: Any) -> None:
    server = serve(echo_app)
    sock = socket.create_connection(("127.0.0.1", server.server_port))
    sock.settimeout(10)
    # A frame right behind the request, in the same packet: it lands in the HTTP reader.
    sock.sendall(upgrade_request() + frame(TEXT, b"eager"))
    assert read_response_head(sock).startswith(b"HTTP/1.1 101")
    assert read_frame(sock) == (TEXT, b"eager")
    sock.close()


def test_disabled_upgrades_leave_the_request_to_the_app(serve: Any) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        assert "wsgi.websocket" not in environ
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    server = serve(app, False)
    sock, head = raw_client(server, upgrade_request())
    assert head.startswith(b"HTTP/1.1 200")
    sock.close()



def test_app_that_takes_the_raw_socket_keeps_it(serve: Any) -> None:
    # As simple-websocket does: dup the socket, answer the handshake on it, keep
    # using it after the application returned. The server must not shut it.
    kept: list[socket.socket] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        raw = environ["wsgi.input"].raw._sock.dup()
        raw.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\n\r\n")
        kept.append(raw)
        return []

    server = serve(app)
    sock, head = raw_client(server, upgrade_request())
    assert head.startswith(b"HTTP/1.1 101")
    eventually(lambda: not server._handlers)  # the application returned, the handler is done
    kept[0].sendall(frame(TEXT, b"still mine", mask=False))
    assert read_frame(sock) == (TEXT, b"still mine")
    kept[0].close()
    sock.close()
