"""The socket hot paths: one wait per EWOULDBLOCK, parked without a Waiter or a Timeout.

A blocked socket call starts its watcher with the greenlet's own ``switch``
and switches to the hub; these tests pin down what that must keep from the
``Hub.wait`` route: the stray-switch check, the blocking check in the hub,
timeouts, ``cancel_wait`` on close, and no reference cycles.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from greenlet import greenlet as RawGreenlet
from helpers import assert_no_reference_cycles

import gevent
from gevent import socket
from gevent.exceptions import BlockingSwitchOutError, InvalidSwitchError
from gevent.hub import Hub
from gevent.testkit import wait_all_blocked


def _calls_into(names: set[str], action: Callable[[], object]) -> list[str]:
    """The calls of ``action`` (in any greenlet) to functions called one of ``names``."""
    seen: list[str] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_name in names:
            seen.append(f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return seen


# -------------------------------------------------------------- the wait


def test_a_blocked_recv_parks_the_greenlet_on_its_watcher(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    g = gevent.spawn(b.recv, 10)
    gevent.sleep(0)
    watcher = b._read_event
    # No Waiter and no bound method in between: cancel_wait finds the
    # greenlet in the args.
    assert watcher.callback is RawGreenlet.switch
    assert watcher.args == (g, watcher)
    a.sendall(b"data")
    assert g.get(timeout=5) == b"data"
    assert watcher.callback is None
    assert not watcher.active


@pytest.mark.parametrize("timeout", [None, 5.0])
def test_a_socket_round_trip_makes_no_waiter_and_no_timeout(
        pair: tuple[socket.socket, socket.socket], timeout: float | None) -> None:
    a, b = pair
    a.settimeout(timeout)
    b.settimeout(timeout)

    def echo() -> None:
        b.sendall(b.recv(10))

    def round_trip() -> None:
        g = gevent.spawn(echo)
        gevent.sleep(0)
        a.sendall(b"ping")
        assert a.recv(10) == b"ping"
        g.join()

    round_trip()
    seen = _calls_into({"__init__", "_start_new_or_dummy", "start_new", "wait", "get"},
                       round_trip)
    mine = [name for name in seen
            if name.split(":")[0] in ("_waiter.py", "timeout.py", "hub.py", "_socket.py")]
    assert mine == []


def test_a_timed_wait_reuses_the_sockets_timer(virtual_hub: Hub,
                                               pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    b.settimeout(2.0)
    with pytest.raises(socket.timeout, match=r"^timed out$"):
        b.recv(1)
    timer = b._read_timer
    assert timer is not None
    assert not timer.active and timer.callback is None
    start = virtual_hub.loop.now()
    with pytest.raises(socket.timeout):
        b.recv(1)
    assert b._read_timer is timer
    assert virtual_hub.loop.now() - start == pytest.approx(2.0, abs=0.01)
    assert not timer.active and timer.callback is None
    assert b._write_timer is None


def test_data_before_the_deadline_stops_the_timer(
        virtual_hub: Hub, pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    b.settimeout(2.0)
    gevent.spawn_later(1.0, a.sendall, b"in time")
    assert b.recv(10) == b"in time"
    assert not b._read_timer.active
    # Nothing is left to fire later.
    gevent.sleep(5)


def test_a_stray_switch_into_a_socket_wait_is_an_invalid_switch_error(
        pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    g = gevent.spawn(b.recv, 10)
    gevent.sleep(0)
    gevent.get_hub().print_exception = lambda *args: None  # type: ignore[method-assign]
    switcher = gevent.spawn(g.switch, "stray")
    try:
        g.join(timeout=5)
    finally:
        # It switched into g and never got control back (as in gevent's test__api).
        switcher.kill()
        del gevent.get_hub().print_exception
    assert isinstance(g.exception, InvalidSwitchError)
    assert "Invalid switch" in str(g.exception)
    assert "stray" in str(g.exception)
    assert not b._read_event.active


def test_a_socket_wait_inside_the_hub_is_refused(
        pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    caught: list[BaseException] = []

    def in_hub() -> None:
        try:
            b.recv(10)
        except BaseException as exc:
            caught.append(exc)

    gevent.get_hub().loop.run_callback(in_hub)
    gevent.sleep(0)
    assert len(caught) == 1
    assert isinstance(caught[0], BlockingSwitchOutError)
    assert not b._read_event.active and b._read_event.callback is None


def test_close_wakes_a_timed_reader_with_ebadf(virtual_hub: Hub,
                                               pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    b.settimeout(3.0)
    g = gevent.spawn(b.recv, 10)
    gevent.sleep(0)
    b.close()
    g.join()
    assert isinstance(g.exception, socket.cancel_wait_ex)
    assert g.exception.errno == errno.EBADF
    assert str(g.exception) == "[Errno 9] File descriptor was closed in another greenlet"
    # The timer went with the wait: nothing fires at the old deadline.
    assert not b._read_timer.active
    gevent.sleep(5)


def test_close_wakes_a_writer_blocked_in_sendall(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, _b = pair
    g = gevent.spawn(a.sendall, b"x" * (8 * 1024 * 1024))
    wait_all_blocked()  # the buffer is full: parked on the write watcher
    assert not g.ready()
    a.close()
    g.join(timeout=5)
    assert isinstance(g.exception, OSError)
    assert g.exception.errno == errno.EBADF


# ------------------------------------------------------------ the calls


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "array"])
def test_sendall_of_more_than_the_buffer_arrives_whole(
        pair: tuple[socket.socket, socket.socket], kind: str) -> None:
    import array

    a, b = pair
    raw = bytes(range(256)) * (16 * 1024)  # 4 MiB: many partial sends
    data: Any = {"bytes": raw, "bytearray": bytearray(raw), "memoryview": memoryview(raw),
                 "array": array.array("i", raw)}[kind]
    received = bytearray()

    def reader() -> None:
        while len(received) < len(raw):
            chunk = b.recv(65536)
            if not chunk:
                break
            received.extend(chunk)

    g = gevent.spawn(reader)
    a.sendall(data)
    g.join(timeout=10)
    assert bytes(received) == raw


def test_sendall_timeout_limits_the_whole_call(virtual_hub: Hub,
                                               pair: tuple[socket.socket, socket.socket]) -> None:
    a, _b = pair
    a.settimeout(1.5)
    start = virtual_hub.loop.now()
    with pytest.raises(socket.timeout, match=r"^timed out$"):
        a.sendall(b"x" * (8 * 1024 * 1024))
    assert virtual_hub.loop.now() - start == pytest.approx(1.5, abs=0.01)
    assert not a._write_event.active


def test_sendall_of_nothing_sends_nothing(pair: tuple[socket.socket, socket.socket]) -> None:
    a, _b = pair
    a.sendall(b"")
    a.sendall(bytearray())
    a.sendall(memoryview(b""))


def test_nonblocking_sendall_raises_when_the_buffer_is_full(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, _b = pair
    a.setblocking(False)
    with pytest.raises(BlockingIOError):
        a.sendall(b"x" * (8 * 1024 * 1024))


def test_recv_into_and_makefile_read_into_the_callers_buffer(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    buf = bytearray(10)
    gevent.spawn_later(0.01, a.sendall, b"hello")
    assert b.recv_into(buf) == 5
    assert bytes(buf[:5]) == b"hello"
    view = memoryview(buf)[2:]
    gevent.spawn_later(0.01, a.sendall, b"abc")
    assert b.recv_into(view, 3) == 3
    assert bytes(buf[:5]) == b"heabc"
    f = b.makefile("rb")
    gevent.spawn_later(0.01, a.sendall, b"line one\nline two\n")
    assert f.readline() == b"line one\n"
    assert f.readline() == b"line two\n"
    f.close()


def test_accept_and_connect(listener: socket.socket) -> None:
    got: list[Any] = []

    def server() -> None:
        conn, _addr = listener.accept()
        got.append((conn.family, conn.type, conn.proto, conn.gettimeout()))
        conn.sendall(b"hi")
        conn.close()

    g = gevent.spawn(server)
    client = socket.socket()
    client.settimeout(5)
    client.connect(listener.getsockname())
    assert client.recv(2) == b"hi"
    client.close()
    g.join(timeout=5)
    assert got == [(socket.AF_INET, socket.SOCK_STREAM, 0, None)]
    assert got[0][0] is socket.AF_INET


def test_connect_ex_reports_a_refused_connection() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    address = probe.getsockname()
    probe.close()
    client = socket.socket()
    client.settimeout(5)
    try:
        assert client.connect_ex(address) == errno.ECONNREFUSED
    finally:
        client.close()


# ------------------------------------------------------------ no cycles


def _recv_times_out() -> None:
    a, b = socket.socketpair()
    b.settimeout(0.5)
    try:
        b.recv(1)
    except socket.timeout:
        pass
    a.close()
    b.close()


def _sendall_times_out() -> None:
    a, b = socket.socketpair()
    a.settimeout(0.5)
    try:
        a.sendall(b"x" * (8 * 1024 * 1024))
    except socket.timeout:
        pass
    a.close()
    b.close()


def _kill_socket_waiter() -> None:
    a, b = socket.socketpair()
    g = gevent.spawn(b.recv, 1)
    gevent.sleep(0)
    g.kill()
    a.close()
    b.close()


def _kill_timed_socket_waiter() -> None:
    a, b = socket.socketpair()
    b.settimeout(5)
    g = gevent.spawn(b.recv, 1)
    gevent.sleep(0)
    g.kill()
    a.close()
    b.close()


def _close_under_socket_waiter() -> None:
    a, b = socket.socketpair()
    g = gevent.spawn(b.recv, 1)
    gevent.sleep(0)
    b.close()
    g.join()
    assert isinstance(g.exception, socket.cancel_wait_ex)
    a.close()


def _accept_times_out() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.5)
    try:
        sock.accept()
    except socket.timeout:
        pass
    sock.close()


@pytest.mark.parametrize("operation", [
    _recv_times_out, _sendall_times_out, _kill_socket_waiter, _kill_timed_socket_waiter,
    _close_under_socket_waiter, _accept_times_out,
], ids=lambda f: f.__name__.strip("_"))
def test_no_reference_cycles(virtual_hub: Hub, operation: Callable[[], None]) -> None:
    virtual_hub.print_exception = lambda *args: None  # type: ignore[method-assign]
    assert_no_reference_cycles(operation)


def test_the_write_watcher_is_made_on_the_first_wait_to_write(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    a.sendall(b"fits in the buffer")
    assert b.recv(100) == b"fits in the buffer"
    assert a._write_io is None
    a.ref = False
    g = gevent.spawn(a.sendall, b"x" * (8 * 1024 * 1024))
    wait_all_blocked()
    watcher = a._write_io
    assert watcher is not None and watcher.active
    # The socket's ref applies to the watcher made later, as gevent's test__socket_ex checks.
    assert not watcher.ref and a._write_event is watcher
    g.kill()
    a.close()
    assert watcher.loop is None
    with pytest.raises(socket.cancel_wait_ex):
        b.close()
        b._write_event  # noqa: B018
