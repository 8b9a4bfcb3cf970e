"""gevent.backdoor: a prompt per connection, with the session's std streams routed to it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import wait_all_blocked

import gevent
from gevent import socket
from gevent.backdoor import BackdoorServer


def _read_until(conn: Any, suffix: bytes) -> str:
    data = b""
    with gevent.Timeout(10):
        while not data.endswith(suffix):
            chunk = conn.recv(1)
            if not chunk:
                raise AssertionError(f"connection closed before {suffix!r}; got {data!r}")
            data += chunk
    return data.decode().replace("\r\n", "\n")


def _read_to_eof(conn: Any) -> bytes:
    data = b""
    with gevent.Timeout(10):
        while True:
            chunk = conn.recv(100)
            if not chunk:
                return data
            data += chunk


@pytest.fixture
def server() -> Iterator[BackdoorServer]:
    srv = BackdoorServer(("127.0.0.1", 0), locals={"shared": [1, 2]}, banner="hello")
    srv.start()
    yield srv
    srv.stop()


def _connect(srv: BackdoorServer) -> Any:
    conn = socket.create_connection(("127.0.0.1", srv.server_port))
    assert _read_until(conn, b">>> ") == "hello\n>>> "
    return conn


def test_session_evaluates_and_quit_closes(server: BackdoorServer) -> None:
    with _connect(server) as conn:
        conn.sendall(b"len(shared) + 40\r\n")
        assert _read_until(conn, b">>> ") == "42\n>>> "
        conn.sendall(b"for i in range(2):\r\n")
        assert _read_until(conn, b"... ") == "... "
        conn.sendall(b"    print(i)\r\n\r\n")
        assert _read_until(conn, b">>> ") == "... 0\n1\n>>> "
        conn.sendall(b"quit()\r\n")
        assert _read_to_eof(conn) == b""
    gevent.sleep(0)
    assert type(sys.stdout).__name__ != "_Router"  # the last session put it back


def test_end_of_input_closes_the_session(server: BackdoorServer) -> None:
    conn = _connect(server)
    conn.shutdown(socket.SHUT_WR)
    assert _read_to_eof(conn) == b"\r\n"
    conn.close()


def test_namespace_is_copied_per_connection(server: BackdoorServer) -> None:
    with _connect(server) as first, _connect(server) as second:
        first.sendall(b"x = 5; shared.append(3)\r\n")
        _read_until(first, b">>> ")
        second.sendall(b"x\r\n")
        assert "NameError" in _read_until(second, b">>> ")
        second.sendall(b"__builtins__\r\n")
        assert _read_until(second, b">>> ") == "<module 'builtins' (built-in)>\n>>> "
    assert server.locals == {"shared": [1, 2, 3]}  # a shallow copy, as in gevent


def test_other_greenlets_keep_the_real_stdout(server: BackdoorServer,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with _connect(server) as conn:
        conn.sendall(b"import gevent; gevent.sleep(0.05); print('in session')\r\n")
        wait_all_blocked()
        print("in main")  # while the session's code is blocked in sleep
        assert _read_until(conn, b">>> ") == "in session\n>>> "
        conn.sendall(b"quit()\r\n")
        _read_to_eof(conn)
    gevent.sleep(0)
    assert capsys.readouterr().out == "in main\n"
