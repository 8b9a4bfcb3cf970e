"""Primitives shared by native threads: each thread waits in its own hub (or natively).

These use real threads and real time; timeouts are only safety nets, so the
tests finish as soon as the wake-ups arrive.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest
from helpers import buffer_drained_by_a_thread

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
    waiting = threading.Event()

    def fail() -> None:
        assert waiting.wait(SAFETY)
        result.set_exception(KeyError("boom"))

    t = _run_in_thread(fail)
    # Runs once the get() below has parked this greenlet and the hub takes over.
    gevent.get_hub().loop.run_callback(waiting.set)
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


@pytest.mark.parametrize("maxsize", [None, 3])
def test_queue_many_threads_each_item_once_and_join(maxsize: int | None) -> None:
    # Unbounded queues put without their lock, and every fast queue gets
    # without it: with a tiny switch interval, threads interleave inside those
    # paths. Every item must arrive exactly once, and join() must wait for all.
    import sys

    q: Queue = Queue(maxsize)
    producers, consumers, per_producer = 3, 3, 1500
    out: list[tuple[int, int]] = []
    out_lock = threading.Lock()

    def producer(pid: int) -> None:
        for i in range(per_producer):
            q.put((pid, i), timeout=SAFETY)

    def consumer() -> None:
        while True:
            item = q.get(timeout=SAFETY)
            if item is None:
                q.task_done()
                return
            with out_lock:
                out.append(item)
            q.task_done()

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [_run_in_thread(consumer, with_hub=(c != 0)) for c in range(consumers)]
        threads += [_run_in_thread(lambda pid=pid: producer(pid), with_hub=(pid != 0))
                    for pid in range(producers)]
        for t in threads[consumers:]:
            t.join(SAFETY)
            assert not t.is_alive()
        for _ in range(consumers):
            q.put(None, timeout=SAFETY)
        assert q.join(timeout=SAFETY)
        for t in threads[:consumers]:
            t.join(SAFETY)
            assert not t.is_alive()
    finally:
        sys.setswitchinterval(old_interval)
    assert q.unfinished_tasks == 0
    assert q.qsize() == 0
    assert sorted(out) == [(p, i) for p in range(producers) for i in range(per_producer)]


@pytest.mark.parametrize("maxsize", [None, 1])
def test_queue_ping_pong_between_threads_loses_no_wakeup(maxsize: int | None) -> None:
    # One item at a time each way: a getter that parks just as an unlocked put
    # lands (or a putter just as an unlocked get makes room) must still be
    # served, or both sides stall until the safety timeout.
    import sys

    there: Queue = Queue(maxsize)
    back: Queue = Queue(maxsize)
    rounds = 3000

    def echo() -> None:
        # A sleeping greenlet keeps this hub from raising LoopExit while the
        # untimed get() (the inlined park) waits for the other thread.
        keeper = gevent.spawn(gevent.sleep, SAFETY)
        for _ in range(rounds):
            back.put(there.get())
        keeper.kill()

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    keeper = gevent.spawn(gevent.sleep, SAFETY)
    try:
        t = _run_in_thread(echo)
        for i in range(rounds):
            there.put(i)
            assert back.get() == i
        t.join(SAFETY)
        assert not t.is_alive()
    finally:
        keeper.kill()
        sys.setswitchinterval(old_interval)


class _RacingDeque(deque):  # type: ignore[type-arg]
    """A queue buffer that runs ``race`` in another thread at the ``fire_at``-th
    read of its length under ``lock``, then answers with the length from before."""

    def __init__(self, lock: Any, fire_at: int, race: Callable[[], Any]) -> None:
        super().__init__()
        self.lock = lock
        self.countdown = fire_at
        self.race = race
        self.fired = False

    def __len__(self) -> int:
        n = super().__len__()
        if not self.fired and self.lock.locked():
            self.countdown -= 1
            if not self.countdown:
                self.fired = True
                t = threading.Thread(target=self.race)
                t.start()
                t.join(SAFETY)
        return n

    def __bool__(self) -> bool:
        # deque's own truth test skips a Python __len__ before 3.11.
        return len(self) > 0


@pytest.mark.parametrize(("timeout", "fire_at"), [(None, 1), (SAFETY, 2)])
def test_getter_parking_as_an_unlocked_put_lands_is_served(timeout: float | None,
                                                           fire_at: int) -> None:
    # Regression for the lock-free put: the put lands after the getter saw an
    # empty buffer and before it joined the line, and sees no getter. The
    # getter must notice the item once it is in the line.
    q: Queue = Queue()
    q.put("done later")  # an unfinished task, so the racing put needs no lock at all
    q.get()
    racing = q.queue = _RacingDeque(q._lock, fire_at, lambda: q.put("raced"))
    with gevent.Timeout(SAFETY):
        assert q.get(timeout=timeout) == "raced"
    assert racing.fired
    assert not q.getters and q.qsize() == 0


def test_putter_parking_as_an_unlocked_get_makes_room_is_served() -> None:
    # The same for a bounded queue: an unlocked get makes room after the putter
    # saw it full and before it joined the line.
    q: Queue = Queue(1)
    taken: list[Any] = []
    racing = q.queue = _RacingDeque(q._lock, 2, lambda: taken.append(q.get()))
    racing.append("first")
    with gevent.Timeout(SAFETY):
        q.put("second")
    assert racing.fired
    assert taken == ["first"]
    assert q.get_nowait() == "second"
    assert not q.putters


def _release_from_hubless_thread(sem: Semaphore) -> None:
    t = threading.Thread(target=sem.release)
    t.start()
    t.join(SAFETY)


def test_release_from_hubless_thread_skips_rawlinks_when_counting_turns() -> None:
    # Regression (gevent issue 2013's scenario): a rawlink first in line took
    # the one turn a release from another thread hands out, and the greenlets
    # waiting behind it were never woken.
    sem = Semaphore(0)
    notified: list[object] = []
    sem.rawlink(notified.append)
    order: list[int] = []

    def waiter(i: int) -> None:
        sem.acquire()
        order.append(i)
        sem.release()

    waiters = [gevent.spawn(waiter, i) for i in range(3)]
    gevent.sleep(0)
    assert sem.linkcount() == 4
    _release_from_hubless_thread(sem)
    gevent.joinall(waiters, timeout=SAFETY)
    assert notified == [sem]
    assert order == [0, 1, 2]


def test_wait_woken_from_another_thread_passes_the_turn_on() -> None:
    # wait() takes no unit: woken by a release from another thread, it must
    # let the acquirer behind it have the unit.
    sem = Semaphore(0)
    events: list[str] = []

    def waiter() -> None:
        sem.wait()
        events.append("waited")

    def acquirer() -> None:
        sem.acquire()
        events.append("acquired")

    gs = [gevent.spawn(waiter), gevent.spawn(acquirer)]
    gevent.sleep(0)
    _release_from_hubless_thread(sem)
    gevent.joinall(gs, timeout=SAFETY)
    assert events == ["waited", "acquired"]
    assert sem.counter == 0


def test_unlocked_put_counts_its_task_before_the_item_can_be_taken() -> None:
    # Regression: an unlocked put appended the item, then its task token; another
    # thread could take the item and call task_done() in between, which failed
    # with "task_done() called too many times" and left join() off by one.
    q: Queue = Queue()
    errors: list[BaseException] = []

    q.queue = buffer_drained_by_a_thread(q, errors, SAFETY)
    q.put("item")
    assert q.queue.fired
    assert errors == []
    assert q.unfinished_tasks == 0
    assert q.join(timeout=0) is True
