"""Hubs for tests: a fresh one per test, on a virtual clock, and what it left running.

``wait_all_blocked`` lets every other greenlet get as far as it can without
moving the clock. ``isolated_hub`` gives the current thread a new loop and hub
(on a ``MockClock`` if given) and destroys them afterwards. ``leaked_greenlets``
finds the greenlets of a hub that have not finished, by walking the objects the
garbage collector tracks, which is slow but sees greenlets nobody references.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from greenlet import getcurrent
from greenlet import greenlet as RawGreenlet

from .._core import Loop, MockClock, SystemClock
from .._hub_local import get_hub_if_exists, get_hub_noargs, set_hub, set_loop
from ..hub import idle

__all__ = ["destroy_hub", "isolated_hub", "leaked_greenlets", "wait_all_blocked"]


def wait_all_blocked(max_iterations: int = 10_000) -> None:
    """Run the event loop until every other greenlet of this thread's hub is blocked.

    Returns as soon as an iteration of the hub's loop finds nothing to run: no
    callback queued (a greenlet that was just spawned, woken, or that yielded
    with ``sleep(0)`` is waiting in one), no I/O ready and no timer due. Every
    other greenlet of the hub has then finished or is parked in a blocking call
    such as ``Event.wait()``, ``socket.recv()`` or ``sleep(seconds)``.

    Time does not move on: a timer that is not due yet stays pending, so a
    greenlet sleeping for a while is left asleep, and a virtual clock does not
    jump. Call it instead of ``gevent.sleep(0.01)`` when a test only needs
    another greenlet to get as far as it can: it takes no real time and cannot
    return early. It waits for this hub only; native threads, and greenlets of
    other threads' hubs, keep running on their own.

    Call it from any greenlet except the hub. It raises ``RuntimeError`` if the
    loop still has work after ``max_iterations`` iterations, as it will while a
    greenlet never blocks (``while True: gevent.sleep(0)``).
    """
    hub = get_hub_noargs()
    if getcurrent() is hub:
        raise RuntimeError("wait_all_blocked() cannot be called from the hub")
    loop = hub.loop
    for _ in range(max_iterations):
        # The loop fires idle watchers in an iteration in which no other watcher
        # fired (no I/O, no timer, nothing fed). It may still hold callbacks then,
        # since it runs them in time slices: go round until none is left.
        idle()
        if not loop._callbacks:
            return
    raise RuntimeError(f"greenlets of {hub!r} were still runnable after "
                       f"{max_iterations} loop iterations")


def destroy_hub() -> None:
    """Destroy this thread's hub and its loop, if it has one; the next use makes new ones."""
    hub = get_hub_if_exists()
    if hub is not None:
        hub.destroy(destroy_loop=True)
    set_hub(None)
    set_loop(None)


@contextmanager
def isolated_hub(clock: MockClock | SystemClock | None = None) -> Iterator[Any]:
    """A new hub for this thread, on ``clock`` (the system clock by default), for the block.

    Any hub the thread had is destroyed first, and the new one afterwards, so
    nothing a test leaves running reaches the next one. With
    ``MockClock(autojump=True)``, sleeps and deadlines take no real time.
    """
    destroy_hub()
    try:
        set_loop(Loop(clock=clock))
        yield get_hub_noargs()
    finally:
        destroy_hub()


def _unfinished(glet: Any, hub: Any, queued: set[int]) -> bool:
    if glet is hub or glet.parent is not hub:
        return False
    if getattr(glet, "_dead_before_start", False) or glet.dead:
        return False
    # Started and not dead, or about to start: a gevent Greenlet whose start is
    # queued, or a plain greenlet whose first switch is (``spawn_raw``).
    return bool(glet) or getattr(glet, "_start_event", None) is not None or id(glet) in queued


def leaked_greenlets(hub: Any = None) -> list[Any]:
    """The greenlets of ``hub`` (this thread's) that are running, blocked or about to start."""
    if hub is None:
        hub = get_hub_if_exists()
        if hub is None:
            return []
    current = getcurrent()
    queued = {id(getattr(cb.callback, "__self__", None)) for cb in list(hub.loop._callbacks)}
    return [obj for obj in gc.get_objects()
            if isinstance(obj, RawGreenlet) and obj is not current
            and _unfinished(obj, hub, queued)]
