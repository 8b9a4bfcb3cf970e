"""The hub: the greenlet that runs the event loop, one per native thread.

Rule 1: the hub is the only greenlet that runs the loop, and every blocking call
in gevent ends in ``hub.switch()``, normally through ``Hub.wait(watcher)`` and a
``Waiter``. Timeouts, deadlock detection (``LoopExit``) and the blocking check
(``switch_out``) therefore live in one place.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from collections.abc import Callable
from functools import partial as _partial
from typing import Any

from greenlet import GreenletExit, getcurrent
from greenlet import greenlet as RawGreenlet

from . import _hub_local
from ._config import config as GEVENT_CONFIG
from ._hub_local import (
    MAIN_THREAD_IDENT,
    get_loop,
    get_thread_ident,
    set_default_hub_class,
    set_hub,
    set_loop,
)
from ._hub_local import get_hub_if_exists as _get_hub
from ._hub_local import get_hub_noargs as _get_hub_noargs
from ._hub_primitives import iwait_on_objects as iwait
from ._hub_primitives import wait_on_objects as wait
from ._ident import IdentRegistry
from ._util import gmctime, readproperty
from ._waiter import Waiter
from .exceptions import BlockingSwitchOutError, HubDestroyed, InvalidSwitchError, LoopExit

__all__ = ["GreenletExit", "Hub", "Waiter", "get_hub", "getcurrent", "kill", "reinit", "signal",
           "sleep", "spawn_raw"]

get_hub = _hub_local.get_hub
get_hub_class = _hub_local.get_hub_class
_switch_to = RawGreenlet.switch



def _main_greenlet_of_this_thread() -> Any:
    g = getcurrent()
    while g.parent is not None:
        g = g.parent
    return g


class Hub(RawGreenlet):
    """Runs the loop; the parent of every greenlet spawned in its thread."""

    SYSTEM_ERROR: Any = (KeyboardInterrupt, SystemExit, SystemError)
    NOT_ERROR: Any = (GreenletExit, SystemExit)
    threadpool_size = 10
    periodic_monitoring_thread: Any = None
    name = ""
    _resolver: Any = None
    _threadpool: Any = None
    backend: Any = None

    def __init__(self, loop: Any = None, default: Any = None) -> None:
        RawGreenlet.__init__(self, None, _main_greenlet_of_this_thread())
        self.thread_ident = get_thread_ident()
        self.main_hub = self.thread_ident == MAIN_THREAD_IDENT
        if loop is None:
            loop = get_loop()
        if loop is None or getattr(loop, "_destroyed", False):
            if default is None:
                default = self.main_hub
            loop = self.loop_class(default=default)
        elif not hasattr(loop, "run_callback"):
            # gevent accepts a loop *class* or flags here.
            loop = self.loop_class(flags=loop, default=default)
        self.loop = loop
        self.backend = getattr(loop, "backend", None)
        self.ident_registry = IdentRegistry()
        self._joining = False

    @property
    def loop_class(self) -> Any:
        return GEVENT_CONFIG.loop

    @property
    def resolver_class(self) -> Any:
        return GEVENT_CONFIG.resolver

    @property
    def threadpool_class(self) -> Any:
        return GEVENT_CONFIG.threadpool

    @property
    def minimal_ident(self) -> int:
        return self.ident_registry.get_ident(self)

    @readproperty
    def exception_stream(self) -> Any:
        """Where errors are printed (``sys.stderr``); assign a false value to silence them."""
        return sys.stderr

    @readproperty
    def format_context(self) -> Any:
        return GEVENT_CONFIG.format_context

    def __repr__(self) -> str:
        loop = self.loop
        if loop is None:
            info = "destroyed"
        else:
            info = (f"{loop.backend}{' default' if loop.default else ''} "
                    f"pending={len(loop._fed)} ref={loop._nrefs} callbacks={len(loop._callbacks)}")
        return (f"<{type(self).__name__} {self.name!r} at {id(self):#x} {info} "
                f"thread_ident={self.thread_ident:#x}>")

    # -------------------------------------------------------------- errors

    def handle_error(self, context: Any, type: Any, value: Any, tb: Any) -> None:
        """Report an error that happened in a greenlet or callback of this hub.

        ``NOT_ERROR`` types are not printed; ``SYSTEM_ERROR`` types (and errors
        with no context) are raised again in the main greenlet.
        """
        type, value, tb = self._normalize_exception(type, value, tb)
        if isinstance(value, GreenletExit) and getcurrent() is self:
            # Thrown into the hub itself (destroy, or garbage collection): let it
            # unwind the loop instead of treating it as a callback's error.
            raise value
        if type is None or not issubclass(type, self.NOT_ERROR):
            self.print_exception(context, type, value, tb)
        if context is None or issubclass(type, self.SYSTEM_ERROR):
            self.handle_system_error(type, value, tb)

    @staticmethod
    def _normalize_exception(t: Any, v: Any, tb: Any) -> tuple[Any, Any, Any]:
        if isinstance(t, BaseException):
            t, v = type(t), t
        if v is None and isinstance(t, type) and issubclass(t, BaseException):
            v = t()
        elif v is not None and not isinstance(v, BaseException) and isinstance(t, type):
            v = t(v)
        if tb is None and isinstance(v, BaseException):
            tb = v.__traceback__
        return t, v, tb

    def handle_system_error(self, type: Any, value: Any, tb: Any = None) -> None:
        """Re-raise a fatal error in the main greenlet (the hub's parent)."""
        if value is None:
            value = type()
        if tb is not None and value.__traceback__ is not tb:
            value = value.with_traceback(tb)
        current = getcurrent()
        if current is self or current is self.parent or self.loop is None:
            if current is self.parent:
                raise value
            self.parent.throw(value)
        else:
            # Inside some other greenlet: raise it in the main greenlet now,
            # before anything else runs. Should the main greenlet handle it and
            # block again, a callback resumes this greenlet where it left off.
            resume = self.loop.run_callback(current.switch)
            try:
                self.parent.throw(value)
            finally:
                resume.stop()

    def print_exception(self, context: Any, t: Any, v: Any, tb: Any) -> None:
        errstream = self.exception_stream
        if not errstream:
            return
        if t is None:
            t, v, tb = self._normalize_exception(t, v, tb)
        try:
            if v is not None:
                traceback.print_exception(t, v, tb, file=errstream)
            errstream.write(gmctime())
            if context is None:
                errstream.write("\n")
                return
            errstream.write(" ")
            if not isinstance(context, str):
                try:
                    context = self.format_context(context)
                except Exception:
                    traceback.print_exc()
                    context = repr(context)
            name = getattr(t, "__name__", repr(t))
            errstream.write(f"{context} failed with {name}\n\n")
        except Exception:
            # A broken stream must not take the hub down with it.
            pass

    # ----------------------------------------------------------- switching

    def switch(self) -> Any:  # type: ignore[override]
        switch_out = getattr(getcurrent(), "switch_out", None)
        if switch_out is not None:
            switch_out()
        return RawGreenlet.switch(self)

    def switch_out(self) -> None:
        raise BlockingSwitchOutError(
            "Impossible to call blocking function in the event loop callback")

    def wait(self, watcher: Any) -> Any:
        """Block the current greenlet until ``watcher`` (not yet started) fires.

        No ``Waiter``: the watcher switches straight back into the waiting
        greenlet with itself as the value, which is how a stray switch is told
        apart (``InvalidSwitchError``). ``cancel_wait`` finds the greenlet as
        the ``__self__`` of the watcher's callback.
        """
        current = getcurrent()
        switch_out = getattr(current, "switch_out", None)
        if switch_out is not None:
            switch_out()  # the hub itself: BlockingSwitchOutError
        watcher.start(current.switch, watcher)
        # Rule 5: an exception thrown into us keeps this frame in its
        # traceback, so hold no reference to the greenlet.
        current = switch_out = None
        try:
            result = _switch_to(self)
        finally:
            watcher.stop()
        if result is not watcher:
            raise InvalidSwitchError(
                f"Invalid switch into {getcurrent()}: got {result!r} (expected {watcher!r}; "
                f"waiting on {watcher!r})")

    def cancel_wait(self, watcher: Any, error: Any, close_watcher: bool = False) -> None:
        """Make whoever waits on ``watcher`` raise ``error``, from a hub callback."""
        if watcher.callback is not None:
            self.loop.run_callback(self._cancel_wait, watcher, error, close_watcher)
        elif close_watcher:
            watcher.close()

    def _cancel_wait(self, watcher: Any, error: Any, close_watcher: bool) -> None:
        active = watcher.active
        cb = watcher.callback
        args = watcher.args
        if close_watcher:
            watcher.close()
        if active:
            # A socket wait starts its watcher with (_switch_to, greenlet, token);
            # anything else waits through a bound method (a greenlet's or a Waiter's).
            glet = args[0] if cb is _switch_to and args else getattr(cb, "__self__", None)
            if glet is not None:
                glet.throw(error)

    def cancel_waits_close_and_then(self, watchers: Any, exc_kind: Any, then: Callable[..., Any],
                                    *then_args: Any) -> None:
        deferred = []
        for w in watchers:
            if w is None:
                continue
            if w.callback is None:
                w.close()
            else:
                deferred.append(w)
        if deferred:
            self.loop.run_callback(self._cancel_waits_then, deferred, exc_kind, then, then_args)
        else:
            then(*then_args)

    def _cancel_waits_then(self, watchers: Any, exc_kind: Any, then: Callable[..., Any],
                           then_args: Any) -> None:
        for w in watchers:
            self._cancel_wait(w, exc_kind, True)
        then(*then_args)

    # ------------------------------------------------------------ running

    def run(self) -> None:
        """Run the loop forever; tell the parent each time the loop runs dry."""
        if getcurrent() is not self:
            raise AssertionError("Do not call Hub.run() directly")
        loop = self.loop
        loop.error_handler = self
        # Started here, in the hub's own thread, the first time the hub runs:
        # its greenlet trace hook must be installed in this thread.
        self.start_periodic_monitoring_thread()
        try:
            while True:
                loop.run()
                blocked = [] if self._joining else _blocked_greenlets(self)
                self.parent.throw(LoopExit("This operation would block forever", self, blocked))
        finally:
            loop.error_handler = None

    def start_periodic_monitoring_thread(self) -> Any:
        if self.periodic_monitoring_thread is None and GEVENT_CONFIG.monitor_thread:
            from gevent._monitor import PeriodicMonitoringThread

            self.periodic_monitoring_thread = PeriodicMonitoringThread(self)
            if self.main_hub:
                self.periodic_monitoring_thread.install_monitor_memory_usage()
        return self.periodic_monitoring_thread

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the loop to run out of work: True if it did, False on timeout."""
        if getcurrent() is not self.parent:
            raise AssertionError("only possible from the MAIN greenlet")
        if self.dead:
            return True
        waiter = Waiter(self)
        timer = None
        if timeout is not None:
            timer = self.loop.timer(timeout, ref=False)
            timer.start(waiter.switch, None)
        self._joining = True
        try:
            try:
                waiter.get()
            except LoopExit:
                return True
        finally:
            self._joining = False
            if timer is not None:
                timer.stop()
                timer.close()
        return False

    def destroy(self, destroy_loop: bool | None = None) -> None:
        """Stop this hub; destroy its loop unless it is the default loop (or told to)."""
        if self.periodic_monitoring_thread is not None:
            self.periodic_monitoring_thread.kill()
            self.periodic_monitoring_thread = None
        if self._resolver is not None:
            self._resolver.close()
            del self._resolver
        if self._threadpool is not None:
            self._threadpool.kill()
            del self._threadpool
        loop = self.loop
        if destroy_loop is None:
            destroy_loop = loop is not None and not loop.default
        # A greenlet can only be switched to from its own thread; a hub whose
        # thread has gone is simply dropped with its loop.
        if (self and not self.dead and getcurrent() is not self
                and self.thread_ident == get_thread_ident()):
            try:
                self.throw(HubDestroyed(destroy_loop))
            except HubDestroyed:
                pass
        if loop is not None:
            if destroy_loop:
                if get_loop() is loop:
                    set_loop(None)
                loop.destroy()
            else:
                set_loop(loop)
        self.loop = None
        if _get_hub() is self:
            set_hub(None)

    # ---------------------------------------------------- lazy helpers

    @property
    def resolver(self) -> Any:
        if self._resolver is None:
            self._resolver = self.resolver_class(hub=self)
        return self._resolver

    @resolver.setter
    def resolver(self, value: Any) -> None:
        self._resolver = value

    @resolver.deleter
    def resolver(self) -> None:
        self._resolver = None

    @property
    def threadpool(self) -> Any:
        if self._threadpool is None:
            self._threadpool = self.threadpool_class(
                self.threadpool_size, hub=self,
                idle_task_timeout=GEVENT_CONFIG.threadpool_idle_task_timeout)
        return self._threadpool

    @threadpool.setter
    def threadpool(self, value: Any) -> None:
        self._threadpool = value

    @threadpool.deleter
    def threadpool(self) -> None:
        self._threadpool = None


set_default_hub_class(Hub)


def _blocked_greenlets(hub: Hub) -> list[str]:
    """Describe the greenlets of ``hub`` that are suspended, and where.

    Computed only when a LoopExit is about to be raised outside ``join``, so its
    cost (a walk over live objects) is paid once, on the way to an error.
    """
    out = []
    for obj in gc.get_objects():
        if not isinstance(obj, RawGreenlet) or obj is hub or obj.parent is not hub:
            continue
        frame = obj.gr_frame
        if frame is None or obj.dead:
            continue
        frames = []
        while frame is not None:
            frames.append(frame)
            frame = frame.f_back
        # The innermost frame of user code; failing that, the function it runs.
        chosen = next((f for f in frames if not f.f_code.co_filename.startswith(_PACKAGE_DIR)),
                      None)
        if chosen is None:
            chosen = frames[-2] if len(frames) > 1 else frames[-1]
        code = chosen.f_code
        out.append(f"{obj!r} blocked at {code.co_filename}:{chosen.f_lineno} in {code.co_name}")
        if len(out) >= 20:
            out.append("...")
            break
    return out


_PACKAGE_DIR = os.path.dirname(__file__) + os.sep


# ------------------------------------------------------------ module functions


_threadlocal = _hub_local._threadlocal
_SLEEP0_TOKEN = object()


def sleep(seconds: float = 0, ref: bool = True) -> None:
    """Put the current greenlet to sleep; ``sleep(0)`` just lets the others run.

    ``sleep(0)`` resumes after every callback already queued and before the
    next round of timers and I/O.
    """
    hub = _threadlocal.hub
    if hub is None:
        hub = _get_hub_noargs()
    loop = hub.loop
    if seconds <= 0:
        # The hot path of cooperative code: queue our own switch behind the
        # callbacks already queued and go to the hub. A token, not a Waiter,
        # tells our wake-up from any stray switch into this greenlet.
        current = getcurrent()
        switch_out = getattr(current, "switch_out", None)
        if switch_out is not None:
            switch_out()
        cb = loop.run_callback(current.switch, _SLEEP0_TOKEN)
        try:
            result = _switch_to(hub)
        except:
            cb.stop()
            raise
        if result is not _SLEEP0_TOKEN:
            cb.stop()
            raise InvalidSwitchError(f"Invalid switch into {current!r} in sleep(0): got {result!r}")
    else:
        loop.update_now()
        timer = loop.timer(seconds, ref=ref)
        try:
            hub.wait(timer)
        finally:
            timer.close()


def idle(priority: int = 0) -> None:
    """Wait until the loop has nothing else to do."""
    hub = _get_hub_noargs()
    watcher = hub.loop.idle()
    if priority:
        watcher.priority = priority
    try:
        hub.wait(watcher)
    finally:
        watcher.close()


def kill(greenlet: Any, exception: Any = GreenletExit) -> None:
    """Raise ``exception`` in ``greenlet`` soon; never blocks the caller."""
    if hasattr(greenlet, "kill"):
        greenlet.kill(exception=exception, block=False)
    else:
        _get_hub_noargs().loop.run_callback(greenlet.throw, exception)


def spawn_raw(function: Callable[..., Any], *args: Any, **kwargs: Any) -> RawGreenlet:
    """Start a plain ``greenlet`` (no links, no kill) running ``function`` in the hub."""
    if not callable(function):
        raise TypeError("function must be callable")
    hub = _get_hub_noargs()
    if kwargs:
        function = _partial(function, *args, **kwargs)
        args = ()
    g = RawGreenlet(function, hub)
    if GEVENT_CONFIG.track_greenlet_tree:
        import weakref

        current = getcurrent()
        g.spawning_greenlet = weakref.ref(current)
        locals_ = getattr(current, "spawn_tree_locals", None)
        g.spawn_tree_locals = {} if locals_ is None else locals_
    g.loop = hub.loop
    hub.loop.run_callback(g.switch, *args)
    return g


class signal:
    """Run ``handler(*args, **kwargs)`` in a new greenlet each time ``signalnum`` arrives."""

    greenlet_class: Any = None

    def __init__(self, signalnum: int, handler: Callable[..., Any], *args: Any,
                 **kwargs: Any) -> None:
        if not callable(handler):
            raise TypeError(f"signal handler must be callable, not {handler!r}")
        self.hub = _get_hub_noargs()
        self.watcher = self.hub.loop.signal(signalnum, ref=False)
        self.watcher.start(self._start)
        self.handler = handler
        self.args = args
        self.kwargs = kwargs
        if self.greenlet_class is None:
            from .greenlet import Greenlet

            type(self).greenlet_class = Greenlet

    @property
    def ref(self) -> bool:
        return bool(self.watcher.ref)

    @ref.setter
    def ref(self, value: bool) -> None:
        self.watcher.ref = value

    def cancel(self) -> None:
        self.watcher.stop()

    def _start(self) -> None:
        try:
            greenlet = self.greenlet_class(self.handle)
            greenlet.switch()
        except:  # noqa: E722
            self.hub.handle_error(None, *sys.exc_info())

    def handle(self) -> None:
        try:
            self.handler(*self.args, **self.kwargs)
        except:  # noqa: E722
            self.hub.handle_error(None, *sys.exc_info())


def reinit(hub: Any = None) -> None:
    """Prepare the hub for use in a forked child: call this in the child after fork."""
    if hub is None:
        hub = _get_hub()
    if hub is None:
        return
    hub.loop.reinit()
    for name in ("_threadpool", "_resolver", "periodic_monitoring_thread"):
        obj = getattr(hub, name, None)
        if obj is not None and hasattr(obj, "_on_fork"):
            obj._on_fork()


def linkproxy(callback: Callable[..., Any], obj: Any) -> Any:
    # A link callback that does not keep ``obj`` alive.
    import weakref

    ref = weakref.ref(obj)

    def proxy(*args: Any) -> Any:
        target = ref()
        if target is not None:
            return callback(*args)
        return None

    return proxy


__all__ += []
_ = (iwait, wait, LoopExit, HubDestroyed, set_hub, get_loop, set_loop, _get_hub,
     _get_hub_noargs)
