"""Waiting on several objects at once: ``wait`` and ``iwait``.

Anything with ``rawlink(callback)`` and ``unlink(callback)`` can be waited on:
greenlets, events, async results, semaphores, and more.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from greenlet import getcurrent

from ._hub_local import get_hub_noargs
from ._waiter import Waiter
from .exceptions import InvalidSwitchError

__all__ = ["iwait_on_objects", "wait_on_objects"]

_READY = object()


class _WaitIterator:
    """Yields the objects in the order they become ready."""

    def __init__(self, objects: Iterable[Any], hub: Any, timeout: float | None,
                 count: int | None) -> None:
        self._hub = hub
        self._objects = list(objects)
        self._ready: deque[Any] = deque()
        self._waiting: Any = None
        self._timer: Any = None
        self._timeout = timeout
        self._timed_out = False
        self._begun = False
        self._done = False
        n = len(self._objects)
        self._count = n if count is None else max(0, min(count, n))

    def _on_ready(self, obj: Any) -> None:
        # Wake the reader at once (not from a later callback): it must see each
        # object before the notifications of the others run, as gevent's does.
        self._ready.append(obj)
        self._wake()

    def _on_timeout(self) -> None:
        self._timed_out = True
        self._wake()

    def _wake(self) -> None:
        g = self._waiting
        if g is not None:
            self._waiting = None
            g.switch(_READY)

    def _begin(self) -> None:
        self._begun = True
        on_ready = self._on_ready
        for obj in self._objects:
            obj.rawlink(on_ready)
        if self._timeout is not None:
            self._timer = self._hub.loop.timer(self._timeout, priority=-1)
            self._timer.start(self._on_timeout)

    def __iter__(self) -> _WaitIterator:
        return self

    def __next__(self) -> Any:
        if not self._begun:
            if self._count == 0:
                self._cleanup()
                raise StopIteration
            self._begin()
        if self._done:
            raise StopIteration
        if not self._ready and not self._timed_out:
            self._waiting = getcurrent()
            try:
                result = self._hub.switch()
            except:
                self._cleanup()
                raise
            finally:
                self._waiting = None
            if result is not _READY:
                self._cleanup()
                raise InvalidSwitchError(f"Invalid switch into iwait(): {result!r}")
        if not self._ready:
            self._cleanup()
            raise StopIteration
        self._count -= 1
        item = self._ready.popleft()
        if self._count <= 0:
            self._cleanup()
        return item

    def _cleanup(self) -> None:
        if self._done:
            return
        self._done = True
        if self._timer is not None:
            self._timer.close()
            self._timer = None
        _unlink_all(self._objects, self._on_ready)
        self._objects = []

    def __enter__(self) -> _WaitIterator:
        return self

    def __exit__(self, *exc: object) -> None:
        self._cleanup()


def iwait_on_objects(objects: Iterable[Any] | None = None, timeout: float | None = None,
                     count: int | None = None) -> Iterator[Any]:
    """Iterate over ``objects`` as they become ready; stop after ``count`` or ``timeout``."""
    hub = get_hub_noargs()
    if objects is None:
        return iter([hub.join(timeout=timeout)])
    return _WaitIterator(objects, hub, timeout, count)


def wait_on_objects(objects: Iterable[Any] | None = None, timeout: float | None = None,
                    count: int | None = None) -> Any:
    """Wait for ``objects`` (all of them, or ``count``) and return those ready, in order.

    With no objects, wait for the whole loop to finish: True if it did, False if
    the timeout expired first.
    """
    if objects is None:
        return get_hub_noargs().join(timeout=timeout)
    objects = list(objects)
    wanted = len(objects) if count is None else max(0, min(count, len(objects)))
    if not wanted:
        return []
    # Unlike iwait, nobody looks at the objects one by one, so the caller is
    # woken once, when enough are ready (or at the timeout): joining 100,000
    # greenlets costs one switch, not 100,000.
    hub = get_hub_noargs()
    ready: list[Any] = []
    waiter = Waiter(hub)

    def on_ready(obj: Any) -> None:
        if len(ready) < wanted:
            ready.append(obj)
            if len(ready) == wanted:
                waiter.switch(None)

    timer = None
    for obj in objects:
        obj.rawlink(on_ready)
    try:
        if timeout is not None:
            timer = hub.loop.timer(timeout, priority=-1)
            timer.start(waiter.switch, None)
        waiter.get()
    finally:
        if timer is not None:
            timer.close()
        _unlink_all(objects, on_ready)
    return ready[:wanted]


def _unlink_all(objects: list[Any], callback: Any) -> None:
    for obj in objects:
        unlink = getattr(obj, "unlink", None)
        if unlink is not None:
            try:
                unlink(callback)
            except Exception:
                # Cleanup must reach every object; one odd unlink cannot stop it.
                pass
