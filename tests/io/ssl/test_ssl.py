"""gevent.ssl: a green TLS server and client in one process, timeouts, closing, patching."""

from __future__ import annotations

import errno
import ssl as stdssl
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import wait_all_blocked

import gevent
from gevent import socket, ssl
from gevent.event import Event


@pytest.fixture
def server_context(certificate: tuple[str, str]) -> ssl.SSLContext:
    certfile, keyfile = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    return context


@pytest.fixture
def client_context(certificate: tuple[str, str]) -> ssl.SSLContext:
    # Full verification: the certificate is its own CA, issued for "localhost".
    return ssl.create_default_context(cafile=certificate[0])


class Echo:
    """A green TLS echo server on ``listener``; ``closing`` lists sockets to close."""

    def __init__(self, listener: socket.socket, context: ssl.SSLContext) -> None:
        self.tls_listener = context.wrap_socket(listener, server_side=True)
        self.address = self.tls_listener.getsockname()
        self.closing: list[Any] = [self.tls_listener]
        self.errors: list[BaseException] = []
        self.acceptor = gevent.spawn(self._accept_forever)

    def _accept_forever(self) -> None:
        while True:
            try:
                conn, _ = self.tls_listener.accept()
            except (OSError, ValueError) as exc:
                if self.tls_listener.fileno() == -1:
                    return
                self.errors.append(exc)
                continue
            self.closing.append(conn)
            gevent.spawn(self._echo, conn)

    def _echo(self, conn: ssl.SSLSocket) -> None:
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)
        except OSError as exc:
            if conn.fileno() != -1:
                self.errors.append(exc)

    def close(self) -> None:
        self.acceptor.kill()
        for sock in self.closing:
            sock.close()


@pytest.fixture
def echo(listener: socket.socket, server_context: ssl.SSLContext) -> Iterator[Echo]:
    server = Echo(listener, server_context)
    yield server
    server.close()
    assert not server.errors


def connect(address: Any, context: ssl.SSLContext, timeout: float | None = 10.0) -> Any:
    raw = socket.create_connection(address, timeout=timeout)
    return context.wrap_socket(raw, server_hostname="localhost")


# ------------------------------------------------------------------ surface


def test_module_surface_matches_the_stdlib() -> None:
    import ssl as stdlib_ssl

    # wrap_socket left the standard library in 3.12: there it is our extension.
    replaced = ["SSLContext", "SSLSocket", "get_server_certificate", "wrap_socket"]
    if hasattr(stdlib_ssl, "wrap_socket"):
        assert (ssl.__implements__, ssl.__extensions__) == (replaced, [])
    else:
        assert (ssl.__implements__, ssl.__extensions__) == (replaced[:-1], ["wrap_socket"])
    assert set(ssl.__all__) == (set(ssl.__implements__) | set(ssl.__imports__)
                                | set(ssl.__extensions__))
    for name in ("CERT_NONE", "SSLError", "SSLWantReadError", "TLSVersion", "Purpose",
                 "DER_cert_to_PEM_cert", "_create_default_https_context"):
        assert name in ssl.__imports__
        assert getattr(ssl, name) is getattr(stdssl, name)
    assert issubclass(ssl.SSLContext, stdssl.SSLContext)
    assert ssl.orig_SSLContext is stdssl.SSLContext
    assert issubclass(ssl.SSLSocket, socket.socket)
    assert ssl.SSLContext.sslsocket_class is ssl.SSLSocket
    assert ssl.SSLSocket.__module__ == "gevent.ssl"


def test_create_default_context_is_green_and_keeps_stdlib_defaults() -> None:
    context = ssl.create_default_context()
    reference = stdssl.create_default_context()
    assert type(context) is ssl.SSLContext
    assert context.verify_mode == reference.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname and reference.check_hostname
    assert context.options == reference.options


def test_context_setters_work_on_our_subclass() -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    context.options |= ssl.OP_NO_COMPRESSION
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.verify_flags = ssl.VERIFY_DEFAULT
    assert context.minimum_version is ssl.TLSVersion.TLSv1_2
    assert context.maximum_version is ssl.TLSVersion.TLSv1_3
    assert ssl.OP_NO_COMPRESSION in context.options
    assert context.verify_mode is ssl.CERT_NONE

    def callback(*args: Any) -> None:
        pass

    context._msg_callback = callback
    assert context._msg_callback is callback
    context._msg_callback = None
    assert context._msg_callback is None
    with pytest.raises(TypeError):
        context._msg_callback = 42


