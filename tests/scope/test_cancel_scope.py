"""CancelScope and the deadline helpers: what is cancelled, by whom, and who catches it.

Every test runs on the autojump clock, so deadlines pass in no real time and the
virtual clock shows exactly when each one fired.
"""

from __future__ import annotations

import math
import threading

import pytest
from helpers import assert_no_reference_cycles, wait_all_blocked

import gevent
import gevent.socket
from gevent import (
    Cancelled,
    CancelScope,
    current_time,
    fail_after,
    fail_at,
    move_on_after,
    move_on_at,
)
from gevent._scope._cancel import _innermost
from gevent.event import Event
from gevent.hub import Hub
from gevent.lock import Semaphore
from gevent.queue import Queue

pytestmark = pytest.mark.usefixtures("virtual_hub")


def test_move_on_after_cancels_a_sleep_at_its_deadline() -> None:
    start = current_time()
    with move_on_after(5) as scope:
        gevent.sleep(100)
        pytest.fail("the sleep should have been cancelled")
    assert scope.cancel_called and scope.cancelled_caught
    assert current_time() - start == 5
    assert scope.deadline == start + 5


def test_a_block_that_finishes_in_time_is_not_cancelled() -> None:
    with move_on_after(5) as scope:
        gevent.sleep(1)
    assert not scope.cancel_called and not scope.cancelled_caught
    gevent.sleep(10)  # the deadline's timer was stopped with the block
    assert not scope.cancel_called


@pytest.mark.parametrize("kind", ["event", "queue", "semaphore", "join", "socket"])
def test_every_kind_of_blocking_call_is_cancelled(kind: str) -> None:
    other = gevent.spawn(gevent.sleep, 1000)
    a, b = gevent.socket.socketpair()
    waits = {
        "event": Event().wait,
        "queue": Queue().get,
        "semaphore": Semaphore(0).acquire,
        "join": other.join,
        "socket": lambda: a.recv(10),
    }
    with move_on_after(1) as scope:
        waits[kind]()
    assert scope.cancelled_caught
    other.kill()
    a.close()
    b.close()


def test_cancel_from_another_greenlet_interrupts_the_owner() -> None:
    started = Event()
    scopes: list[CancelScope] = []
    reached: list[str] = []

    def owner() -> None:
        with CancelScope() as scope:
            scopes.append(scope)
            started.set()
            Event().wait()
            reached.append("after wait")
        reached.append("after scope")

    glet = gevent.spawn(owner)
    started.wait()
    wait_all_blocked()
    scopes[0].cancel()
    glet.join()
    assert reached == ["after scope"]
    assert scopes[0].cancelled_caught and glet.successful()


def test_cancel_before_entering_raises_at_the_first_blocking_call() -> None:
    scope = CancelScope()
    scope.cancel()
    steps = []
    with scope:
        steps.append("body runs")
        gevent.sleep(1)
        steps.append("not reached")
    assert steps == ["body runs"] and scope.cancelled_caught


def test_cancel_from_inside_takes_effect_at_the_next_blocking_call() -> None:
    with CancelScope() as scope:
        scope.cancel()
        x = sum(range(10))  # no blocking call: nothing is raised yet
    assert x == 45 and scope.cancel_called and not scope.cancelled_caught
    with CancelScope() as scope:
        scope.cancel()
        gevent.sleep(0)
        pytest.fail("sleep(0) is a blocking call")
    assert scope.cancelled_caught


def test_fail_after_raises_the_builtin_timeout_error() -> None:
    start = current_time()
    with pytest.raises(TimeoutError, match="deadline"):
        with fail_after(2):
            gevent.sleep(10)
    assert current_time() - start == 2
    with fail_after(2) as scope:
        gevent.sleep(1)
    assert not scope.cancel_called


def test_fail_after_cancelled_by_hand_moves_on_without_error() -> None:
    with fail_after(2) as scope:
        scope.cancel()
        gevent.sleep(1)
    assert scope.cancelled_caught


def test_the_at_variants_take_a_deadline_on_the_hubs_clock() -> None:
    start = current_time()
    with move_on_at(start + 3) as scope:
        gevent.sleep(10)
    assert scope.cancelled_caught and current_time() == start + 3
    with pytest.raises(TimeoutError):
        with fail_at(start + 4):
            gevent.sleep(10)
    assert current_time() == start + 4


