"""Semaphores and RLock in one thread."""

from __future__ import annotations

import pytest

import gevent
from gevent.hub import Hub
from gevent.lock import BoundedSemaphore, DummySemaphore, RLock, Semaphore


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="must be >= 0"):
        Semaphore(-1)
    bounded = BoundedSemaphore(1)
    with pytest.raises(ValueError, match="released too many times"):
        bounded.release()


def test_release_returns_counter_and_allows_over_release() -> None:
    sem = Semaphore(1)
    assert sem.release() == 2
    assert sem.counter == 2


def test_acquire_timeout_and_nonblocking(virtual_hub: Hub) -> None:
    sem = Semaphore(0)
    assert sem.acquire(blocking=False) is False
    assert sem.acquire(timeout=2) is False
    assert sem.wait(1) == 0
    assert sem.locked()


def test_waiters_served_fifo(virtual_hub: Hub) -> None:
    sem = Semaphore(0)
    order: list[int] = []

    def worker(i: int) -> None:
        with sem:
            order.append(i)
            gevent.sleep(0.1)

    gs = [gevent.spawn(worker, i) for i in range(5)]
    gevent.sleep(0)
    sem.release()
    gevent.joinall(gs)
    assert order == [0, 1, 2, 3, 4]
    assert sem.counter == 1


def test_newcomer_queues_behind_waiters(virtual_hub: Hub) -> None:
    sem = Semaphore(0)
    got: list[str] = []
    g = gevent.spawn(lambda: got.append("waiter") if sem.acquire() else None)
    gevent.sleep(0)
    sem.release()
    # The waiter is queued: a newcomer may not take the unit first.
    assert sem.acquire(blocking=False) is False
    g.join()
    assert got == ["waiter"]


def test_dummy_semaphore_never_blocks() -> None:
    dummy = DummySemaphore()
    assert dummy.acquire() is True
    assert dummy.wait() == 1
    assert not dummy.locked()


def test_rlock_reentry_and_ownership(virtual_hub: Hub) -> None:
    lock = RLock()
    assert lock.acquire() is True
    assert lock.acquire() == 1
    errors: list[BaseException] = []

    def other() -> None:
        try:
            lock.release()
        except RuntimeError as ex:
            errors.append(ex)

    gevent.spawn(other).join()
    assert errors and "cannot release un-acquired lock" in str(errors[0])
    lock.release()
    assert lock._is_owned()
    lock.release()
    assert not lock.locked()


def test_rlock_condition_hooks(virtual_hub: Hub) -> None:
    lock = RLock()
    lock.acquire()
    lock.acquire()
    state = lock._release_save()
    assert not lock.locked()
    lock._acquire_restore(state)
    assert lock._is_owned()
    lock.release()
    lock.release()


def test_rlock_exit_by_non_owner_raises_and_keeps_state() -> None:
    # __exit__ inlines release(); a non-owner must still get RuntimeError.
    lock = RLock()
    with lock:
        with lock:
            assert lock._count == 2
        assert lock._count == 1 and lock.locked()
    assert not lock.locked() and lock._owner is None
    with pytest.raises(RuntimeError):
        lock.__exit__(None, None, None)