def test_wrap_socket_rejects_datagram_sockets(client_context: ssl.SSLContext) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        with pytest.raises(NotImplementedError):
            client_context.wrap_socket(sock, server_hostname="localhost")
    finally:
        sock.close()


def test_legacy_wrap_socket_needs_a_certificate_on_the_server_side() -> None:
    a, b = socket.socketpair()
    try:
        with pytest.raises(ValueError, match="certfile must be specified"):
            ssl.wrap_socket(a, server_side=True)
    finally:
        a.close()
        b.close()


def test_legacy_wrap_socket_warns_for_protocol_tls() -> None:
    a, b = socket.socketpair()
    try:
        with pytest.warns(DeprecationWarning):
            wrapped = ssl.wrap_socket(a, do_handshake_on_connect=False)
        assert isinstance(wrapped, ssl.SSLSocket)
        assert a.fileno() == -1  # the descriptor moved to the TLS socket
        wrapped.close()
    finally:
        a.close()
        b.close()


# ---------------------------------------------------------------- echoing


def test_echo_round_trip_with_verified_certificate(echo: Echo,
                                                   client_context: ssl.SSLContext) -> None:
    with connect(echo.address, client_context) as client:
        assert isinstance(client, ssl.SSLSocket)
        assert client.version() in ("TLSv1.2", "TLSv1.3")
        assert client.cipher() is not None
        assert client.getpeercert()["subject"] == ((("commonName", "localhost"),),)
        for message in (b"hello", b"x" * 5000, b"\x00\xff"):
            client.sendall(message)
            received = b""
            while len(received) < len(message):
                received += client.recv(65536)
            assert received == message


def test_makefile_reads_lines_over_tls(echo: Echo, client_context: ssl.SSLContext) -> None:
    with connect(echo.address, client_context) as client:
        with client.makefile("rwb") as stream:
            stream.write(b"first line\nsecond line\n")
            stream.flush()
            assert stream.readline() == b"first line\n"
            assert stream.readline() == b"second line\n"


def test_many_clients_and_large_payloads_interleave(echo: Echo,
                                                    client_context: ssl.SSLContext) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB: bigger than the socket buffers

    def one_client(seed: int) -> bytes:
        with connect(echo.address, client_context) as client:
            data = bytes([seed]) + payload
            reader = gevent.spawn(_read_exactly, client, len(data))
            client.sendall(data)
            return reader.get(timeout=30)  # type: ignore[no-any-return]

    jobs = [gevent.spawn(one_client, seed) for seed in range(4)]
    gevent.joinall(jobs, timeout=60, raise_error=True)
    for seed, job in enumerate(jobs):
        assert job.value == bytes([seed]) + payload


def _read_exactly(sock: Any, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 65536))
        assert chunk, "unexpected end of stream"
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def test_waiting_for_tls_data_lets_other_greenlets_run(
        listener: socket.socket, server_context: ssl.SSLContext,
        client_context: ssl.SSLContext) -> None:
    ticks = []
    accepted: list[Any] = []

    def server() -> None:
        conn, _ = listener.accept()
        accepted.append(server_context.wrap_socket(conn, server_side=True))
        gevent.sleep(0.2)
        accepted[0].sendall(b"late")

    def ticker() -> None:
        while True:
            ticks.append(1)
            gevent.sleep(0.01)

    server_job = gevent.spawn(server)
    ticking = gevent.spawn(ticker)
    try:
        with connect(listener.getsockname(), client_context) as client:
            assert client.recv(10) == b"late"
        assert len(ticks) >= 5
        server_job.get(timeout=5)
    finally:
        ticking.kill()
        for sock in accepted:
            sock.close()


def test_get_server_certificate(echo: Echo, certificate: tuple[str, str]) -> None:
    pem = ssl.get_server_certificate(echo.address, ca_certs=certificate[0])
    with open(certificate[0]) as f:
        expected = f.read()
    assert ssl.PEM_cert_to_DER_cert(pem) == ssl.PEM_cert_to_DER_cert(expected)


