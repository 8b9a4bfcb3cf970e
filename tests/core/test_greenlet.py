"""Greenlet semantics of spec section 1.3."""

from __future__ import annotations

import pytest
from helpers import wait_all_blocked

import gevent
from gevent import Greenlet, GreenletExit
from gevent.hub import Hub


def _ignore_kills() -> None:
    """A greenlet body that survives every GreenletExit thrown at it."""
    while True:
        try:
            gevent.sleep(100)
        except GreenletExit:
            pass


def state(g: Greenlet) -> tuple[bool, bool, bool, bool]:
    return (bool(g), g.started, g.ready(), g.dead)


def test_state_through_the_life_cycle(virtual_hub: Hub) -> None:
    g = Greenlet(lambda: 42)
    assert state(g) == (False, False, False, False)
    g.start()
    assert state(g) == (True, True, False, False)
    g.join()
    assert state(g) == (False, False, True, True)
    assert g.value == 42
    assert g.successful()
    assert g.exception is None
    assert g.exc_info is None


def test_non_callable_is_rejected_at_once() -> None:
    with pytest.raises(TypeError):
        gevent.spawn(42)  # type: ignore[arg-type]


def test_failure_keeps_exception_and_traceback(virtual_hub: Hub) -> None:
    virtual_hub.exception_stream = None

    def fail() -> None:
        raise ValueError("nope")

    g = gevent.spawn(fail)
    g.join()
    assert not g.successful()
    assert isinstance(g.exception, ValueError)
    assert g.exc_info is not None and g.exc_info[0] is ValueError
    with pytest.raises(ValueError, match="nope") as info:
        g.get()
    assert info.traceback[-1].name == "fail"


def test_kill_before_start_means_it_never_runs_but_links_fire(virtual_hub: Hub) -> None:
    ran: list[int] = []
    linked: list[Greenlet] = []
    g = gevent.spawn(ran.append, 1)
    g.link(linked.append)
    g.kill()
    assert g.dead
    assert isinstance(g.value, GreenletExit)
    assert g.successful()
    wait_all_blocked()
    assert ran == []
    assert linked == [g]


def test_kill_running_greenlet_waits_for_it(virtual_hub: Hub) -> None:
    cleaned: list[str] = []

    def worker() -> None:
        try:
            gevent.sleep(100)
        finally:
            cleaned.append("cleanup")

    g = gevent.spawn(worker)
    gevent.sleep(0)
    assert g.kill() is None
    assert g.dead
    assert cleaned == ["cleanup"]


def test_kill_with_exception_instance_and_block_false(virtual_hub: Hub) -> None:
    caught: list[BaseException] = []

    def worker() -> None:
        try:
            gevent.sleep(100)
        except KeyError as e:
            caught.append(e)

    g = gevent.spawn(worker)
    gevent.sleep(0)
    err = KeyError("k")
    g.kill(err, block=False)
    assert not g.dead
    g.join()
    assert caught == [err]


def test_kill_of_a_running_greenlet_forgets_its_function_at_once(virtual_hub: Hub) -> None:
    # As in gevent: the function and its arguments are dropped when kill() is
    # called, so the error report of a greenlet a kill makes fail reads "_run".
    import io

    def victim(tag: str) -> None:
        gevent.sleep(100)

    stream = io.StringIO()
    virtual_hub.exception_stream = stream
    g = gevent.spawn(victim, "a")
    gevent.sleep(0)
    g.kill(KeyError, block=False)
    assert g.args == () and g.kwargs == {}
    assert repr(g).endswith(": _run>")
    g.join()
    assert "_run> failed with KeyError" in stream.getvalue()
    h = gevent.spawn(victim, "b")
    gevent.sleep(0)
    gevent.killall([h], block=False)
    assert h.args == ()
    named = gevent.spawn(victim, "c")
    assert "victim('c')" in repr(named)  # formatted before the kill: kept
    gevent.sleep(0)
    named.kill()
    assert "victim('c')" in repr(named)


def test_kill_ignored_with_timeout_returns_quietly(virtual_hub: Hub) -> None:
    g = gevent.spawn(_ignore_kills)
    gevent.sleep(0)
    assert g.kill(timeout=1) is None
    assert not g.dead
    virtual_hub.exception_stream = None
    g.kill(ValueError)  # not caught: this one ends it
    assert g.dead
    assert isinstance(g.exception, ValueError)


def test_join_returns_none_even_on_timeout(virtual_hub: Hub) -> None:
    g = gevent.spawn(gevent.sleep, 10)
    assert g.join(timeout=1) is None
    assert not g.ready()
    g.kill()


def test_get_nonblocking_and_with_timeout_raise_timeout(virtual_hub: Hub) -> None:
    g = gevent.spawn(gevent.sleep, 10)
    with pytest.raises(gevent.Timeout):
        g.get(block=False)
    with pytest.raises(gevent.Timeout):
        g.get(timeout=1)
    g.kill()


def test_links_run_in_registration_order_even_after_death(virtual_hub: Hub) -> None:
    order: list[str] = []
    g = gevent.spawn(lambda: "v")
    g.link(lambda s: order.append("link1"))
    g.rawlink(lambda s: order.append("rawlink2"))
    g.link_value(lambda s: order.append("link_value3"))
    g.link_exception(lambda s: order.append("link_exception4"))
    g.join()
    gevent.sleep(0)
    assert order == ["link1", "rawlink2", "link_value3"]
    g.rawlink(lambda s: order.append("late"))
    gevent.sleep(0)
    assert order[-1] == "late"


