"""A greenlet-based stand-in for the ``_thread`` module.

``monkey.patch_thread()`` copies ``__implements__`` over ``_thread``: after
that a "thread" is a ``Greenlet``, its identity is ``id()`` of that greenlet,
and a "lock" is a ``BoundedSemaphore(1)`` with the stdlib lock's call
signature. Everything listed in ``__imports__`` is the untouched original.
"""

from __future__ import annotations

import _thread as __thread__
from collections.abc import Callable
from typing import Any

from greenlet import getcurrent

from .exceptions import GreenletExit
from .local import local as _local  # noqa: F401 - patched in as _thread._local
from .lock import BoundedSemaphore

__target__ = "_thread"

__implements__ = ["allocate_lock", "get_ident", "exit", "LockType", "stack_size",
                  "start_new_thread", "_local"]

__imports__ = ["error", "TIMEOUT_MAX", "allocate", "exit_thread", "interrupt_main",
               "start_new", "get_native_id", "RLock"]
__imports__ = [name for name in __imports__ if hasattr(__thread__, name)]

__all__ = [name for name in __implements__ if not name.startswith("_")] + __imports__

for _name in __imports__:
    globals()[_name] = getattr(__thread__, _name)
del _name

error = __thread__.error
TIMEOUT_MAX: float = __thread__.TIMEOUT_MAX
_original_stack_size = __thread__.stack_size


def get_ident(gr: Any = None) -> int:
    """The identity of greenlet ``gr`` (default: the current one), ``id()`` of it."""
    if gr is None:
        gr = getcurrent()
    return id(gr)


def start_new_thread(function: Callable[..., Any], args: tuple[Any, ...] = (),
                     kwargs: dict[str, Any] | None = None) -> int:
    """Run ``function(*args, **kwargs)`` in a new ``Greenlet``; return its ident."""
    from .greenlet import Greenlet

    if not isinstance(args, tuple):
        raise TypeError("2nd arg must be a tuple")
    if kwargs is not None and not isinstance(kwargs, dict):
        raise TypeError("optional 3rd arg must be a dictionary")
    greenlet = Greenlet.spawn(function, *args, **(kwargs or {}))
    return get_ident(greenlet)


class LockType(BoundedSemaphore):
    """``_thread.lock`` built on a semaphore: held by no one in particular.

    ``acquire`` takes the stdlib arguments: ``timeout=-1`` waits forever, a
    non-blocking call may not have a timeout, and releasing an unheld lock is
    a ``RuntimeError``.
    """

    __slots__ = ()

    def __init__(self, hub: Any = None) -> None:
        BoundedSemaphore.__init__(self, 1, hub)

    def __repr__(self) -> str:
        state = "locked" if self.locked() else "unlocked"
        return f"<{state} {type(self).__module__}.{type(self).__name__} object at {id(self):#x}>"

    def acquire(self, blocking: bool = True, timeout: float | None = -1) -> bool:
        if timeout is None or timeout == -1:
            timeout = None
        elif not blocking:
            raise ValueError("can't specify a timeout for a non-blocking call")
        elif timeout < 0:
            raise ValueError("timeout value must be a non-negative number")
        elif timeout > TIMEOUT_MAX:
            raise OverflowError("timeout value is too large")
        return BoundedSemaphore.acquire(self, blocking, timeout)

    def release(self) -> int:
        if self.counter >= 1:
            raise RuntimeError("release unlocked lock")
        return BoundedSemaphore.release(self)

    def __enter__(self) -> bool:  # type: ignore[override]
        return self.acquire()

    def _at_fork_reinit(self) -> None:
        BoundedSemaphore._at_fork_reinit(self)
        self.counter = 1

    # The old spellings the C lock still answers to.
    acquire_lock = acquire
    release_lock = release

    def locked_lock(self) -> bool:
        return self.locked()


allocate_lock = LockType


def exit() -> None:
    """End the current "thread" (greenlet) quietly."""
    raise GreenletExit


def stack_size(size: int | None = None) -> int:
    """Greenlets have no stack size of their own: this is the real ``_thread.stack_size``."""
    if size is None:
        return _original_stack_size()
    return _original_stack_size(size)
