"""The named records of the loop core and of ``gevent.local``, and the modules' ``__all__``.

The loop's queued callbacks are two-slot records; timer heap entries and a local's
per-greenlet entries are a list and a tuple read through named index constants.
These tests pin down what those names stand for, so that a change of layout
breaks here rather than somewhere deep in a wait.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator

import greenlet
import pytest

import gevent
from gevent import local as local_module
from gevent._core import Loop, MockClock, callback
from gevent._core._watchers import _DEADLINE, _SEQUENCE, _TIMER


@pytest.fixture
def loop() -> Iterator[Loop]:
    lp = Loop(default=False, clock=MockClock(autojump=True))
    yield lp
    lp.destroy()


# ------------------------------------------------------------------ callbacks


def test_a_queued_callback_holds_its_function_and_arguments_until_it_runs(loop: Loop) -> None:
    seen: list[tuple[int, int]] = []

    def record(a: int, b: int) -> None:
        seen.append((a, b))

    cb = loop.run_callback(record, 1, 2)
    assert type(cb) is callback
    assert cb.callback is record and cb.args == (1, 2) and cb.pending
    assert "pending" in repr(cb)
    loop.run()
    assert seen == [(1, 2)]
    # Run once: the record lets go of both, like a stopped one.
    assert cb.callback is None and cb.args is None and not cb.pending
    assert "pending" not in repr(cb)


def test_a_stopped_callback_clears_both_slots(loop: Loop) -> None:
    # gevent's leak checker recognises a stopped callback by both being None.
    seen: list[str] = []
    cb = loop.run_callback(seen.append, "x")
    cb.close()
    assert cb.callback is None and cb.args is None
    loop.run()
    assert seen == []


def test_a_callback_caught_halfway_through_stop_is_skipped(loop: Loop) -> None:
    # stop() clears the function first; the loop reads the arguments first, so a
    # record it meets halfway through a stop (from another thread) is skipped.
    seen: list[str] = []
    cb = loop.run_callback(seen.append, "x")
    cb.callback = None
    loop.run()
    assert seen == []


def test_callbacks_compare_by_identity_and_are_always_true(loop: Loop) -> None:
    first = loop.run_callback(print, "same")
    second = loop.run_callback(print, "same")
    assert first != second and first == first
    assert len({first, second}) == 2
    first.stop()
    assert first  # a stopped callback is still a true value
    second.stop()


def test_threadsafe_callback_is_the_same_record(loop: Loop) -> None:
    seen: list[str] = []
    keepalive = loop.timer(10.0)
    keepalive.start(lambda: None)
    thread = threading.Thread(
        target=lambda: loop.run_callback_threadsafe(
            lambda: (seen.append("from thread"), keepalive.stop())))
    thread.start()
    thread.join()
    loop.run()
    assert seen == ["from thread"]


# ---------------------------------------------------------------- timer heap


def test_timer_heap_entries_name_deadline_sequence_and_timer(loop: Loop) -> None:
    assert (_DEADLINE, _SEQUENCE, _TIMER) == (0, 1, 2)
    early, late, tie = loop.timer(1.0), loop.timer(2.0), loop.timer(1.0)
    for t in (late, early, tie):
        t.start(lambda: None)
    entries = {t: t._entry for t in (early, late, tie)}
    for t, entry in entries.items():
        assert type(entry) is list  # heapq compares lists in C
        assert entry[_TIMER] is t
        assert entry[_DEADLINE] == t.at == loop.now() + t.after
    # Same deadline: the one started first has the lower sequence number, so it fires first.
    assert entries[early][_SEQUENCE] < entries[tie][_SEQUENCE]
    # heapq put the nearest deadline on top, though ``late`` was started first.
    assert loop._timers[0] is entries[early]
    tie.stop()
    assert tie._entry is None and entries[tie][_TIMER] is None and tie.at == 0.0
    early.stop()
    late.stop()


def test_a_repeating_timer_gets_a_fresh_entry_each_time_it_fires(loop: Loop) -> None:
    t = loop.timer(1.0, 1.0)
    seen: list[float] = []

    def tick() -> None:
        seen.append(loop.now())
        if len(seen) == 3:
            t.stop()

    t.start(tick)
    entry = t._entry
    loop.run()
    assert seen == [1.0, 2.0, 3.0]
    assert t._entry is None and entry is not None and entry[_TIMER] is t


# --------------------------------------------------------------------- local


def _entry_of(obj: gevent.local.local, g: object) -> tuple[object, ...]:
    registry = object.__getattribute__(obj, "_local__impl")
    return registry.dicts[id(g)]  # type: ignore[no-any-return]


def test_local_entries_name_greenlet_ref_dict_and_link() -> None:
    obj = gevent.local.local()
    obj.x = 1
    entry = _entry_of(obj, greenlet.getcurrent())
    assert entry[local_module._GREENLET_REF]() is greenlet.getcurrent()  # type: ignore[operator]
    assert entry[local_module._DICT] == {"x": 1}
    assert entry[local_module._LINK] is None  # a raw greenlet has no rawlink

    def touch() -> tuple[object, ...]:
        obj.y = 2
        return _entry_of(obj, gevent.getcurrent())

    g = gevent.spawn(touch)
    g.join()
    gevent.sleep(0)  # let every link of g run
    spawned = g.value
    assert spawned[local_module._GREENLET_REF]() is g  # type: ignore[operator]
    assert spawned[local_module._DICT] == {"y": 2}
    assert callable(spawned[local_module._LINK])
    # The link ran when the greenlet finished: its dict is gone.
    assert id(g) not in object.__getattribute__(obj, "_local__impl").dicts


# ------------------------------------------------------------------ __all__

MODULES = ["gevent._core", "gevent._core._loop", "gevent._core._watchers",
           "gevent._core._poll", "gevent._core._clock", "gevent._threads",
           "gevent._threads._pool", "gevent._threads._executor", "gevent.threadpool",
           "gevent.local"]


@pytest.mark.parametrize("name", MODULES)
def test_star_import_gives_exactly_all(name: str) -> None:
    module = importlib.import_module(name)
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    namespace.pop("__builtins__")
    assert sorted(namespace) == sorted(module.__all__)
    assert all(hasattr(module, n) for n in module.__all__)


def test_threadpool_keeps_the_names_gevent_tests_read() -> None:
    from gevent import threadpool

    for name in ("ThreadPool", "ThreadPoolExecutor", "ThreadResult", "_WorkerGreenlet",
                 "_FutureProxy", "_get_thread_profile", "_get_thread_trace"):
        assert hasattr(threadpool, name), name
