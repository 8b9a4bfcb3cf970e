"""gevent.select, gevent.selectors and gevent.time."""

from __future__ import annotations

import os
import select as stdselect
import time as stdtime

import pytest

import gevent
from gevent import select, selectors, socket
from gevent import time as gtime
from gevent.hub import Hub


def test_select_wakes_when_data_arrives(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    gevent.spawn_later(0.01, a.send, b"x")
    r, w, x = select.select([b], [], [b], 5)
    assert (r, w, x) == ([b], [], [])


def test_select_times_out_with_empty_lists(virtual_hub: Hub,
                                           pair: tuple[socket.socket, socket.socket]) -> None:
    _a, b = pair
    assert select.select([b], [], [], 2.0) == ([], [], [])


def test_select_ready_now_yields_and_returns(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    ran = []
    gevent.spawn(ran.append, 1)
    r, w, _ = select.select([b], [a], [], 0)
    assert r == [] and w == [a]
    assert ran == [1]


def test_select_checks_arguments() -> None:
    with pytest.raises(ValueError):
        select.select([], [], [], -1)
    with pytest.raises(TypeError):
        select.select(["nope"], [], [], 0)


def test_select_accepts_iterables_and_ints(pair: tuple[socket.socket, socket.socket]) -> None:
    a, _b = pair
    _, w, _ = select.select(iter([]), (fd for fd in [a.fileno()]), [], 1)
    assert w == [a.fileno()]


def test_select_wakes_when_another_greenlet_closes_the_socket(virtual_hub: Hub) -> None:
    sock = socket.socket()
    gevent.spawn(sock.close)
    # Must return with the closed socket reported, not wait for the timeout.
    assert select.select([sock], [], [], 10) == ([sock], [], [])
    assert virtual_hub.loop.now() == 0.0


def test_poll_register_poll_unregister(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    p = select.poll()
    p.register(b, select.POLLIN)
    assert p.poll(0) == []
    a.send(b"x")
    assert p.poll(5000) == [(b.fileno(), select.POLLIN)]
    p.modify(b, select.POLLOUT)
    assert p.poll(5000) == [(b.fileno(), select.POLLOUT)]
    p.unregister(b)
    with pytest.raises(KeyError):
        p.unregister(b)


def test_poll_reports_closed_fd_as_pollnval() -> None:
    gevent.get_hub()  # the loop's own descriptors must not reuse the closed number
    r, w = os.pipe()
    p = select.poll()
    p.register(r, select.POLLIN)
    os.close(r)
    os.close(w)
    assert p.poll(0) == [(r, select.POLLNVAL)]


def test_select_module_surface() -> None:
    assert select.__all__ == ["error", "poll", "select"]
    assert select.error is stdselect.error
    assert select.POLLIN == stdselect.POLLIN
    assert set(select.__implements__) == {"select", "poll"}


def test_gevent_selector_many_sockets() -> None:
    pairs = [socket.socketpair() for _ in range(5)]
    try:
        with selectors.DefaultSelector() as sel:
            assert isinstance(sel, selectors.GeventSelector)
            for i, (_srv, cli) in enumerate(pairs):
                sel.register(cli, selectors.EVENT_READ, i)
            for srv, _cli in pairs:
                srv.send(b"!")
            gevent.sleep(0.01)
            ready = sel.select(timeout=5)
            assert sorted(key.data for key, mask in ready) == list(range(5))
            assert all(mask == selectors.EVENT_READ for _key, mask in ready)
    finally:
        for p in pairs:
            for s in p:
                s.close()


def test_gevent_selector_timeout_and_invalid_fd(virtual_hub: Hub) -> None:
    a, b = socket.socketpair()
    try:
        with selectors.GeventSelector() as sel:
            sel.register(b, selectors.EVENT_READ)
            assert sel.select(timeout=3) == []
    finally:
        a.close()
        b.close()
    gevent.get_hub()
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    with selectors.GeventSelector() as sel, pytest.raises(ValueError, match="Invalid file"):
        sel.register(r, selectors.EVENT_READ)


def test_time_sleep_is_cooperative(virtual_hub: Hub) -> None:
    assert gtime.sleep is gevent.sleep
    assert gtime.monotonic is stdtime.monotonic
    assert gtime.__implements__ == ["sleep"]
    done = []
    gevent.spawn(done.append, "other")
    gtime.sleep(1)
    assert done == ["other"]
