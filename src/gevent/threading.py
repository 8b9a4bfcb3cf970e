"""The names ``monkey.patch_thread()`` replaces inside the ``threading`` module.

``threading`` looks most of ``_thread`` up once, at import, under private
names (``_start_new_thread``, ``_allocate_lock``, ...), so patching ``_thread``
alone is not enough: ``__implements__`` lists the ``threading`` attributes this
module provides instead. With them a ``threading.Thread`` runs in a greenlet,
``threading.Lock`` is ``gevent.thread.LockType`` and ``threading.RLock()`` is
the pure-Python ``_RLock`` (``_CRLock`` is set to None) built on it.

Theory of operation
-------------------
* ``threading`` files every running thread in ``_active`` under its ident.
  Once ``get_ident`` means "this greenlet", the main thread must be filed again
  under the ident of the main greenlet (``_fix_main_thread``), and
  ``_shutdown`` (run at interpreter exit) does that again if needed.
* ``join`` must wait cooperatively for a greenlet, and at exit the main
  thread must wait for the non-daemon green threads. How depends on the
  interpreter, and the internals present are detected, not the version:

  - Up to 3.12, a thread's "state lock" (``Thread._tstate_lock``, made by
    ``_set_sentinel``) is what ``join`` and ``_shutdown`` wait on; the
    interpreter releases it when the OS thread ends. A greenlet has no such
    end of life, so ``Thread`` here releases it itself when its run finishes,
    and the main thread's lock is swapped for a green one.
  - From 3.13, ``Thread`` keeps a ``_thread._ThreadHandle`` (``_handle``)
    filled in by ``_start_joinable_thread``; ``join``/``is_alive`` ask it, and
    ``_shutdown`` marks the main thread's handle done and calls
    ``_thread_shutdown`` to wait for the rest. ``gevent.thread`` provides
    green twins of all of these and they are patched in under threading's
    private names; the main thread gets a green handle.
* Any other greenlet calling ``threading.current_thread()`` gets a
  ``_DummyThread``; ours leaves ``_active`` when its greenlet dies, so that
  dead greenlets (whose ids Python reuses) do not accumulate there. From
  3.13 the stdlib's dummy thread also parks a ``_DeleteDummyThreadOnDel`` in
  the native thread-local ``_thread_local_info``, whose collection removes it
  from ``_active``. One slot per native thread would let each new greenlet's
  dummy evict the previous one's, and a greenlet-local slot would let that
  ``__del__`` run during interpreter teardown (and fail noisily). So
  ``_thread_local_info`` becomes ``_DummyTrackerSink``, which disarms the
  tracker and drops it: ours is the one mechanism.

This module has no ``__all__``: it exists for ``gevent.monkey``.
"""

from __future__ import annotations

import sys
import threading as _threading_module
import weakref
from typing import Any

from greenlet import getcurrent

from . import hub as _hub
from . import thread as _gthread
from ._patch import get_original
from .hub import get_thread_ident as _native_get_ident
from .local import local as local
from .thread import allocate_lock, get_ident, start_new_thread

# Typed loosely: we reach into threading's private bookkeeping.
__threading__: Any = _threading_module

# Only the names this interpreter's threading has (3.13 dropped _start_new_thread
# and _set_sentinel, and added the thread-handle names).
__implements__ = [name for name in (
    "local", "_allocate_lock", "Lock", "_DummyThread", "_start_new_thread", "Thread", "Timer",
    "_set_sentinel", "get_ident", "_CRLock",
    # CPython 3.13+: thread handles.
    "_start_joinable_thread", "_ThreadHandle", "_make_thread_handle",
    "_get_main_thread_ident", "_thread_shutdown", "_thread_local_info",
) if hasattr(__threading__, name)]

_start_new_thread = start_new_thread
_allocate_lock = allocate_lock
Lock = allocate_lock
_get_ident = get_ident
#: None makes ``threading.RLock()`` build the pure-Python RLock on our locks.
_CRLock = None

_OriginalThread: Any = get_original("threading", "Thread")
_OriginalTimer: Any = get_original("threading", "Timer")
_OriginalDummyThread: Any = get_original("threading", "_DummyThread")
_original_shutdown: Any = get_original("threading", "_shutdown")
_MAIN_NATIVE_IDENT: int = __threading__.main_thread().ident or _native_get_ident()

__all__: list[str] = []
__extensions__ = ["main_native_thread"]

_sleep = _hub.sleep

if _gthread._HAS_THREAD_HANDLES:
    _start_joinable_thread = _gthread.start_joinable_thread
    _ThreadHandle = _gthread._ThreadHandle
    _make_thread_handle = _gthread._make_thread_handle
    _get_main_thread_ident = _gthread._get_main_thread_ident
    _thread_shutdown = _gthread._shutdown
else:
    # threading expects handles that _thread cannot give: leave them native.
    __implements__ = [name for name in __implements__ if name not in (
        "_start_joinable_thread", "_ThreadHandle", "_make_thread_handle",
        "_get_main_thread_ident", "_thread_shutdown")]


