"""Strict HTTP/1.1 end to end: what a real server answers, and that nothing smuggled runs.

Every request here is followed on the same connection by a harmless pipelined
``GET /smuggled``: after a refusal the connection must close, so that request
must never reach the application. The parser's own corpus (each rule its own
test) is tests/http/test_parser.py.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gevent import socket
from gevent.pywsgi import WSGIServer

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"


class Recorder:
    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, env: dict[str, Any], start_response: Any) -> Any:
        self.paths.append(env["PATH_INFO"])
        body = env["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok:" + body]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def serve(recorder: Recorder, **kwargs: Any) -> WSGIServer:
    srv = WSGIServer(("127.0.0.1", 0), recorder, log=None, error_log=None, **kwargs)
    srv.start()
    return srv


@pytest.fixture
def strict(recorder: Recorder) -> Iterator[WSGIServer]:
    srv = serve(recorder)  # strict is the default
    yield srv
    srv.stop(timeout=0)


@pytest.fixture
def explicitly_strict(recorder: Recorder) -> Iterator[WSGIServer]:
    srv = serve(recorder, strict_http=True)
    yield srv
    srv.stop(timeout=0)


@pytest.fixture
def lenient(recorder: Recorder) -> Iterator[WSGIServer]:
    srv = serve(recorder, strict_http=False)
    yield srv
    srv.stop(timeout=0)


def exchange(srv: WSGIServer, data: bytes) -> bytes:
    """Send ``data``, then read until the server closes (bounded by a timeout)."""
    sock = socket.create_connection(("127.0.0.1", srv.server_port), timeout=10)
    try:
        sock.sendall(data)
        parts = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)
    finally:
        sock.close()


CASES = [
    # (id, request head and body, status)
    ("request-line-double-space", b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("http09", b"GET /\r\n", 400),
    ("http2-version", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    ("asterisk-get", b"GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("authority-get", b"GET x:80 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("control-in-target", b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("long-line", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ("bare-lf-request-line", b"GET / HTTP/1.1\nHost: x\r\n\r\n", 400),
    ("bare-lf-header", b"GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400),
    ("bare-lf-end-of-head", b"GET / HTTP/1.1\r\nHost: x\n\n", 400),
    ("bare-cr-header", b"GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400),
    ("space-before-colon", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n"
     b"0\r\n\r\n", 400),
    ("empty-name", b"GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", 400),
    ("obs-fold", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
    ("nul-in-value", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400),
    ("too-many-fields", b"GET / HTTP/1.1\r\nHost: x\r\n"
     + b"".join(b"X-%d: v\r\n" % i for i in range(200)) + b"\r\n", 431),
    ("field-too-long", b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"v" * 20000 + b"\r\n\r\n", 431),
    ("head-too-large", b"GET / HTTP/1.1\r\nHost: x\r\n"
     + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 8000) for i in range(9)) + b"\r\n", 431),
    ("no-host", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("two-hosts", b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
    ("cl-list", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\na", 400),
    ("cl-sign", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\na", 400),
    ("cl-twice", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n"
     b"\r\na", 400),
    ("cl-and-te", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te-http10", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te-unknown", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
    ("te-not-last", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
     400),
    ("te-obfuscated", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", 400),
    ("te-vtab", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\x0b\r\n\r\n", 400),
    ("chunk-size-0x", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"0x1\r\na\r\n0\r\n\r\n", 400),
    ("chunk-size-too-big", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     + b"f" * 17 + b"\r\n", 400),
    ("chunk-ext-bad", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"1;a b\r\na\r\n0\r\n\r\n", 400),
    ("chunk-data-overrun", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"1\r\nab\r\n0\r\n\r\n", 400),
    ("trailer-request-line", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"0\r\nGET /x HTTP/1.1\r\n\r\n", 400),
]


@pytest.mark.parametrize(("data", "status"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_and_closed_and_nothing_smuggled(strict: WSGIServer, recorder: Recorder,
                                                  data: bytes, status: int) -> None:
    response = exchange(strict, data + SMUGGLED)
    assert response.startswith(b"HTTP/1.1 %d " % status), response[:80]
    assert b"connection: close" in response.lower()
    assert response.count(b"HTTP/1.1 ") == 1  # one response, then the close
    assert "/smuggled" not in recorder.paths


def test_a_good_request_and_its_pipelined_successor_both_run(strict: WSGIServer,
                                                            recorder: Recorder) -> None:
    response = exchange(strict, b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                b"\r\n3;ext=1\r\nabc\r\n0\r\nT: v\r\n\r\n"
                                b"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert response.count(b"HTTP/1.1 200 OK") == 2
    assert recorder.paths == ["/a", "/b"]
    assert b"ok:abc" in response


def test_unread_body_is_never_parsed_as_a_request(strict: WSGIServer) -> None:
    # The application reads nothing; the body holds something shaped like a request.
    def ignore_body(env: dict[str, Any], start_response: Any) -> Any:
        paths.append(env["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    paths: list[str] = []
    strict.application = ignore_body
    body = b"GET /inner HTTP/1.1\r\nHost: x\r\n\r\n"
    exchange(strict, b"POST /outer HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                     b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
             % (len(body), body))
    assert paths == ["/outer", "/last"]


# gevent's own test suite relies on these; strict_http=False keeps them.
LENIENT_CASES = [
    ("no-host", b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", b"ok:"),
    ("cl-and-te", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nConnection: close\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", b"ok:ab"),
    ("obs-fold-unfolded", b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\nConnection: close\r\n"
     b"\r\n", b"ok:"),
    ("lax-chunk-ext", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
     b"Connection: close\r\n\r\n2; dirt\x00\r\nab\r\n0\r\n\r\n", b"ok:ab"),
]


@pytest.mark.parametrize(("data", "body"), [c[1:] for c in LENIENT_CASES],
                         ids=[c[0] for c in LENIENT_CASES])
def test_lenient_mode_keeps_geventss_leniencies(lenient: WSGIServer, data: bytes,
                                                body: bytes) -> None:
    response = exchange(lenient, data)
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert response.endswith(body)


@pytest.mark.parametrize("data", [c[1] for c in LENIENT_CASES], ids=[c[0] for c in LENIENT_CASES])
@pytest.mark.parametrize("fixture", ["strict", "explicitly_strict"])
def test_strict_refuses_geventss_leniencies(request: pytest.FixtureRequest, recorder: Recorder,
                                            fixture: str, data: bytes) -> None:
    srv = request.getfixturevalue(fixture)
    response = exchange(srv, data + SMUGGLED)
    assert response.startswith(b"HTTP/1.1 400 "), response[:80]
    assert "/smuggled" not in recorder.paths  # a bad chunk is only seen by the app's read


def test_the_environment_can_make_the_default_lenient() -> None:
    # GEVENT_PYWSGI_STRICT=0 (gevent.config.pywsgi_strict) is the switch for a
    # whole process, e.g. to run gevent's own test suite.
    script = (
        "import gevent.pywsgi as p\n"
        "from gevent import socket\n"
        "srv = p.WSGIServer(('127.0.0.1', 0), lambda e, s: (s('200 OK', []), [b'ok'])[1],"
        " log=None)\n"
        "srv.start()\n"
        "c = socket.create_connection(('127.0.0.1', srv.server_port))\n"
        "c.sendall(b'GET / HTTP/1.1\\r\\nConnection: close\\r\\n\\r\\n')\n"
        "data = b''\n"
        "while chunk := c.recv(4096):\n"
        "    data += chunk\n"
        "print(data.split(b'\\r\\n', 1)[0].decode())\n")
    for value, status in (("0", "HTTP/1.1 200 OK"), ("1", "HTTP/1.1 400 Bad Request"),
                          (None, "HTTP/1.1 400 Bad Request")):
        env = {k: v for k, v in os.environ.items() if k != "GEVENT_PYWSGI_STRICT"}
        if value is not None:
            env["GEVENT_PYWSGI_STRICT"] = value
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, timeout=60)
        assert out.stdout.strip() == status, (value, out.stdout, out.stderr)


@pytest.mark.parametrize(("data", "status"),
                         [c[1:] for c in CASES if c[0] not in ("no-host", "cl-and-te", "obs-fold",
                                                               "chunk-ext-bad")],
                         ids=[c[0] for c in CASES if c[0] not in ("no-host", "cl-and-te",
                                                                  "obs-fold", "chunk-ext-bad")])
def test_lenient_mode_refuses_everything_else(lenient: WSGIServer, recorder: Recorder,
                                              data: bytes, status: int) -> None:
    response = exchange(lenient, data + SMUGGLED)
    assert response.startswith(b"HTTP/1.1 %d " % status), response[:80]
    assert "/smuggled" not in recorder.paths


PIPELINE = (b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3;k=v\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n"
            b"GET /b?q HTTP/1.1\r\nHost: x\r\nX-Long: " + b"y" * 300 + b"\r\n\r\n"
            b"\r\n"  # one empty line before a request is tolerated
            b"POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwxyz"
            b"GET /d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=len(PIPELINE) - 1), max_size=12))
def test_any_split_of_a_pipeline_gives_the_same_answers(cuts: list[int]) -> None:
    from helpers import wait_all_blocked

    recorder = Recorder()
    srv = serve(recorder, strict_http=True)
    try:
        sock = socket.create_connection(("127.0.0.1", srv.server_port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        bounds = [0, *sorted(set(cuts)), len(PIPELINE)]
        for start, end in itertools.pairwise(bounds):
            sock.sendall(PIPELINE[start:end])
            wait_all_blocked()  # the server has taken what it could of this piece
        parts = []
        while chunk := sock.recv(65536):
            parts.append(chunk)
        sock.close()
    finally:
        srv.stop(timeout=0)
    response = b"".join(parts)
    assert recorder.paths == ["/a", "/b", "/c", "/d"]
    assert response.count(b"HTTP/1.1 200 OK") == 4
    assert re.findall(rb"ok:[a-z]*", response) == [b"ok:abcde", b"ok:", b"ok:wxyz", b"ok:"]
