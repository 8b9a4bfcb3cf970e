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
