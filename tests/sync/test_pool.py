"""Group and Pool, on the virtual clock."""

from __future__ import annotations

import pytest

import gevent
from gevent.hub import Hub
from gevent.pool import Group, Pool, PoolFull


def test_pool_sizes() -> None:
    assert Pool().size is None and Pool().free_count() == 1
    assert Pool(0).full()
    with pytest.raises(ValueError, match="must not be negative"):
        Pool(-1)


def test_spawn_blocks_while_full(virtual_hub: Hub) -> None:
    pool = Pool(2)
    for _ in range(2):
        pool.spawn(gevent.sleep, 1)
    assert pool.full() and pool._semaphore.counter == 0
    start = virtual_hub.loop.now()
    pool.spawn(gevent.sleep, 1)
    assert virtual_hub.loop.now() - start >= 1
    pool.join()
    assert pool.free_count() == 2


def test_add_raises_poolfull(virtual_hub: Hub) -> None:
    pool = Pool(1)
    pool.spawn(gevent.sleep, 10)
    g = gevent.Greenlet(gevent.sleep, 1)
    with pytest.raises(PoolFull):
        pool.add(g, blocking=False)
    with pytest.raises(PoolFull):
        pool.add(g, timeout=1)
    pool.kill()


def test_resize_through_semaphore(virtual_hub: Hub) -> None:
    pool = Pool(1)
    pool.size += 1
    pool._semaphore.counter += 1
    pool.spawn(gevent.sleep, 1)
    pool.spawn(gevent.sleep, 1)
    assert len(pool) == 2
    pool.join()


def test_map_and_imap_orders(virtual_hub: Hub) -> None:
    pool = Pool(5)

    def slow(x: int) -> int:
        gevent.sleep(1.0 / (x + 1))
        return x

    assert pool.map(slow, range(5)) == [0, 1, 2, 3, 4]
    assert list(pool.imap(slow, range(5))) == [0, 1, 2, 3, 4]
    assert list(pool.imap_unordered(slow, range(5))) == [4, 3, 2, 1, 0]
    assert list(pool.imap(lambda a, b: a + b, [1, 2], [10, 20])) == [11, 22]


def test_imap_error_at_its_turn(virtual_hub: Hub) -> None:
    pool = Pool(1)
    it = pool.imap(lambda x: 1 // x, [1, 0, 1])
    virtual_hub.exception_stream = None
    assert next(it) == 1
    with pytest.raises(ZeroDivisionError):
        next(it)
    assert next(it) == 1
    with pytest.raises(StopIteration):
        next(it)


def test_apply_variants(virtual_hub: Hub) -> None:
    group = Group()
    assert group.apply(lambda a, b=0: a + b, (1,), {"b": 2}) == 3
    seen: list[int] = []
    g = group.apply_async(lambda: 5, callback=seen.append)
    g.join()
    gevent.sleep(0)
    assert seen == [5]
    assert group.map_async(lambda x: x * 2, [1, 2]).get() == [2, 4]


def test_apply_cb_runs_its_callback_later_in_a_greenlet(virtual_hub: Hub) -> None:
    seen: list[tuple[int, bool]] = []
    group = Group()
    result = group.apply_cb(lambda: 7, callback=lambda v: seen.append(
        (v, gevent.getcurrent() is not virtual_hub.parent)))
    assert result == 7 and seen == []
    gevent.sleep(0)
    assert seen == [(7, True)]


def test_imap_maxsize_budget_is_released_when_the_next_result_is_asked_for(
        virtual_hub: Hub) -> None:
    # As in gevent: a consumer waiting in next() has already given back its
    # slot, so with maxsize=1 a second call may run while it waits.
    started: list[int] = []

    def slow(i: int) -> int:
        started.append(i)
        gevent.sleep(0.01 * (5 - i))
        return i

    it = Pool(2).imap_unordered(slow, range(4), maxsize=1)
    assert next(it) == 1  # 0 and 1 ran together; 1 finished first
    assert started[:2] == [0, 1]
    assert list(it) == [0, 2, 3]


def test_group_join_and_kill(virtual_hub: Hub) -> None:
    group = Group()
    group.spawn(gevent.sleep, 100)
    assert group.join(timeout=1) is False
    group.kill()
    assert len(group) == 0
    assert group.join() is True
