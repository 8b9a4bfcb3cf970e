"""ThreadPool, ThreadResult and ThreadPoolExecutor: native workers, green waiting."""

from __future__ import annotations

import _thread
import concurrent.futures
import time
from collections.abc import Iterator
from typing import Any

import pytest
from greenlet import getcurrent
from helpers import wait_all_blocked

import gevent
from gevent.exceptions import InvalidThreadUseError
from gevent.threadpool import ThreadPool, ThreadPoolExecutor, ThreadResult, _WorkerGreenlet


@pytest.fixture
def pool() -> Iterator[ThreadPool]:
    p = ThreadPool(3)
    yield p
    p.kill()


def test_spawn_returns_a_result_usable_with_get(pool: ThreadPool) -> None:
    result = pool.spawn(sum, [1, 2])
    assert result.get() == 3
    assert result.ready()
    assert result.successful()


def test_tasks_run_in_native_threads(pool: ThreadPool) -> None:
    main = _thread.get_ident()
    assert pool.apply(_thread.get_ident) != main


def test_apply_returns_and_raises(pool: ThreadPool) -> None:
    assert pool.apply(max, (3, 4)) == 4
    assert pool.apply(lambda a, b=0: a + b, (1,), {"b": 2}) == 3
    pool.hub.exception_stream = None  # the hub also reports the error; keep it quiet
    with pytest.raises(ZeroDivisionError):
        pool.apply(lambda: 1 / 0)


def test_result_of_a_failed_task_holds_the_exception(pool: ThreadPool) -> None:
    pool.hub.exception_stream = None
    result = pool.spawn(int, "not a number")
    gevent.wait([result])
    assert not result.successful()
    assert isinstance(result.exception, ValueError)


def test_the_hub_keeps_running_greenlets_while_a_task_blocks(pool: ThreadPool) -> None:
    ticks = []

    def ticker() -> None:
        for _ in range(3):
            ticks.append(1)
            gevent.sleep(0.01)

    g = gevent.spawn(ticker)
    pool.apply(time.sleep, (0.2,))
    assert len(ticks) == 3
    g.join()


def test_worker_greenlet_and_per_thread_hub(pool: ThreadPool) -> None:
    worker = pool.apply(getcurrent)
    assert isinstance(worker, _WorkerGreenlet)
    assert "ThreadPoolWorker" in repr(worker)
    main_hub = gevent.get_hub()
    worker_hub = pool.apply(gevent.get_hub)
    assert worker_hub is not main_hub
    assert worker_hub.thread_ident != main_hub.thread_ident


def test_gevent_works_inside_a_task_and_apply_nests_inline(pool: ThreadPool) -> None:
    def inner() -> str:
        gevent.sleep(0)
        gevent.sleep(0.001)
        return "inner"

    def outer() -> str:
        # Not the pool's thread: apply just calls the function.
        return pool.apply(inner)

    assert pool.apply(outer) == "inner"


def test_spawn_from_another_thread_is_refused(pool: ThreadPool) -> None:
    other = ThreadPool(1)
    try:
        pool.hub.exception_stream = None
        result = other.spawn(pool.spawn, len, "x")
        with pytest.raises(InvalidThreadUseError):
            result.get()
    finally:
        other.kill()


def test_map_imap_and_imap_unordered(pool: ThreadPool) -> None:
    assert pool.map(lambda x: x * x, range(20)) == [x * x for x in range(20)]
    assert list(pool.imap(pow, range(5), [2] * 5)) == [0, 1, 4, 9, 16]
    assert sorted(pool.imap_unordered(lambda x: -x, range(50))) == sorted(-x for x in range(50))


def test_imap_unordered_yields_in_completion_order(pool: ThreadPool) -> None:
    def nap(x: float) -> float:
        time.sleep(x)
        return x

    assert list(pool.imap_unordered(nap, [0.3, 0.01])) == [0.01, 0.3]


def test_map_passes_on_the_error_of_the_input_iterator(pool: ThreadPool) -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise KeyError("input")

    with pytest.raises(KeyError):
        pool.map(lambda x: x, broken())
    with pytest.raises(KeyError):
        list(pool.imap_unordered(lambda x: x, broken()))


def test_apply_async_and_map_async_return_greenlets(pool: ThreadPool) -> None:
    seen: list[Any] = []
    g = pool.apply_async(max, (5, 6), callback=seen.append)
    assert isinstance(g, gevent.Greenlet)
    assert g.get() == 6
    m = pool.map_async(abs, [-1, -2], callback=seen.append)
    assert m.get() == [1, 2]
    gevent.sleep(0)
    assert seen == [6, [1, 2]]
    assert pool.apply_cb(min, (1, 2), callback=seen.append) == 1
    assert seen[-1] == 1


