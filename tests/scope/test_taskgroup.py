"""TaskGroup: no child outlives the block; failures cancel the rest and surface once."""

from __future__ import annotations

import sys

import pytest
from helpers import assert_no_reference_cycles, wait_all_blocked

import gevent
from gevent import Cancelled, CancelScope, TaskGroup, current_time, move_on_after
from gevent._scope._cancel import _innermost
from gevent.event import Event
from gevent.hub import Hub
from gevent.testkit import leaked_greenlets

if sys.version_info >= (3, 11):
    from builtins import BaseExceptionGroup, ExceptionGroup
else:
    from exceptiongroup import BaseExceptionGroup, ExceptionGroup

pytestmark = pytest.mark.usefixtures("virtual_hub")


class Boom(Exception):
    pass


def fail_after_sleeping(seconds: float, tag: str) -> None:
    gevent.sleep(seconds)
    raise Boom(tag)


def test_leaving_the_block_waits_for_every_child() -> None:
    start = current_time()
    with TaskGroup() as tg:
        a = tg.spawn(lambda: (gevent.sleep(3), "a")[1])
        b = tg.spawn(lambda x, y=0: gevent.sleep(x + y) or "b", 1, y=1)
    assert current_time() - start == 3
    assert (a.get(), b.get()) == ("a", "b")
    assert isinstance(a, gevent.Greenlet) and not leaked_greenlets()