def test_a_deadline_already_past_cancels_on_entry() -> None:
    with move_on_at(current_time() - 1) as scope:
        assert scope.cancel_called
        gevent.sleep(1)
    assert scope.cancelled_caught
    with move_on_after(0) as scope:
        gevent.sleep(1)
    assert scope.cancelled_caught


def test_the_deadline_can_be_moved_while_the_block_runs() -> None:
    start = current_time()
    with move_on_after(1) as scope:
        scope.deadline = start + 10
        gevent.sleep(5)  # the old deadline does not fire
        scope.deadline = start + 7
        gevent.sleep(100)
    assert scope.cancelled_caught and current_time() == start + 7
    with move_on_after(1) as scope:
        scope.deadline = None
        assert scope.deadline == math.inf
        gevent.sleep(5)
    assert not scope.cancel_called


def test_an_outer_deadline_bounds_the_inner_ones() -> None:
    start = current_time()
    with move_on_after(2) as outer:
        with move_on_after(10) as inner:
            gevent.sleep(100)
        pytest.fail("the outer scope's cancellation passes through the inner one")
    assert outer.cancelled_caught and not inner.cancelled_caught
    assert current_time() - start == 2


def test_an_inner_deadline_is_caught_by_the_inner_scope_only() -> None:
    start = current_time()
    steps = []
    with move_on_after(10) as outer:
        with move_on_after(2) as inner:
            gevent.sleep(100)
        steps.append(current_time() - start)
        gevent.sleep(1)
        steps.append(current_time() - start)
    assert steps == [2, 3]
    assert inner.cancelled_caught and not outer.cancel_called


def test_each_scope_catches_only_its_own_cancellation() -> None:
    with CancelScope() as outer:
        with CancelScope() as inner:
            outer.cancel()
            with pytest.raises(Cancelled) as info:
                gevent.sleep(1)
            assert info.value.scope is outer
            raise info.value
    assert outer.cancelled_caught and not inner.cancelled_caught


def test_when_both_are_cancelled_the_outermost_catches() -> None:
    with CancelScope() as outer:
        with CancelScope() as inner:
            inner.cancel()
            outer.cancel()
            gevent.sleep(1)
    assert outer.cancelled_caught and not inner.cancelled_caught


def test_a_shield_keeps_an_outer_cancellation_out_until_it_exits() -> None:
    start = current_time()
    steps = []
    with move_on_after(1) as outer:
        with CancelScope(shield=True):
            gevent.sleep(5)  # cleanup that must finish
            steps.append(current_time() - start)
        gevent.sleep(100)
        steps.append("not reached")
    assert steps == [5] and outer.cancelled_caught


def test_lowering_the_shield_lets_the_cancellation_in() -> None:
    with move_on_after(1) as outer:
        with CancelScope(shield=True) as shield:
            gevent.sleep(3)
            shield.shield = False
            gevent.sleep(100)
            pytest.fail("cancelled once the shield is down")
    assert outer.cancelled_caught and not shield.cancelled_caught


def test_a_shielded_scope_can_still_be_cancelled_itself() -> None:
    with CancelScope(shield=True) as scope:
        scope.cancel()
        gevent.sleep(1)
    assert scope.cancelled_caught


def test_cancellation_is_level_triggered() -> None:
    caught = 0
    with CancelScope() as scope:
        scope.cancel()
        for _ in range(3):
            try:
                gevent.sleep(1)
            except:  # noqa: E722 - a bare except must not make the scope hang
                caught += 1
    assert caught == 3 and not scope.cancelled_caught


def test_cancelled_is_not_an_exception() -> None:
    assert issubclass(Cancelled, BaseException) and not issubclass(Cancelled, Exception)
    with CancelScope() as scope:
        scope.cancel()
        try:
            gevent.sleep(1)
        except Exception:
            pytest.fail("except Exception swallowed the cancellation")
    assert scope.cancelled_caught


def test_scopes_in_different_greenlets_are_independent() -> None:
    results: dict[str, bool] = {}

    def run(name: str, seconds: float) -> None:
        with move_on_after(seconds) as scope:
            gevent.sleep(3)
        results[name] = scope.cancelled_caught

    gevent.joinall([gevent.spawn(run, "short", 1), gevent.spawn(run, "long", 10)])
    assert results == {"short": True, "long": False}


