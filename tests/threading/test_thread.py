"""gevent.thread: the greenlet-based ``_thread`` API, used unpatched in this process."""

from __future__ import annotations

import _thread

import pytest
from greenlet import getcurrent

import gevent
from gevent import thread as gthread
from gevent.lock import BoundedSemaphore


def test_names_match_the_reference_layout() -> None:
    assert gthread.__target__ == "_thread"
    expected = {"allocate_lock", "get_ident", "exit", "LockType", "stack_size",
                "start_new_thread", "_local"}
    handles = {"start_joinable_thread", "_ThreadHandle", "_make_thread_handle",
               "_get_main_thread_ident", "_shutdown"}
    if hasattr(_thread, "start_joinable_thread"):  # CPython 3.13+
        expected |= handles
    assert set(gthread.__implements__) == expected
    assert "_local" not in gthread.__all__
    assert "RLock" in gthread.__all__
    for name in gthread.__imports__:
        assert getattr(gthread, name) is getattr(_thread, name)


def test_get_ident_is_the_greenlet_id() -> None:
    assert gthread.get_ident() == id(getcurrent())
    g = gevent.spawn(gthread.get_ident)
    g.join()
    assert g.value == id(g)
    assert gthread.get_ident(g) == id(g)


def test_start_new_thread_spawns_a_greenlet() -> None:
    seen: list[object] = []
    ident = gthread.start_new_thread(lambda a, b=0: seen.append((a, b, gthread.get_ident())),
                                     (1,), {"b": 2})
    gevent.sleep(0)
    assert seen == [(1, 2, ident)]


def test_start_new_thread_checks_its_arguments() -> None:
    with pytest.raises(TypeError):
        gthread.start_new_thread(lambda: None, [])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gthread.start_new_thread(lambda: None, (), [])  # type: ignore[arg-type]


def test_exit_ends_the_greenlet_quietly() -> None:
    after: list[int] = []

    def body() -> None:
        gthread.exit()
        after.append(1)

    g = gevent.spawn(body)
    g.join()
    assert g.successful()
    assert after == []


def test_lock_is_a_bounded_semaphore_with_stdlib_arguments() -> None:
    lock = gthread.allocate_lock()
    assert isinstance(lock, gthread.LockType)
    assert isinstance(lock, BoundedSemaphore)
    assert "unlocked" in repr(lock)
    assert lock.acquire()
    assert "locked" in repr(lock)
    assert lock.locked()
    assert not lock.acquire(False)
    assert not lock.acquire(True, 0.01)
    with pytest.raises(ValueError):
        lock.acquire(False, 1)
    with pytest.raises(ValueError):
        lock.acquire(True, -5)
    with pytest.raises(OverflowError):
        lock.acquire(True, gthread.TIMEOUT_MAX * 2)
    lock.release()
    with pytest.raises(RuntimeError):
        lock.release()
    with lock:
        assert lock.locked()
    assert not lock.locked()


def test_lock_is_released_by_another_greenlet() -> None:
    lock = gthread.allocate_lock()
    lock.acquire()
    gevent.spawn_later(0.01, lock.release)
    assert lock.acquire(True, 5)


def test_lock_at_fork_reinit_unlocks() -> None:
    lock = gthread.allocate_lock()
    lock.acquire()
    lock._at_fork_reinit()
    assert not lock.locked()
    assert lock.acquire(False)


def test_stack_size_is_the_real_one() -> None:
    assert gthread.stack_size() == _thread.stack_size()
