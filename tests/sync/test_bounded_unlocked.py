"""Bounded queues without the lock: room tokens (see gevent._sync._queue).

A plain bounded queue under the GIL keeps one token per free slot in
``q._room`` (further free slots in ``q._spare``): a put takes a token with an
atomic pop before it appends, a get gives one back after it takes an item.
These tests force each race window deterministically (a token list whose pop
or append runs another thread's step at the chosen moment), check the slot
count after every change, and run producers and consumers in several threads
with a 1 us switch interval.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import buffer_drained_by_a_thread

import gevent
from gevent._sync import _parking, _queue
from gevent.hub import Hub
from gevent.queue import Full, LifoQueue, PriorityQueue, Queue, ShutDown, SimpleQueue

SAFETY = 10.0


def _slots(q: Any) -> int:
    # Items, tokens and spare slots: equal to maxsize whenever no put or get
    # is between its two steps.
    return q.qsize() + len(q._room) + q._spare


def _in_thread(step: Callable[[], Any]) -> None:
    # Run ``step`` in a thread without a hub and wait for it.
    errors: list[BaseException] = []

    def main() -> None:
        try:
            step()
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=main)
    t.start()
    t.join(SAFETY)
    assert not t.is_alive()
    if errors:
        raise errors[0]


class _RacingRoom(list):  # type: ignore[type-arg]
    """A token list that runs ``race`` in another thread at its ``fire_at``-th
    pop (``under_lock``: only pops made while ``lock`` is held count), or at
    its first append; the pop's own result (or IndexError) is kept."""

    def __init__(self, tokens: int, race: Callable[[], Any], *, lock: Any = None,
                 fire_at: int = 1, on: str = "pop") -> None:
        super().__init__([None] * tokens)
        self.race = race
        self.lock = lock
        self.countdown = fire_at
        self.on = on
        self.fired = False

    def _maybe_fire(self) -> None:
        if self.fired:
            return
        if self.lock is not None and not self.lock.locked():
            return
        self.countdown -= 1
        if not self.countdown:
            self.fired = True
            _in_thread(self.race)

    def pop(self, *args: Any) -> Any:
        if self.on != "pop":
            return super().pop(*args)
        try:
            token = super().pop(*args)
        except IndexError:
            self._maybe_fire()
            raise
        self._maybe_fire()
        return token

    def append(self, token: Any) -> None:
        super().append(token)
        if self.on == "append":
            self._maybe_fire()


@pytest.fixture
def switch_interval() -> Iterator[None]:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


# ------------------------------------------------------------- the mode


def test_plain_bounded_queues_count_room_in_tokens() -> None:
    q: Queue = Queue(3, [1])
    assert q._room_on and q._unlocked == _queue._ROOM_TASKS
    assert len(q._room) == 2 and q._spare == 0
    sq: SimpleQueue = SimpleQueue(2)
    assert sq._room_on and sq._unlocked == _queue._LOCKED  # its puts take the lock
    sq.put(1)
    sq.put(2)
    with pytest.raises(Full):
        sq.put_nowait(3)
    assert sq.get() == 1 and _slots(sq) == 2
    big: Queue = Queue(10**9)
    assert len(big._room) == _parking._ROOM_BATCH  # the rest is a number, not a list
    assert _slots(big) == 10**9
    assert not Queue()._room_on


@pytest.mark.parametrize("cls", [LifoQueue, PriorityQueue])
def test_queues_with_item_hooks_keep_the_lock(cls: Any) -> None:
    q = cls(2)
    assert not q._room_on and q._unlocked == _queue._LOCKED
    q.put(2)
    q.put(1)
    with pytest.raises(Full):
        q.put_nowait(3)
    assert q.get() == 1  # the newest, or the lowest
    q.put(3)
    with pytest.raises(Full):
        q.put_nowait(4)


