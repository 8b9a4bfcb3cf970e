"""gevent.socket: cooperative blocking, timeouts, closing under a waiter, module surface."""

from __future__ import annotations

import errno
import socket as stdsocket
import threading

import pytest

import gevent
from gevent import socket
from gevent.exceptions import ConcurrentObjectUseError
from gevent.hub import Hub


@pytest.fixture
def listener() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    yield sock  # type: ignore[misc]
    sock.close()


def test_socket_is_a_stdlib_socket_without_dict() -> None:
    s = socket.socket()
    try:
        assert isinstance(s, stdsocket.socket)
        assert s.family is stdsocket.AF_INET
        assert s.type is stdsocket.SOCK_STREAM
        with pytest.raises(AttributeError):
            s.__dict__  # noqa: B018
        assert s.gettimeout() is None
        assert s.getblocking()
    finally:
        s.close()


def test_recv_blocks_only_the_calling_greenlet(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    order = []

    def reader() -> None:
        order.append("waiting")
        order.append(b.recv(10))

    g = gevent.spawn(reader)
    gevent.sleep(0)
    assert order == ["waiting"]
    a.sendall(b"hello")
    g.join(timeout=5)
    assert order == ["waiting", b"hello"]


def test_recv_timeout_raises_socket_timeout(virtual_hub: Hub,
                                            pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    b.settimeout(3.0)
    start = virtual_hub.loop.now()
    with pytest.raises(socket.timeout) as info:
        b.recv(10)
    assert str(info.value) == "timed out"
    assert info.value.args == ("timed out",)
    assert virtual_hub.loop.now() - start >= 3.0


def test_nonblocking_recv_raises_blocking_io_error(
        pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    b.setblocking(False)
    assert b.gettimeout() == 0.0
    assert not b.getblocking()
    with pytest.raises(BlockingIOError):
        b.recv(10)


def test_settimeout_validates(pair: tuple[socket.socket, socket.socket]) -> None:
    a, _b = pair
    with pytest.raises(ValueError):
        a.settimeout(-1)
    with pytest.raises(TypeError):
        a.settimeout("1")
    a.settimeout(2)
    assert a.gettimeout() == 2.0
    assert a.timeout == 2.0


def test_default_timeout_is_taken_at_creation() -> None:
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(7.5)
    try:
        s = socket.socket()
        assert s.gettimeout() == 7.5
        s.close()
    finally:
        socket.setdefaulttimeout(old)


def test_close_wakes_the_waiting_reader_with_ebadf(
        pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    g = gevent.spawn(b.recv, 10)
    gevent.sleep(0)
    b.close()
    g.join(timeout=5)
    assert g.ready()
    assert isinstance(g.exception, OSError)
    assert g.exception.errno == errno.EBADF


def test_second_reader_gets_concurrent_object_use_error(
        pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    g = gevent.spawn(b.recv, 10)
    gevent.sleep(0)
    try:
        with pytest.raises(ConcurrentObjectUseError, match="already used by another greenlet"):
            b.recv(10)
    finally:
        g.kill()


def test_shutdown_cancels_readers(pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    g = gevent.spawn(b.recv, 10)
    gevent.sleep(0)
    b.shutdown(socket.SHUT_RD)
    g.join(timeout=5)
    assert isinstance(g.exception, OSError)


def test_accept_connect_and_large_sendall(listener: socket.socket) -> None:
    data = b"x" * (4 * 1024 * 1024)
    received = []

    def server() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as f:
            received.append(f.read())

    g = gevent.spawn(server)
    client = socket.create_connection(listener.getsockname())
    client.sendall(data)
    client.close()
    g.join(timeout=10)
    assert received == [data]


class _OneNameResolver:
    """A hub resolver that knows one made-up name and records every question."""

    def __init__(self, name: str, ip: str) -> None:
        self.name = name
        self.ip = ip
        self.asked: list[tuple[object, ...]] = []

    def getaddrinfo(self, host: str, port: int, family: int = 0, type: int = 0,
                    proto: int = 0, flags: int = 0) -> list[tuple[object, ...]]:
        self.asked.append((host, port, family, type))
        if host != self.name:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (self.ip, port))]

    def close(self) -> None:
        pass


def test_connect_by_name_goes_through_the_resolver(listener: socket.socket) -> None:
    # The name exists only in the hub's resolver: connecting works only if it asks.
    port = listener.getsockname()[1]
    resolver = gevent.get_hub().resolver = _OneNameResolver("only-the-hub-knows.invalid",
                                                            "127.0.0.1")
    g = gevent.spawn(listener.accept)
    client = socket.socket()
    client.connect(("only-the-hub-knows.invalid", port))
    conn, _ = g.get(timeout=5)
    assert conn.getpeername() == client.getsockname()
    conn.close()
    client.close()
    assert resolver.asked == [("only-the-hub-knows.invalid", port, socket.AF_INET,
                               socket.SOCK_STREAM)]


def test_create_connection_by_name_goes_through_the_resolver(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    resolver = gevent.get_hub().resolver = _OneNameResolver("only-the-hub-knows.invalid",
                                                            "127.0.0.1")
    g = gevent.spawn(listener.accept)
    client = socket.create_connection(("only-the-hub-knows.invalid", port), timeout=5)
    conn, _ = g.get(timeout=5)
    assert conn.getpeername() == client.getsockname()
    conn.close()
    client.close()
    assert [asked[:2] for asked in resolver.asked] == [("only-the-hub-knows.invalid", port)]
    with pytest.raises(socket.gaierror):
        socket.create_connection(("localhost", port), timeout=5)


def test_connection_refused() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
    s = socket.socket()
    try:
        assert s.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED
    finally:
        s.close()


def test_makefile_keeps_working_after_close(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    f = b.makefile("rb")
    b.close()
    a.sendall(b"line\n")
    a.close()
    assert f.readline() == b"line\n"
    assert f.read() == b""
    f.close()


def test_dup_and_fromfd_are_green(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    d = b.dup()
    f = socket.fromfd(a.fileno(), a.family, a.type)
    try:
        assert isinstance(d, socket.socket)
        assert isinstance(f, socket.socket)
        f.sendall(b"via fromfd")
        assert d.recv(100) == b"via fromfd"
    finally:
        d.close()
        f.close()


def test_detach_returns_the_fd(pair: tuple[socket.socket, socket.socket]) -> None:
    a, _b = pair
    fd = a.fileno()
    assert a.detach() == fd
    assert a.fileno() == -1
    stdsocket.socket(fileno=fd).close()


def test_wait_read_times_out(virtual_hub: Hub, pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    with pytest.raises(socket.timeout):
        socket.wait_read(b.fileno(), timeout=1.0)
    with pytest.raises(KeyError):
        socket.wait_read(b.fileno(), timeout=1.0, timeout_exc=KeyError("custom"))


def test_wait_write_returns_when_writable(pair: tuple[socket.socket, socket.socket]) -> None:
    a, _b = pair
    socket.wait_write(a.fileno(), timeout=5)
    socket.wait_readwrite(a.fileno(), timeout=5)


def test_cancel_wait_raises_in_the_waiter(pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    watcher = gevent.get_hub().loop.io(b.fileno(), 1)
    g = gevent.spawn(socket.wait, watcher)
    gevent.sleep(0)
    socket.cancel_wait(watcher)
    g.join(timeout=5)
    assert isinstance(g.exception, socket.cancel_wait_ex)
    assert g.exception.errno == errno.EBADF
    watcher.close()


def test_socket_used_from_another_thread(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    got = []
    waiting = threading.Event()

    def in_thread() -> None:
        # Runs once recv() below has parked and this thread's hub takes over.
        gevent.get_hub().loop.run_callback(waiting.set)
        got.append(b.recv(10))
        hub = gevent.get_hub()
        hub.destroy(destroy_loop=True)

    t = threading.Thread(target=in_thread)
    t.start()
    assert waiting.wait(5)
    a.sendall(b"threaded")
    t.join(5)
    assert got == [b"threaded"]


def test_udp_sendto_recvfrom() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        server.bind(("127.0.0.1", 0))
        g = gevent.spawn(server.recvfrom, 100)
        gevent.sleep(0)
        client.sendto(b"datagram", server.getsockname())
        data, addr = g.get(timeout=5)
        assert data == b"datagram"
        assert addr[1] == client.getsockname()[1]
    finally:
        server.close()
        client.close()


def test_sendfile(tmp_path: object, pair: tuple[socket.socket, socket.socket]) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "data.bin"
    path.write_bytes(b"0123456789" * 1000)
    a, b = pair
    with path.open("rb") as f:
        assert a.sendfile(f) == 10000
    a.close()
    chunks = []
    while True:
        chunk = b.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    assert b"".join(chunks) == b"0123456789" * 1000


def test_module_conventions() -> None:
    assert set(socket.__dns__) <= set(socket.__implements__)
    for name in socket.__implements__ + socket.__extensions__:
        assert name in socket.__all__
        assert getattr(socket, name) is not None
    for name in socket.__imports__:
        if name != "create_server":  # ours builds green sockets
            assert getattr(socket, name) is getattr(stdsocket, name)
    assert socket.SocketType is socket.socket
    assert socket.timeout is stdsocket.timeout
    assert "wait_read" not in stdsocket.__dict__


def test_create_server_is_green() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    try:
        assert isinstance(server, socket.socket)
        g = gevent.spawn(server.accept)
        client = socket.create_connection(server.getsockname(), timeout=5)
        conn, _ = g.get(timeout=5)
        conn.close()
        client.close()
    finally:
        server.close()


def test_module_carries_the_errno_names_gevent_code_uses() -> None:
    # Regression (test__socket_close): gevent.socket.EBADF and friends were missing.
    import errno

    for name in ("EAGAIN", "EALREADY", "EBADF", "ECONNREFUSED", "EINPROGRESS", "EINVAL",
                 "EISCONN", "EWOULDBLOCK"):
        assert getattr(socket, name) == getattr(errno, name)
        assert name not in socket.__all__


@pytest.mark.parametrize("op", ["accept", "recv"])
def test_socket_that_timed_out_is_freed_by_refcounting_alone(op: str) -> None:
    # Regression: the timeout exception kept the waiting frame (and so the
    # socket) in a reference cycle that only the garbage collector could break.
    import gc
    import weakref

    gc.disable()
    try:
        if op == "accept":
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            other = None
        else:
            sock, other = socket.socketpair()
        sock.settimeout(0.01)
        ref = weakref.ref(sock)
        # Not pytest.raises: its ExceptionInfo would keep the traceback alive.
        timed_out = False
        try:
            getattr(sock, op)(*(() if op == "accept" else (1,)))
        except socket.timeout:
            timed_out = True
        assert timed_out
        sock.close()
        del sock
        # The hub is still inside the timer callback that threw into us: let it
        # finish, as any blocking call would.
        gevent.sleep(0)
        assert ref() is None
        if other is not None:
            other.close()
    finally:
        gc.enable()


def test_sock_attribute_is_the_c_socket() -> None:
    # gevent's sockets wrap a _socket.socket as ``_sock``; ours is one.
    import _socket

    with socket.socket() as sock:
        assert sock._sock is sock
        assert isinstance(sock._sock, _socket.socket)
