"""TLS reads and writes: one wait per "want read"/"want write", no Waiter, no Timeout."""

from __future__ import annotations

import array
import errno
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import pytest
from helpers import assert_no_reference_cycles

import gevent
from gevent import socket, ssl
from gevent.hub import Hub


@pytest.fixture
def contexts(certificate: tuple[str, str]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    certfile, keyfile = certificate
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certfile, keyfile)
    client = ssl.create_default_context(cafile=certfile)
    return server, client


def _tls_pair(contexts: tuple[ssl.SSLContext, ssl.SSLContext]) -> tuple[Any, Any]:
    server_context, client_context = contexts
    a, b = socket.socketpair()
    server = gevent.spawn(server_context.wrap_socket, b, server_side=True)
    client = client_context.wrap_socket(a, server_hostname="localhost")
    return client, server.get(timeout=10)


@pytest.fixture
def tls_pair(contexts: tuple[ssl.SSLContext, ssl.SSLContext]) -> Iterator[tuple[Any, Any]]:
    client, server = _tls_pair(contexts)
    yield client, server
    client.close()
    server.close()


def test_read_write_send_recv_and_recv_into(tls_pair: tuple[Any, Any]) -> None:
    client, server = tls_pair
    gevent.spawn_later(0.01, client.sendall, b"one")
    assert server.recv(10) == b"one"
    gevent.spawn_later(0.01, client.write, b"two")
    assert server.read(10) == b"two"
    gevent.spawn_later(0.01, client.send, b"three")
    buf = bytearray(10)
    assert server.recv_into(buf) == 5
    assert bytes(buf[:5]) == b"three"
    gevent.spawn_later(0.01, client.sendall, b"four")
    view = memoryview(buf)[5:]
    assert server.recv_into(view) == 4
    assert bytes(buf[5:9]) == b"four"
    gevent.spawn_later(0.01, client.sendall, b"five")
    assert server.read(10, buf) == 4
    assert bytes(buf[:4]) == b"five"


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "array"])
@pytest.mark.parametrize("timeout", [None, 30.0])
def test_sendall_of_a_large_payload_arrives_whole(tls_pair: tuple[Any, Any], kind: str,
                                                  timeout: float | None) -> None:
    client, server = tls_pair
    client.settimeout(timeout)
    raw = bytes(range(256)) * (8 * 1024)  # 2 MiB: OpenSSL asks to write many times
    data: Any = {"bytes": raw, "bytearray": bytearray(raw), "memoryview": memoryview(raw),
                 "array": array.array("i", raw)}[kind]
    received = bytearray()

    def reader() -> None:
        while len(received) < len(raw):
            chunk = server.recv(65536)
            if not chunk:
                break
            received.extend(chunk)

    g = gevent.spawn(reader)
    client.sendall(data)
    g.join(timeout=30)
    assert bytes(received) == raw


def test_a_tls_round_trip_makes_no_waiter_and_no_timeout(tls_pair: tuple[Any, Any]) -> None:
    client, server = tls_pair
    client.settimeout(5)
    server.settimeout(5)

    def echo() -> None:
        server.sendall(server.recv(10))

    def round_trip() -> None:
        g = gevent.spawn(echo)
        gevent.sleep(0)
        client.sendall(b"ping")
        assert client.recv(10) == b"ping"
        g.join()

    round_trip()
    seen: list[str] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        name = frame.f_code.co_filename.rsplit("/", 1)[-1]
        if event == "call" and (name in ("_waiter.py", "timeout.py") or (
                name == "hub.py" and frame.f_code.co_name == "wait")):
            seen.append(f"{name}:{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        round_trip()
    finally:
        sys.setprofile(None)
    assert seen == []


def test_read_timeout_is_worded_as_the_stdlib_words_it(virtual_hub: Hub,
                                                       contexts: Any) -> None:
    client, server = _tls_pair(contexts)
    try:
        server.settimeout(2.0)
        with pytest.raises(socket.timeout, match=r"^The read operation timed out$"):
            server.recv(10)
        timer = server._read_timer
        with pytest.raises(socket.timeout, match=r"^The read operation timed out$"):
            server.read(10)
        assert server._read_timer is timer and not timer.active
    finally:
        client.close()
        server.close()


def test_close_wakes_a_tls_reader_with_ebadf(tls_pair: tuple[Any, Any]) -> None:
    _client, server = tls_pair
    g = gevent.spawn(server.recv, 10)
    gevent.sleep(0)
    server.close()
    g.join(timeout=5)
    assert isinstance(g.exception, OSError)
    assert g.exception.errno == errno.EBADF


def _read_times_out(contexts: Any) -> None:
    client, server = _tls_pair(contexts)
    server.settimeout(0.02)
    try:
        server.recv(1)
    except socket.timeout:
        pass
    client.close()
    server.close()


def _kill_tls_reader(contexts: Any) -> None:
    client, server = _tls_pair(contexts)
    g = gevent.spawn(server.recv, 1)
    gevent.sleep(0)
    g.kill()
    client.close()
    server.close()


@pytest.mark.parametrize("operation", [_read_times_out, _kill_tls_reader],
                         ids=lambda f: f.__name__.strip("_"))
def test_no_reference_cycles(contexts: Any, operation: Callable[[Any], None]) -> None:
    # Real time: a second TLS handshake on an autojump clock stalls (it does
    # before this change too), so the timeout here is short instead.
    hub = gevent.get_hub()
    hub.print_exception = lambda *args: None  # type: ignore[method-assign]
    try:
        assert_no_reference_cycles(lambda: operation(contexts))
    finally:
        del hub.print_exception
