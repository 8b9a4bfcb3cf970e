"""The loop core on its own: no hub, no greenlets, a virtual clock."""

from __future__ import annotations

import errno
import os
import threading

import pytest

from gevent._core import EpollPoller, Loop, MockClock, SelectorsPoller


@pytest.fixture
def clock() -> MockClock:
    return MockClock(autojump=True)


@pytest.fixture
def loop(clock: MockClock) -> Loop:
    lp = Loop(default=False, clock=clock)
    yield lp
    lp.destroy()


def test_callbacks_run_fifo_including_ones_added_while_running(loop: Loop) -> None:
    seen: list[int] = []

    def add_more(n: int) -> None:
        seen.append(n)
        if n < 3:
            loop.run_callback(add_more, n + 10)

    for i in range(3):
        loop.run_callback(add_more, i)
    loop.run()
    assert seen == [0, 1, 2, 10, 11, 12]


def test_stopped_callback_does_not_run_and_reports_not_pending(loop: Loop) -> None:
    seen: list[str] = []
    cb = loop.run_callback(seen.append, "x")
    assert cb.pending
    cb.stop()
    assert not cb.pending
    loop.run()
    assert seen == []


def test_timers_fire_in_deadline_order_on_virtual_time(loop: Loop, clock: MockClock) -> None:
    fired: list[tuple[str, float]] = []
    for name, after in [("c", 3.0), ("a", 1.0), ("b", 2.0), ("a2", 1.0)]:
        loop.timer(after).start(lambda n=name: fired.append((n, loop.now())))
    loop.run()
    assert fired == [("a", 1.0), ("a2", 1.0), ("b", 2.0), ("c", 3.0)]
    assert clock.now() == 3.0


def test_repeating_timer_fires_until_stopped(loop: Loop) -> None:
    ticks: list[float] = []
    t = loop.timer(0.5, 0.25)

    def tick() -> None:
        ticks.append(loop.now())
        if len(ticks) == 4:
            t.stop()

    t.start(tick)
    loop.run()
    assert ticks == [0.5, 0.75, 1.0, 1.25]
    assert not t.active


def test_hundred_thousand_cancelled_timers_leave_nothing_behind(loop: Loop) -> None:
    timers = [loop.timer(1.0 + i * 1e-6) for i in range(100_000)]
    for t in timers:
        t.start(lambda: None)
    assert loop.activecnt == 100_000
    for t in timers:
        t.stop()
    assert loop.activecnt == 0
    # Blanked entries are compacted away as they pile up, and the rest on the next look.
    assert len(loop._timers) <= 64
    loop.run()
    assert loop._timers == []


def test_unref_timer_does_not_keep_loop_alive(loop: Loop, clock: MockClock) -> None:
    fired: list[int] = []
    t = loop.timer(10.0, ref=False)
    t.start(fired.append, 1)
    loop.run()
    assert fired == []
    assert clock.now() == 0.0
    assert t.active  # still started, just not counted


def test_ref_setter_adjusts_accounting_of_active_watcher(loop: Loop) -> None:
    t = loop.timer(1.0)
    t.start(lambda: None)
    assert loop.activecnt == 1
    t.ref = False
    assert loop.activecnt == 0
    t.ref = True
    assert loop.activecnt == 1
    t.stop()
    assert loop.activecnt == 0


def test_stopping_a_pending_watcher_cancels_its_call(loop: Loop) -> None:
    fired: list[str] = []
    t1 = loop.timer(1.0)
    t2 = loop.timer(1.0)
    t1.start(lambda: t2.stop())
    t2.start(fired.append, "t2")
    loop.run()
    assert fired == []


def test_priority_orders_watchers_that_fire_together(loop: Loop) -> None:
    fired: list[str] = []
    low = loop.timer(1.0, priority=-1)
    high = loop.timer(1.0, priority=2)
    low.start(fired.append, "low")
    high.start(fired.append, "high")
    loop.run()
    assert fired == ["high", "low"]


def test_idle_runs_only_when_nothing_else_is_pending(loop: Loop) -> None:
    order: list[str] = []
    idle = loop.idle()
    count = [0]

    def busy() -> None:
        count[0] += 1
        order.append("cb")
        if count[0] < 3:
            loop.run_callback(busy)

    def on_idle() -> None:
        order.append("idle")
        idle.stop()

    idle.start(on_idle)
    loop.run_callback(busy)
    loop.run()
    # Callbacks keep the loop busy; the idle watcher fires after they are done.
    assert order[-1] == "idle"
    assert order.count("cb") == 3