def test_cancel_from_another_thread() -> None:
    scope = CancelScope()
    ready = threading.Event()

    def other_thread() -> None:
        ready.wait(60)
        scope.cancel()

    thread = threading.Thread(target=other_thread)
    thread.start()
    a, b = gevent.socket.socketpair()
    with scope:
        ready.set()
        # A wait with no timer, which the autojump clock cannot skip: only the
        # other thread's cancel ends it (faulthandler_timeout guards a hang).
        a.recv(1)
    thread.join()
    a.close()
    b.close()
    assert scope.cancelled_caught


def test_misuse_gets_a_clear_error() -> None:
    scope = CancelScope()
    with scope:
        pass
    with pytest.raises(RuntimeError, match="already entered"):
        with scope:
            pass
    outer = CancelScope()
    inner = CancelScope()
    outer.__enter__()
    inner.__enter__()
    with pytest.raises(RuntimeError, match="innermost first"):
        outer.__exit__(None, None, None)
    inner.__exit__(None, None, None)
    outer.__exit__(None, None, None)
    with pytest.raises(ValueError, match="NaN"):
        CancelScope(deadline=math.nan)
    with pytest.raises(ValueError, match="zero or more"):
        move_on_after(-1)
    assert gevent.getcurrent() not in _innermost


def test_exiting_in_another_greenlet_is_refused() -> None:
    scope = CancelScope()
    scope.__enter__()
    with pytest.raises(RuntimeError, match="innermost first"):
        gevent.spawn(scope.__exit__, None, None, None).get()
    scope.__exit__(None, None, None)


# --------------------------------------------------- Timeout, kill, with_timeout


def test_a_timeout_inside_a_scope_keeps_its_semantics() -> None:
    with move_on_after(10) as scope:
        with pytest.raises(gevent.Timeout):
            with gevent.Timeout(1):
                gevent.sleep(5)
        assert gevent.with_timeout(1, gevent.sleep, 5, timeout_value="late") == "late"
    assert not scope.cancel_called


def test_a_scope_inside_a_timeout_cancels_first_and_the_timeout_never_fires() -> None:
    start = current_time()
    with gevent.Timeout(10):
        with move_on_after(1) as scope:
            gevent.sleep(5)
        assert scope.cancelled_caught and current_time() - start == 1
    gevent.sleep(20)  # the Timeout was closed with its block


def test_a_timeout_firing_inside_a_scope_is_not_caught_by_the_scope() -> None:
    start = current_time()
    timeout = gevent.Timeout(2)
    with pytest.raises(gevent.Timeout) as info:
        with timeout:
            with move_on_after(10) as scope:
                gevent.sleep(5)
    assert info.value is timeout and not scope.cancel_called
    assert current_time() - start == 2


def test_with_timeout_inside_a_cancelled_scope_raises_the_cancellation() -> None:
    with move_on_after(1) as scope:
        gevent.with_timeout(10, gevent.sleep, 5, timeout_value="late")
        pytest.fail("the scope's deadline came first")
    assert scope.cancelled_caught


def test_kill_passes_through_a_scope_and_leaves_no_state() -> None:
    started = Event()
    scopes: list[CancelScope] = []

    def victim() -> None:
        with move_on_after(10) as scope:
            scopes.append(scope)
            started.set()
            gevent.sleep(5)

    glet = gevent.spawn(victim)
    started.wait()
    glet.kill()
    assert glet.successful() and isinstance(glet.value, gevent.GreenletExit)
    assert not scopes[0].cancelled_caught and glet not in _innermost
    gevent.sleep(20)  # the deadline's timer went with the scope
    assert not scopes[0].cancel_called


def test_scopes_leave_no_reference_cycles(virtual_hub: Hub) -> None:
    def cancelled_sleep() -> None:
        with move_on_after(1):
            gevent.sleep(5)

    def failed_deadline() -> None:
        try:
            with fail_after(1):
                gevent.sleep(5)
        except TimeoutError:
            pass

    assert_no_reference_cycles(cancelled_sleep)
    assert_no_reference_cycles(failed_deadline)
