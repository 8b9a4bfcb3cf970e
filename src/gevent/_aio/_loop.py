"""``EventLoop``: asyncio's selector loop, with every wait and watcher on the hub.

Theory of operation
-------------------
The loop is the standard library's ``SelectorEventLoop`` (so transports, servers,
``sock_*`` and the rest are asyncio's own, with asyncio's semantics) over a
``HubSelector``: ``run_forever`` runs in whichever greenlet called it, and each
time asyncio would block in ``select()``, that greenlet parks in the hub instead,
so other greenlets run. What else asyncio would do with the OS goes to the hub's
loop too:

- callbacks scheduled from another greenlet of this thread (``call_soon``,
  ``call_at``, ``stop``, a future resolved by a greenlet) wake the parked loop
  through the hub instead of waiting for the next descriptor; and
  ``call_soon_threadsafe`` from this thread skips the self-pipe write;
- ``time()`` is the hub's clock, so virtual clocks drive asyncio's timers too;
- signal handlers are the hub's ``signal`` watchers (no ``set_wakeup_fd``);
- subprocesses are reaped by the hub's ``child`` watchers in the main thread;
- the default executor is the hub's native thread pool, so ``run_in_executor``
  uses real threads even when ``threading`` is monkey-patched.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
from asyncio import events
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from greenlet import getcurrent

from .._hub_local import get_hub_noargs, get_thread_ident
from ._selector import HubSelector

__all__ = ["EventLoop", "EventLoopPolicy"]

_T = TypeVar("_T")
_BaseLoop: Any = asyncio.SelectorEventLoop
_Handle = events.Handle


class _HubExecutor(concurrent.futures.Executor):
    """The default executor: the hub's native thread pool, behind real ``Future`` objects."""

    def __init__(self, hub: Any) -> None:
        self._hub = hub
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_running_or_notify_cancel()
        result = self._hub.threadpool.spawn(fn, *args, **kwargs)
        result.rawlink(partial(_settle_future, future))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        # The pool is the hub's and outlives this loop.
        self._shutdown = True


def _settle_future(future: concurrent.futures.Future[Any], result: Any) -> None:
    exc = result.exception
    if exc is None:
        future.set_result(result.value)
    else:
        future.set_exception(exc)