def test_len_counts_unfinished_tasks_and_join_waits_for_them(pool: ThreadPool) -> None:
    assert len(pool) == 0
    assert not pool
    results = [pool.spawn(time.sleep, 0.05) for _ in range(3)]
    assert len(pool) == 3
    assert pool
    pool.join()
    assert len(pool) == 0
    assert all(r.ready() for r in results)


def test_size_and_maxsize_validation() -> None:
    pool = ThreadPool(2)
    try:
        assert pool.size == 0
        pool.size = 2
        assert pool.size == 2
        pool.size = 1
        assert pool.size == 1
        with pytest.raises(ValueError):
            pool.size = 3
        with pytest.raises(ValueError):
            pool.size = -1
        with pytest.raises(ValueError):
            pool.maxsize = -1
        with pytest.raises(TypeError):
            pool.maxsize = 1.5  # type: ignore[assignment]
        pool.maxsize = 0
        assert pool.size == 0
    finally:
        pool.kill()
    with pytest.raises(ValueError):
        ThreadPool(-1)


def test_spawn_waits_for_room_when_maxsize_is_zero() -> None:
    pool = ThreadPool(0)
    try:
        done: list[int] = []
        g = gevent.spawn(pool.spawn, done.append, 1)
        wait_all_blocked()
        assert not g.ready()  # parked, waiting for room
        pool.maxsize = 1
        g.get().get()
        assert done == [1]
    finally:
        pool.kill()


def test_workers_are_reused(pool: ThreadPool) -> None:
    idents = {pool.apply(_thread.get_ident) for _ in range(10)}
    assert len(idents) == 1
    assert pool.size == 1


def test_kill_lets_workers_exit(pool: ThreadPool) -> None:
    pool.size = 3
    worker_hub = pool.apply(gevent.get_hub)
    pool.kill()
    assert pool.size == 0
    deadline = time.monotonic() + 5
    while worker_hub.loop is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker_hub.loop is None  # destroyed by its exiting thread


def test_idle_workers_exit_after_the_idle_timeout() -> None:
    pool = ThreadPool(2, idle_task_timeout=0.05)
    try:
        pool.apply(len, ("x",))
        assert pool.size == 1
        deadline = time.monotonic() + 5
        while pool.size and time.monotonic() < deadline:
            gevent.sleep(0.01)
        assert pool.size == 0
        assert pool.apply(len, ("xy",)) == 2
    finally:
        pool.kill()


def test_hub_threadpool_is_lazy_and_killed_with_the_hub() -> None:
    hub = gevent.get_hub()
    assert hub._threadpool is None
    tp = hub.threadpool
    assert isinstance(tp, ThreadPool)
    assert tp.hub is hub
    assert tp.maxsize == hub.threadpool_size


def test_thread_result_calls_back_in_the_hub() -> None:
    hub = gevent.get_hub()
    order: list[Any] = []
    tr = ThreadResult(lambda r: order.append(("receiver", r.value)), hub,
                      lambda: order.append("ready"))
    _thread.start_new_thread(tr.set, (42,))
    deadline = time.monotonic() + 5
    while not order and time.monotonic() < deadline:
        gevent.sleep(0.01)
    assert order == ["ready", ("receiver", 42)]
    assert tr.value is None
    assert tr.receiver is not None


def test_task_hooks_are_installed_and_cleared(pool: ThreadPool) -> None:
    import sys
    import threading

    def hook(*args: Any) -> None:
        return None

    threading.setprofile(hook)
    try:
        assert pool.apply(sys.getprofile) is hook
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
    assert pool.apply(sys.getprofile) is None


# ---------------------------------------------------------------- executor


def test_executor_futures() -> None:
    with ThreadPoolExecutor(2) as executor:
        future = executor.submit(pow, 2, 10)
        assert future.result() == 1024
        assert future.done()
        assert not future.cancelled()
        assert list(executor.map(abs, [-1, -2, -3])) == [1, 2, 3]
        called: list[Any] = []
        future.add_done_callback(called.append)
        assert called == [future]


def test_executor_future_timeout_and_gevent_wait() -> None:
    executor = ThreadPoolExecutor(1)
    try:
        future = executor.submit(time.sleep, 0.2)
        with pytest.raises(concurrent.futures.TimeoutError):
            future.result(timeout=0.01)
        other = gevent.spawn(lambda: 2016)
        assert gevent.wait([future]) == [future]
        assert other.ready()
        assert future.exception() is None
    finally:
        executor.shutdown()


def test_executor_refuses_work_after_shutdown() -> None:
    executor = ThreadPoolExecutor(1)
    executor.shutdown()
    with pytest.raises(RuntimeError):
        executor.submit(len, "x")
