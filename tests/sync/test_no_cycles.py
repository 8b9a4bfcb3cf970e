"""Timeouts, kills and errors leave no reference cycles behind.

A cycle through a traceback keeps whole frames (and the sockets, queues and
greenlets their locals hold) alive until the garbage collector runs; gevent's
compiled build makes none, and neither must we.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import assert_no_reference_cycles

import gevent
from gevent import Timeout
from gevent.event import AsyncResult, Event
from gevent.hub import Hub
from gevent.lock import Semaphore
from gevent.queue import Empty, Full, Queue


def _event_wait() -> None:
    assert Event().wait(0.5) is False


def _queue_get() -> None:
    with pytest.raises(Empty):
        Queue().get(timeout=0.5)


def _queue_put() -> None:
    q: Queue = Queue(1)
    q.put(1)
    with pytest.raises(Full):
        q.put(2, timeout=0.5)


def _semaphore_acquire() -> None:
    assert Semaphore(0).acquire(timeout=0.5) is False


def _async_result_get() -> None:
    with pytest.raises(Timeout):
        AsyncResult().get(timeout=0.5)


def _with_timeout_sleep() -> None:
    with pytest.raises(Timeout):
        with Timeout(0.5):
            gevent.sleep(5)


def _kill_sleeping_greenlet() -> None:
    g = gevent.spawn(gevent.sleep, 5)
    gevent.joinall([g], timeout=0.5)
    g.kill()


def _greenlet_error_thrown_while_waiting() -> None:
    g = gevent.spawn(gevent.sleep, 5)
    gevent.sleep(0)
    g.kill(KeyError("boom"), block=True)
    assert isinstance(g.exception, KeyError)


def _kill_blocked(wait: Callable[[], object]) -> None:
    g = gevent.spawn(wait)
    gevent.sleep(0)
    g.kill()


def _kill_event_waiter() -> None:
    _kill_blocked(Event().wait)


def _kill_queue_getter() -> None:
    _kill_blocked(Queue().get)


def _kill_queue_putter() -> None:
    q: Queue = Queue(1)
    q.put(1)
    _kill_blocked(lambda: q.put(2))


def _kill_semaphore_acquirer() -> None:
    _kill_blocked(Semaphore(0).acquire)


def _kill_joiner() -> None:
    other = gevent.spawn(gevent.sleep, 5)
    _kill_blocked(other.join)
    other.kill()


@pytest.mark.parametrize("operation", [
    _event_wait, _queue_get, _queue_put, _semaphore_acquire, _async_result_get,
    _with_timeout_sleep, _kill_sleeping_greenlet, _greenlet_error_thrown_while_waiting,
    _kill_event_waiter, _kill_queue_getter, _kill_queue_putter, _kill_semaphore_acquirer,
    _kill_joiner,
], ids=lambda f: f.__name__.strip("_"))
def test_no_reference_cycles(virtual_hub: Hub, operation: Callable[[], None]) -> None:
    virtual_hub.print_exception = lambda *args: None  # type: ignore[method-assign]
    assert_no_reference_cycles(operation)
