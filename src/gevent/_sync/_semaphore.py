"""``Semaphore``, ``BoundedSemaphore`` and ``DummySemaphore``.

A semaphore is an ``AbstractLinkable`` that is ready while its counter is
positive. Waiters are served first come, first served: while anyone waits, a
newcomer queues behind them even if the counter is positive, so a greenlet that
releases and immediately re-acquires cannot starve the others. Greenlets of any
thread may acquire, and any thread may release; a thread with no hub blocks on
a native lock instead of creating one.
"""

from __future__ import annotations

from time import monotonic as _monotonic
from typing import Any

from ..timeout import Timeout
from ._linkable import AbstractLinkable, _wait_hub

__all__ = ["BoundedSemaphore", "DummySemaphore", "Semaphore"]


class Semaphore(AbstractLinkable):
    """A counter that ``acquire`` decrements, waiting while it is zero.

    ``release()`` may raise the counter above its initial value and returns the
    new counter.
    """

    __slots__ = ("__dict__", "counter")

    _notify_all = False

    def __init__(self, value: int = 1, hub: Any = None) -> None:
        if not isinstance(value, int):
            raise TypeError("an integer is required")
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        AbstractLinkable.__init__(self, hub)
        self.counter = value

    def __str__(self) -> str:
        return (f"<{type(self).__name__} at {id(self):#x} counter={self.counter} "
                f"{self._links_repr()}>")

    def locked(self) -> bool:
        """True if ``acquire()`` would block."""
        return self.counter <= 0

    def ready(self) -> bool:
        return self.counter > 0

    def _may_notify(self) -> bool:
        return self.counter > 0

    def _wake_budget(self) -> int:
        return self.counter

    def release(self) -> int:
        """Add one to the counter, wake a waiter, and return the new counter."""
        lock = self._lock
        lock.acquire()
        counter = self.counter = self.counter + 1
        if not self._links or self._notifier is not None:
            lock.release()
            return counter
        lock.release()
        self._check_and_notify()
        return counter

    def _try_acquire(self) -> bool:
        with self._lock:
            if self.counter > 0:
                self.counter -= 1
                return True
        return False

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take one unit; False if ``blocking`` is false or ``timeout`` expires first."""
        lock = self._lock
        lock.acquire()
        if self.counter > 0 and not self._links:
            self.counter -= 1
            lock.release()
            return True
        lock.release()
        if not blocking:
            return False
        return self._acquire_slow(timeout)

    def _acquire_slow(self, timeout: Any) -> bool:
        if _wait_hub() is None:
            return self._acquire_native(timeout)
        timer = Timeout._start_new_or_dummy(timeout)
        try:
            while True:
                try:
                    self._wait_core(None)
                except Timeout as ex:
                    if ex is not timer:
                        raise
                    return False
                if self._take():
                    return True
        finally:
            timer.cancel()
            del timer  # no frame <-> Timeout cycle once it fired (see _wait_core)

    def _acquire_native(self, timeout: Any) -> bool:
        # A thread without a hub: sleep on a native lock, no hub is created.
        seconds = getattr(timeout, "seconds", timeout)
        deadline = None if seconds is None else _monotonic() + seconds
        while True:
            remaining = None if deadline is None else deadline - _monotonic()
            if remaining is not None and remaining <= 0:
                return self._try_acquire()
            if self._wait_core(remaining) and self._take():
                return True

    def _take(self) -> bool:
        # After a wake-up: we were woken in turn, so take a unit if one is left.
        with self._lock:
            if self.counter > 0:
                self.counter -= 1
                return True
        return False

    def wait(self, timeout: float | None = None) -> int:
        """Wait until the counter is positive (without taking it); return the counter."""
        if self.counter > 0:
            return self.counter
        self._wait_core(timeout)
        if self.counter > 0 and self._links and self._notifier is None:
            # Woken from another thread, we took no unit: pass the turn on, as
            # the local notifier does by carrying on to the next waiter.
            self._check_and_notify()
        return self.counter

    def __enter__(self) -> Semaphore:
        self.acquire()
        return self

    def __exit__(self, t: Any, v: Any, tb: Any) -> None:
        self.release()

    def _at_fork_reinit(self) -> None:
        from ._linkable import _allocate_lock as allocate_lock  # never a patched one

        self._lock = allocate_lock()
        self._links.clear()
        self._notifier = None


class BoundedSemaphore(Semaphore):
    """A Semaphore whose ``release`` refuses to go above the initial value."""

    __slots__ = ("_initial_value",)

    def __init__(self, value: int = 1, hub: Any = None) -> None:
        Semaphore.__init__(self, value, hub)
        self._initial_value = value

    def release(self) -> int:
        if self.counter >= self._initial_value:
            raise ValueError("Semaphore released too many times")
        return Semaphore.release(self)


class DummySemaphore:
    """A semaphore that never blocks: what an unbounded Pool uses."""

    def __init__(self, value: Any = None) -> None:
        pass

    def __str__(self) -> str:
        return f"<{type(self).__name__}>"

    def locked(self) -> bool:
        return False

    def ready(self) -> bool:
        return True

    def release(self) -> None:
        pass

    def rawlink(self, callback: Any) -> None:
        pass

    def unlink(self, callback: Any) -> None:
        pass

    def wait(self, timeout: float | None = None) -> int:
        return 1

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        return True

    def __enter__(self) -> None:
        pass

    def __exit__(self, t: Any, v: Any, tb: Any) -> None:
        pass