def test_prepare_and_check_bracket_the_poll(loop: Loop) -> None:
    order: list[str] = []
    prep = loop.prepare()
    chk = loop.check()
    prep.start(order.append, "prepare")
    chk.start(order.append, "check")
    t = loop.timer(1.0)
    t.start(order.append, "timer")
    loop.run(once=True)
    prep.stop()
    chk.stop()
    assert order == ["prepare", "timer", "check"]


def test_io_watcher_on_a_bad_descriptor_raises_ebadf(loop: Loop) -> None:
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    with pytest.raises(OSError) as info:
        loop.io(r, 1)
    assert info.value.errno == errno.EBADF
    with pytest.raises(ValueError, match="non-negative"):
        loop.io(-1, 1)


@pytest.mark.parametrize("poller", [EpollPoller, SelectorsPoller])
def test_io_watcher_reports_readiness(poller: type, clock: MockClock) -> None:
    if poller is EpollPoller and not hasattr(__import__("select"), "epoll"):
        pytest.skip("no epoll here")
    loop = Loop(default=False, clock=clock, poller_class=poller)
    r, w = os.pipe()
    try:
        got: list[int] = []
        watcher = loop.io(r, 1)

        def on_read(events: int) -> None:
            got.append(events)
            assert os.read(r, 10) == b"hi"
            watcher.stop()

        watcher.start(on_read, pass_events=True)
        loop.timer(0.5).start(os.write, w, b"hi")
        loop.run()
        assert got == [1]
        assert not loop._fds
    finally:
        os.close(r)
        os.close(w)
        loop.destroy()


def test_two_watchers_on_one_descriptor_both_fire(loop: Loop) -> None:
    r, w = os.pipe()
    try:
        os.write(w, b"x")
        got: list[str] = []
        a = loop.io(r, 1)
        b = loop.io(r, 1)
        a.start(lambda: (got.append("a"), a.stop()))
        b.start(lambda: (got.append("b"), b.stop()))
        loop.run()
        assert got == ["a", "b"]
    finally:
        os.close(r)
        os.close(w)


def test_threadsafe_callback_wakes_a_blocked_loop() -> None:
    loop = Loop(default=False)
    got: list[str] = []
    keepalive = loop.timer(30.0)
    keepalive.start(lambda: None)

    def from_thread() -> None:
        loop.run_callback_threadsafe(lambda: (got.append("woken"), keepalive.stop()))

    threading.Timer(0.05, from_thread).start()
    loop.run()
    assert got == ["woken"]
    loop.destroy()


def test_async_send_from_another_thread_fires_in_loop_thread() -> None:
    loop = Loop(default=False)
    seen: list[int] = []
    watcher = loop.async_()

    def on_send() -> None:
        seen.append(threading.get_ident())
        watcher.stop()

    watcher.start(on_send)
    threading.Timer(0.05, watcher.send).start()
    loop.run()
    assert seen == [threading.get_ident()]
    loop.destroy()


def test_errors_in_callbacks_go_to_error_handler(loop: Loop) -> None:
    errors: list[tuple[object, type]] = []

    class Handler:
        def handle_error(self, context: object, t: type, v: BaseException, tb: object) -> None:
            errors.append((context, t))

    loop.error_handler = Handler()
    cb = loop.run_callback(lambda: 1 / 0)
    after: list[int] = []
    loop.run_callback(after.append, 1)
    loop.run()
    assert errors == [(cb, ZeroDivisionError)]
    assert after == [1]


def test_failing_error_handler_does_not_stop_the_loop(
        loop: Loop, capsys: pytest.CaptureFixture[str]) -> None:
    class Broken:
        def handle_error(self, *args: object) -> None:
            raise AttributeError("broken handler")

    loop.error_handler = Broken()
    after: list[int] = []
    loop.run_callback(lambda: 1 / 0)
    loop.run_callback(after.append, 1)
    loop.run()
    assert after == [1]
    assert "broken handler" in capsys.readouterr().err


def test_watcher_as_context_manager_closes(loop: Loop) -> None:
    with loop.timer(1.0) as t:
        t.start(lambda: None)
        assert t.active
    assert not t.active
    with pytest.raises(ValueError, match="closed"):
        t.start(lambda: None)


def test_reinit_fires_fork_watchers_and_keeps_io_registered(loop: Loop) -> None:
    fired: list[str] = []
    fork = loop.fork()
    fork.start(fired.append, "fork")
    r, w = os.pipe()
    try:
        io = loop.io(r, 1)
        io.start(lambda: (fired.append("io"), io.stop(), fork.stop()))
        loop.reinit()
        os.write(w, b"x")
        loop.run()
        assert fired == ["fork", "io"]
    finally:
        os.close(r)
        os.close(w)


def test_mock_clock_refuses_to_go_backwards() -> None:
    with pytest.raises(ValueError, match="backwards"):
        MockClock().advance(-1)
