"""Waiting on many descriptors at once: the engine of ``gevent.select`` and ``gevent.selectors``.

Theory of operation
-------------------
``wait_on_fds`` starts one ``io`` watcher per (descriptor, events) pair, at the
loop's highest priority, plus a timer when a timeout is given. Each watcher that
fires records its readiness and stops itself; the first one to fire (or the
timer) queues a single wake-up callback for the waiting greenlet. Because the
wake-up is a callback, every watcher the same loop iteration found ready has
recorded itself by the time the greenlet runs, so one call returns everything
that was ready together, as ``select(2)`` would.

A descriptor that cannot even be watched (already closed) is reported at once
with the ``BADFD`` bit, and the caller turns that into ``POLLNVAL`` or into a
ready entry whose next use meets the real error.
"""

from __future__ import annotations

from typing import Any

from .._hub_local import get_hub_noargs
from .._waiter import Waiter

__all__ = ["BADFD", "READ", "WRITE", "get_fileno", "wait_on_fds"]

READ = 1
WRITE = 2
BADFD = 4


def get_fileno(obj: Any) -> int:
    """The descriptor for an int or an object with ``fileno()``, as ``select`` accepts."""
    if isinstance(obj, int):
        return obj
    try:
        method = obj.fileno
    except AttributeError:
        raise TypeError(f"argument must be an int, or have a fileno() method: {obj!r}") from None
    fileno = method()
    if not isinstance(fileno, int):
        raise TypeError(f"fileno() returned a non-integer: {fileno!r}")
    return fileno


def wait_on_fds(items: list[tuple[int, int, Any]], timeout: float | None,
                hub: Any = None) -> list[tuple[Any, int]]:
    """Wait until some of ``items`` (``(fd, events, token)``) are ready, or ``timeout`` passes.

    Returns ``[(token, revents), ...]`` for the ready ones (empty on timeout).
    ``revents`` holds READ, WRITE, and BADFD for a descriptor that is closed.
    """
    if hub is None:
        hub = get_hub_noargs()
    loop = hub.loop
    results: list[tuple[Any, int]] = []
    waiter = Waiter(hub)
    woken: list[bool] = []

    def wake() -> None:
        if not woken:
            woken.append(True)
            loop.run_callback(waiter.switch, None)

    def on_ready(revents: int, token: Any, watcher: Any) -> None:
        watcher.stop()
        results.append((token, revents))
        wake()

    watchers: list[Any] = []
    timer = None
    try:
        for fd, events, token in items:
            if not events:
                continue
            try:
                watcher = loop.io(fd, events, priority=loop.MAXPRI)
            except OSError:
                results.append((token, BADFD | events))
                wake()
                continue
            watchers.append(watcher)
            watcher.start(on_ready, token, watcher, pass_events=True)
        if timeout is not None and not woken:
            timer = loop.timer(max(timeout, 0.0), priority=loop.MAXPRI)
            timer.start(wake)
        waiter.get()
    finally:
        for watcher in watchers:
            watcher.close()
        if timer is not None:
            timer.close()
    return results
