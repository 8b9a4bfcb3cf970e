"""``python -m gevent.pywsgi``: the command line, run in a subprocess against examples/.

Clients are the standard library's blocking sockets (this process is not
patched); every read has a timeout, so a server that hangs fails the test.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Served:
    """A ``python -m gevent.pywsgi`` child process and the port it listens on."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gevent.pywsgi", *args], cwd=EXAMPLES,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        match = re.search(r"on (https?)://[^:]+:(\d+)", line)
        if match is None:
            self.proc.kill()
            _, rest = self.proc.communicate(timeout=30)
            raise AssertionError(f"server did not start: {line}{rest}")
        self.scheme = match.group(1)
        self.port = int(match.group(2))

    def request(self, data: bytes, timeout: float = 30) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(data)
            return _read_all(sock)

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err


def _read_all(sock: socket.socket) -> bytes:
    parts = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(parts)
        parts.append(data)


@pytest.fixture
def served() -> Iterator[Served]:
    server = Served("wsgi_hello:application", "--port", "0")
    yield server
    if server.proc.poll() is None:
        server.proc.kill()
        server.proc.communicate(timeout=30)


GET = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def test_serves_the_example_and_writes_the_access_log(served: Served) -> None:
    response = served.request(GET)
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert response.endswith(b"Hello, World!\n")
    echoed = served.request(b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                            b"Connection: close\r\n\r\nabcde")
    assert echoed.endswith(b"abcde")
    code, err = served.stop()
    assert code == 0
    assert re.search(r'127\.0\.0\.1 - - \[.*\] "GET / HTTP/1\.1" 200 \d+ ', err), err
    assert '"POST /echo HTTP/1.1" 200' in err


def test_sigterm_lets_the_request_in_progress_finish(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
        sock.sendall(b"GET /slow?seconds=2 HTTP/1.1\r\nHost: localhost\r\n\r\n")
        time.sleep(0.5)  # real time: the request is in the application by now
        served.proc.send_signal(signal.SIGTERM)
        response = _read_all(sock)
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in response
    assert response.endswith(b"slept 2\n")
    _, err = served.proc.communicate(timeout=60)  # it exits on its own
    code = served.proc.returncode
    assert code == 0, err
    assert "stopping" in err
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", served.port), timeout=5)


def test_strict_by_default_and_lenient_on_request() -> None:
    no_host = b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
    strict = Served("wsgi_hello:application", "--port", "0", "--access-log", "off")
    try:
        assert strict.request(no_host).startswith(b"HTTP/1.1 400 ")
    finally:
        strict.stop()
    lenient = Served("wsgi_hello:application", "--port", "0", "--lenient")
    try:
        assert lenient.request(no_host).startswith(b"HTTP/1.1 200 ")
    finally:
        lenient.stop()


def test_limits_from_the_command_line() -> None:
    server = Served("wsgi_hello:application", "--port", "0", "--max-body-size", "4",
                    "--keepalive-timeout", "off", "--header-timeout", "1")
    try:
        response = server.request(b"POST /echo HTTP/1.1\r\nHost: localhost\r\n"
                                  b"Content-Length: 5\r\n\r\nabcde")
        assert response.startswith(b"HTTP/1.1 413 ")
        start = time.monotonic()
        assert server.request(b"GET / HTTP/1.1\r\n").startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - start < 20
    finally:
        server.stop()


def test_tls(tmp_path: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    server = Served("wsgi_hello:application", "--port", "0", "--certfile", str(cert),
                    "--keyfile", str(key))
    try:
        assert server.scheme == "https"
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as sock:
                sock.sendall(GET)
                response = _read_all(sock)
        assert response.startswith(b"HTTP/1.1 200 OK") and response.endswith(b"Hello, World!\n")
    finally:
        code, err = server.stop()
    assert code == 0, err


@pytest.mark.parametrize(("args", "message"), [
    (["no_such_module:app"], "cannot import 'no_such_module'"),
    (["wsgi_hello:nope"], "has no attribute 'nope'"),
    (["wsgi_hello:application", "--certfile", "x.pem"], "--certfile and --keyfile go together"),
    (["wsgi_hello:application", "--max-connections", "-3"], "must be positive"),
])
def test_bad_arguments_say_what_is_wrong(args: list[str], message: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "gevent.pywsgi", *args], cwd=EXAMPLES,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_a_missing_certificate_is_reported() -> None:
    proc = subprocess.run([sys.executable, "-m", "gevent.pywsgi", "wsgi_hello:application",
                           "--certfile", "missing.pem", "--keyfile", "missing.key"],
                          cwd=EXAMPLES, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "cannot use 'missing.pem'" in proc.stderr


def test_a_port_in_use_is_reported() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "gevent.pywsgi", "wsgi_hello:application",
                               "--port", str(port)], cwd=EXAMPLES, capture_output=True,
                              text=True, timeout=60)
    assert proc.returncode == 1
    assert "cannot listen on" in proc.stderr and "in use" in proc.stderr
