"""Scheduling order rules of spec section 1.0, on the hub with a virtual clock."""

from __future__ import annotations

import time

import pytest
from helpers import wait_all_blocked

import gevent
from gevent.hub import Hub


def test_spawn_does_not_run_until_the_spawner_blocks(virtual_hub: Hub) -> None:
    ran: list[str] = []
    gevent.spawn(ran.append, "child")
    assert ran == []
    gevent.sleep(0)
    assert ran == ["child"]


def test_sleep0_resumes_after_queued_callbacks_and_before_timers(virtual_hub: Hub) -> None:
    order: list[str] = []
    loop = virtual_hub.loop
    loop.run_callback(order.append, "run_callback")
    gevent.spawn(order.append, "spawn")
    gevent.spawn_later(0, order.append, "spawn_later(0)")
    loop.timer(0).start(order.append, "timer(0)")
    gevent.sleep(0)
    order.append("main-after-sleep0")
    gevent.sleep(0.01)
    order.append("main-after-sleep0.01")
    assert order == ["run_callback", "spawn", "main-after-sleep0", "spawn_later(0)", "timer(0)",
                     "main-after-sleep0.01"]


def test_short_sleep_wakes_after_sleep0_greenlets(virtual_hub: Hub) -> None:
    order: list[str] = []

    def sleeper(name: str, seconds: float) -> None:
        order.append(f"{name}-start")
        gevent.sleep(seconds)
        order.append(f"{name}-after")

    gevent.joinall([gevent.spawn(sleeper, "A", 0.001), gevent.spawn(sleeper, "B", 0),
                    gevent.spawn(sleeper, "C", 0)])
    assert order == ["A-start", "B-start", "C-start", "B-after", "C-after", "A-after"]


def test_sleep0_ping_pong_alternates_strictly(virtual_hub: Hub) -> None:
    out: list[str] = []

    def player(name: str) -> None:
        for i in range(3):
            out.append(f"{name}{i}")
            gevent.sleep(0)

    gevent.joinall([gevent.spawn(player, "x"), gevent.spawn(player, "y")])
    assert out == ["x0", "y0", "x1", "y1", "x2", "y2"]


def test_negative_sleep_behaves_like_sleep0(virtual_hub: Hub) -> None:
    out: list[str] = []
    gevent.spawn(out.append, "other")
    gevent.sleep(-1)
    assert out == ["other"]


def test_long_sleep_costs_no_real_time_on_the_virtual_clock(virtual_hub: Hub) -> None:
    start = time.monotonic()
    gevent.sleep(3600)
    assert virtual_hub.loop.now() >= 3600
    assert time.monotonic() - start < 5


def test_sleep_with_ref_false_does_not_keep_wait_from_returning(virtual_hub: Hub) -> None:
    woke: list[bool] = []

    def sleeper() -> None:
        gevent.sleep(100, ref=False)
        woke.append(True)

    gevent.spawn(sleeper)
    assert gevent.wait() is True
    assert woke == []


def test_idle_runs_after_a_busy_sleep0_loop(virtual_hub: Hub) -> None:
    order: list[str] = []

    def busy() -> None:
        for _ in range(5):
            order.append("busy")
            gevent.sleep(0)

    def idler() -> None:
        gevent.idle()
        order.append("idle")

    gevent.joinall([gevent.spawn(idler), gevent.spawn(busy)])
    assert order == ["busy"] * 5 + ["idle"]


def test_wait_with_nothing_scheduled_returns_true(virtual_hub: Hub) -> None:
    assert gevent.wait() is True


def test_wait_with_timeout_returns_false_while_work_remains(virtual_hub: Hub) -> None:
    gevent.spawn(gevent.sleep, 10)
    assert gevent.wait(timeout=1) is False
    assert gevent.wait() is True