def test_without_the_gil_bounded_queues_keep_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_queue, "_UNLOCKED_OK", False)
    q: Queue = Queue(2)
    assert not q._room_on and q._unlocked == _queue._LOCKED and not q._unlocked_get
    q.put(1)
    q.put(2)
    with pytest.raises(Full):
        q.put_nowait(3)
    assert [q.get(), q.get()] == [1, 2]


def test_more_items_than_room_counts_by_length() -> None:
    q: Queue = Queue(2, [1, 2, 3])
    assert not q._room_on
    with pytest.raises(Full):
        q.put_nowait(4)
    assert [q.get(), q.get(), q.get()] == [1, 2, 3]
    q.put(4)
    q.put(5)
    with pytest.raises(Full):
        q.put_nowait(6)


def test_a_bound_that_is_not_an_int_counts_by_length() -> None:
    q: Queue = Queue(2.5)  # type: ignore[arg-type]
    assert not q._room_on
    for i in range(3):
        q.put_nowait(i)
    with pytest.raises(Full):
        q.put_nowait(3)


def test_a_buffer_replaced_from_outside_counts_by_length() -> None:
    q: Queue = Queue(1)
    q.queue = deque(["already there"])  # no token was taken for it
    with pytest.raises(Full):
        q.put_nowait("one too many")
    assert not q._room_on
    assert q.get_nowait() == "already there"
    q.put_nowait("fits")
    with pytest.raises(Full):
        q.put_nowait("full again")


def test_every_path_keeps_the_slot_count() -> None:
    q: Queue = Queue(3)
    for i in range(3):
        q.put(i)
        assert _slots(q) == 3
    with pytest.raises(Full):
        q.put_nowait(3)
    assert q.peek() == 0 and _slots(q) == 3
    assert q.get() == 0 and _slots(q) == 3
    assert q.get_nowait() == 1 and _slots(q) == 3
    q.shutdown(immediate=True)
    assert q.qsize() == 0 and _slots(q) == 3
    with pytest.raises(ShutDown):
        q.put_nowait(9)


# ------------------------------------------------- parking, forced windows


@pytest.mark.parametrize("fire_at", [1, 2])
def test_putter_parking_as_a_get_gives_a_token_back_is_served(fire_at: int) -> None:
    # The put finds no token under the lock (in put's locked path, or in
    # _put_slow just before it joins the line); meanwhile a get in another
    # thread takes the item, gives its token back and sees no putter. The
    # putter must find that token once it is in the line.
    q: Queue = Queue(1)
    q.put("first")
    taken: list[Any] = []
    q._room = racing = _RacingRoom(0, lambda: taken.append(q.get()), lock=q._lock,
                                   fire_at=fire_at)
    with gevent.Timeout(SAFETY):
        q.put("second")
    assert racing.fired
    assert taken == ["first"]
    assert not q.putters
    assert q.get_nowait() == "second"
    assert _slots(q) == 1 and q.unfinished_tasks == 2


def test_get_from_a_thread_without_hub_serves_a_parked_putter(virtual_hub: Hub) -> None:
    q: Queue = Queue(1)
    q.put("first")
    putter = gevent.spawn(q.put, "second")
    gevent.sleep(0)
    assert len(q.putters) == 1
    taken: list[Any] = []
    _in_thread(lambda: taken.append(q.get()))
    assert list(q.queue) == ["second"]  # moved in under the lock by that get
    putter.join(SAFETY)
    assert putter.successful()
    assert taken == ["first"] and _slots(q) == 1


