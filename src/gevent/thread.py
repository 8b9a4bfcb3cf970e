"""A greenlet-based stand-in for the ``_thread`` module.

``monkey.patch_thread()`` copies ``__implements__`` over ``_thread``: after
that a "thread" is a ``Greenlet``, its identity is ``id()`` of that greenlet,
and a "lock" is a ``BoundedSemaphore(1)`` with the stdlib lock's call
signature. Everything listed in ``__imports__`` is the untouched original.

Thread handles (CPython 3.13+)
------------------------------
From 3.13 ``threading`` no longer builds ``join`` on a lock that the
interpreter releases when an OS thread ends. It starts threads with
``_thread.start_joinable_thread``, which fills in a ``_thread._ThreadHandle``,
and ``Thread.join``/``is_alive`` ask that handle (``join``, ``is_done``).
Where ``_thread`` has these, this module provides green twins, chosen by
``hasattr`` so that any interpreter with the same internals gets them:

* ``_ThreadHandle``: not started, running (with the greenlet's ident), then
  done. ``join`` waits on a ``gevent.event.Event``, so it is cooperative, and
  works from any native thread.
* ``start_joinable_thread``: runs the function in a ``Greenlet`` and marks
  the handle done when it returns. Handles of non-daemon threads are kept
  until then, for ``_shutdown``.
* ``_shutdown``: at interpreter exit, joins those non-daemon green threads
  (the main greenlet waits in the hub, so they keep running), then the native
  ``_thread._shutdown`` for any native thread started before patching.
* ``_make_thread_handle`` and ``_get_main_thread_ident``: the running handle
  of a thread not started here, and the main thread's ident: the ident of the
  main native thread's root greenlet, or, while a forked child runs its
  after-fork hooks, the greenlet that forked (it becomes the child's main
  thread, as in CPython).

In a forked child only the forking greenlet's thread goes on: every other
green handle is marked done, and the waiters the parent had are dropped, as
CPython does for the handles of the threads that did not survive the fork.
"""

from __future__ import annotations

import _thread as __thread__
import os as _os
import weakref as _weakref
from collections.abc import Callable
from typing import Any

from greenlet import getcurrent

from ._hub_local import get_hub_if_exists as _get_hub_if_exists
from ._sync._event import Event
from ._sync._semaphore import BoundedSemaphore
from .exceptions import GreenletExit
from .hub import sleep as _sleep
from .local import local as _local  # noqa: F401 - patched in as _thread._local

__target__ = "_thread"

__implements__ = ["allocate_lock", "get_ident", "exit", "LockType", "stack_size",
                  "start_new_thread", "_local"]
# Thread handles (CPython 3.13+): provided only where ``_thread`` has them.
# ``_thread`` itself gets the three names the spec lists; ``_get_main_thread_ident``
# and ``_shutdown`` go only into ``threading``, under the names it imported them as.
_HAS_THREAD_HANDLES = all(hasattr(__thread__, name) for name in (
    "start_joinable_thread", "_ThreadHandle", "_make_thread_handle",
    "_get_main_thread_ident", "_shutdown"))
if _HAS_THREAD_HANDLES:
    __implements__ += ["start_joinable_thread", "_ThreadHandle", "_make_thread_handle"]

__imports__ = ["error", "TIMEOUT_MAX", "allocate", "exit_thread", "interrupt_main",
               "start_new", "get_native_id", "RLock", "daemon_threads_allowed"]
__imports__ = [name for name in __imports__ if hasattr(__thread__, name)]

__all__ = ["allocate_lock", "get_ident", "exit", "LockType", "stack_size",
           "start_new_thread", *__imports__]

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
        acquired = BoundedSemaphore.acquire(self, blocking, timeout)
        if not acquired and not blocking:
            # A spin lock (``while not lock.acquire(False): pass``) would never
            # let the holder run: a failed try yields, as gevent's does. Not in
            # the hub, which cannot, and not where there is no hub to yield to.
            hub = _get_hub_if_exists()
            if hub is not None and getcurrent() is not hub:
                _sleep(0)
        return acquired

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
if hasattr(__thread__, "lock"):
    # 3.13 names the lock type ``_thread.lock`` as well.
    lock = LockType


def exit() -> None:
    """End the current "thread" (greenlet) quietly."""
    raise GreenletExit


def stack_size(size: int | None = None) -> int:
    """Greenlets have no stack size of their own: this is the real ``_thread.stack_size``."""
    if size is None:
        return _original_stack_size()
    return _original_stack_size(size)


# ------------------------------------------------------------ thread handles

_native_get_ident: Callable[[], int] = __thread__.get_ident
_native_main_ident: Callable[[], int] | None = getattr(__thread__, "_get_main_thread_ident",
                                                       None)
_native_shutdown: Callable[[], None] | None = getattr(__thread__, "_shutdown", None)