class EventLoop(_BaseLoop):  # type: ignore[misc]
    """An asyncio event loop that runs on this thread's gevent hub.

    Use ``asyncio.run(main(), loop_factory=EventLoop)`` (3.12+),
    ``asyncio.Runner(loop_factory=EventLoop)`` or ``gevent.asyncio.run(main())``.
    """

    _clock_resolution: float
    _closed: bool
    _debug: bool
    _ready: Any
    _default_executor: Any
    _selector: Any
    # True for the loop that await_() starts in a greenlet of its own.
    _background = False

    def __init__(self, *, hub: Any = None, keepalive: bool = True) -> None:
        if hub is None:
            hub = get_hub_noargs()
        self._hub = hub
        self._native_ident = get_thread_ident()
        self._hub_signals: dict[int, Any] = {}
        self._greenlet: Any = None
        self._aio_waiting = 0  # greenlets parked in await_() on this loop
        self._aio_runner: Any = None  # the greenlet that runs a background loop
        super().__init__(HubSelector(hub, keepalive))
        # The hub's clock, so virtual clocks drive asyncio's timers too; an instance
        # attribute, so that asyncio's own calls go straight to it.
        self.time = hub.loop.clock.now
        self._clock_resolution = max(self._clock_resolution, hub.loop.approx_timer_resolution)

    @property
    def hub(self) -> Any:
        """The gevent hub this loop runs on."""
        return self._hub

    # --------------------------------------------------- waking a parked loop

    def call_soon(self, callback: Callable[..., Any], *args: Any,
                  context: Any = None) -> asyncio.Handle:
        # The hottest call of all (every task step): the stdlib's steps inline,
        # plus the wake-up of a loop parked while another greenlet runs.
        if self._closed or self._debug:
            handle = super().call_soon(callback, *args, context=context)
            if handle._source_traceback:
                del handle._source_traceback[-1]  # this frame: report the caller's
        else:
            handle = _Handle(callback, args, self, context)
            self._ready.append(handle)
        selector = self._selector
        if selector is not None and selector._waiting is not None:
            selector.wakeup()
        return handle  # type: ignore[no-any-return]

    def call_at(self, when: float, callback: Callable[..., Any], *args: Any,
                context: Any = None) -> asyncio.TimerHandle:
        handle = super().call_at(when, callback, *args, context=context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        selector = self._selector
        if selector is not None and selector._waiting is not None:
            selector.wakeup()
        return handle  # type: ignore[no-any-return]

    def call_soon_threadsafe(self, callback: Callable[..., Any], *args: Any,
                             context: Any = None) -> asyncio.Handle:
        if get_thread_ident() != self._native_ident:
            return super().call_soon_threadsafe(  # type: ignore[no-any-return]
                callback, *args, context=context)
        # This thread, maybe from the hub or a signal handler: no self-pipe write needed.
        self._check_closed()
        if self._debug:
            self._check_callback(callback, "call_soon_threadsafe")
        handle = self._call_soon(callback, args, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        selector = self._selector
        if selector is not None and selector._waiting is not None:
            selector.wakeup()
        return handle  # type: ignore[no-any-return]

    def stop(self) -> None:
        super().stop()
        selector = self._selector
        if selector is not None and selector._waiting is not None:
            selector.wakeup()

    def run_forever(self) -> None:
        previous = self._greenlet
        self._greenlet = getcurrent()
        try:
            super().run_forever()
        finally:
            self._greenlet = previous

    # ------------------------------------------------------------- executor

    def run_in_executor(self, executor: Any, func: Callable[..., _T], *args: Any) -> Any:
        if executor is None and self._default_executor is None:
            self._check_closed()
            if self._executor_shutdown_called:
                raise RuntimeError("Executor shutdown has been called")
            self._default_executor = _HubExecutor(self._hub)
        return super().run_in_executor(executor, func, *args)

    # -------------------------------------------------------------- signals

    def add_signal_handler(self, sig: int, callback: Callable[..., Any], *args: Any) -> None:
        if asyncio.iscoroutine(callback) or asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with add_signal_handler()")
        self._check_signal(sig)
        self._check_closed()
        if get_thread_ident() != self._hub.thread_ident or not self._hub.loop.default:
            raise RuntimeError("signal handlers can only be added by a loop in the main thread")
        handle = events.Handle(callback, args, self, None)
        old = self._hub_signals.pop(sig, None)
        if old is not None:
            old.close()
        watcher = self._hub.loop.signal(sig, ref=False)
        try:
            watcher.start(self._on_hub_signal, sig)
        except (ValueError, OSError) as exc:
            watcher.close()
            self._signal_handlers.pop(sig, None)
            raise RuntimeError(f"sig {sig} cannot be caught: {exc}") from exc
        self._signal_handlers[sig] = handle
        self._hub_signals[sig] = watcher

    def _on_hub_signal(self, sig: int) -> None:
        handle = self._signal_handlers.get(sig)
        if handle is None:
            return
        if handle._cancelled:
            self.remove_signal_handler(sig)
        else:
            self._add_callback(handle)
            selector = self._selector
            if selector is not None:
                selector.wakeup()

    def remove_signal_handler(self, sig: int) -> bool:
        self._check_signal(sig)
        watcher = self._hub_signals.pop(sig, None)
        if watcher is not None:
            watcher.close()  # puts back the handler that was there before
        return self._signal_handlers.pop(sig, None) is not None

    # ---------------------------------------------------------- subprocesses

    async def _make_subprocess_transport(self, protocol: Any, args: Any, shell: Any,
                                         stdin: Any, stdout: Any, stderr: Any, bufsize: Any,
                                         extra: Any = None, **kwargs: Any) -> Any:
        if not self._hub.loop.default:
            # Child watchers need the default loop; asyncio's own watcher does the rest.
            return await super()._make_subprocess_transport(
                protocol, args, shell, stdin, stdout, stderr, bufsize, extra=extra, **kwargs)
        from asyncio.unix_events import _UnixSubprocessTransport  # type: ignore[attr-defined]

        waiter = self.create_future()
        transp = _UnixSubprocessTransport(self, protocol, args, shell, stdin, stdout, stderr,
                                          bufsize, waiter=waiter, extra=extra, **kwargs)
        watcher = self._hub.loop.child(transp.get_pid(), ref=True)
        watcher.start(self._on_child_exit, watcher, transp)
        try:
            await waiter
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException:
            transp.close()
            await transp._wait()
            raise
        return transp

    def _on_child_exit(self, watcher: Any, transp: Any) -> None:
        watcher.stop()
        returncode = os.waitstatus_to_exitcode(watcher.rstatus)
        self.call_soon_threadsafe(transp._process_exited, returncode)


class EventLoopPolicy(asyncio.DefaultEventLoopPolicy):  # type: ignore[misc,valid-type]
    """For code that still configures asyncio through a policy (deprecated in 3.14)."""

    def new_event_loop(self) -> EventLoop:
        return EventLoop()
