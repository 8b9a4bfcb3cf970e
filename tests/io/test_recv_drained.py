"""A read that found the kernel's buffer drained asks (FIONREAD) before it tries again.

A recv that fails with EWOULDBLOCK costs an exception; in request/response traffic
nearly every recv after a short one fails. So a socket whose last recv took less
than it asked for first asks the kernel whether anything is buffered, and waits
straight away when nothing is. These tests pin down that the shortcut never
changes what a caller sees: data already buffered comes back without a switch,
EOF, an empty datagram, a timeout and a closed socket behave as before.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from typing import Any

import pytest

import gevent
from gevent import socket
from gevent.hub import Hub


def _failed_recvs(action: Callable[[], object]) -> int:
    """How many C-level recv/recv_into calls raised during ``action``."""
    failed = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal failed
        if event == "c_exception" and getattr(arg, "__name__", "") in ("recv", "recv_into"):
            failed += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return failed


def _other_greenlet_ran(action: Callable[[], object]) -> bool:
    ran: list[bool] = []
    g = gevent.spawn(ran.append, True)
    try:
        action()
        return bool(ran)
    finally:
        g.kill()


def test_a_short_recv_marks_the_socket_drained(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(b"abc")
    assert b.recv(10) == b"abc"
    assert b._drained
    a.sendall(b"x" * 10)
    assert b.recv(10) == b"x" * 10
    assert not b._drained  # a full read: the next one tries at once


def test_data_buffered_after_a_short_recv_comes_back_without_a_switch(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(b"one")
    assert b.recv(10) == b"one"
    a.sendall(b"two")
    got: list[bytes] = []
    assert not _other_greenlet_ran(lambda: got.append(b.recv(10)))
    assert got == [b"two"]


def test_after_a_short_recv_a_read_waits_without_a_failed_call(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(b"ping")
    assert b.recv(10) == b"ping"

    def reply_later() -> None:
        gevent.sleep(0.01)
        a.sendall(b"pong")

    g = gevent.spawn(reply_later)
    got: list[bytes] = []
    assert _failed_recvs(lambda: got.append(b.recv(10))) == 0
    assert got == [b"pong"]
    g.join()


def test_without_the_mark_a_read_still_tries_first(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    gevent.spawn_later(0.01, a.sendall, b"late")
    assert _failed_recvs(lambda: b.recv(10)) == 1  # the first read knows nothing yet


def test_recv_into_uses_the_mark_too(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    buf = bytearray(16)
    a.sendall(b"ab")
    assert b.recv_into(buf) == 2
    assert b._drained
    gevent.spawn_later(0.01, a.sendall, b"cd")
    assert _failed_recvs(lambda: b.recv_into(buf)) == 0
    assert buf[:2] == b"cd"
    # With an explicit size the guess is skipped, not wrong.
    a.sendall(b"ef")
    assert b.recv_into(buf, 2) == 2
    assert not b._drained


def test_eof_after_a_short_recv_is_still_an_empty_read(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(b"last")
    assert b.recv(10) == b"last"
    a.close()
    with gevent.Timeout(5):
        assert b.recv(10) == b""


def test_an_empty_datagram_after_a_short_one_is_received() -> None:
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        b.bind(("127.0.0.1", 0))
        a.sendto(b"abc", b.getsockname())
        assert b.recv(10) == b"abc"
        assert b._drained
        a.sendto(b"", b.getsockname())  # FIONREAD says 0 for it
        with gevent.Timeout(5):
            assert b.recv(10) == b""
    finally:
        a.close()
        b.close()


def test_a_timeout_after_a_short_recv_still_fires(
        virtual_hub: Hub, pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(b"abc")
    assert b.recv(10) == b"abc"
    b.settimeout(2.0)
    with pytest.raises(socket.timeout):
        b.recv(10)


def test_a_nonblocking_socket_never_waits(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(b"abc")
    assert b.recv(10) == b"abc"
    b.setblocking(False)
    with pytest.raises(BlockingIOError):
        b.recv(10)


@pytest.mark.parametrize("call", ["recv", "recv_into"])
def test_msg_dontwait_after_a_short_recv_fails_at_once(
        pair: tuple[socket.socket, socket.socket], call: str) -> None:
    a, b = pair
    a.sendall(b"abc")
    assert b.recv(10) == b"abc"
    b.settimeout(30.0)  # a wait would be a 30 s hang, not an error
    with gevent.Timeout(5), pytest.raises(BlockingIOError):
        if call == "recv":
            b.recv(10, socket.MSG_DONTWAIT)
        else:
            b.recv_into(bytearray(10), 10, socket.MSG_DONTWAIT)


def test_a_closed_socket_says_ebadf_as_before(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(b"abc")
    assert b.recv(10) == b"abc"
    b.close()
    with pytest.raises(OSError) as info:
        b.recv(10)
    assert info.value.errno == errno.EBADF


def test_a_reader_drained_then_woken_by_close_gets_cancel_wait(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(b"abc")
    assert b.recv(10) == b"abc"
    g = gevent.spawn(b.recv, 10)
    gevent.sleep(0)
    b.close()
    with pytest.raises(OSError) as info:
        g.get(timeout=5)
    assert info.value.errno == errno.EBADF