class _DummyTrackerSink:
    """Replaces ``threading._thread_local_info`` (3.13+): see the theory of operation.

    The stdlib stores a ``_DeleteDummyThreadOnDel`` here, whose ``__del__``
    removes the dummy thread from ``_active`` if it is still filed there.
    This object disarms it (it then matches nothing) and keeps no reference.
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(value, "_dummy_thread"):
            value._dummy_thread = _DISARMED


_DISARMED = object()
if "_thread_local_info" in __implements__:
    _thread_local_info = _DummyTrackerSink()


def _set_sentinel() -> Any:
    """The lock a ``Thread`` holds while it runs (released by ``Thread`` itself)."""
    return allocate_lock()


def _root_greenlet() -> Any:
    g = getcurrent()
    while g.parent is not None:
        g = g.parent
    return g


def main_native_thread() -> Any:
    """The ``Thread`` object of the process's main OS thread."""
    return __threading__.main_thread()


class Thread(_OriginalThread):  # type: ignore[misc]
    """``threading.Thread`` whose ``join`` returns once its greenlet has finished."""

    def _bootstrap_inner(self) -> None:
        try:
            super()._bootstrap_inner()
        finally:
            # The interpreter releases this for a real thread when it ends.
            lock = getattr(self, "_tstate_lock", None)
            if lock is not None and lock.locked():
                lock.release()


class Timer(Thread, _OriginalTimer):  # type: ignore[misc]
    """``threading.Timer`` running in a greenlet."""


class _DummyThread(_OriginalDummyThread):  # type: ignore[misc]
    """The ``Thread`` that ``current_thread()`` invents for a foreign greenlet.

    It removes itself from ``threading._active`` when that greenlet dies.
    """

    # CPython 3.11.8+, 3.12.2+ and 3.13 turn the dummy thread that forks into
    # the child's _MainThread by assigning ``__class__`` (gevent issue 2020).
    # This subclass adds no slots, so that assignment works as it is.
    _NEEDS_CLASS_FORK_FIXUP = (sys.version_info[:3] >= (3, 12, 2)
                               or (3, 11, 8) <= sys.version_info[:3] < (3, 12))

    def __init__(self) -> None:
        super().__init__()
        greenlet = getcurrent()
        ident = self._ident
        me = weakref.ref(self)

        def forget(_arg: Any = None) -> None:
            thread = me()
            if thread is None:
                return
            active = __threading__._active
            with __threading__._active_limbo_lock:
                if active.get(ident) is thread:
                    del active[ident]

        rawlink = getattr(greenlet, "rawlink", None)
        if rawlink is not None:
            rawlink(forget)
        else:
            self._gevent_greenlet_ref = weakref.ref(greenlet, forget)


def _is_stopped(thread: Any) -> bool:
    handle = getattr(thread, "_handle", None)
    if handle is not None:
        return bool(handle.is_done())
    return bool(thread._is_stopped)


def _fix_main_thread() -> bool:
    """File the main ``Thread`` under the main greenlet's ident; True if anything moved.

    Only meaningful in the main OS thread; elsewhere nothing happens.
    """
    if _native_get_ident() != _MAIN_NATIVE_IDENT:
        return False
    main: Any = __threading__.main_thread()
    if _is_stopped(main):
        return False
    new_ident = id(_root_greenlet())
    _green_main_join(main, new_ident)
    old_ident = main._ident
    if old_ident == new_ident:
        return False
    active = __threading__._active
    with __threading__._active_limbo_lock:
        if active.get(old_ident) is main:
            del active[old_ident]
        main._ident = new_ident
        active[new_ident] = main
    return True


def _green_main_join(main: Any, new_ident: int) -> None:
    """Make what greenlets wait on to join the main thread green."""
    handle = getattr(main, "_handle", None)
    if handle is not None:
        # 3.13+: a running green handle under the main greenlet's ident.
        if not isinstance(handle, _gthread._ThreadHandle):
            main._handle = _gthread._make_thread_handle(new_ident)
        elif handle.ident != new_ident:
            handle._ident = new_ident
        return
    lock = getattr(main, "_tstate_lock", None)
    if lock is not None and lock.locked() and not isinstance(lock, allocate_lock):
        # Up to 3.12: greenlets join the main thread by waiting on this lock.
        green = allocate_lock()
        green.acquire()
        main._tstate_lock = green
        shutdown_locks = getattr(__threading__, "_shutdown_locks", None)
        if shutdown_locks is not None and lock in shutdown_locks:
            with __threading__._shutdown_locks_lock:
                shutdown_locks.discard(lock)
                shutdown_locks.add(green)


def _shutdown() -> None:
    """``threading._shutdown`` (run at exit) with the main thread's ident kept green."""
    _fix_main_thread()
    main: Any = __threading__.main_thread()
    lock = getattr(main, "_tstate_lock", None)
    if (main.ident == __threading__.get_ident() and lock is not None
            and not lock.locked()):
        # Someone already let go of the main thread's state lock: it has stopped.
        main._stop()
    _original_shutdown()
