"""Primitives shared by native threads: each thread waits in its own hub (or natively).

These use real threads and real time; timeouts are only safety nets, so the
tests finish as soon as the wake-ups arrive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import gevent
from gevent._hub_local import get_hub_if_exists
from gevent.event import AsyncResult, Event
from gevent.lock import Semaphore
from gevent.queue import Channel, Queue

SAFETY = 10.0


def _run_in_thread(target: Callable[[], Any], with_hub: bool = True) -> threading.Thread:
    """Start a thread running ``target``; with ``with_hub``, in a greenlet of its own hub."""

    def main() -> None:
        try:
            if with_hub:
                gevent.spawn(target).get()
            else:
                target()
        finally:
            hub = get_hub_if_exists()
            if hub is not None:
                hub.destroy(destroy_loop=True)

    t = threading.Thread(target=main, daemon=True)
    t.start()
    return t


def test_event_waited_on_in_several_threads() -> None:
    event = Event()
    ready = threading.Semaphore(0)
    results: list[bool] = []
    lock = threading.Lock()

    def waiter_greenlets() -> None:
        def one() -> None:
            ready.release()
            got = event.wait(SAFETY)
            with lock:
                results.append(got)

        gevent.joinall([gevent.spawn(one) for _ in range(3)])

    def native_waiter() -> None:
        ready.release()
        got = event.wait(SAFETY)
        with lock:
            results.append(got)
        assert get_hub_if_exists() is None  # blocked natively, no hub grown

    threads = [_run_in_thread(waiter_greenlets) for _ in range(3)]
    threads.append(_run_in_thread(native_waiter, with_hub=False))
    for _ in range(10):
        assert ready.acquire(timeout=SAFETY)
    local_result: list[bool] = []
    g = gevent.spawn(lambda: local_result.append(event.wait(SAFETY)))
    gevent.sleep(0)
    event.set()
    g.join()
    for t in threads:
        t.join(SAFETY)
        assert not t.is_alive()
    assert results == [True] * 10
    assert local_result == [True]


def test_semaphore_released_from_thread_wakes_greenlet() -> None:
    sem = Semaphore(0)
    blocked = threading.Event()

    def releaser() -> None:
        assert blocked.wait(SAFETY)
        sem.release()

    t = _run_in_thread(releaser, with_hub=False)
    gevent.get_hub().loop.run_callback(blocked.set)
    assert sem.acquire(timeout=SAFETY) is True
    t.join(SAFETY)
    assert sem.counter == 0


def test_greenlet_in_thread_woken_by_release_here() -> None:
    sem = Semaphore(0)
    acquired = threading.Event()
    waiting = threading.Event()

    def acquirer() -> None:
        gevent.get_hub().loop.run_callback(waiting.set)
        if sem.acquire(timeout=SAFETY):
            acquired.set()

    t = _run_in_thread(acquirer)
    assert waiting.wait(SAFETY)
    sem.release()
    assert acquired.wait(SAFETY)
    t.join(SAFETY)
    assert not t.is_alive()


def test_async_result_set_from_thread() -> None:
    result = AsyncResult()
    t = _run_in_thread(lambda: result.set("from thread"), with_hub=False)
    assert result.get(timeout=SAFETY) == "from thread"
    t.join(SAFETY)


def test_async_result_exception_from_thread_with_hub() -> None:
    result = AsyncResult()

    def fail() -> None:
        gevent.sleep(0.01)
        result.set_exception(KeyError("boom"))

    t = _run_in_thread(fail)
    try:
        result.get(timeout=SAFETY)
    except KeyError:
        pass
    else:
        raise AssertionError("expected KeyError")
    t.join(SAFETY)


def test_queue_between_threads_keeps_every_item_in_order() -> None:
    q: Queue = Queue(4)
    n = 300

    def producer() -> None:
        for i in range(n):
            q.put(i, timeout=SAFETY)

    t = _run_in_thread(producer)
    got = [q.get(timeout=SAFETY) for _ in range(n)]
    t.join(SAFETY)
    assert got == list(range(n))


def test_queue_consumers_in_two_threads() -> None:
    q: Queue = Queue()
    n = 200
    out: list[int] = []
    lock = threading.Lock()

    def consumer() -> None:
        while True:
            item = q.get(timeout=SAFETY)
            if item is None:
                return
            with lock:
                out.append(item)

    threads = [_run_in_thread(consumer), _run_in_thread(consumer, with_hub=False)]
    for i in range(n):
        q.put(i)
        if i % 50 == 0:
            gevent.sleep(0)
    q.put(None)
    q.put(None)
    for t in threads:
        t.join(SAFETY)
        assert not t.is_alive()
    assert sorted(out) == list(range(n))


def test_channel_between_threads() -> None:
    channel = Channel()

    def producer() -> None:
        for i in range(20):
            channel.put(i, timeout=SAFETY)

    t = _run_in_thread(producer)
    assert [channel.get(timeout=SAFETY) for _ in range(20)] == list(range(20))
    t.join(SAFETY)


def test_semaphore_mutual_exclusion_across_threads() -> None:
    sem = Semaphore(1)
    inside = [0]
    worst = [0]
    rounds = 200

    def worker() -> None:
        def one() -> None:
            for _ in range(rounds):
                assert sem.acquire(timeout=SAFETY)
                inside[0] += 1
                worst[0] = max(worst[0], inside[0])
                gevent.sleep(0)
                inside[0] -= 1
                sem.release()

        gevent.joinall([gevent.spawn(one) for _ in range(2)], raise_error=True)

    threads = [_run_in_thread(worker), _run_in_thread(worker)]
    for t in threads:
        t.join(SAFETY * 3)
        assert not t.is_alive()
    assert worst[0] == 1
    assert sem.counter == 1