def test_alpn_is_negotiated(listener: socket.socket, server_context: ssl.SSLContext,
                            client_context: ssl.SSLContext) -> None:
    server_context.set_alpn_protocols(["h2", "http/1.1"])
    client_context.set_alpn_protocols(["http/1.1"])
    server = Echo(listener, server_context)
    try:
        with connect(server.address, client_context) as client:
            assert client.selected_alpn_protocol() == "http/1.1"
    finally:
        server.close()


# ------------------------------------------------------- unwrap and EOFs


def test_unwrap_returns_to_plain_text(listener: socket.socket, server_context: ssl.SSLContext,
                                      client_context: ssl.SSLContext) -> None:
    got: list[bytes] = []

    def server() -> None:
        conn, _ = listener.accept()
        with server_context.wrap_socket(conn, server_side=True) as tls:
            got.append(tls.recv(100))
            plain = tls.unwrap()
            assert plain is tls
            assert tls.cipher() is None
            got.append(plain.recv(100))

    job = gevent.spawn(server)
    with connect(listener.getsockname(), client_context) as client:
        client.sendall(b"secret")
        plain = client.unwrap()
        with pytest.raises(ValueError, match="No SSL wrapper"):
            client.unwrap()
        plain.sendall(b"plain")
        job.get(timeout=10)
    assert got == [b"secret", b"plain"]


def test_ragged_eof_reads_as_end_of_stream(listener: socket.socket,
                                           server_context: ssl.SSLContext,
                                           client_context: ssl.SSLContext) -> None:
    def server() -> None:
        conn, _ = listener.accept()
        tls = server_context.wrap_socket(conn, server_side=True)
        tls.sendall(b"bye")
        tls.close()  # no TLS close_notify: the TCP connection just ends

    job = gevent.spawn(server)
    with connect(listener.getsockname(), client_context) as client:
        job.get(timeout=10)
        assert client.recv(10) == b"bye"
        assert client.recv(10) == b""


# ---------------------------------------------------------------- timeouts


def test_recv_timeout(echo: Echo, client_context: ssl.SSLContext) -> None:
    with connect(echo.address, client_context) as client:
        client.settimeout(0.2)
        start = time.monotonic()
        with pytest.raises(socket.timeout, match="The read operation timed out"):
            client.recv(10)
        assert 0.15 <= time.monotonic() - start < 5.0
        # The connection is still usable afterwards.
        client.settimeout(10)
        client.sendall(b"still here")
        assert _read_exactly(client, 10) == b"still here"


def test_handshake_timeout_closes_the_socket(listener: socket.socket,
                                             client_context: ssl.SSLContext) -> None:
    accepted: list[Any] = []
    job = gevent.spawn(lambda: accepted.append(listener.accept()[0]))  # never speaks TLS
    raw = socket.create_connection(listener.getsockname(), timeout=0.2)
    try:
        start = time.monotonic()
        with pytest.raises(socket.timeout, match="handshake"):
            client_context.wrap_socket(raw, server_hostname="localhost")
        assert 0.15 <= time.monotonic() - start < 5.0
        assert raw.fileno() == -1
    finally:
        raw.close()
        job.join(timeout=5)
        for sock in accepted:
            sock.close()


def test_sendall_timeout_when_the_peer_does_not_read(
        listener: socket.socket, server_context: ssl.SSLContext,
        client_context: ssl.SSLContext) -> None:
    accepted: list[Any] = []

    def server() -> None:
        conn, _ = listener.accept()
        accepted.append(server_context.wrap_socket(conn, server_side=True))

    job = gevent.spawn(server)
    with connect(listener.getsockname(), client_context) as client:
        job.get(timeout=10)
        client.settimeout(0.3)
        start = time.monotonic()
        with pytest.raises(socket.timeout):
            client.sendall(b"x" * (64 * 1024 * 1024))
        assert time.monotonic() - start < 10.0
    for sock in accepted:
        sock.close()


def test_non_blocking_socket_raises_want_read(echo: Echo,
                                              client_context: ssl.SSLContext) -> None:
    with connect(echo.address, client_context) as client:
        client.setblocking(False)
        with pytest.raises(ssl.SSLWantReadError):
            client.recv(10)


