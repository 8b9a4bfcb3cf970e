"""Queues in one thread, on the virtual clock."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import gevent
from gevent.hub import Hub
from gevent.queue import (
    Channel,
    Empty,
    Full,
    JoinableQueue,
    LifoQueue,
    PriorityQueue,
    Queue,
    ShutDown,
    SimpleQueue,
)


def test_maxsize_rules() -> None:
    assert JoinableQueue is Queue
    assert Queue(None).maxsize is None
    assert Queue(-3).maxsize is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert Queue(0).maxsize is None
    assert caught and issubclass(caught[0].category, DeprecationWarning)
    with pytest.raises(ValueError, match="maxsize of 1"):
        Channel(2)


def test_orders() -> None:
    lifo = LifoQueue()
    prio = PriorityQueue()
    for i in (1, 2, 3):
        lifo.put(i)
    for i in (2, 0, 1):
        prio.put(i)
    assert [lifo.get() for _ in range(3)] == [3, 2, 1]
    assert [prio.get() for _ in range(3)] == [0, 1, 2]


def test_empty_full_and_len(virtual_hub: Hub) -> None:
    q = SimpleQueue(1)
    assert bool(q) and len(q) == 0
    with pytest.raises(Empty):
        q.get(block=False)
    with pytest.raises(Empty):
        q.get(timeout=1)
    q.put(1)
    assert q.full() and len(q) == 1
    with pytest.raises(Full):
        q.put(2, timeout=1)
    with pytest.raises(ValueError):
        q.put(2, timeout=-1)
    assert q.peek() == 1 and q.qsize() == 1


def test_blocked_putters_and_getters_fifo(virtual_hub: Hub) -> None:
    q = Queue(1)
    got: list[int] = []
    q.put(0)
    putters = [gevent.spawn(q.put, i) for i in (1, 2, 3)]
    gevent.sleep(0)
    while len(got) < 4:
        got.append(q.get())
    gevent.joinall(putters)
    assert got == [0, 1, 2, 3]
    results: list[int] = []
    getters = [gevent.spawn(lambda: results.append(q.get())) for _ in range(3)]
    gevent.sleep(0)
    for i in range(3):
        q.put(i)
    gevent.joinall(getters)
    assert results == [0, 1, 2]


def test_iteration_stops_at_stopiteration(virtual_hub: Hub) -> None:
    q = Queue(items=[1, 2, StopIteration])
    assert list(q) == [1, 2]


def test_copy_keeps_tasks() -> None:
    q = Queue(5, [1, 2, 3])
    q.get()
    c = q.copy()
    assert list(c.queue) == [2, 3] and c.unfinished_tasks == 3 and c.maxsize == 5


def test_join_and_task_done(virtual_hub: Hub) -> None:
    q = Queue()
    assert q.join() is True
    q.put("x")
    assert q.join(timeout=1) is False
    q.get()
    q.task_done()
    assert q.join() is True
    with pytest.raises(ValueError, match="too many times"):
        q.task_done()


def test_shutdown_wakes_blocked_callers(virtual_hub: Hub) -> None:
    q = Queue()
    errors: list[type] = []

    def getter() -> None:
        try:
            q.get()
        except ShutDown:
            errors.append(ShutDown)

    g = gevent.spawn(getter)
    gevent.sleep(0)
    q.shutdown()
    g.join()
    assert errors == [ShutDown]
    with pytest.raises(ShutDown):
        q.put(1)


def test_shutdown_immediate_drains() -> None:
    q = Queue()
    q.put(1)
    q.put(2)
    q.shutdown(immediate=True)
    assert q.qsize() == 0 and q.unfinished_tasks == 0
    with pytest.raises(ShutDown):
        q.get()


def test_channel_rendezvous(virtual_hub: Hub) -> None:
    channel = Channel()
    events: list[str] = []

    def consumer() -> None:
        events.append(channel.get())

    gevent.spawn(consumer)
    channel.put("hi")
    events.append("put returned")
    assert events == ["hi", "put returned"]
    assert channel.qsize() == 0 and channel.empty() and channel.full()
    with pytest.raises(Full):
        channel.put_nowait(1)


def test_get_from_hub_never_blocks(virtual_hub: Hub) -> None:
    q = Queue()
    results: list[object] = []

    def in_hub() -> None:
        try:
            q.get()
        except Empty:
            results.append(Empty)

    virtual_hub.loop.run_callback(in_hub)
    gevent.sleep(0)
    assert results == [Empty]


def test_cancelled_getter_does_not_eat_item(virtual_hub: Hub) -> None:
    q = Queue()
    g = gevent.spawn(q.get)
    gevent.sleep(0)
    g.kill()
    q.put("item")
    assert q.get() == "item"


def test_subclass_hooks_bypass_the_fast_path(virtual_hub: Hub) -> None:
    # put/get go straight to the deque only when no item hook is overridden.
    class Doubling(Queue):
        def _put(self, item: int) -> None:
            self.queue.append(item * 2)

    class Counting(Queue):
        puts = 0

        def _on_put(self) -> None:
            Counting.puts += 1
            Queue._on_put(self)

    class Plain(SimpleQueue):
        pass

    assert Queue._fast == 2 and SimpleQueue._fast == 1 and Plain._fast == 1
    assert Doubling._fast == 0 and Counting._fast == 0
    assert PriorityQueue._fast == 0 and LifoQueue._fast == 0
    d = Doubling()
    d.put(3)
    assert d.get() == 6
    c = Counting()
    c.put(1)
    c.put(2)
    assert Counting.puts == 2 and c.unfinished_tasks == 2 and not c._cond.is_set()
    prio = PriorityQueue()
    waiter = gevent.spawn(prio.get)
    gevent.sleep(0)
    prio.put(2)
    prio.put(1)
    assert waiter.get() == 2 and prio.get() == 1


def test_put_hands_item_to_the_one_waiting_getter(virtual_hub: Hub) -> None:
    q = Queue()
    got = gevent.spawn(q.get)
    gevent.sleep(0)
    q.put("a")
    q.put("b")
    assert q.unfinished_tasks == 2 and not q._cond.is_set()
    assert got.get() == "a" and list(q.queue) == ["b"]


def test_task_done_racing_a_put_from_another_thread_keeps_join_waiting() -> None:
    # Regression: task_done set the join event after releasing the queue lock, so a
    # put from another thread in between cleared it first and join() returned early.
    import threading

    from gevent.event import Event
    from gevent.queue import Queue

    q = Queue()
    q.put("a")
    q.get()
    racer = threading.Thread(target=q.put, args=("b",))

    class RacingEvent(Event):
        def set(self) -> None:
            if not racer.is_alive() and racer.ident is None:
                racer.start()
                racer.join(0.2)  # blocks on the queue lock once the fix is in
            super().set()

    q._cond = RacingEvent()
    q.task_done()
    racer.join(10)
    assert q.unfinished_tasks == 1
    assert q.join(timeout=0) is False


class _FailingPutQueue:
    """Builds a Queue subclass whose next _put (or _get) raises once."""

    @staticmethod
    def make(maxsize: int) -> Any:
        from gevent.queue import Queue

        class Failing(Queue):
            fail_put = False
            fail_get = False

            def _put(self, item: Any) -> None:
                if self.fail_put:
                    self.fail_put = False
                    raise KeyError("put hook")
                super()._put(item)

            def _get(self) -> Any:
                if self.fail_get:
                    self.fail_get = False
                    raise KeyError("get hook")
                return super()._get()

        return Failing(maxsize)


def test_failing_put_hook_reaches_the_parked_putter_not_the_getter(virtual_hub: Any) -> None:
    # Regression (test__monkey_queue): the error surfaced in the get that made room.
    import gevent

    q = _FailingPutQueue.make(1)
    q.put(1)
    q.fail_put = True
    putter = gevent.spawn(q.put, 2)
    gevent.sleep(0)
    assert q.get() == 1
    with pytest.raises(KeyError, match="put hook"):
        putter.get()
    assert q.empty()


def test_failing_get_hook_reaches_the_parked_getter_and_keeps_the_item(virtual_hub: Any) -> None:
    import gevent

    q = _FailingPutQueue.make(1)
    q.fail_get = True
    getter = gevent.spawn(q.get)
    gevent.sleep(0)
    q.put("x")
    with pytest.raises(KeyError, match="get hook"):
        getter.get()
    assert q.get() == "x"


class _Interrupt(Exception):
    pass


def _get_interrupted_then_wait(get: Any, outcome: list[object]) -> None:
    from gevent.event import Event

    try:
        outcome.append(get())
    except _Interrupt:
        outcome.append("interrupted")
    # A wake-up for the get that was not disarmed would land here.
    outcome.append(Event().wait(1))


@pytest.mark.parametrize("timeout", [None, 5])
def test_getter_interrupted_after_hand_off_gives_item_back(virtual_hub: Hub,
                                                           timeout: Any) -> None:
    # Regression: put() hands the item to the lone getter and queues its switch;
    # a getter interrupted before that switch runs cancels it and returns the item.
    q: Queue = Queue()
    outcome: list[object] = []
    g = gevent.spawn(_get_interrupted_then_wait, lambda: q.get(timeout=timeout), outcome)
    gevent.sleep(0)
    g.kill(_Interrupt, block=False)
    q.put("item")
    g.join()
    assert outcome == ["interrupted", False]
    assert g.successful()
    assert q.get_nowait() == "item"
    assert not q.getters


def test_getter_interrupted_after_a_put_from_another_thread(virtual_hub: Hub) -> None:
    import threading

    q: Queue = Queue()
    outcome: list[object] = []
    g = gevent.spawn(_get_interrupted_then_wait, q.get, outcome)
    gevent.sleep(0)
    g.kill(_Interrupt, block=False)
    putter = threading.Thread(target=q.put, args=("item",))
    putter.start()
    putter.join()  # blocks the hub too: the wake-up is queued behind the throw
    g.join()
    assert outcome == ["interrupted", False]
    assert q.get_nowait() == "item"


def test_stray_switch_into_blocked_get_raises_and_leaves_the_line(virtual_hub: Hub) -> None:
    from gevent.exceptions import InvalidSwitchError

    q: Queue = Queue()
    g = gevent.spawn(q.get)
    gevent.sleep(0)
    assert len(q.getters) == 1
    virtual_hub.loop.run_callback(g.switch, "stray")
    g.join()
    assert isinstance(g.exception, InvalidSwitchError)
    assert not q.getters
    q.put(1)
    assert q.get_nowait() == 1


def test_putter_interrupted_after_its_item_went_in_adds_nothing(virtual_hub: Hub) -> None:
    # Regression: a parked putter killed after get() had moved its item in went
    # on to "give back" its (already emptied) item, adding a None to the queue
    # and overfilling it.
    q: Queue = Queue(1)
    q.put("first")
    putter = gevent.spawn(q.put, "second")
    gevent.sleep(0)
    putter.kill(block=False)  # the throw is queued before get() wakes it
    assert q.get() == "first"
    putter.join()
    assert list(q.queue) == ["second"]
    assert q.qsize() == 1 and q.full()
