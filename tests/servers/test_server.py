"""gevent.server and gevent.baseserver: accepting, pools, stopping, UDP, argument errors.

Servers and clients run in the same process, on the real clock: every wait is
bounded by a generous timeout, and ordering is enforced with events rather
than sleeps wherever the server's behaviour allows it.
"""

from __future__ import annotations

import errno
import socket as stdsocket
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

import gevent
from gevent import socket
from gevent.baseserver import BaseServer, parse_address
from gevent.event import Event
from gevent.pool import Group, Pool
from gevent.server import DatagramServer, StreamServer, _tcp_listener
from gevent.testkit import wait_all_blocked

LOCAL = ("127.0.0.1", 0)


def echo(client: socket.socket, _address: Any) -> None:
    while True:
        data = client.recv(1024)
        if not data:
            break
        client.sendall(data)


def connect(server: BaseServer, timeout: float = 5.0) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", server.server_port), timeout=timeout)
    return client  # type: ignore[no-any-return]


def roundtrip(server: BaseServer, payload: bytes) -> bytes:
    with connect(server) as client:
        client.sendall(payload)
        client.shutdown(stdsocket.SHUT_WR)
        chunks: list[bytes] = []
        while True:
            data = client.recv(1024)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


@pytest.fixture
def servers() -> Iterator[list[BaseServer]]:
    """Collects servers and stops them at the end, even if the test failed."""
    made: list[BaseServer] = []
    yield made
    for server in made:
        server.stop(timeout=0)


# ------------------------------------------------------------------ echoing


def test_echo_server_serves_concurrent_clients(servers: list[BaseServer]) -> None:
    server = StreamServer(LOCAL, echo)
    servers.append(server)
    server.start()
    assert server.started
    assert server.server_host == "127.0.0.1"
    assert server.server_port > 0
    payloads = [bytes([65 + i]) * (1000 * (i + 1)) for i in range(10)]
    workers = [gevent.spawn(roundtrip, server, p) for p in payloads]
    gevent.joinall(workers, timeout=10, raise_error=True)
    assert [w.value for w in workers] == payloads


def test_client_socket_is_green_and_closed_after_handle(servers: list[BaseServer]) -> None:
    seen: list[socket.socket] = []
    done = Event()

    def handle(client: socket.socket, address: Any) -> None:
        seen.append(client)
        assert address[0] == "127.0.0.1"
        client.sendall(b"hi")
        done.set()

    server = StreamServer(LOCAL, handle)
    servers.append(server)
    server.start()
    with connect(server) as client:
        assert client.recv(10) == b"hi"
        assert done.wait(5)
        # The server closed its side when handle returned.
        assert client.recv(10) == b""
    assert isinstance(seen[0], socket.socket)
    assert seen[0].fileno() == -1


def test_subclass_handle_method_and_context_manager() -> None:
    class Hello(StreamServer):
        def handle(self, client: Any, _address: Any) -> None:
            client.sendall(b"hello")

    with Hello(LOCAL) as server:
        server.start()
        assert roundtrip(server, b"") == b"hello"
    assert server.closed
    assert not server.started


def test_socket_listener_and_start_stop_accepting(servers: list[BaseServer]) -> None:
    listener = _tcp_listener(LOCAL, backlog=5)
    server = StreamServer(listener, echo)
    servers.append(server)
    assert server.address == listener.getsockname()
    server.start()
    assert roundtrip(server, b"one") == b"one"

    server.stop_accepting()
    with connect(server, timeout=0.2) as client:
        # Queued in the backlog, but nobody reads it.
        client.sendall(b"two")
        with pytest.raises(TimeoutError):
            client.recv(10)
        server.start_accepting()
        client.settimeout(5)
        assert client.recv(10) == b"two"


def test_serve_forever_returns_after_stop(servers: list[BaseServer]) -> None:
    server = StreamServer(LOCAL, echo)
    servers.append(server)
    runner = gevent.spawn(server.serve_forever)
    gevent.sleep(0)
    assert server.started
    assert roundtrip(server, b"ping") == b"ping"
    port = server.server_port
    server.stop()
    runner.join(timeout=5)
    assert runner.dead
    assert not server.started
    with pytest.raises(OSError) as info:
        socket.create_connection(("127.0.0.1", port), timeout=5)
    assert info.value.errno == errno.ECONNREFUSED


