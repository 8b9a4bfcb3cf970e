"""``Group``, ``Pool`` and the mapping methods they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from greenlet import GreenletExit, getcurrent

from ..greenlet import Greenlet, joinall
from ..timeout import Timeout
from ._event import Event
from ._imap import IMap, IMapUnordered
from ._queue import Full as QueueFull
from ._semaphore import DummySemaphore, Semaphore

__all__ = ["Group", "GroupMappingMixin", "Pool", "PoolFull", "pass_value"]


def pass_value(func: Callable[[Any], Any]) -> Callable[[Any], None]:
    """Adapt ``func(value)`` into a link callback run only on success."""

    def on_success(source: Any) -> None:
        if source.successful():
            func(source.value)

    on_success.__wrapped__ = func  # type: ignore[attr-defined]
    return on_success


class GroupMappingMixin:
    """``apply``/``map``/``imap`` on top of ``spawn``. Subclasses provide ``spawn``."""

    def spawn(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def _apply_immediately(self) -> bool:
        raise NotImplementedError

    def _apply_async_use_greenlet(self) -> bool:
        raise NotImplementedError

    def _apply_async_cb_spawn(self, callback: Callable[[Any], Any], result: Any) -> None:
        # As in gevent, apply_cb's callback runs later, in a greenlet of its own.
        Greenlet.spawn(callback, result)

    def apply_cb(self, func: Callable[..., Any], args: Any = None, kwds: Any = None,
                 callback: Callable[[Any], Any] | None = None) -> Any:
        """``apply``, then ``callback(result)`` if a callback is given."""
        result = self.apply(func, args, kwds)
        if callback is not None:
            self._apply_async_cb_spawn(callback, result)
        return result

    def apply_async(self, func: Callable[..., Any], args: Any = None, kwds: Any = None,
                    callback: Callable[[Any], Any] | None = None) -> Any:
        """Start ``func(*args, **kwds)`` and return its greenlet; never blocks."""
        if args is None:
            args = ()
        if kwds is None:
            kwds = {}
        if self._apply_async_use_greenlet():
            # Full: wait for a slot in a helper greenlet rather than here.
            return Greenlet.spawn(self.apply_cb, func, args, kwds, callback)
        greenlet = self.spawn(func, *args, **kwds)
        if callback is not None:
            greenlet.link(pass_value(callback))
        return greenlet

    def apply(self, func: Callable[..., Any], args: Any = None, kwds: Any = None) -> Any:
        """Run ``func(*args, **kwds)`` in the group and return its result (or raise)."""
        if args is None:
            args = ()
        if kwds is None:
            kwds = {}
        if self._apply_immediately():
            return func(*args, **kwds)
        return self.spawn(func, *args, **kwds).get()

    def map(self, func: Callable[..., Any], iterable: Iterable[Any]) -> list[Any]:
        """``[func(x) for x in iterable]``, run concurrently; results in input order."""
        return list(self.imap(func, iterable))

    def map_cb(self, func: Callable[..., Any], iterable: Iterable[Any],
               callback: Callable[[Any], Any] | None = None) -> list[Any]:
        result = self.map(func, iterable)
        if callback is not None:
            callback(result)
        return result

    def map_async(self, func: Callable[..., Any], iterable: Iterable[Any],
                  callback: Callable[[Any], Any] | None = None) -> Greenlet:
        """Run ``map`` in a new greenlet and return it."""
        return Greenlet.spawn(self.map_cb, func, iterable, callback)

    def __imap(self, cls: type[IMapUnordered], func: Callable[..., Any],
               *iterables: Iterable[Any], maxsize: int | None = None) -> Iterator[Any]:
        if len(iterables) == 1:
            it = cls(func, iterables[0], self.spawn, maxsize=maxsize)
        elif not iterables:
            raise TypeError("imap requires at least one iterable")
        else:
            # zip stops at the shortest input, as map() does.
            zipped = zip(*iterables)  # noqa: B905
            it = cls(func, zipped, self.spawn, maxsize=maxsize, _zipped=True)
        it.start()
        return it

    def imap(self, func: Callable[..., Any], *iterables: Iterable[Any],
             maxsize: int | None = None) -> Iterator[Any]:
        """Iterate over ``func(*items)`` in input order; an item's error is raised at its turn."""
        return self.__imap(IMap, func, *iterables, maxsize=maxsize)

    def imap_unordered(self, func: Callable[..., Any], *iterables: Iterable[Any],
                       maxsize: int | None = None) -> Iterator[Any]:
        """Iterate over ``func(*items)`` in completion order."""
        return self.__imap(IMapUnordered, func, *iterables, maxsize=maxsize)