def test_blocking_with_nothing_to_run_raises_loopexit_naming_blocked_greenlets(
        virtual_hub: Hub) -> None:
    from gevent.hub import Waiter

    g = gevent.spawn(Waiter().get)
    gevent.sleep(0)
    with pytest.raises(gevent.hub.LoopExit) as info:
        Waiter().get()
    assert info.value.hub is virtual_hub
    text = str(info.value)
    assert text.startswith("This operation would block forever")
    assert repr(g) in text
    assert "blocked at" in text
    g.kill()


def test_blocking_call_inside_the_hub_raises(virtual_hub: Hub) -> None:
    errors: list[BaseException] = []

    def in_hub() -> None:
        try:
            gevent.sleep(0.1)
        except BaseException as exc:
            errors.append(exc)

    virtual_hub.loop.run_callback(in_hub)
    gevent.sleep(0)
    assert len(errors) == 1
    assert isinstance(errors[0], gevent.exceptions.BlockingSwitchOutError)
    assert "Impossible to call blocking function in the event loop callback" in str(errors[0])


def test_errors_in_greenlets_are_printed_not_raised(
        virtual_hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    def boom(n: int) -> None:
        raise ZeroDivisionError(n)

    g = gevent.spawn(boom, 5)
    g.join()
    err = capsys.readouterr().err
    assert "ZeroDivisionError: 5" in err
    assert f"{g!r} failed with ZeroDivisionError" in err


def test_system_errors_in_greenlets_reach_the_main_greenlet(virtual_hub: Hub) -> None:
    virtual_hub.exception_stream = None

    def leave() -> None:
        raise SystemExit(3)

    gevent.spawn(leave)
    with pytest.raises(SystemExit):
        gevent.sleep(1)


def test_a_system_error_reaches_the_main_greenlet_before_anything_else_runs(
        virtual_hub: Hub) -> None:
    # As in gevent: the failing greenlet throws into the main greenlet at once
    # (it is not dead yet, and greenlets queued after it have not run); it is
    # resumed, and finishes, once the main greenlet blocks again.
    virtual_hub.exception_stream = None
    log: list[str] = []

    def leave() -> None:
        log.append("leave")
        raise SystemExit(3)

    g = gevent.spawn(leave)
    other = gevent.spawn(log.append, "other")
    with pytest.raises(SystemExit):
        gevent.sleep(1)
    assert log == ["leave"]
    assert not g.dead and not other.dead
    wait_all_blocked()
    assert log == ["leave", "other"]
    assert g.dead and isinstance(g.exception, SystemExit)


def test_destroying_the_hub_of_a_finished_thread_from_another_thread() -> None:
    # Regression: destroy() tried to switch into a hub that belongs to a dead thread.
    import threading

    holder: list[Hub] = []

    def in_thread() -> None:
        gevent.sleep(0.001)
        holder.append(gevent.get_hub())

    t = threading.Thread(target=in_thread)
    t.start()
    t.join()
    hub = holder[0]
    hub.destroy(destroy_loop=True)
    assert hub.loop is None


def test_sleep0_rejects_a_stray_switch_and_leaves_nothing_queued(virtual_hub: Hub) -> None:
    errors: list[BaseException] = []

    def sleeper() -> None:
        try:
            gevent.sleep(0)
        except gevent.exceptions.InvalidSwitchError as e:
            errors.append(e)

    g = gevent.spawn(sleeper)
    # Queued right behind g's start, so it runs while g waits in sleep(0) and
    # before g's own wake-up.
    virtual_hub.loop.run_callback(lambda: g.switch("stray"))
    gevent.sleep(0)
    gevent.sleep(0)
    assert len(errors) == 1
    assert g.dead
    assert all(not cb.pending for cb in virtual_hub.loop._callbacks)


def test_greenlet_killed_inside_sleep0_is_not_woken_later(virtual_hub: Hub) -> None:
    def sleeper() -> None:
        gevent.sleep(0)

    g = gevent.spawn(sleeper)
    gevent.sleep(0)
    g.kill(block=False)
    g.join()
    assert g.dead
    assert not virtual_hub.loop._callbacks or all(not cb.pending
                                                  for cb in virtual_hub.loop._callbacks)
