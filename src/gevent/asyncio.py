"""asyncio and greenlets in one thread.

- ``EventLoop``: an asyncio event loop whose waits, timers, readers, writers,
  signals and subprocesses run on the gevent hub; greenlets run while it waits.
  ``asyncio.run(main(), loop_factory=EventLoop)`` (3.12+), ``asyncio.Runner``, or
  ``gevent.asyncio.run(main())``.
- From a greenlet: ``await_(awaitable, timeout=None)``.
- From a coroutine: ``await greenlet``, ``await spawn(fn, *args, **kwargs)``, and the
  adapters ``wait_event``, ``queue_get`` and ``queue_put`` for gevent's primitives.

See docs/asyncio.md.
"""

from __future__ import annotations

from ._aio import (
    EventLoop,
    EventLoopPolicy,
    await_,
    close_background,
    queue_get,
    queue_put,
    run,
    spawn,
    wait_event,
)

__all__ = ["EventLoop", "EventLoopPolicy", "await_", "close_background", "queue_get",
           "queue_put", "run", "spawn", "wait_event"]