def test_put_of_another_thread_taking_a_returned_token_loses_nothing(virtual_hub: Hub) -> None:
    # The documented cross-thread race: a get gives its token back, and before
    # it looks for parked putters a put in another thread takes that token.
    # The parked putter stays parked (the queue is full again), nothing is
    # lost, the bound holds, and the next get lets the putter in.
    q: Queue = Queue(1)
    q.put("first")
    putter = gevent.spawn(q.put, "second")
    gevent.sleep(0)
    assert len(q.putters) == 1
    q._room = racing = _RacingRoom(0, lambda: q.put_nowait("intruder"), on="append")
    assert q.get() == "first"
    assert racing.fired
    assert list(q.queue) == ["intruder"] and len(q.putters) == 1
    assert q.get() == "intruder"
    assert list(q.queue) == ["second"] and not q.putters
    putter.join(SAFETY)
    assert putter.successful()
    assert q.get() == "second"
    assert _slots(q) == 1 and q.unfinished_tasks == 3


def test_put_between_its_token_and_its_append_sees_a_shutdown() -> None:
    # shutdown() lands after the put took its token and before it appended:
    # the put takes its item back, returns the token and raises ShutDown.
    q: Queue = Queue(2)
    q.put("a")
    q._room = racing = _RacingRoom(1, q.shutdown)
    with pytest.raises(ShutDown):
        q.put("b")
    assert racing.fired
    assert list(q.queue) == ["a"]
    assert q.unfinished_tasks == 1
    assert len(q._room) == 1
    assert q.get() == "a"
    with pytest.raises(ShutDown):
        q.get()


def test_put_between_its_token_and_its_append_sees_the_bound_shrink() -> None:
    # maxsize goes down from 3 to 1 while a put holds its token: the put still
    # lands (it reserved first), the queue stops counting in tokens, and the
    # new bound holds by length from then on.
    q: Queue = Queue(3)
    q.put("a")
    q.put("b")

    def shrink() -> None:
        q.maxsize = 1

    q._room = racing = _RacingRoom(1, shrink)
    q.put("c")
    assert racing.fired
    assert list(q.queue) == ["a", "b", "c"]
    assert not q._room_on
    with pytest.raises(Full):
        q.put_nowait("d")
    assert [q.get(), q.get(), q.get()] == ["a", "b", "c"]
    q.put_nowait("d")
    with pytest.raises(Full):
        q.put_nowait("e")


def test_bounded_put_counts_its_task_before_the_item_can_be_taken() -> None:
    # As for unbounded queues: once the item is in, another thread may get it
    # and call task_done() at once.
    q: Queue = Queue(5)
    errors: list[BaseException] = []

    # The queue's own buffer, so room tokens stay on.
    q.queue = q._buffer = buffer_drained_by_a_thread(q, errors, SAFETY)
    q.put("item")
    assert q.queue.fired and q._room_on
    assert errors == []
    assert q.unfinished_tasks == 0
    assert q.join(timeout=0) is True
    assert _slots(q) == 5


# ------------------------------------------------------------- maxsize


def test_growing_the_bound_lets_parked_putters_in_in_order(virtual_hub: Hub) -> None:
    q: Queue = Queue(1)
    q.put(0)
    putters = [gevent.spawn(q.put, i) for i in (1, 2, 3)]
    gevent.sleep(0)
    assert len(q.putters) == 3
    q.maxsize = 3
    assert list(q.queue) == [0, 1, 2] and len(q.putters) == 1
    assert q._room_on and _slots(q) == 3
    assert q.get() == 0
    gevent.joinall(putters, timeout=SAFETY)
    assert list(q.queue) == [1, 2, 3]


def test_growing_past_the_token_batch_and_shrinking() -> None:
    batch = _parking._ROOM_BATCH
    q: Queue = Queue(batch + 5)
    for i in range(batch + 5):
        q.put_nowait(i)
    with pytest.raises(Full):
        q.put_nowait(-1)
    assert _slots(q) == batch + 5
    q.maxsize = 3 * batch
    for i in range(2 * batch - 5):
        q.put_nowait(i)
    with pytest.raises(Full):
        q.put_nowait(-1)
    assert q._room_on and _slots(q) == 3 * batch
    q.maxsize = 10  # the buffer holds more: count by length
    assert not q._room_on
    while q.qsize() > 9:
        q.get_nowait()
    q.put_nowait("fits")
    with pytest.raises(Full):
        q.put_nowait("full")


