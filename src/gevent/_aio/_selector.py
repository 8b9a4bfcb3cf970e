"""A ``selectors`` selector whose ``select()`` parks the calling greenlet in the hub.

Theory of operation
-------------------
asyncio's selector loop calls ``select(timeout)`` once per iteration. Here that
call does not block the thread: each registered descriptor has one io watcher on
the hub's loop, and ``select`` switches to the hub until a watcher fires, the
timeout passes, or another greenlet wakes the loop (``wakeup``). While it is
parked, every other greenlet runs; while asyncio runs callbacks, the hub waits.

- A watcher that fires records its events and stops itself, so a descriptor that
  stays ready while asyncio is busy elsewhere (a coroutine blocked on a gevent
  primitive, say) cannot make the hub spin. The next ``select`` restarts only the
  watchers that fired; stopping and restarting costs no system call, since the
  loop keeps the registration.
- A watcher or the timeout queues one hub callback that resumes the parked
  greenlet: it runs at the start of the next loop pass, after every watcher of
  this poll has recorded its events, so one ``select`` returns all the events of
  one poll, as a kernel selector would (and a queued callback keeps the hub's
  loop from exiting meanwhile).
- ``select(0)`` (asyncio has callbacks ready) gives the hub a turn only when it
  has callbacks queued (greenlets ready to run) or when it has not run for
  ``TURN_INTERVAL`` seconds; otherwise it returns what the watchers recorded.
  A busy asyncio loop thus still lets greenlets and descriptors in, without paying
  a hub iteration per asyncio iteration.
- ``keepalive``: the watchers and the timer hold a reference on the hub's loop
  (as any gevent wait does) unless the loop is a background one started by
  ``await_``, which must not keep the hub alive on its own.
"""

from __future__ import annotations

import selectors
from collections.abc import Mapping
from typing import Any

from greenlet import getcurrent

from ..exceptions import InvalidSwitchError

__all__ = ["TURN_INTERVAL", "HubSelector"]

# How long a busy asyncio loop may run before select(0) yields to the hub anyway.
TURN_INTERVAL = 0.0005

_RESUME = object()
_MASK = selectors.EVENT_READ | selectors.EVENT_WRITE  # the same bits as the core's READ|WRITE


class HubSelector(selectors._BaseSelectorImpl):  # type: ignore[name-defined,misc]
    """Selector for ``gevent.asyncio.EventLoop``: readiness comes from the hub's loop."""

    _fd_to_key: dict[int, selectors.SelectorKey]

    def __init__(self, hub: Any, keepalive: bool = True) -> None:
        super().__init__()
        self._hub = hub
        loop = self._hub_loop = hub.loop
        self._clock_now = loop.clock.now
        self._watchers: dict[int, Any] = {}
        self._ready: dict[int, int] = {}
        self._fired: list[Any] = []
        self._keepalive = keepalive
        self._timer = loop.timer(0.0, ref=keepalive)
        self._waiting: Any = None  # the greenlet parked in select(), if any
        self._wake_cb: Any = None  # the queued callback that resumes it
        self._last_turn = self._clock_now()

    # ------------------------------------------------------------ registration

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        key = super().register(fileobj, events, data)
        try:
            w = self._hub_loop.io(key.fd, events, ref=self._keepalive)
        except BaseException:
            super().unregister(fileobj)
            raise
        self._watchers[key.fd] = w
        w.start(self._on_io, w, pass_events=True)
        return key  # type: ignore[no-any-return]

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        key = super().unregister(fileobj)
        w = self._watchers.pop(key.fd, None)
        if w is not None:
            w.close()
        self._ready.pop(key.fd, None)
        return key  # type: ignore[no-any-return]

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        key = self.get_key(fileobj)
        if events != key.events:
            if not events or events & ~_MASK:
                raise ValueError(f"Invalid events: {events!r}")
            w = self._watchers[key.fd]
            w.stop()
            w.events = events
            w.start(self._on_io, w, pass_events=True)
            ready = self._ready.get(key.fd)
            if ready is not None:
                self._ready[key.fd] = ready & events
        key = key._replace(events=events, data=data)
        self._fd_to_key[key.fd] = key
        return key  # type: ignore[no-any-return]

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return super().get_map()  # type: ignore[no-any-return]

    @property
    def keepalive(self) -> bool:
        return self._keepalive

    @keepalive.setter
    def keepalive(self, value: bool) -> None:
        self._keepalive = value = bool(value)
        self._timer.ref = value
        for w in self._watchers.values():
            w.ref = value

    # --------------------------------------------------------------- waiting

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        fired = self._fired
        if fired:
            self._restart(fired)
        if timeout is not None and timeout <= 0:
            # asyncio has callbacks ready: give the hub a turn only if it is due one.
            if self._hub_loop._callbacks or self._clock_now() - self._last_turn >= TURN_INTERVAL:
                self._park(0.0)
            elif not self._ready:
                return []
        elif not self._ready:
            self._park(timeout)
        return self._collect()

    def _restart(self, fired: list[Any]) -> None:
        watchers = self._watchers
        on_io = self._on_io
        for w in fired:
            current = watchers.get(w.fd)
            if current is w and current is not None:  # else unregistered since it fired
                current.start(on_io, current, pass_events=True)
        fired.clear()

    def _park(self, timeout: float | None) -> None:
        hub = self._hub
        current = getcurrent()
        if current is hub:
            raise RuntimeError("an asyncio loop on the hub cannot run in the hub greenlet itself: "
                               "run it in a greenlet (gevent.spawn(loop.run_forever))")
        if timeout is not None:
            timer = self._timer
            timer.after = timeout
            timer.start(self._on_timer, update=True)
        self._waiting = current
        try:
            result = hub.switch()
        finally:
            self._waiting = None
            cb = self._wake_cb
            if cb is not None:
                self._wake_cb = None
                cb.stop()
            if timeout is not None:
                self._timer.stop()
            self._last_turn = self._clock_now()
        if result is not _RESUME:
            raise InvalidSwitchError(f"Invalid switch into an asyncio select(): {result!r}")

    def _collect(self) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._ready
        if not ready:
            return []
        fd_to_key = self._fd_to_key
        out = []
        for fd, mask in ready.items():
            key = fd_to_key.get(fd)
            if key is not None:
                mask &= key.events
                if mask:
                    out.append((key, mask))
        ready.clear()
        return out

    # The callbacks below run in the hub.

    def _on_io(self, revents: int, w: Any) -> None:
        fd = w.fd
        ready = self._ready
        ready[fd] = ready.get(fd, 0) | revents
        w.stop()
        self._fired.append(w)
        if self._wake_cb is None and self._waiting is not None:
            self._wake_cb = self._hub_loop.run_callback(self._resume)

    def _on_timer(self) -> None:
        if self._wake_cb is None and self._waiting is not None:
            self._wake_cb = self._hub_loop.run_callback(self._resume)

    def _resume(self) -> None:
        self._wake_cb = None
        waiting = self._waiting
        if waiting is not None:
            self._waiting = None
            waiting.switch(_RESUME)

    def wakeup(self) -> None:
        """Make a parked ``select()`` return soon; call from this thread only."""
        if self._wake_cb is None and self._waiting is not None:
            self._wake_cb = self._hub_loop.run_callback(self._resume)

    def close(self) -> None:
        for w in self._watchers.values():
            w.close()
        self._watchers.clear()
        self._ready.clear()
        self._fired.clear()
        self._timer.close()
        super().close()
