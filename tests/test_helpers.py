"""helpers.wait_all_blocked: the loop runs until every other greenlet is parked, no longer."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from helpers import wait_all_blocked

import gevent
from gevent import socket
from gevent.event import Event
from gevent.hub import Hub
from gevent.lock import Semaphore


@pytest.fixture(params=["virtual clock", "real clock"])
def any_hub(request: pytest.FixtureRequest) -> Iterator[Hub]:
    """This thread's hub, once on the virtual clock and once on the real one."""
    if request.param == "virtual clock":
        yield request.getfixturevalue("virtual_hub")
    else:
        yield gevent.get_hub()


def test_returns_once_a_spawned_greenlet_is_parked_in_event_wait(any_hub: Hub) -> None:
    event = Event()
    lock = Semaphore(0)
    steps: list[str] = []

    def releaser() -> None:
        gevent.sleep(0)
        lock.release()

    def waiter() -> None:
        steps.append("started")
        for _ in range(3):
            gevent.sleep(0)
        lock.acquire()  # released by the other greenlet a few switches later
        steps.append("waiting")
        event.wait()
        steps.append("woken")

    g = gevent.spawn(waiter)
    gevent.spawn(releaser)
    wait_all_blocked()
    assert steps == ["started", "waiting"]
    assert event.linkcount() == 1  # the waiter's link: it is inside wait()
    event.set()
    wait_all_blocked()
    assert steps == ["started", "waiting", "woken"]
    assert g.dead


def test_a_chain_of_wake_ups_runs_to_its_end(any_hub: Hub) -> None:
    events = [Event() for _ in range(20)]
    done: list[int] = []

    def link(i: int) -> None:
        events[i].wait()
        done.append(i)
        if i + 1 < len(events):
            events[i + 1].set()

    for i in range(len(events)):
        gevent.spawn(link, i)
    wait_all_blocked()
    assert done == []
    events[0].set()
    wait_all_blocked()
    assert done == list(range(20))


def test_a_chain_of_sleep0_switches_runs_to_its_end() -> None:
    # With a tiny switch interval, the loop runs the callbacks in many short
    # slices and goes idle between them while the chain still has switches to
    # make: a single gevent.idle() would return too early.
    hops: list[int] = []

    def hopper() -> None:
        for i in range(2000):
            hops.append(i)
            gevent.sleep(0)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        g = gevent.spawn(hopper)
        wait_all_blocked()
    finally:
        sys.setswitchinterval(old)
    assert len(hops) == 2000
    assert g.dead


def test_ready_io_counts_as_runnable() -> None:
    a, b = socket.socketpair()
    got: list[bytes] = []

    def reader() -> None:
        while True:
            data = b.recv(10)
            if not data:
                return
            got.append(data)

    g = gevent.spawn(reader)
    wait_all_blocked()
    assert got == []
    a.sendall(b"ping")
    wait_all_blocked()
    assert got == [b"ping"]
    a.close()
    wait_all_blocked()
    assert g.dead
    b.close()


def test_returns_at_once_when_nothing_can_run(virtual_hub: Hub) -> None:
    loop = virtual_hub.loop
    iterations: list[float] = []
    counter = loop.prepare()
    counter.start(lambda: iterations.append(loop.now()))
    try:
        wait_all_blocked()
    finally:
        counter.stop()
    assert len(iterations) <= 2
    assert loop.now() == 0.0  # the virtual clock did not jump


def test_timers_not_yet_due_are_left_alone(virtual_hub: Hub) -> None:
    fired: list[str] = []
    sleeper = gevent.spawn(gevent.sleep, 3600)
    gevent.spawn_later(1, fired.append, "timer")
    wait_all_blocked()
    assert virtual_hub.loop.now() == 0.0
    assert fired == []
    assert not sleeper.dead
    sleeper.kill()


def test_a_greenlet_asleep_on_the_real_clock_is_not_waited_for() -> None:
    # On the real clock, waiting for the sleeper would take a minute and end it.
    sleeper = gevent.spawn(gevent.sleep, 60)
    wait_all_blocked()
    assert sleeper.started and not sleeper.dead
    sleeper.kill()


def test_a_greenlet_that_never_blocks_is_an_error() -> None:
    def spin() -> None:
        while True:
            gevent.sleep(0)

    spinner = gevent.spawn(spin)
    with pytest.raises(RuntimeError, match="still runnable after 5 loop iterations"):
        wait_all_blocked(max_iterations=5)
    spinner.kill()


def test_the_hub_cannot_wait_for_itself() -> None:
    errors: list[BaseException] = []

    def in_hub() -> None:
        try:
            wait_all_blocked()
        except RuntimeError as exc:
            errors.append(exc)

    gevent.get_hub().loop.run_callback(in_hub)
    wait_all_blocked()
    assert len(errors) == 1
    assert "cannot be called from the hub" in str(errors[0])
