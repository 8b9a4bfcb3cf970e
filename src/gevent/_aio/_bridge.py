"""Crossing between greenlets and asyncio in one thread: ``await_``, ``spawn``, ``run``.

Theory of operation
-------------------
A thread has at most one running asyncio loop (asyncio keeps it per thread, not
per greenlet). ``await_`` from a greenlet schedules the awaitable as a task on
that loop and parks the greenlet in the hub; the task's done callback, which runs
in the loop's greenlet, queues the wake-up on the hub. When no loop runs, the
first ``await_`` starts a background ``EventLoop`` for the hub in a greenlet of
its own; it stays running, so tasks it started keep going between calls, but it
holds no reference on the hub unless some greenlet is waiting in ``await_``.

Whatever interrupts the wait (a ``Timeout``, ``kill()``, ``GreenletExit``)
cancels the task and waits for it to finish unwinding before it propagates, so
the task's ``finally`` blocks have run when ``await_`` raises. The other way,
``await greenlet`` is ``Greenlet.__await__`` (in ``gevent.greenlet``; it needs
only asyncio), and a cancelled awaiter kills the greenlet and waits for it.

The awaitable adapters for gevent's ``Event`` and queues wait in a helper
greenlet that the coroutine awaits: the gevent primitive sees an ordinary
greenlet waiter, with gevent's ordering and its guarantees about items when a
waiter is killed, and cancelling the coroutine kills the helper.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
from asyncio import events
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from greenlet import GreenletExit, getcurrent

from .._hub_local import get_hub_noargs
from ..exceptions import BlockingSwitchOutError, InvalidSwitchError
from ..greenlet import Greenlet
from ..timeout import Timeout
from ._loop import EventLoop

__all__ = ["await_", "queue_get", "queue_put", "run", "spawn", "wait_event"]

_T = TypeVar("_T")


class _Wake:
    """Wakes the greenlet parked in ``await_`` once the task is done."""

    __slots__ = ("greenlet", "hub_loop")

    def __init__(self, hub_loop: Any) -> None:
        self.hub_loop = hub_loop
        self.greenlet: Any = None

    def on_done(self, _future: Any) -> None:
        # Runs in the asyncio loop's greenlet; the switch must come from the hub.
        self.hub_loop.run_callback(self.fire)

    def fire(self) -> None:
        g = self.greenlet
        if g is not None:
            self.greenlet = None
            g.switch(self)

    def park(self, hub: Any) -> None:
        self.greenlet = getcurrent()
        try:
            result = hub.switch()
        except BaseException:
            self.greenlet = None  # a wake-up already queued must not land later
            raise
        if result is not self:
            raise InvalidSwitchError(f"Invalid switch into gevent.asyncio.await_(): {result!r}")


def await_(awaitable: Awaitable[_T], timeout: float | None = None) -> _T:
    """Run ``awaitable`` on this thread's asyncio loop and block this greenlet for the result.

    Starts a background ``EventLoop`` on the hub if no asyncio loop runs in this
    thread. ``timeout`` raises ``gevent.Timeout``; that, a ``kill()`` or any other
    exception thrown into the waiting greenlet cancels the task first.
    """
    hub = get_hub_noargs()
    current = getcurrent()
    if current is hub:
        _close(awaitable)
        raise BlockingSwitchOutError("gevent.asyncio.await_() cannot be called from the hub: "
                                     "call it from a greenlet")
    loop: Any = _running_loop(hub)
    if loop is None:
        loop = _background_loop(hub)
    elif _in_loop_greenlet(loop, current):
        _close(awaitable)
        raise RuntimeError("gevent.asyncio.await_() was called inside the asyncio loop (from a "
                           "coroutine or callback); it would block the loop for good. Use "
                           "'await' there, or run the blocking code in gevent.asyncio.spawn()")
    # A killed greenlet keeps the GreenletExit, whose traceback holds this frame:
    # no local may point back at the greenlet.
    del current
    ours = isinstance(loop, EventLoop)
    wake = _Wake(hub.loop)
    future: Any
    if ours:
        future = asyncio.ensure_future(awaitable, loop=loop)
        future.add_done_callback(wake.on_done)
    else:
        # A stock loop running in another greenlet (asyncio's selector patched by
        # gevent): schedule through its thread-safe entry, in this greenlet's context.
        future = loop.create_future()
        loop.call_soon_threadsafe(_start_foreign, awaitable, loop, future, wake,
                                  context=contextvars.copy_context())
    loop_state = loop if ours else None
    if loop_state is not None:
        loop_state._aio_waiting += 1
        if loop_state._background:
            loop_state._selector.keepalive = True
    t = Timeout._start_new_or_dummy(timeout)
    try:
        try:
            wake.park(hub)
        finally:
            t.close()
        return future.result()  # type: ignore[no-any-return]
    except BaseException:
        if not future.done():
            _cancel_and_wait(loop, future, wake, hub, ours)
        raise
    finally:
        del t
        future = None  # type: ignore[assignment]  # no frame <-> future cycle via the error
        if loop_state is not None:
            loop_state._aio_waiting -= 1
            if loop_state._background and not loop_state._aio_waiting:
                selector = loop_state._selector
                if selector is not None:
                    selector.keepalive = False


def _cancel_and_wait(loop: Any, future: Any, wake: _Wake, hub: Any, ours: bool) -> None:
    if ours:
        future.cancel()
    else:
        loop.call_soon_threadsafe(future.cancel)
    if not future.done():
        try:
            wake.park(hub)
        except BaseException:  # interrupted again: stop waiting, report the first one
            pass


def _start_foreign(awaitable: Any, loop: Any, outer: Any, wake: _Wake) -> None:
    outer.add_done_callback(wake.on_done)
    try:
        inner = asyncio.ensure_future(awaitable, loop=loop)
    except BaseException as exc:
        outer.set_exception(exc)
        return
    asyncio.futures._chain_future(inner, outer)  # type: ignore[attr-defined]


def _running_loop(hub: Any) -> Any:
    """This thread's running asyncio loop, after clearing one left by a destroyed hub."""
    loop = events._get_running_loop()
    if isinstance(loop, EventLoop) and loop._hub is not hub:
        # Its hub was destroyed with the loop's greenlet parked in it: unwind that
        # greenlet here (run_forever's cleanup unsets the running loop), rather than
        # leave it to the garbage collector, which could do so under a later loop.
        _unwind_stale(loop)
        loop = events._get_running_loop()
    return loop