def test_unlink_removes_a_spawned_link(virtual_hub: Hub) -> None:
    seen: list[Greenlet] = []
    g = gevent.spawn(lambda: None)
    g.link(seen.append)
    assert g.has_links()
    g.unlink(seen.append)
    assert not g.has_links()
    g.join()
    gevent.sleep(0)
    assert seen == []


def test_names_and_minimal_ident(virtual_hub: Hub) -> None:
    g = Greenlet(lambda: None)
    assert "Greenlet-" not in repr(g)
    assert g.name == f"Greenlet-{g.minimal_ident}"
    g.name = "custom"
    assert repr(g).startswith('<Greenlet "custom" at ')


def test_subclass_with_run_and_attributes(virtual_hub: Hub) -> None:
    class Mine(Greenlet):
        def __init__(self, n: int) -> None:
            Greenlet.__init__(self)
            self.n = n

        def _run(self) -> int:
            return self.n * 2

    g = Mine.spawn(21)
    assert isinstance(g, Mine)
    assert g.get() == 42


def test_context_manager_joins_then_kills(virtual_hub: Hub) -> None:
    with gevent.spawn(lambda: 7) as g:
        pass
    assert g.value == 7


def test_spawn_tree_tracking(virtual_hub: Hub) -> None:
    def child() -> Greenlet:
        return gevent.getcurrent()  # type: ignore[return-value]

    g = gevent.spawn(child)
    g.join()
    assert g.spawning_greenlet() is gevent.getcurrent()
    assert g.spawning_stack is not None
    assert isinstance(g.spawn_tree_locals, dict)


def test_killall_raises_timeout_when_they_survive(virtual_hub: Hub) -> None:
    gs = [gevent.spawn(_ignore_kills) for _ in range(2)]
    gevent.sleep(0)
    with pytest.raises(gevent.Timeout):
        gevent.killall(gs, timeout=1)
    virtual_hub.exception_stream = None
    gevent.killall(gs, exception=SystemError, block=False)


def test_killall_cancels_unstarted_greenlets(virtual_hub: Hub) -> None:
    ran: list[int] = []
    gs = [gevent.spawn(ran.append, i) for i in range(3)]
    gevent.killall(gs)
    gevent.sleep(0)
    assert ran == []
    assert all(g.dead for g in gs)


def test_joinall_raise_error_reraises_first_failure(virtual_hub: Hub) -> None:
    virtual_hub.exception_stream = None

    def fail() -> None:
        raise KeyError("first")

    gs = [gevent.spawn(gevent.sleep, 0.05), gevent.spawn(fail), gevent.spawn(gevent.sleep, 1)]
    with pytest.raises(KeyError):
        gevent.joinall(gs, raise_error=True)
    done = gevent.joinall(gs, timeout=0.2)
    assert done == [gs[1], gs[0]]


def test_iwait_yields_in_readiness_order_and_honours_count(virtual_hub: Hub) -> None:
    a = gevent.spawn(gevent.sleep, 0.3)
    b = gevent.spawn(gevent.sleep, 0.1)
    c = gevent.spawn(gevent.sleep, 0.2)
    assert list(gevent.iwait([a, b, c], count=2)) == [b, c]
    # b and c were ready already; like gevent, their notifications come last first.
    assert gevent.wait([a, b, c]) == [c, b, a]


def test_spawn_raw_runs_in_the_hub_with_kwargs(virtual_hub: Hub) -> None:
    got: list[tuple[int, int]] = []
    g = gevent.spawn_raw(lambda a, b: got.append((a, b)), 1, b=2)
    assert g.parent is virtual_hub
    gevent.sleep(0)
    assert got == [(1, 2)]


def test_greenlet_created_at_the_top_of_a_script() -> None:
    # Regression: collecting the spawning stack assumed three frames above it.
    import subprocess
    import sys

    code = "import gevent; g = gevent.Greenlet(len, [1]); g.start(); print(g.get())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "1\n"


def test_repr_names_plain_functions_and_reprs_other_callables(virtual_hub: Hub) -> None:
    def work(x: int, k: int = 0) -> None:
        pass

    assert repr(Greenlet(work, 1, k=2)).endswith(": work(1, k=2)>")
    assert repr(Greenlet(len, [1])).endswith(": <built-in function len>([1])>")
    assert repr(Greenlet()).endswith(": _run>")
    assert repr(Greenlet(work)).endswith(": work>")


def test_joinall_of_many_greenlets_finishing_together(virtual_hub: Hub) -> None:
    gs = [gevent.spawn(lambda i=i: i) for i in range(1000)]
    done = gevent.joinall(gs)
    assert [g.value for g in done] == list(range(1000))


def test_iwait_sees_each_object_before_the_next_notification_runs(virtual_hub: Hub) -> None:
    # Regression: deferring iwait's wake-up let every notification run first.
    from gevent.lock import Semaphore

    sem1 = Semaphore()
    sem2 = Semaphore()
    with gevent.iwait((sem1, sem2)) as iterator:
        assert next(iterator) is sem1
        assert sem2.linkcount() == 1
    assert sem2.linkcount() == 0


def test_wait_with_count_returns_the_first_ready_and_unlinks_the_rest(virtual_hub: Hub) -> None:
    gs = [gevent.spawn(gevent.sleep, s) for s in (0.3, 0.1, 0.2)]
    assert gevent.wait(gs, count=2) == [gs[1], gs[2]]
    assert not gs[0].has_links()
    assert set(gevent.wait(gs, timeout=0.05)) == {gs[1], gs[2]}
    gevent.joinall(gs)