def test_spawn_none_runs_handle_in_the_hub(servers: list[BaseServer]) -> None:
    where: list[Any] = []

    def handle(client: socket.socket, _address: Any) -> None:
        where.append(gevent.getcurrent())
        client.sendall(b"x")

    server = StreamServer(LOCAL, handle, spawn=None)
    servers.append(server)
    server.start()
    assert roundtrip(server, b"") == b"x"
    assert where == [gevent.get_hub()]


def test_spawn_raw_callable(servers: list[BaseServer]) -> None:
    server = StreamServer(LOCAL, echo, spawn=gevent.spawn_raw)
    servers.append(server)
    server.start()
    assert roundtrip(server, b"raw") == b"raw"


def test_handler_error_is_reported_and_server_keeps_going(
        servers: list[BaseServer], monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[Any] = []
    hub = gevent.get_hub()
    monkeypatch.setattr(hub, "handle_error",
                        lambda context, t, v, tb: errors.append((context, t)))
    calls = []

    def handle(client: socket.socket, _address: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("boom")
        client.sendall(b"fine")

    server = StreamServer(LOCAL, handle, spawn=None)
    servers.append(server)
    server.start()
    with connect(server) as client:
        try:
            assert client.recv(10) == b""
        except ConnectionResetError:
            pass
    assert errors[0][1] is ValueError
    assert errors[0][0][1] is server
    # Accepting resumes after the short back-off.
    with connect(server) as client:
        assert client.recv(10) == b"fine"
    assert server.delay == server.min_delay


def test_repr_and_str_name_the_address_and_handle(servers: list[BaseServer]) -> None:
    server = StreamServer(LOCAL, echo)
    servers.append(server)
    assert repr(server).startswith(f"<StreamServer at {id(server):#x} address=127.0.0.1:0 ")
    assert "handle=<function echo" in str(server)
    server.start()
    assert f"fileno={server.socket.fileno()} address=127.0.0.1:{server.server_port}" in str(server)

    class Own(StreamServer):
        def handle(self, *args: Any) -> None:
            pass

    own = Own(LOCAL)
    servers.append(own)
    own.set_handle(own.handle)
    assert "handle=<bound method Own.handle of self>" in repr(own)


def test_public_classes_keep_public_module_names() -> None:
    assert BaseServer.__module__ == "gevent.baseserver"
    assert StreamServer.__module__ == "gevent.server"
    assert DatagramServer.__module__ == "gevent.server"


# -------------------------------------------------------------------- pools


def test_full_pool_pauses_accepting_until_a_handler_finishes(servers: list[BaseServer]) -> None:
    release = Event()
    started: list[int] = []

    def handle(client: socket.socket, _address: Any) -> None:
        started.append(1)
        release.wait()
        client.sendall(b"done")

    server = StreamServer(LOCAL, handle, spawn=2)
    servers.append(server)
    assert isinstance(server.pool, Pool)
    server.start()
    clients = [connect(server) for _ in range(3)]
    try:
        # Two handlers start and the third connection waits in the backlog,
        # and accepting is paused: the watcher is stopped, not spinning (the
        # loop goes idle).
        wait_all_blocked()
        assert len(started) == 2
        assert server.full()
        assert server._watcher is None
        release.set()
        for client in clients:
            assert client.recv(10) == b"done"
        assert len(started) == 3
    finally:
        for client in clients:
            client.close()


def test_group_as_spawn_tracks_handlers(servers: list[BaseServer]) -> None:
    group = Group()
    server = StreamServer(LOCAL, echo, spawn=group)
    servers.append(server)
    assert server.pool is group
    server.start()
    assert roundtrip(server, b"grp") == b"grp"


def test_stop_waits_then_kills_pooled_handlers(virtual_hub: Any,
                                               servers: list[BaseServer]) -> None:
    finished: list[str] = []
    running = Event()

    def handle(client: socket.socket, _address: Any) -> None:
        running.set()
        try:
            gevent.sleep(30)
            finished.append("slept")
        except gevent.GreenletExit:
            finished.append("killed")
            raise

    server = StreamServer(LOCAL, handle, spawn=Pool(5))
    servers.append(server)
    server.start()
    with connect(server) as client:
        assert running.wait(5)
        with gevent.Timeout(10):
            server.stop(timeout=0.1)
        assert finished == ["killed"]
        assert len(server.pool) == 0
        assert server.closed
        # The handler's socket was closed when it was killed.
        assert client.recv(10) == b""


def test_stop_lets_quick_pooled_handlers_finish(virtual_hub: Any,
                                                servers: list[BaseServer]) -> None:
    finished: list[str] = []
    running = Event()

    def handle(client: socket.socket, _address: Any) -> None:
        running.set()
        gevent.sleep(0.05)
        finished.append("done")

    server = StreamServer(LOCAL, handle, spawn=3)
    servers.append(server)
    server.start()
    with connect(server):
        assert running.wait(5)
        server.stop(timeout=5)
    assert finished == ["done"]


# ---------------------------------------------------------------------- UDP


def test_datagram_server_round_trip(servers: list[BaseServer]) -> None:
    received: list[tuple[bytes, Any]] = []

    class Echo(DatagramServer):
        def handle(self, data: bytes, address: Any) -> None:
            received.append((data, address))
            self.sendto(data.upper(), address)

    server = Echo(LOCAL)
    servers.append(server)
    server.start()
    assert server.socket.type == stdsocket.SOCK_DGRAM
    client = socket.socket(type=stdsocket.SOCK_DGRAM)
    client.settimeout(5)
    try:
        for word in (b"one", b"two", b"three"):
            client.sendto(word, ("127.0.0.1", server.server_port))
            data, address = client.recvfrom(100)
            assert data == word.upper()
            assert address[1] == server.server_port
        assert [d for d, _ in received] == [b"one", b"two", b"three"]
        assert received[0][1][1] == client.getsockname()[1]
    finally:
        client.close()


def test_datagram_server_with_spawn_none_and_socket_listener(servers: list[BaseServer]) -> None:
    sock = socket.socket(type=stdsocket.SOCK_DGRAM)
    sock.bind(LOCAL)
    got = Event()
    data_seen: list[bytes] = []

    def handle(data: bytes, _address: Any) -> None:
        data_seen.append(data)
        got.set()

    server = DatagramServer(sock, handle, spawn=None)
    servers.append(server)
    server.start()
    with socket.socket(type=stdsocket.SOCK_DGRAM) as client:
        client.sendto(b"ping", sock.getsockname())
        assert got.wait(5)
    assert data_seen == [b"ping"]


# -------------------------------------------------------------- bad arguments


def test_missing_handle_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'handle' must be provided"):
        StreamServer(LOCAL)


def test_non_callable_spawn_says_what_is_accepted() -> None:
    with pytest.raises(TypeError, match="spawn must be"):
        StreamServer(LOCAL, echo, spawn="fast")


def test_negative_pool_size_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        StreamServer(LOCAL, echo, spawn=-1)


def test_backlog_with_a_socket_listener_is_a_type_error() -> None:
    listener = _tcp_listener(LOCAL)
    try:
        with pytest.raises(TypeError, match="backlog"):
            StreamServer(listener, echo, backlog=10)
    finally:
        listener.close()


def test_port_in_use_names_the_address(servers: list[BaseServer]) -> None:
    first = StreamServer(LOCAL, echo)
    servers.append(first)
    first.start()
    second = StreamServer(("127.0.0.1", first.server_port), echo)
    with pytest.raises(OSError) as info:
        second.start()
    assert info.value.errno == errno.EADDRINUSE
    assert str(first.server_port) in str(info.value)
    assert not second.started


@pytest.mark.parametrize(("listener", "message"), [
    ("host:port", "Failed to parse address 'host:port'"),
    (b"x:80", "Expected tuple or string"),
    (1.5, "Expected tuple or string"),
])
def test_bad_listener_addresses(listener: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        StreamServer(listener, echo)


def test_max_accept_must_be_positive() -> None:
    class Bad(StreamServer):
        max_accept = 0

    with pytest.raises(ValueError, match="max_accept"):
        Bad(LOCAL, echo)


def test_parse_address_forms() -> None:
    inet, inet6 = stdsocket.AF_INET, stdsocket.AF_INET6
    assert parse_address(("1.2.3.4", 80)) == (inet, ("1.2.3.4", 80))
    assert parse_address(("", 80)) == (inet6, ("", 80))
    assert parse_address(("::1", 80)) == (inet6, ("::1", 80))
    assert parse_address(8080) == (inet6, ("", 8080))
    assert parse_address("8080") == (inet6, ("", 8080))
    assert parse_address(":80") == (inet, ("", 80))
    assert parse_address("*:80") == (inet, ("", 80))
    assert parse_address("[::1]:80") == (inet6, ("::1", 80))
    assert parse_address("localhost:80") == (inet, ("localhost", 80))


def test_ssl_args_without_gevent_ssl_or_with_a_context(servers: list[BaseServer]) -> None:
    class FakeContext:
        def __init__(self) -> None:
            self.calls: list[dict[str, Any]] = []

        def wrap_socket(self, sock: Any, **kwargs: Any) -> Any:
            self.calls.append(kwargs)
            return sock

    context = FakeContext()
    server = StreamServer(LOCAL, echo, ssl_context=context)
    servers.append(server)
    assert server.ssl_enabled
    server.start()
    assert roundtrip(server, b"wrapped") == b"wrapped"
    assert context.calls == [{"server_side": True}]


# ------------------------------------------------------------ life cycle edges


def test_closing_the_listening_socket_is_fatal(
        servers: list[BaseServer], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    errors: list[Any] = []
    monkeypatch.setattr(gevent.get_hub(), "handle_error",
                        lambda context, t, v, tb: errors.append((context, v)))
    server = StreamServer(LOCAL, echo)
    servers.append(server)
    server.start()
    server.socket.close()
    wait_all_blocked()
    assert not server.started
    assert server.closed
    assert errors[0][0] is server
    assert errors[0][1].errno == errno.EBADF
    assert "ERROR: <StreamServer" in capsys.readouterr().err


def test_a_stopped_address_server_can_start_again(servers: list[BaseServer]) -> None:
    server = StreamServer(LOCAL, echo)
    servers.append(server)
    server.start()
    server.start()  # already started: nothing happens
    assert roundtrip(server, b"1") == b"1"
    server.stop()
    assert server.closed
    server.start()
    assert roundtrip(server, b"2") == b"2"


def test_hub_handler_may_stop_the_server(servers: list[BaseServer]) -> None:
    def handle(client: socket.socket, _address: Any) -> None:
        client.sendall(b"bye")
        server.close()

    server = StreamServer(LOCAL, handle, spawn=None)
    servers.append(server)
    server.start()
    assert roundtrip(server, b"") == b"bye"
    assert server.closed
    assert not server.started


def test_pool_like_object_without_semaphore_is_polled_when_full(
        servers: list[BaseServer]) -> None:
    class TwoAtATime:
        def __init__(self) -> None:
            self.running = 0

        def full(self) -> bool:
            return self.running >= 2

        def spawn(self, func: Any, *args: Any) -> Any:
            self.running += 1

            def run() -> None:
                try:
                    func(*args)
                finally:
                    self.running -= 1
            return gevent.spawn(run)

    pool = TwoAtATime()
    server = StreamServer(LOCAL, echo, spawn=pool)
    servers.append(server)
    server.start()
    workers = [gevent.spawn(roundtrip, server, bytes([i]) * 100) for i in range(6)]
    gevent.joinall(workers, timeout=10, raise_error=True)
    assert [w.value for w in workers] == [bytes([i]) * 100 for i in range(6)]
    assert pool.running == 0


def test_ssl_keyfile_args_use_gevent_ssl_wrap_socket(
        servers: list[BaseServer], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def wrap_socket(sock: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return sock

    fake = types.ModuleType("gevent.ssl")
    fake.wrap_socket = wrap_socket  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gevent.ssl", fake)
    server = StreamServer(LOCAL, echo, keyfile="k.pem", certfile="c.pem")
    servers.append(server)
    server.start()
    assert roundtrip(server, b"tls?") == b"tls?"
    assert calls == [{"keyfile": "k.pem", "certfile": "c.pem", "server_side": True}]


def test_ssl_args_without_gevent_ssl_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gevent.ssl", None)
    with pytest.raises(ImportError, match=r"gevent\.ssl could not be imported"):
        StreamServer(LOCAL, echo, certfile="c.pem")
