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

The answer itself comes from the kernel: ``poll_now`` asks the native
``poll(2)`` with a zero timeout before any waiting (so what is ready already is
reported at once, complete, even with a zero timeout), and again after a
watcher woke us, so that a descriptor ready for reading and writing is reported
with both in one call, as ``select(2)`` would. The watchers' own records are
only the fallback for a wake-up whose readiness is gone by then.
"""

from __future__ import annotations

import select as _select
from typing import Any

from .._hub_local import get_hub_noargs
from .._patch import get_original
from .._waiter import Waiter
from ..hub import sleep

__all__ = ["BADFD", "READ", "WRITE", "get_fileno", "native_poll", "poll_now", "wait_on_fds"]

READ = 1
WRITE = 2
BADFD = 4

native_poll: Any = get_original("select", "poll") if hasattr(_select, "poll") else None
_POLLIN = getattr(_select, "POLLIN", 1)
_POLLOUT = getattr(_select, "POLLOUT", 4)
_POLLNVAL = getattr(_select, "POLLNVAL", 32)


def poll_now(items: list[tuple[int, int, Any]]) -> list[tuple[Any, int]]:
    """What the kernel says is ready right now among ``items``, without waiting.

    Same shape as ``wait_on_fds``. Hang-up and error count as ready for
    whatever was asked, as ``select(2)`` reports them.
    """
    if native_poll is None:
        return []
    masks: dict[int, int] = {}
    bad: set[int] = set()
    for fd, events, _token in items:
        if events:
            masks[fd] = masks.get(fd, 0) | events
    poller = native_poll()
    for fd, events in masks.items():
        try:
            poller.register(fd, (_POLLIN if events & READ else 0)
                            | (_POLLOUT if events & WRITE else 0))
        except (ValueError, OverflowError, OSError):
            bad.add(fd)
    flags = dict(poller.poll(0)) if masks else {}
    out = []
    for fd, events, token in items:
        if not events:
            continue
        if fd in bad:
            out.append((token, BADFD | events))
            continue
        got = flags.get(fd, 0)
        if not got:
            continue
        if got & _POLLNVAL:
            out.append((token, BADFD | events))
            continue
        revents = (READ if got & _POLLIN else 0) | (WRITE if got & _POLLOUT else 0)
        if got & ~(_POLLIN | _POLLOUT):  # hang-up or error
            revents = events
        revents &= events
        if revents:
            out.append((token, revents))
    return out


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
                hub: Any = None, ask_kernel: bool = True) -> list[tuple[Any, int]]:
    """Wait until some of ``items`` (``(fd, events, token)``) are ready, or ``timeout`` passes.

    Returns ``[(token, revents), ...]`` for the ready ones (empty on timeout).
    ``revents`` holds READ, WRITE, and BADFD for a descriptor that is closed.
    ``ask_kernel=False`` skips both kernel checks, for a caller that makes its own.
    """
    if ask_kernel:
        ready = poll_now(items)
        if ready or (timeout is not None and timeout <= 0):
            sleep()  # as select() does: a busy select(0) loop still lets others run
            return ready
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
    if results and ask_kernel:
        return poll_now(items) or results
    return results