def test_non_blocking_socket_refuses_handshake_on_connect(
        listener: socket.socket, client_context: ssl.SSLContext) -> None:
    raw = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        raw.setblocking(False)
        with pytest.raises(ValueError, match="non-blocking"):
            client_context.wrap_socket(raw, server_hostname="localhost")
        assert raw.fileno() == -1
    finally:
        raw.close()
        accepted.close()


def test_non_blocking_handshake_can_be_finished_with_block(
        echo: Echo, client_context: ssl.SSLContext) -> None:
    raw = socket.create_connection(echo.address)
    with client_context.wrap_socket(raw, server_hostname="localhost",
                                    do_handshake_on_connect=False) as client:
        client.setblocking(False)
        with pytest.raises(ssl.SSLWantReadError):
            client.do_handshake()
        client.do_handshake(block=True)
        assert client.version() is not None
        assert not client.getblocking()


# ----------------------------------------------------------------- closing


def test_close_while_reading_wakes_the_reader(echo: Echo,
                                              client_context: ssl.SSLContext) -> None:
    client = connect(echo.address, client_context)
    started = Event()

    def reader() -> bytes:
        started.set()
        return client.recv(10)  # type: ignore[no-any-return]

    job = gevent.spawn(reader)
    wait_all_blocked()
    assert started.is_set() and not job.dead  # parked in recv
    client.close()
    job.join(timeout=5)
    assert isinstance(job.exception, OSError), job.value
    assert job.exception.errno == errno.EBADF
    with pytest.raises(OSError):
        client.recv(10)


def test_closing_the_socket_keeps_the_file_open(echo: Echo,
                                               client_context: ssl.SSLContext) -> None:
    client = connect(echo.address, client_context)
    stream = client.makefile("rwb")
    fileno = client.fileno()
    client.close()
    assert client.fileno() == fileno  # the file object still holds it
    stream.write(b"ping\n")
    stream.flush()
    assert stream.readline() == b"ping\n"
    stream.close()
    assert client.fileno() == -1


# ---------------------------------------------------------------- patching


def test_patch_ssl_in_a_child_interpreter(certificate: tuple[str, str]) -> None:
    src = f"""
        from gevent import monkey
        monkey.patch_all()
        import socket, ssl, threading
        import gevent, gevent.ssl

        assert ssl.SSLContext is gevent.ssl.SSLContext
        assert ssl.SSLSocket is gevent.ssl.SSLSocket
        # (wrap_socket left the standard library in 3.12)
        assert getattr(ssl, "wrap_socket", gevent.ssl.wrap_socket) is gevent.ssl.wrap_socket
        assert monkey.is_module_patched("ssl")
        assert monkey.get_original("ssl", "SSLContext") is gevent.ssl.orig_SSLContext

        # The stdlib's own helpers now build green contexts, and their
        # property setters must not recurse into themselves.
        client_ctx = ssl.create_default_context(cafile={certificate[0]!r})
        assert type(client_ctx) is gevent.ssl.SSLContext
        client_ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        client_ctx.options |= ssl.OP_NO_COMPRESSION
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain({certificate[0]!r}, {certificate[1]!r})

        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        port = listener.getsockname()[1]

        def serve_one(conn):
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(tls.recv(100).upper())

        def serve_three():
            handlers = []
            for _ in range(3):
                conn, _ = listener.accept()
                handlers.append(threading.Thread(target=serve_one, args=(conn,)))
                handlers[-1].start()
            for t in handlers:
                t.join(30)

        def client(word):
            with socket.create_connection(("127.0.0.1", port)) as raw:
                with client_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(word)
                    return tls.recv(100)

        server = threading.Thread(target=serve_three)
        server.start()
        jobs = [gevent.spawn(client, w) for w in (b"one", b"two", b"three")]
        gevent.joinall(jobs, timeout=30, raise_error=True)
        server.join(30)
        listener.close()
        print(sorted(j.value for j in jobs))
    """
    proc = subprocess.run([sys.executable, "-W", "error", "-c", textwrap.dedent(src)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[b'ONE', b'THREE', b'TWO']"
