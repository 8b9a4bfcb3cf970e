"""Fixtures for the I/O tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gevent import socket


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected pair of green sockets, closed afterwards."""
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A green TCP socket listening on a free port of 127.0.0.1, closed afterwards."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    yield sock
    sock.close()