def test_a_failing_child_cancels_its_siblings_and_the_body(capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    start = current_time()
    cleaned: list[float] = []

    def sibling() -> None:
        try:
            gevent.sleep(100)
        finally:
            cleaned.append(current_time() - start)

    body_reached = []
    with pytest.raises(ExceptionGroup) as info:
        with TaskGroup() as tg:
            tg.spawn(sibling)
            tg.spawn(fail_after_sleeping, 2, "child")
            gevent.sleep(50)
            body_reached.append("not reached")
    assert [type(e) for e in info.value.exceptions] == [Boom]
    assert str(info.value.exceptions[0]) == "child"
    assert cleaned == [2] and body_reached == [] and current_time() - start == 2
    # The error surfaces once: in the group, not also as the hub's report.
    assert "Boom" not in capsys.readouterr().err
    assert not leaked_greenlets()


def test_children_failing_together_are_all_reported() -> None:
    with pytest.raises(ExceptionGroup) as info:
        with TaskGroup() as tg:
            for tag in "abc":
                tg.spawn(fail_after_sleeping, 1, tag)
    assert sorted(str(e) for e in info.value.exceptions) == ["a", "b", "c"]


def test_an_exception_in_the_body_cancels_the_children() -> None:
    cancelled = []

    def child() -> None:
        try:
            gevent.sleep(100)
        except Cancelled:
            cancelled.append(True)
            raise

    with pytest.raises(ExceptionGroup) as info:
        with TaskGroup() as tg:
            tg.spawn(child)
            wait_all_blocked()
            raise Boom("body")
    assert [str(e) for e in info.value.exceptions] == ["body"]
    assert cancelled == [True]


def test_cancel_ends_the_block_without_error() -> None:
    start = current_time()
    with TaskGroup() as tg:
        tg.spawn(gevent.sleep, 100)
        tg.spawn(lambda: (gevent.sleep(4), tg.cancel()))
        gevent.sleep(100)
    assert current_time() - start == 4
    assert tg.cancel_scope.cancelled_caught and not leaked_greenlets()


def test_cancel_while_the_owner_waits_at_the_end_of_the_block() -> None:
    with TaskGroup() as tg:
        tg.spawn(gevent.sleep, 100)
        tg.spawn(lambda: (gevent.sleep(4), tg.cancel()))
    assert tg.cancel_scope.cancelled_caught


def test_groups_nest_and_errors_nest_with_them() -> None:
    outer_child_cancelled = []

    def outer_child() -> None:
        try:
            gevent.sleep(100)
        except Cancelled:
            outer_child_cancelled.append(True)
            raise

    def inner_owner() -> None:
        with TaskGroup() as inner:
            inner.spawn(fail_after_sleeping, 1, "deep")
            inner.spawn(gevent.sleep, 100)

    with pytest.raises(ExceptionGroup) as info:
        with TaskGroup() as outer:
            outer.spawn(outer_child)
            outer.spawn(inner_owner)
    (nested,) = info.value.exceptions
    assert isinstance(nested, ExceptionGroup)
    assert [str(e) for e in nested.exceptions] == ["deep"]
    assert outer_child_cancelled == [True]
    assert not leaked_greenlets()


def test_an_enclosing_scope_cancels_the_group_and_catches_it() -> None:
    start = current_time()
    with move_on_after(3) as scope:
        with TaskGroup() as tg:
            tg.spawn(gevent.sleep, 100)
            child = tg.spawn(lambda: (gevent.sleep(100), "never")[1])
        pytest.fail("the deadline ends the group, then the scope")
    assert scope.cancelled_caught and current_time() - start == 3
    assert isinstance(child.exception, Cancelled) and not leaked_greenlets()
    assert not tg.cancel_scope.cancelled_caught


def test_a_deadline_reaches_grandchildren() -> None:
    ended = []

    def grandchild() -> None:
        try:
            gevent.sleep(100)
        finally:
            ended.append(current_time())

    def child() -> None:
        with TaskGroup() as inner:
            inner.spawn(grandchild)

    start = current_time()
    with move_on_after(2):
        with TaskGroup() as tg:
            tg.spawn(child)
    assert ended == [start + 2]


def test_a_shielded_child_finishes_its_cleanup() -> None:
    start = current_time()
    done = []

    def child() -> None:
        try:
            gevent.sleep(100)
        finally:
            with CancelScope(shield=True):
                gevent.sleep(5)
                done.append(current_time() - start)

    with move_on_after(1):
        with TaskGroup() as tg:
            tg.spawn(child)
    assert done == [6] and current_time() - start == 6


def test_a_child_spawned_into_a_cancelled_group_runs_until_it_blocks() -> None:
    steps = []

    def child() -> None:
        steps.append("started")
        gevent.sleep(1)
        steps.append("not reached")

    with TaskGroup() as tg:
        tg.cancel()
        tg.spawn(child)
    assert steps == ["started"]


def test_children_may_spawn_siblings_until_the_group_is_done() -> None:
    seen = []

    def parent_child(tg: TaskGroup) -> None:
        gevent.sleep(1)
        tg.spawn(lambda: (gevent.sleep(1), seen.append("late sibling")))

    with TaskGroup() as tg:
        tg.spawn(parent_child, tg)
    assert seen == ["late sibling"]
    with pytest.raises(RuntimeError, match="not open"):
        tg.spawn(gevent.sleep, 1)
    with pytest.raises(RuntimeError, match="already used"):
        with tg:
            pass
    with TaskGroup() as tg2:
        with pytest.raises(TypeError, match="callable"):
            tg2.spawn(42)  # type: ignore[arg-type]


def test_a_killed_child_is_not_an_error() -> None:
    with TaskGroup() as tg:
        child = tg.spawn(gevent.sleep, 100)
        wait_all_blocked()
        child.kill()
    assert child.successful()


def test_a_timeout_reaching_the_body_propagates_as_itself() -> None:
    cancelled = []

    def child() -> None:
        try:
            gevent.sleep(100)
        except Cancelled:
            cancelled.append(True)
            raise

    timeout = gevent.Timeout(2)
    with pytest.raises(gevent.Timeout) as info:
        with timeout:
            with TaskGroup() as tg:
                tg.spawn(child)
    assert info.value is timeout and cancelled == [True]
    assert not leaked_greenlets()


def test_killing_the_owner_cancels_the_children() -> None:
    cancelled = []
    started = Event()

    def child() -> None:
        try:
            gevent.sleep(100)
        except Cancelled:
            cancelled.append(True)
            raise

    def owner() -> None:
        with TaskGroup() as tg:
            tg.spawn(child)
            started.set()
            gevent.sleep(100)

    glet = gevent.spawn(owner)
    started.wait()
    wait_all_blocked()
    glet.kill()
    assert glet.successful() and cancelled == [True]
    assert not leaked_greenlets() and not _innermost.get(glet)


def test_system_exit_in_a_child_is_raised_as_itself() -> None:
    with pytest.raises(SystemExit):
        with TaskGroup() as tg:
            tg.spawn(sys.exit, 3)
            tg.spawn(gevent.sleep, 100)
    assert not leaked_greenlets()


def test_a_child_timeout_makes_a_base_exception_group() -> None:
    def child() -> None:
        with gevent.Timeout(1):
            gevent.sleep(5)

    with pytest.raises(BaseExceptionGroup) as info:
        with TaskGroup() as tg:
            tg.spawn(child)
    assert [type(e) for e in info.value.exceptions] == [gevent.Timeout]
    assert not isinstance(info.value, ExceptionGroup)


def test_groups_leave_no_reference_cycles(virtual_hub: Hub) -> None:
    def cancelled_group() -> None:
        with TaskGroup() as tg:
            tg.spawn(gevent.sleep, 100)
            tg.spawn(lambda: (gevent.sleep(1), tg.cancel()))

    def failed_group() -> None:
        try:
            with TaskGroup() as tg:
                tg.spawn(gevent.sleep, 100)
                tg.spawn(fail_after_sleeping, 1, "x")
        except ExceptionGroup:
            pass

    def group_under_a_deadline() -> None:
        with move_on_after(1):
            with TaskGroup() as tg:
                tg.spawn(gevent.sleep, 100)

    for operation in (cancelled_group, failed_group, group_under_a_deadline):
        assert_no_reference_cycles(operation)


def test_killing_the_owner_twice_kills_a_shielded_child_outright() -> None:
    start = current_time()
    entered_cleanup = Event()

    def stubborn_child() -> None:
        try:
            gevent.sleep(100)
        finally:
            with CancelScope(shield=True):
                entered_cleanup.set()
                gevent.sleep(100)  # a cleanup that would take too long

    def owner() -> None:
        with TaskGroup() as tg:
            tg.spawn(stubborn_child)
            gevent.sleep(100)

    glet = gevent.spawn(owner)
    wait_all_blocked()
    glet.kill(block=False)
    entered_cleanup.wait()
    wait_all_blocked()
    assert not glet.dead  # the group waits for its child's cleanup
    glet.kill()
    assert glet.successful() and current_time() == start
    assert not leaked_greenlets()


def test_a_timeout_and_a_childs_error_both_surface_in_the_group() -> None:
    def fails_when_cancelled() -> None:
        try:
            gevent.sleep(100)
        except Cancelled:
            raise Boom("cleanup failed") from None

    timeout = gevent.Timeout(2)
    with pytest.raises(BaseExceptionGroup) as info:
        with timeout:
            with TaskGroup() as tg:
                tg.spawn(fails_when_cancelled)
    assert [type(e) for e in info.value.exceptions] == [Boom, gevent.Timeout]
    assert info.value.exceptions[1] is timeout


def test_keyboard_interrupt_reaching_the_body_is_raised_as_itself() -> None:
    def fails_when_cancelled() -> None:
        try:
            gevent.sleep(100)
        except Cancelled:
            raise Boom("cleanup failed") from None

    with pytest.raises(KeyboardInterrupt):
        with TaskGroup() as tg:
            tg.spawn(fails_when_cancelled)
            wait_all_blocked()
            raise KeyboardInterrupt