def test_shrinking_with_enough_free_room_keeps_the_tokens() -> None:
    q: Queue = Queue(10, [1, 2])
    q.maxsize = 5
    assert q._room_on and _slots(q) == 5
    for i in range(3):
        q.put_nowait(i)
    with pytest.raises(Full):
        q.put_nowait(9)


def test_unbounded_and_back() -> None:
    q: Queue = Queue(2)
    q.maxsize = None
    assert not q._room_on and q._unlocked == _queue._PLAIN_TASKS
    for i in range(100):
        q.put_nowait(i)
    q.maxsize = 2
    assert not q._room_on and q._unlocked == _queue._LOCKED
    with pytest.raises(Full):
        q.put_nowait(100)
    for _ in range(99):
        q.get_nowait()
    q.put_nowait(100)
    with pytest.raises(Full):
        q.put_nowait(101)


# ---------------------------------------------------------- giving back


class _Interrupt(Exception):
    pass


def _get_interrupted(q: Queue, outcome: list[object]) -> None:
    try:
        outcome.append(q.get())
    except _Interrupt:
        outcome.append("interrupted")


def test_getter_giving_its_item_back_takes_a_token(virtual_hub: Hub) -> None:
    q: Queue = Queue(1)
    outcome: list[object] = []
    g = gevent.spawn(_get_interrupted, q, outcome)
    gevent.sleep(0)
    g.kill(_Interrupt, block=False)  # queued before the wake-up of the put below
    q.put("item")
    g.join()
    assert outcome == ["interrupted"]
    assert list(q.queue) == ["item"]
    assert q._room_on and _slots(q) == 1
    with pytest.raises(Full):
        q.put_nowait("more")


def test_getter_giving_back_into_a_filled_slot_goes_over_and_counts_by_length(
        virtual_hub: Hub) -> None:
    # The slot was taken by another put meanwhile: the item goes back over the
    # bound (as in gevent) and the queue stops counting in tokens.
    q: Queue = Queue(1)
    outcome: list[object] = []
    g = gevent.spawn(_get_interrupted, q, outcome)
    gevent.sleep(0)
    g.kill(_Interrupt, block=False)
    q.put("a")  # handed to the getter; its token comes back at once
    q.put("b")  # takes that token
    g.join()
    assert outcome == ["interrupted"]
    assert list(q.queue) == ["b", "a"]
    assert not q._room_on
    with pytest.raises(Full):
        q.put_nowait("c")
    assert [q.get(), q.get()] == ["b", "a"]
    q.put_nowait("c")
    with pytest.raises(Full):
        q.put_nowait("d")


# ------------------------------------------------------------- threads


