"""Regression tests for cases CPython's test_select, test_selectors, test_poll and
test_asyncore found in gevent.select and gevent.selectors (tests/cpython/)."""

from __future__ import annotations

import os
import select as stdselect
import socket as stdsocket
import sys

import pytest

import gevent
from gevent import select, selectors, socket
from gevent.hub import Hub


def test_selector_reports_read_and_write_of_one_key_in_one_call(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    b.send(b"foo")
    sel = selectors.DefaultSelector()
    key = sel.register(a, selectors.EVENT_READ | selectors.EVENT_WRITE)
    assert sel.select() == [(key, selectors.EVENT_READ | selectors.EVENT_WRITE)]
    sel.close()


def test_selector_with_zero_timeout_reports_what_is_ready(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, _b = pair
    sel = selectors.DefaultSelector()
    key = sel.register(a, selectors.EVENT_WRITE)
    assert sel.select(0) == [(key, selectors.EVENT_WRITE)]
    assert sel.select(-1) == [(key, selectors.EVENT_WRITE)]
    sel.close()


def test_selector_reports_every_ready_descriptor_at_once() -> None:
    pairs = [socket.socketpair() for _ in range(6)]
    sel = selectors.DefaultSelector()
    for a, _b in pairs:
        sel.register(a, selectors.EVENT_WRITE)
    assert len(sel.select()) == 6
    sel.close()
    for a, b in pairs:
        a.close()
        b.close()


def test_selector_still_waits_when_nothing_is_ready(
        virtual_hub: Hub, pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    sel = selectors.DefaultSelector()
    key = sel.register(b, selectors.EVENT_READ)
    assert sel.select(1.0) == []
    assert virtual_hub.loop.now() == pytest.approx(1.0)
    gevent.spawn_later(2.0, a.send, b"x")
    assert sel.select(10) == [(key, selectors.EVENT_READ)]
    assert virtual_hub.loop.now() == pytest.approx(3.0)
    sel.close()


def test_poll_checks_its_arguments_as_the_stdlib_does() -> None:
    p = select.poll()
    p.register(1)
    with pytest.raises(OverflowError):
        p.poll(1 << 64)
    with pytest.raises(OverflowError):
        p.poll(2**31)
    with pytest.raises(TypeError):
        p.poll("1")
    with pytest.raises(ValueError):
        p.register(0, -1)
    with pytest.raises(OverflowError):
        p.register(0, 1 << 64)
    with pytest.raises(OverflowError):
        p.modify(1, 65536)
    with pytest.raises(FileNotFoundError):
        p.modify(7777, stdselect.POLLIN)
    with pytest.raises(KeyError):
        p.unregister(7777)


@pytest.mark.parametrize("timeout", [None, -1, -1.0, -0.1, -1e-100])
def test_poll_blocks_with_a_negative_timeout(virtual_hub: Hub, timeout: float | None) -> None:
    r, w = os.pipe()
    try:
        p = select.poll()
        p.register(r, stdselect.POLLIN)
        gevent.spawn_later(5.0, os.write, w, b"x")
        assert p.poll(timeout) == [(r, stdselect.POLLIN)]
        assert virtual_hub.loop.now() == pytest.approx(5.0)
    finally:
        os.close(r)
        os.close(w)


def test_poll_refuses_a_concurrent_poll_on_the_same_object(virtual_hub: Hub) -> None:
    r, w = os.pipe()
    try:
        p = select.poll()
        p.register(r, stdselect.POLLIN)
        first = gevent.spawn(p.poll, 10_000)
        gevent.sleep(1.0)
        with pytest.raises(RuntimeError, match="concurrent poll"):
            p.poll(0)
        os.write(w, b"x")
        assert first.get() == [(r, stdselect.POLLIN)]
    finally:
        os.close(r)
        os.close(w)


def test_poll_answers_with_the_native_flags() -> None:
    r, w = os.pipe()
    try:
        p = select.poll()
        p.register(r, stdselect.POLLIN)
        os.close(w)
        assert p.poll(0) == [(r, stdselect.POLLHUP)]
    finally:
        os.close(r)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="out-of-band data on Linux TCP")
def test_select_and_poll_report_out_of_band_data(listener: socket.socket) -> None:
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    try:
        server.send(b"!", stdsocket.MSG_OOB)
        gevent.sleep(0.05)
        assert select.select([], [], [client], 1.0) == ([], [], [client])
        p = select.poll()
        p.register(client, stdselect.POLLPRI)
        assert p.poll(1000) == [(client.fileno(), stdselect.POLLPRI)]
    finally:
        client.close()
        server.close()


def test_select_calls_fileno_as_the_stdlib_does() -> None:
    # The stdlib walks the list it was given: a fileno() that shortens it is seen.
    objs: list[object] = []
    r, w = os.pipe()

    class Shrinking:
        def fileno(self) -> int:
            del objs[-1]
            return w

    objs[:] = [Shrinking()] * 10
    try:
        assert select.select([], objs, [], 0) == ([], objs[:5], [])
    finally:
        os.close(r)
        os.close(w)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="out-of-band data on Linux TCP")
def test_selector_read_readiness_ignores_out_of_band_data_like_the_stdlib(
        listener: socket.socket) -> None:
    import selectors as stdselectors

    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    ours = selectors.DefaultSelector()
    theirs = stdselectors.PollSelector()
    try:
        server.send(b"!", stdsocket.MSG_OOB)
        gevent.sleep(0.05)
        ours.register(client, selectors.EVENT_READ)
        theirs.register(client.fileno(), stdselectors.EVENT_READ)
        expected = [events for _key, events in theirs.select(0)]
        assert [events for _key, events in ours.select(0)] == expected
    finally:
        ours.close()
        theirs.close()
        client.close()
        server.close()


@pytest.mark.parametrize("timeout", [0, None])
def test_a_selector_answering_at_once_still_lets_other_greenlets_run(timeout: float | None) -> None:
    # Regression: with the kernel's answer taken first, select(0), and select()
    # on a ready descriptor, returned without a switch, so a loop polling them
    # (asyncio on patched selectors) starved every other greenlet.
    a, b = socket.socketpair()
    ran: list[bool] = []
    try:
        with selectors.GeventSelector() as sel:
            sel.register(a, selectors.EVENT_WRITE)  # writable at once
            gevent.spawn(ran.append, True)
            sel.select(timeout)
        assert ran == [True]
    finally:
        a.close()
        b.close()