def _unwind_stale(loop: EventLoop) -> None:
    g = loop._greenlet
    if g is not None and not g.dead:
        g.parent = getcurrent()
        try:
            g.throw(GreenletExit)
        except GreenletExit:
            pass
    if events._get_running_loop() is loop:
        events._set_running_loop(None)  # its greenlet is gone some other way
    loop._aio_runner = None
    try:
        loop.close()
    except Exception:  # a half-torn-down loop: nothing more to release
        pass


def _in_loop_greenlet(loop: Any, current: Any) -> bool:
    if isinstance(loop, EventLoop):
        return loop._greenlet is current  # type: ignore[no-any-return]
    # A stock loop records threading.get_ident(), which is per greenlet once patched.
    return getattr(loop, "_thread_id", None) == threading.get_ident()


def _close(awaitable: Any) -> None:
    if asyncio.iscoroutine(awaitable):
        awaitable.close()  # no "never awaited" warning for a coroutine refused at once


def _background_loop(hub: Any) -> EventLoop:
    loop: EventLoop | None = getattr(hub, "_gevent_asyncio_loop", None)
    if loop is None or loop.is_closed():
        loop = EventLoop(hub=hub, keepalive=False)
        loop._background = True
        hub._gevent_asyncio_loop = loop
    runner = getattr(loop, "_aio_runner", None)
    if runner is None or runner.dead:
        runner = loop._aio_runner = Greenlet(_run_background, loop)
        runner.name = "gevent.asyncio background loop"
        runner.start()
    return loop