@pytest.mark.parametrize("maxsize", [1, 7, 50])
def test_racing_put_nowait_fills_exactly_to_the_bound(maxsize: int,
                                                      switch_interval: None) -> None:
    q: Queue = Queue(maxsize)
    ok = [0] * 4

    def filler(i: int) -> None:
        put = q.put_nowait
        for n in range(3000):
            try:
                put((i, n))
            except Full:
                pass
            else:
                ok[i] += 1

    threads = [threading.Thread(target=filler, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(SAFETY)
        assert not t.is_alive()
    assert sum(ok) == maxsize == q.qsize()
    assert _slots(q) == maxsize and q.unfinished_tasks == maxsize


def _run_in_hub(body: Callable[[], None]) -> None:
    from gevent._hub_local import get_hub_if_exists

    keeper = gevent.spawn(gevent.sleep, SAFETY * 3)
    try:
        gevent.spawn(body).get()
    finally:
        keeper.kill()
        hub = get_hub_if_exists()
        if hub is not None:
            hub.destroy(destroy_loop=True)


@pytest.mark.parametrize("maxsize", [1, 3, 100])
def test_threads_never_see_more_than_the_bound(maxsize: int, switch_interval: None) -> None:
    # Producers and consumers in threads with and without a hub; a watcher
    # samples the buffer's length. Every item arrives exactly once, in order
    # per producer, and the slot count is whole again at the end.
    q: Queue = Queue(maxsize)
    producers, per_producer = 3, 1500
    got: list[list[tuple[int, int]]] = [[] for _ in range(3)]
    worst = [0]
    stop = threading.Event()

    def producer(pid: int) -> None:
        for i in range(per_producer):
            if i % 3 == 0:
                while True:
                    try:
                        q.put_nowait((pid, i))
                        break
                    except Full:
                        if pid % 2:  # in a hub: let its other greenlet run
                            gevent.sleep(0)
            else:
                q.put((pid, i), timeout=SAFETY)

    def consumer(c: int) -> None:
        while True:
            item = q.get(timeout=SAFETY)
            q.task_done()
            if item is None:
                return
            got[c].append(item)

    def watcher() -> None:
        while not stop.is_set():
            worst[0] = max(worst[0], len(q.queue))

    w = threading.Thread(target=watcher)
    w.start()
    def start(body: Callable[[int], None], n: int) -> threading.Thread:
        # Odd ones run as a greenlet in their own hub, even ones natively.
        t = threading.Thread(target=(lambda: _run_in_hub(lambda: body(n))) if n % 2
                             else (lambda: body(n)))
        t.start()
        return t

    threads = [start(consumer, c) for c in range(3)]
    threads += [start(producer, pid) for pid in range(producers)]
    try:
        for t in threads[3:]:
            t.join(SAFETY * 3)
            assert not t.is_alive()
        for _ in range(3):
            q.put(None, timeout=SAFETY)
        assert q.join(timeout=SAFETY)
        for t in threads[:3]:
            t.join(SAFETY)
            assert not t.is_alive()
    finally:
        stop.set()
        w.join(SAFETY)
    assert worst[0] <= maxsize
    everything = sorted(item for items in got for item in items)
    assert everything == [(p, i) for p in range(producers) for i in range(per_producer)]
    for items in got:
        for p in range(producers):
            mine = [i for (pp, i) in items if pp == p]
            assert mine == sorted(mine)
    assert q.qsize() == 0 and q.unfinished_tasks == 0
    assert q._room_on and _slots(q) == maxsize


def test_threads_with_the_bound_changing_lose_nothing(switch_interval: None) -> None:
    # A thread keeps changing maxsize (growing, and shrinking below what is
    # in the buffer, which stops the tokens) while others put and get.
    q: Queue = Queue(4)
    producers, per_producer = 2, 2000
    got: list[tuple[int, int]] = []
    got_lock = threading.Lock()
    stop = threading.Event()

    def producer(pid: int) -> None:
        for i in range(per_producer):
            q.put((pid, i), timeout=SAFETY)

    def consumer() -> None:
        while True:
            item = q.get(timeout=SAFETY)
            if item is None:
                return
            with got_lock:
                got.append(item)

    def resizer() -> None:
        sizes = [4, 8, 2, 16, 1, 3]
        n = 0
        while not stop.is_set():
            q.maxsize = sizes[n % len(sizes)]
            n += 1

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    threads += [threading.Thread(target=producer, args=(p,)) for p in range(producers)]
    r = threading.Thread(target=resizer)
    for t in threads:
        t.start()
    r.start()
    try:
        for t in threads[2:]:
            t.join(SAFETY * 3)
            assert not t.is_alive()
    finally:
        stop.set()
        r.join(SAFETY)
    for _ in range(2):
        q.put(None, timeout=SAFETY)
    for t in threads[:2]:
        t.join(SAFETY)
        assert not t.is_alive()
    assert sorted(got) == [(p, i) for p in range(producers) for i in range(per_producer)]
    assert q.qsize() == 0