class Group(GroupMappingMixin):
    """A set of greenlets; members leave it when they finish."""

    greenlet_class: type = Greenlet

    def __init__(self, *args: Any) -> None:
        if len(args) > 1:
            raise TypeError(f"Group takes at most one iterable, got {len(args)} arguments")
        self.greenlets: set[Any] = set(*args)
        for g in self.greenlets:
            g.rawlink(self._discard)
        self.dying: set[Any] = set()
        # Like gevent, starting from an iterable leaves the "empty" event set.
        self._empty_event = Event()
        self._empty_event.set()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {id(self):#x} {self.greenlets}>"

    def __len__(self) -> int:
        return len(self.greenlets)

    def __contains__(self, item: object) -> bool:
        return item in self.greenlets

    def __iter__(self) -> Iterator[Any]:
        return iter(self.greenlets)

    def add(self, greenlet: Any) -> None:
        """Add a greenlet; it is discarded automatically when it finishes."""
        greenlet.rawlink(self._discard)
        self.greenlets.add(greenlet)
        self._empty_event.clear()

    def _discard(self, greenlet: Any) -> None:
        self.greenlets.discard(greenlet)
        self.dying.discard(greenlet)
        if not self.greenlets:
            self._empty_event.set()

    def discard(self, greenlet: Any) -> None:
        """Remove a greenlet without waiting for it."""
        self._discard(greenlet)
        unlink = getattr(greenlet, "unlink", None)
        if unlink is not None:
            unlink(self._discard)

    def start(self, greenlet: Any) -> None:
        self.add(greenlet)
        greenlet.start()

    def spawn(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Create a ``greenlet_class(*args, **kwargs)``, add it and start it."""
        greenlet = self.greenlet_class(*args, **kwargs)
        self.start(greenlet)
        return greenlet

    def join(self, timeout: float | None = None, raise_error: bool = False) -> bool:
        """Wait until the group is empty: True if it became empty, False on timeout.

        With ``raise_error``, raise the first error among the members present now.
        """
        if raise_error:
            greenlets = self.greenlets.copy()
            done = self._empty_event.wait(timeout=timeout)
            for g in greenlets:
                if g.exception is not None:
                    if hasattr(g, "_raise_exception"):
                        g._raise_exception()
                    raise g.exception
            return done
        return self._empty_event.wait(timeout=timeout)

    def kill(self, exception: Any = GreenletExit, block: bool = True,
             timeout: float | None = None) -> None:
        """Kill every member (each only once); with ``block``, wait (a timeout is swallowed)."""
        timer = Timeout._start_new_or_dummy(timeout)
        try:
            while self.greenlets:
                for g in list(self.greenlets):
                    if g in self.dying:
                        continue
                    self.dying.add(g)
                    kill = getattr(g, "kill", None)
                    if kill is not None:
                        kill(exception, block=False)
                    else:
                        g.parent.loop.run_callback(g.throw, exception)
                if not block:
                    break
                joinall(self.greenlets)
        except Timeout as ex:
            if ex is not timer:
                raise
        finally:
            timer.cancel()

    def killone(self, greenlet: Any, exception: Any = GreenletExit, block: bool = True,
                timeout: float | None = None) -> None:
        """Kill one member (only once), optionally waiting for it."""
        if greenlet not in self.dying and greenlet in self.greenlets:
            greenlet.kill(exception, block=False)
            self.dying.add(greenlet)
            if block:
                greenlet.join(timeout)

    def full(self) -> bool:
        return False

    def wait_available(self, timeout: float | None = None) -> Any:
        return None

    def _apply_immediately(self) -> bool:
        return getcurrent() in self

    def _apply_async_use_greenlet(self) -> bool:
        return self.full()


class PoolFull(QueueFull):
    """Raised by ``Pool.add``/``start`` when no slot frees up in time."""


class Pool(Group):
    """A Group with at most ``size`` members; ``spawn`` waits for a free slot.

    ``size=None`` is unlimited; ``0`` admits nobody. ``size`` and
    ``_semaphore.counter`` may be adjusted together to resize the pool.
    """

    def __init__(self, size: int | None = None, greenlet_class: type | None = None) -> None:
        if size is not None and size < 0:
            raise ValueError(f"size must not be negative: {size!r}")
        Group.__init__(self)
        self.size = size
        if greenlet_class is not None:
            self.greenlet_class = greenlet_class
        self._semaphore: Any = DummySemaphore() if size is None else Semaphore(size)

    def wait_available(self, timeout: float | None = None) -> int:
        """Wait for a free slot; return how many are free (0 on timeout)."""
        return self._semaphore.wait(timeout=timeout)  # type: ignore[no-any-return]

    def full(self) -> bool:
        return self.free_count() <= 0

    def free_count(self) -> int:
        if self.size is None:
            return 1
        return max(0, self.size - len(self))

    def start(self, greenlet: Any, blocking: bool = True,  # type: ignore[override]
              timeout: float | None = None) -> None:
        """Add (waiting for a slot, ``PoolFull`` on failure) and start ``greenlet``."""
        self.add(greenlet, blocking, timeout)
        greenlet.start()

    def add(self, greenlet: Any, blocking: bool = True,  # type: ignore[override]
            timeout: float | None = None) -> None:
        """Take a slot for ``greenlet``; ``PoolFull`` if none frees up (or not ``blocking``)."""
        if not self._semaphore.acquire(blocking=blocking, timeout=timeout):
            raise PoolFull()
        try:
            Group.add(self, greenlet)
        except:
            self._semaphore.release()
            raise

    def _discard(self, greenlet: Any) -> None:
        if greenlet in self.greenlets:
            Group._discard(self, greenlet)
            self._semaphore.release()
        else:
            Group._discard(self, greenlet)