def _run_background(loop: EventLoop) -> None:
    try:
        loop.run_forever()
    finally:
        loop._aio_runner = None


def close_background(hub: Any = None) -> None:
    """Stop and close the loop that ``await_`` started for ``hub`` (this thread's), if any.

    Pending tasks are cancelled and given one chance to finish.
    """
    if hub is None:
        hub = get_hub_noargs()
    loop: EventLoop | None = hub.__dict__.pop("_gevent_asyncio_loop", None)
    if loop is None or loop.is_closed():
        return
    runner = getattr(loop, "_aio_runner", None)
    if runner is not None and not runner.dead:
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        if tasks and getcurrent() is not hub:
            await_(_cancel_all(tasks))
        loop.stop()
        runner.join()
    if not loop.is_running():
        loop.close()


async def _cancel_all(tasks: list[asyncio.Task[Any]]) -> None:
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def spawn(function: Callable[..., _T], *args: Any, **kwargs: Any) -> Greenlet:
    """Start ``function`` in a new greenlet that sees the caller's context variables.

    ``await gevent.asyncio.spawn(...)`` waits for it and returns its value; cancelling
    that await kills the greenlet and waits for it to die.
    """
    g = Greenlet(function, *args, **kwargs)
    g.gr_context = contextvars.copy_context()
    g.start()
    return g


def run(main: Coroutine[Any, Any, _T], *, debug: bool | None = None) -> _T:
    """Run ``main`` on a new ``EventLoop`` in the calling greenlet, like ``asyncio.run``.

    If the running loop of this thread is the background loop that ``await_``
    started, ``main`` runs there instead and only the calling greenlet waits.
    """
    if not asyncio.iscoroutine(main):
        raise ValueError(f"a coroutine was expected, got {main!r}")
    running = _running_loop(get_hub_noargs())
    if running is not None:
        if isinstance(running, EventLoop) and running._background:
            return await_(main)
        main.close()
        raise RuntimeError("gevent.asyncio.run() cannot be called while an asyncio loop runs in "
                           "this thread: from a greenlet use gevent.asyncio.await_(), from a "
                           "coroutine use await")
    if sys.version_info >= (3, 11):
        with asyncio.Runner(debug=debug, loop_factory=EventLoop) as runner:
            return runner.run(main)
    return _run_310(main, debug)  # pragma: no cover - 3.10 only


def _run_310(main: Coroutine[Any, Any, _T], debug: bool | None) -> _T:  # pragma: no cover
    loop = EventLoop()
    try:
        asyncio.set_event_loop(loop)
        if debug is not None:
            loop.set_debug(debug)
        return loop.run_until_complete(main)
    finally:
        try:
            tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
            if tasks:
                loop.run_until_complete(_cancel_all(tasks))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


# ----------------------------------------------------------- awaitable adapters

async def wait_event(event: Any, timeout: float | None = None) -> Any:
    """``await`` a gevent ``Event`` or ``AsyncResult``: like ``event.wait(timeout)``."""
    if event.ready():
        return event.wait(0)
    return await spawn(event.wait, timeout)


async def queue_get(queue: Any, timeout: float | None = None) -> Any:
    """``await`` an item from a gevent queue, in turn with the greenlets getting from it.

    Raises ``gevent.queue.Empty`` if ``timeout`` passes first.
    """
    if queue.qsize():
        try:
            return queue.get_nowait()
        except Exception:  # taken meanwhile, or a queue without a fast path
            pass
    return await spawn(queue.get, True, timeout)


async def queue_put(queue: Any, item: Any, timeout: float | None = None) -> None:
    """``await`` room in a gevent queue and put ``item``; ``gevent.queue.Full`` on timeout."""
    await spawn(queue.put, item, True, timeout)
