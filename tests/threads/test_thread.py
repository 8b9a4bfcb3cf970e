"""gevent.thread: the greenlet-based ``_thread`` API, used unpatched in this process."""

from __future__ import annotations

import _thread

import pytest
from greenlet import getcurrent

import gevent
from gevent import thread as gthread
from gevent.hub import Hub
from gevent.lock import BoundedSemaphore


def test_names_match_the_reference_layout() -> None:
    assert gthread.__target__ == "_thread"
    expected = {"allocate_lock", "get_ident", "exit", "LockType", "stack_size",
                "start_new_thread", "_local"}
    handles = {"start_joinable_thread", "_ThreadHandle", "_make_thread_handle"}
    if hasattr(_thread, "start_joinable_thread"):  # CPython 3.13+
        expected |= handles
    assert set(gthread.__implements__) == expected
    assert "_local" not in gthread.__all__
    assert "start_joinable_thread" not in gthread.__all__
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


# ------------------------------------------------- thread handles (3.13's API)
# gevent.thread defines these on every version; monkey patching uses them only
# where _thread has start_joinable_thread (CPython 3.13+).


def test_a_handle_before_start() -> None:
    handle = gthread._ThreadHandle()
    assert handle.ident == 0
    assert "ident=0" in repr(handle)
    # As in gevent: never started counts as done (an unstarted Thread shows "stopped").
    assert handle.is_done()
    with pytest.raises(RuntimeError, match="thread not started"):
        handle.join()
    with pytest.raises(RuntimeError, match="thread not started"):
        handle._set_done()


def test_start_joinable_thread_runs_a_greenlet_and_join_cooperates(virtual_hub: Hub) -> None:
    seen: list[object] = []
    ticks: list[int] = []

    def body() -> None:
        seen.append(gthread.get_ident())
        gevent.sleep(0.05)
        seen.append("end")

    def ticker() -> None:
        for i in range(3):
            ticks.append(i)
            gevent.sleep(0.001)

    gevent.spawn(ticker)
    handle = gthread.start_joinable_thread(body, daemon=False)
    assert handle.ident != 0 and not handle.is_done()
    handle.join(0.001)
    assert not handle.is_done()
    handle.join()
    assert handle.is_done()
    assert seen == [handle.ident, "end"]
    assert ticks == [0, 1, 2]
    handle.join()  # joining a finished thread again is fine
    with pytest.raises(RuntimeError, match="already started"):
        gthread.start_joinable_thread(body, handle=handle)
    with pytest.raises(TypeError):
        gthread.start_joinable_thread(body, handle=object())  # type: ignore[arg-type]


def test_a_thread_cannot_join_itself() -> None:
    errors: list[str] = []
    box: list[gthread._ThreadHandle] = []

    def body() -> None:
        try:
            box[0].join()
        except RuntimeError as exc:
            errors.append(str(exc))

    handle = gthread._ThreadHandle()
    box.append(handle)
    gthread.start_joinable_thread(body, handle=handle)
    handle.join(5)
    assert handle.is_done()
    assert errors == ["Cannot join current thread"]


def test_make_thread_handle_is_running_until_set_done(virtual_hub: Hub) -> None:
    handle = gthread._make_thread_handle(12345)
    assert handle.ident == 12345 and not handle.is_done()
    gevent.spawn_later(0.01, handle._set_done)
    handle.join(5)
    assert handle.is_done()


def test_a_native_thread_can_join_a_green_handle() -> None:
    import threading

    handle = gthread._make_thread_handle(1)
    result: list[bool] = []
    t = threading.Thread(target=lambda: (handle.join(5), result.append(handle.is_done())))
    t.start()
    gevent.sleep(0.02)
    handle._set_done()
    t.join(5)
    assert result == [True]


def test_shutdown_waits_for_non_daemon_threads_only(virtual_hub: Hub) -> None:
    from gevent.event import Event

    log: list[str] = []
    forever = Event()

    def late() -> None:
        gevent.sleep(0.02)
        # A thread started while shutting down is waited for too.
        gthread.start_joinable_thread(lambda: (gevent.sleep(0.02), log.append("later")),
                                      daemon=False)
        log.append("late")

    gthread.start_joinable_thread(forever.wait, daemon=True)
    gthread.start_joinable_thread(late, daemon=False)
    gthread._shutdown()
    assert log == ["late", "later"]
    assert not gthread._non_daemon
    forever.set()
    gevent.sleep(0)


def test_main_thread_ident_is_the_root_greenlet() -> None:
    root = getcurrent()
    while root.parent is not None:
        root = root.parent
    g = gevent.spawn(gthread._get_main_thread_ident)
    g.join()
    assert g.value == id(root) == gthread._get_main_thread_ident()
