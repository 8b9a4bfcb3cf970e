"""Event and AsyncResult in one thread, on the virtual clock."""

from __future__ import annotations

import pytest
from helpers import wait_all_blocked

import gevent
from gevent.event import AsyncResult, Event
from gevent.hub import Hub


def test_wait_returns_true_when_set_then_cleared(virtual_hub: Hub) -> None:
    event = Event()
    results: list[bool] = []
    waiters = [gevent.spawn(lambda: results.append(event.wait())) for _ in range(3)]
    gevent.sleep(0)
    event.set()
    event.clear()
    gevent.joinall(waiters)
    assert results == [True, True, True]


def test_wait_times_out_false(virtual_hub: Hub) -> None:
    assert Event().wait(5) is False


def test_waiters_woken_in_order(virtual_hub: Hub) -> None:
    event = Event()
    order: list[int] = []

    def waiter(i: int) -> None:
        event.wait()
        order.append(i)

    gs = [gevent.spawn(waiter, i) for i in range(5)]
    wait_all_blocked()
    event.set()
    gevent.joinall(gs)
    assert order == [0, 1, 2, 3, 4]


def test_rawlink_called_once_and_unlinked(virtual_hub: Hub) -> None:
    event = Event()
    calls: list[object] = []
    event.rawlink(calls.append)
    assert event.linkcount() == 1
    event.set()
    gevent.sleep(0)
    event.set()
    gevent.sleep(0)
    assert calls == [event]
    assert event.linkcount() == 0


def test_unlink_during_notification_skips_link(virtual_hub: Hub) -> None:
    event = Event()
    calls: list[str] = []

    def first(_: object) -> None:
        calls.append("first")
        event.unlink(second)

    def second(_: object) -> None:
        calls.append("second")

    event.rawlink(first)
    event.rawlink(second)
    event.set()
    gevent.sleep(0)
    assert calls == ["first"]


def test_gevent_wait_on_events(virtual_hub: Hub) -> None:
    a, b = Event(), Event()
    gevent.spawn_later(2, b.set)
    assert gevent.wait([a, b], count=1) == [b]
    assert gevent.wait([a], timeout=1) == []


def test_async_result_value_and_exception(virtual_hub: Hub) -> None:
    result = AsyncResult()
    gevent.spawn_later(1, result.set, 42)
    assert result.get() == 42
    assert result.successful() and result.done() and result.value == 42
    failed = AsyncResult()
    failed.set_exception(KeyError("k"))
    with pytest.raises(KeyError):
        failed.get()
    assert failed.wait() is None
    assert failed.exc_info[0] is KeyError


def test_async_result_timeouts(virtual_hub: Hub) -> None:
    result = AsyncResult()
    with pytest.raises(gevent.Timeout):
        result.get(block=False)
    with pytest.raises(gevent.Timeout):
        result.get(timeout=3)
    assert result.wait(3) is None
    assert result.exc_info == ()
    assert result.cancel() is False and result.cancelled() is False


def test_async_result_as_link_target(virtual_hub: Hub) -> None:
    result = AsyncResult()
    g = gevent.spawn(lambda: 7)
    g.link(result)
    assert result.get() == 7
    bad = AsyncResult()
    g2 = gevent.spawn(lambda: 1 / 0)
    g2.link(bad)
    with pytest.raises(ZeroDivisionError):
        bad.get()


def test_lone_waiter_woken_directly_keeps_order_and_survives_give_up(virtual_hub: Hub) -> None:
    # A lone waiter of this thread is woken by queueing its own switch; a
    # rawlink added after set() still runs after it, and a waiter killed
    # between set() and its wake-up neither breaks nor loses the wake-up.
    ev = Event()
    order: list[str] = []

    def waiter() -> None:
        assert ev.wait() is True
        order.append("waiter")

    g = gevent.spawn(waiter)
    gevent.sleep(0)
    ev.set()
    ev.rawlink(lambda _: order.append("link"))
    gevent.sleep(0)
    g.join()
    assert order == ["waiter", "link"]

    ev.clear()
    g2 = gevent.spawn(ev.wait)
    gevent.sleep(0)
    ev.set()
    g2.kill()  # the queued wake-up finds a finished waiter: ignored
    gevent.sleep(0)
    assert g2.dead and ev.linkcount() == 0
    ev.clear()
    g3 = gevent.spawn(ev.wait, 5)
    gevent.sleep(0)
    ev.set()
    assert g3.get() is True


class _Interrupt(Exception):
    pass


def _interrupted_then_waits_again(event: Event, later: Event, outcome: list[object]) -> None:
    try:
        event.wait()
        outcome.append("woken")
    except _Interrupt:
        outcome.append("interrupted")
    # A wake-up for the first wait that was not disarmed would land here.
    outcome.append(later.wait(1))


def test_interrupted_waiter_ignores_its_queued_wakeup(virtual_hub: Hub) -> None:
    # Regression: set() queues the lone waiter's switch directly; a waiter
    # interrupted before that switch runs must cancel it, or it would wake the
    # greenlet from whatever it blocks on next.
    event, later = Event(), Event()
    outcome: list[object] = []
    g = gevent.spawn(_interrupted_then_waits_again, event, later, outcome)
    gevent.sleep(0)
    g.kill(_Interrupt, block=False)  # queues the throw first
    event.set()  # then the switch
    g.join()
    assert outcome == ["interrupted", False]
    assert g.successful()


def test_waiter_interrupted_after_a_set_from_another_thread(virtual_hub: Hub) -> None:
    # The same, with the wake-up queued from a native thread.
    import threading

    event, later = Event(), Event()
    outcome: list[object] = []
    g = gevent.spawn(_interrupted_then_waits_again, event, later, outcome)
    gevent.sleep(0)
    g.kill(_Interrupt, block=False)
    setter = threading.Thread(target=event.set)
    setter.start()
    setter.join()  # blocks the hub too: the wake-up is queued behind the throw
    g.join()
    assert outcome == ["interrupted", False]
    assert event.linkcount() == 0


def test_timed_wait_woken_and_timed_out_together_reports_true(virtual_hub: Hub) -> None:
    # The timer's throw runs before the queued switch: the wait still saw the set.
    event = Event()
    results: list[bool] = []
    g = gevent.spawn(lambda: results.append(event.wait(1)))
    gevent.sleep(0)

    def set_when_due() -> None:
        event.set()

    virtual_hub.loop.timer(1).start(set_when_due)
    g.join()
    assert results == [True]
