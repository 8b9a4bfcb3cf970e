"""Regression tests for cases CPython's test_socket found in gevent.socket (tests/cpython/)."""

from __future__ import annotations

import socket as stdsocket

import pytest

from gevent import socket
from gevent.hub import Hub

pytestmark = pytest.mark.skipif(not hasattr(stdsocket, "MSG_DONTWAIT"), reason="MSG_DONTWAIT")
DONTWAIT = getattr(stdsocket, "MSG_DONTWAIT", 0)


def _fill(sock: socket.socket) -> None:
    sock.setblocking(False)
    try:
        while True:
            sock.send(b"x" * 65536)
    except BlockingIOError:
        pass
    sock.settimeout(30.0)


def test_msg_dontwait_does_not_wait_even_with_a_timeout(
        virtual_hub: Hub, pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    b.settimeout(30.0)
    with pytest.raises(BlockingIOError):
        b.recv(10, DONTWAIT)
    with pytest.raises(BlockingIOError):
        b.recv_into(bytearray(10), 10, DONTWAIT)
    with pytest.raises(BlockingIOError):
        b.recvfrom(10, DONTWAIT)
    with pytest.raises(BlockingIOError):
        b.recvmsg(10, 0, DONTWAIT)
    _fill(a)
    with pytest.raises(BlockingIOError):
        a.send(b"y" * 512, DONTWAIT)
    with pytest.raises(BlockingIOError):
        a.sendall(b"y" * 512, DONTWAIT)
    with pytest.raises(BlockingIOError):
        a.sendmsg([b"y" * 512], [], DONTWAIT)
    # None of that waited: the virtual clock did not move.
    assert virtual_hub.loop.now() == 0.0


def test_without_msg_dontwait_a_timeout_still_waits(
        virtual_hub: Hub, pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    b.settimeout(2.0)
    with pytest.raises(TimeoutError):
        b.recv(10)
    assert virtual_hub.loop.now() == pytest.approx(2.0)