_NOT_STARTED, _RUNNING, _DONE = 0, 1, 2


class _ThreadHandle:
    """The green ``_thread._ThreadHandle``: what ``threading.Thread.join`` waits on.

    ``ident`` is 0 until the thread starts. ``join`` and ``_set_done`` raise
    ``RuntimeError('thread not started')`` before that, as the C handle does.

    Compatibility:
        As in gevent, a handle that was never started counts as done
        (``is_done()`` is True), so an unstarted ``Thread`` shows as
        "stopped" in its repr; CPython's says "initial". ``is_alive()`` is
        False either way.
    """

    __slots__ = ("__weakref__", "_done", "_ident", "_state")

    def __init__(self) -> None:
        self._ident = 0
        self._state = _NOT_STARTED
        self._done = Event()
        _handles.add(self)

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object: ident={self._ident}>"

    @property
    def ident(self) -> int:
        return self._ident

    def _start(self, ident: int) -> None:
        if self._state != _NOT_STARTED:
            raise RuntimeError("thread already started")
        self._ident = ident
        self._state = _RUNNING

    def is_done(self) -> bool:
        return self._state != _RUNNING

    def _set_done(self) -> None:
        if self._state == _NOT_STARTED:
            raise RuntimeError("thread not started")
        self._state = _DONE
        self._done.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait, cooperatively, until the thread is done or ``timeout`` seconds pass."""
        if self._state == _NOT_STARTED:
            raise RuntimeError("thread not started")
        if self._state == _RUNNING and self._ident == get_ident():
            raise RuntimeError("Cannot join current thread")
        if timeout is not None and timeout < 0:
            timeout = 0
        self._done.wait(timeout)

    def _after_fork_in_child(self, current: int) -> None:
        # The parent's waiters do not exist as such in the child.
        self._done._at_fork_reinit()
        if self._state == _RUNNING and self._ident != current:
            self._state = _DONE
            self._done.set()


# Every handle, for the after-fork fix-up, and those of running non-daemon threads.
_handles: _weakref.WeakSet[_ThreadHandle] = _weakref.WeakSet()
_non_daemon: set[_ThreadHandle] = set()
# How many forks are in progress in this process (between the before and after hooks).
_forking = 0


def _run_joinable(function: Callable[[], Any], handle: _ThreadHandle) -> None:
    try:
        function()
    finally:
        _non_daemon.discard(handle)
        handle._set_done()


def start_joinable_thread(function: Callable[[], Any], handle: _ThreadHandle | None = None,
                          daemon: bool = True) -> _ThreadHandle:
    """Run ``function()`` in a new ``Greenlet``; return ``handle`` (or a new one) for it."""
    from .greenlet import Greenlet

    if handle is None:
        handle = _ThreadHandle()
    elif not isinstance(handle, _ThreadHandle):
        raise TypeError(f"'handle' must be a _ThreadHandle, not {type(handle).__name__}")
    greenlet = Greenlet(_run_joinable, function, handle)
    handle._start(get_ident(greenlet))
    if not daemon:
        _non_daemon.add(handle)
    greenlet.start()
    return handle


def _make_thread_handle(ident: int) -> _ThreadHandle:
    """A running handle for a thread (greenlet) that was not started here."""
    handle = _ThreadHandle()
    handle._start(ident)
    return handle


def _root_greenlet() -> Any:
    g = getcurrent()
    while g.parent is not None:
        g = g.parent
    return g


def _get_main_thread_ident() -> int:
    """The ident of the main thread: that of the main native thread's root greenlet."""
    if _forking:
        # threading._after_fork() in a child: the forking greenlet is the new main thread.
        return get_ident()
    native_main = _native_main_ident() if _native_main_ident is not None else None
    if native_main is None or native_main == _native_get_ident():
        return get_ident(_root_greenlet())
    # Asked from another native thread: the main thread's greenlets are out of reach.
    return native_main


def _shutdown() -> None:
    """Wait until every non-daemon thread (green, then native) other than this one has ended."""
    me = get_ident()
    while True:
        pending = [h for h in list(_non_daemon) if not h.is_done() and h.ident != me]
        if not pending:
            break
        for handle in pending:
            handle.join()
    if _native_shutdown is not None:
        _native_shutdown()


def _before_fork() -> None:
    global _forking
    _forking += 1


def _after_fork_in_parent() -> None:
    global _forking
    _forking = max(_forking - 1, 0)


def _after_fork_in_child() -> None:
    global _forking
    _forking = 0
    current = get_ident()
    for handle in list(_handles):
        handle._after_fork_in_child(current)
    _non_daemon.intersection_update(h for h in _handles if not h.is_done())


if _HAS_THREAD_HANDLES and hasattr(_os, "register_at_fork"):
    _os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                         after_in_child=_after_fork_in_child)
