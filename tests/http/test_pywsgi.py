"""gevent.pywsgi end to end: a real server and raw clients over local sockets.

Server and client run in this process on the real clock. Every client read is
bounded by a socket timeout, so a server that hangs fails the test instead of
blocking it.
"""

from __future__ import annotations

import io
import pickle
import re
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import gevent
from gevent import pywsgi, socket
from gevent.pywsgi import Input, WSGIServer

App = Callable[[dict[str, Any], Any], Any]

BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-length: 0\r\n\r\n"


def app(env: dict[str, Any], start_response: Any) -> Any:
    path = env["PATH_INFO"]
    if path == "/echo":
        body = env["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [body]
    if path == "/lines":
        lines = list(env["wsgi.input"])
        start_response("200 OK", [])
        return [repr(lines).encode()]
    if path == "/gen":
        start_response("200 OK", [])
        return iter([b"ab", b"", b"cde"])
    if path == "/one":
        data = env["wsgi.input"].read(1)
        start_response("200 OK", [])
        return [data]
    if path == "/env":
        start_response("200 OK", [])
        keys = {k: v for k, v in env.items() if isinstance(v, str)}
        return [repr(sorted(keys.items())).encode()]
    if path == "/boom":
        raise ZeroDivisionError("expected by the test")
    if path == "/late-boom":
        def gen() -> Iterator[bytes]:
            yield b"part"
            raise ZeroDivisionError("expected by the test")
        start_response("200 OK", [])
        return gen()
    if path == "/nocontent":
        start_response("204 No Content", [])
        return []
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


@pytest.fixture
def server() -> Iterator[WSGIServer]:
    srv = WSGIServer(("127.0.0.1", 0), app, log=None, error_log=None)
    srv.start()
    yield srv
    srv.stop(timeout=0)


@pytest.fixture
def no_error_report(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Application errors go to the hub's handle_error: collect them instead of printing."""
    reported: list[Any] = []

    def handle_error(self: Any, context: Any, t: Any, v: Any, tb: Any) -> None:
        reported.append((context, t))

    import gevent.hub
    monkeypatch.setattr(gevent.hub.Hub, "handle_error", handle_error)
    return reported


class Client:
    """A raw HTTP client: sends bytes, reads responses as the server framed them."""

    def __init__(self, srv: WSGIServer) -> None:
        self.sock = socket.create_connection(("127.0.0.1", srv.server_port), timeout=5)
        self.rfile = self.sock.makefile("rb")

    def close(self) -> None:
        self.rfile.close()
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def response(self) -> tuple[str, dict[str, str], bytes]:
        status = self.rfile.readline().decode("latin-1")
        if not status:
            raise EOFError("connection closed")
        headers: dict[str, str] = {}
        while True:
            line = self.rfile.readline().decode("latin-1").rstrip("\r\n")
            if not line:
                break
            name, _, value = line.partition(": ")
            assert name.lower() not in {k.lower() for k in headers}, line
            headers[name] = value
        code = int(status.split()[1])
        if code in (100, 204, 304):
            body = b""
        elif headers.get("Transfer-Encoding") == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if not size:
                    assert self.rfile.readline() == b"\r\n"
                    break
                parts.append(self.rfile.read(size))
                assert self.rfile.read(2) == b"\r\n"
            body = b"".join(parts)
        elif "Content-Length" in headers:
            body = self.rfile.read(int(headers["Content-Length"]))
        else:
            body = self.rfile.read()
        return status.rstrip("\r\n"), headers, body

    def closed_by_server(self) -> bool:
        try:
            return self.rfile.read() == b""
        except ConnectionResetError:
            return True


@pytest.fixture
def client(server: WSGIServer) -> Iterator[Client]:
    c = Client(server)
    yield c
    c.close()


# ------------------------------------------------------------- keep-alive


def test_keep_alive_serves_several_requests(client: Client) -> None:
    for _ in range(3):
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body = client.response()
        assert (status, body) == ("HTTP/1.1 200 OK", b"hello")
        assert headers["Content-Length"] == "5"
        assert "Connection" not in headers


def test_pipelined_requests(client: Client) -> None:
    client.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /gen HTTP/1.1\r\nHost: t\r\n\r\n"
                b"GET / HTTP/1.1\r\nHost: t\r\n"
                b"Connection: close\r\n\r\n")
    assert client.response()[2] == b"hello"
    assert client.response()[2] == b"abcde"
    assert client.response()[2] == b"hello"
    assert client.closed_by_server()


def test_one_empty_line_before_a_request_is_ignored(client: Client) -> None:
    client.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nab\r\n"
                b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    assert client.response()[2] == b"ab"
    assert client.response()[2] == b"hello"


def test_connection_close_is_honoured(client: Client) -> None:
    client.send(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert client.response()[2] == b"hello"
    assert client.closed_by_server()


def test_http10_closes_by_default(client: Client) -> None:
    client.send(b"GET / HTTP/1.0\r\n\r\n")
    _, headers, _ = client.response()
    assert headers["Connection"] == "close"
    assert client.closed_by_server()


def test_http10_keep_alive_on_request(client: Client) -> None:
    for _ in range(2):
        client.send(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        _, headers, body = client.response()
        assert (headers["Connection"], body) == ("keep-alive", b"hello")


def test_http10_stream_is_delimited_by_close(client: Client) -> None:
    client.send(b"GET /gen HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    _, headers, body = client.response()
    assert "Transfer-Encoding" not in headers and "Content-Length" not in headers
    assert headers["Connection"] == "close"
    assert body == b"abcde"


# --------------------------------------------------------------- chunking


def test_chunked_response_for_a_stream(client: Client) -> None:
    client.send(b"GET /gen HTTP/1.1\r\nHost: t\r\n\r\n")
    _, headers, body = client.response()
    assert headers["Transfer-Encoding"] == "chunked"
    assert body == b"abcde"
    client.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")  # the connection is still in step
    assert client.response()[2] == b"hello"


def test_chunked_request_body(client: Client) -> None:
    client.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: yes\r\n\r\n")
    assert client.response()[2] == b"hello world"
    client.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    assert client.response()[2] == b"hello"


def test_chunked_request_sent_byte_by_byte(client: Client) -> None:
    request = (b"POST /lines HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"4\r\na\nbc\r\n3\r\n\nd\n\r\n0\r\n\r\n")
    for i in range(len(request)):
        client.send(request[i:i + 1])
    assert client.response()[2] == repr([b"a\n", b"bc\n", b"d\n"]).encode()


def test_unread_body_is_drained_for_the_next_request(client: Client) -> None:
    client.send(b"POST /one HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde"
                b"POST /one HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"3\r\nxyz\r\n0\r\n\r\n"
                b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    assert client.response()[2] == b"a"
    assert client.response()[2] == b"x"
    assert client.response()[2] == b"hello"


# ----------------------------------------------------------- 100-continue


def test_100_continue_sent_on_first_read_only(client: Client) -> None:
    client.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                b"Expect: 100-continue\r\n\r\n")
    status, _, _ = client.response()
    assert status == "HTTP/1.1 100 Continue"
    client.send(b"data")
    assert client.response()[:1] == ("HTTP/1.1 200 OK",)


def test_no_100_continue_when_the_body_is_not_read(client: Client) -> None:
    client.send(b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                b"Expect: 100-continue\r\n\r\nabcd"
                b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    assert client.response()[0] == "HTTP/1.1 200 OK"
    assert client.response()[0] == "HTTP/1.1 200 OK"


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize("request_bytes", [
    b"GET / HTTP %\r\n\r\n",
    b"POST /\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: -100\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"HEAD / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc",
    b"GET / HTTP/1.1\r\nHost: t\r\nNo colon\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n",
])
def test_bad_requests_get_the_fixed_400(client: Client, request_bytes: bytes) -> None:
    client.send(request_bytes)
    assert client.rfile.read(len(BAD_REQUEST)) == BAD_REQUEST
    assert client.closed_by_server()


def test_long_request_line_is_414(client: Client) -> None:
    client.send(b"GET /" + b"x" * 20000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
    expected = (b"HTTP/1.1 414 Request URI Too Long\r\nConnection: close\r\n"
                b"Content-length: 0\r\n\r\n")
    assert client.rfile.read(len(expected)) == expected
    assert client.closed_by_server()


@pytest.mark.parametrize("body", [
    b"zz\r\n",
    b"-1\r\n",
    b"{\"hi\": \"ho\"}",                  # no line end at all: refused without waiting
    b"2\r\nabXX",
    b"2;" + b"x" * 9000 + b"\r\nab\r\n0\r\n\r\n",
])
def test_bad_chunked_body_is_400_and_close(client: Client, body: bytes) -> None:
    client.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    status, headers, _ = client.response()
    assert status == "HTTP/1.1 400 Bad Request"
    assert headers["Connection"] == "close"
    assert client.closed_by_server()


def test_invalid_trailer_after_a_satisfied_read_closes(client: Client) -> None:
    # The application only wanted one byte; the smuggled request in the
    # trailer is found while draining, after the response went out.
    client.send(b"POST /one HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"2\r\nab\r\n0\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n")
    assert client.response()[2] == b"a"
    assert client.closed_by_server()


def test_truncated_body_raises_in_the_application(server: WSGIServer,
                                                  no_error_report: list[Any]) -> None:
    c = Client(server)
    try:
        c.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        c.sock.shutdown(socket.SHUT_WR)
        status, _, _ = c.response()
    finally:
        c.close()
    assert status == "HTTP/1.1 500 Internal Server Error"
    [(context, t)] = no_error_report
    assert t is OSError
    assert isinstance(context, pywsgi.SecureEnviron)


def test_application_error_is_500(client: Client, no_error_report: list[Any]) -> None:
    client.send(b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\n")
    status, headers, body = client.response()
    assert (status, body) == ("HTTP/1.1 500 Internal Server Error", b"Internal Server Error")
    assert headers["Connection"] == "close"
    assert client.closed_by_server()
    [(context, t)] = no_error_report
    assert t is ZeroDivisionError
    assert "REMOTE_ADDR" in repr(context) and "PATH_INFO" not in repr(context)


def test_error_after_the_headers_cuts_the_response(client: Client,
                                                   no_error_report: list[Any]) -> None:
    client.send(b"GET /late-boom HTTP/1.1\r\nHost: t\r\n\r\n")
    with pytest.raises(ValueError):
        client.response()  # no terminating chunk: the framing is broken on purpose
    assert len(no_error_report) == 1


def test_204_has_no_body_or_framing(client: Client) -> None:
    client.send(b"GET /nocontent HTTP/1.1\r\nHost: t\r\n\r\n")
    status, headers, _ = client.response()
    assert status == "HTTP/1.1 204 No Content"
    assert "Content-Length" not in headers and "Transfer-Encoding" not in headers


# ---------------------------------------------------------------- environ


def test_environ(client: Client, server: WSGIServer) -> None:
    client.send(b"GET /env?a=1&b=%20x HTTP/1.1\r\nHost: localhost\r\nX-Foo: 1\r\n"
                b"X-Foo: 2\r\nX_Bar: dropped\r\nCookie: a=1\r\nCookie: b=2\r\n"
                b"Content-Type: text/plain\r\n\r\n")
    env = dict(eval(client.response()[2]))
    assert env["PATH_INFO"] == "/env"
    assert env["QUERY_STRING"] == "a=1&b=%20x"
    assert env["HTTP_X_FOO"] == "1,2"
    assert env["HTTP_COOKIE"] == "a=1; b=2"
    assert env["CONTENT_TYPE"] == "text/plain"
    assert "CONTENT_LENGTH" not in env
    assert "HTTP_X_BAR" not in env
    assert env["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert env["REQUEST_METHOD"] == "GET"
    assert env["REMOTE_ADDR"] == "127.0.0.1"
    assert env["SERVER_PORT"] == str(server.server_port)
    assert env["wsgi.url_scheme"] == "http"


def test_access_log_line(server: WSGIServer) -> None:
    log = io.StringIO()
    server.log = log
    c = Client(server)
    try:
        c.send(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        c.response()
        assert c.closed_by_server()
    finally:
        c.close()
    line = log.getvalue()
    assert re.fullmatch(r'127\.0\.0\.1 - - \[[\d-]+ [\d:]+\] "GET / HTTP/1\.1" 200 \d+ '
                        r'\d+\.\d{6}\n', line), line


# ------------------------------------------------------------ Input alone


def test_input_content_length() -> None:
    inp = Input(io.BytesIO(b"line1\nline2\nrest-and-more"), content_length=16)
    assert inp.readline() == b"line1\n"
    assert inp.readline(3) == b"lin"
    assert inp.read() == b"e2\nrest"
    assert inp.read() == b""


def test_input_short_body_raises() -> None:
    with pytest.raises(OSError):
        Input(io.BytesIO(b"1"), content_length=2).read()
    with pytest.raises(OSError):
        Input(io.BytesIO(b"1"), content_length=2).readline()


def test_input_chunked_without_peek() -> None:
    raw = io.BytesIO(b"3\r\nab\n\r\n2\r\ncd\r\n0\r\n\r\nNEXT")
    inp = Input(raw, content_length=None, chunked_input=True)
    assert inp.readlines() == [b"ab\n", b"cd"]
    assert raw.read() == b"NEXT"


def test_input_chunked_missing_end_raises() -> None:
    inp = Input(io.BytesIO(b"1\r\na\r\n"), content_length=None, chunked_input=True)
    with pytest.raises(OSError, match="unexpected end of file"):
        inp.read()


# ------------------------------------------------------- environ classes


def test_secure_environ_masks_values() -> None:
    env = pywsgi.SecureEnviron(secret="x")
    assert "secret" not in repr(env) and "keys: 1" in repr(env)
    env.whitelist_keys = ("other",)
    assert repr(env) == repr({"secret": "<MASKED>"})
    env.secure_repr = False
    assert repr(env) == repr({"secret": "x"})
    wsgi_env = pywsgi.WSGISecureEnviron(REMOTE_ADDR="1.2.3.4", token="t")
    assert repr(wsgi_env) == "{'REMOTE_ADDR': '1.2.3.4', (hidden keys: 1)}"


def test_environ_copy_and_pickle() -> None:
    for cls in (pywsgi.Environ, pywsgi.SecureEnviron):
        env = cls(a=1)
        assert type(env.copy()) is cls
        assert type(pickle.loads(pickle.dumps(env))) is dict


def test_logging_log_adapter_proxies() -> None:
    class Logger:
        seen: list[tuple[int, str]] = []

        def log(self, level: int, msg: str) -> None:
            self.seen.append((level, msg))

    logger = Logger()
    adapter = pywsgi.LoggingLogAdapter(logger, 40)
    adapter.write("message\n")
    adapter.extra = 1  # lands on the logger
    assert logger.seen == [(40, "message")]
    assert logger.extra == 1  # type: ignore[attr-defined]


def test_public_names() -> None:
    assert set(pywsgi.__all__) == {"WSGIServer", "WSGIHandler", "LoggingLogAdapter", "Environ",
                                   "SecureEnviron", "WSGISecureEnviron"}
    assert pywsgi.WSGIHandler.__module__ == "gevent.pywsgi"
    assert pywsgi.MAX_REQUEST_LINE == 8192
    assert pywsgi.format_date_time(0) == "Thu, 01 Jan 1970 00:00:00 GMT"



def test_the_date_header_follows_the_clock_second(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Date is formatted once per second and reused; it must still move on
    # with the clock, and never lag a second behind.
    from gevent._http import _environ

    now = [1_000_000.25]
    # Only _environ's view of the clock: the time module stays untouched.
    monkeypatch.setattr(_environ, "time", types.SimpleNamespace(time=lambda: now[0]))
    monkeypatch.setattr(_environ._DateCache, "current", (0, ""))
    first = _environ.http_date_now()
    assert first == pywsgi.format_date_time(1_000_000)
    now[0] = 1_000_000.99
    assert _environ.http_date_now() is first  # the same second: reused
    now[0] = 1_000_001.0
    assert _environ.http_date_now() == pywsgi.format_date_time(1_000_001)
    now[0] = 999_999.5  # a clock stepped back is followed too
    assert _environ.http_date_now() == pywsgi.format_date_time(999_999)


# ------------------------------------------------------------ subclassing


def test_handler_subclass_in_the_style_of_gunicorn() -> None:
    """gunicorn's gevent worker extends get_environ and replaces log_request."""
    logged: list[tuple[str | None, int, list[tuple[str, str]], float, float]] = []
    app_ran: list[float] = []

    class Handler(pywsgi.WSGIHandler):
        def get_environ(self) -> Any:
            env = super().get_environ()
            env["RAW_URI"] = self.path
            return env

        def log_request(self) -> None:
            logged.append((self.status, self.response_length, list(self.headers.items()),
                           self.time_start, self.time_finish))

    def raw_uri(env: dict[str, Any], start_response: Any) -> list[bytes]:
        app_ran.append(time.time())
        gevent.sleep(0.01)  # real time the request's duration must include
        app_ran.append(time.time())
        start_response("200 OK", [])
        return [env["RAW_URI"].encode()]

    srv = WSGIServer(("127.0.0.1", 0), raw_uri, log=None, error_log=None, handler_class=Handler)
    srv.start()
    c = Client(srv)
    try:
        c.send(b"GET /a%2Fb?q HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        raw = c.rfile.read()  # the whole response: the server closes after it
    finally:
        c.close()
        srv.stop(timeout=0)
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n") and raw.endswith(b"\r\n\r\n/a%2Fb?q")
    [(status, length, headers, started, finished)] = logged
    assert status == "200 OK"
    assert length == len(raw)  # every byte sent: status line, headers and body
    assert headers == [("Host", "h"), ("Connection", "close")]
    # The logged duration spans the application's run, sleep included.
    entered, left = app_ran
    assert started <= entered < left <= finished


def test_handle_argument_is_deprecated() -> None:
    def handle(sock: Any, address: Any) -> None:
        pass

    with pytest.warns(DeprecationWarning):
        srv = WSGIServer(("127.0.0.1", 0), app, handle=handle)
    srv.close()


def test_logger_gets_wrapped() -> None:
    import logging

    srv = WSGIServer(("127.0.0.1", 0), app, log=logging.getLogger("test.pywsgi"),
                     error_log=logging.getLogger("test.pywsgi.errors"))
    try:
        assert isinstance(srv.log, pywsgi.LoggingLogAdapter)
        assert isinstance(srv.error_log, pywsgi.LoggingLogAdapter)
        assert srv.get_environ()["wsgi.errors"] is srv.error_log
    finally:
        srv.close()


def test_request_headers_are_built_on_first_use_and_per_request() -> None:
    seen: list[Any] = []

    class Handler(pywsgi.WSGIHandler):
        def get_environ(self) -> Any:
            first = self.headers
            seen.append((first is self.headers, first["X-A"], first.get_all("X-B")))
            if first["X-A"] == "2":
                self.headers = "replaced"  # a subclass may assign it
                seen.append(self.headers)
            return super().get_environ()

    srv = WSGIServer(("127.0.0.1", 0), app, log=None, error_log=None, handler_class=Handler)
    srv.start()
    try:
        client = Client(srv)
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nX-B: p\r\nX-B: q\r\n\r\n"
                    b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 2\r\n\r\n")
        assert client.response()[2] == b"hello"
        assert client.response()[2] == b"hello"
        client.close()
    finally:
        srv.stop(timeout=0)
    assert seen == [(True, "1", ["p", "q"]), (True, "2", None), "replaced"]


def test_environ_key_cache_is_bounded_and_right() -> None:
    from gevent._http import _handler

    assert _handler._env_key("X-Foo") == "HTTP_X_FOO"
    assert _handler._env_key("content-type") == "CONTENT_TYPE"
    assert _handler._env_key("X_Foo") is None
    for i in range(3000):
        _handler._env_key(f"X-Made-Up-{i}")
    assert len(_handler._ENV_KEYS) <= 1024
    assert _handler._env_key("X-Made-Up-2999") == "HTTP_X_MADE_UP_2999"  # uncached, still right
