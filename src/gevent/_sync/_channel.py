"""``Channel``: a queue of size zero, where ``put`` and ``get`` meet.

Theory of operation
-------------------
A channel holds no items, only the two lines of ``_Parked`` callers that
``_parking`` describes. A ``put`` that finds a parked getter takes it from its
line and hands it the item under the channel's lock; a ``get`` that finds a
parked putter takes its item the same way. Otherwise the caller parks in its
own line until the other side comes. Only one of the two lines is ever
non-empty, so service is FIFO across threads.

As in gevent, a ``put`` that fed a getter of this thread returns only after that
getter has run (``_rendezvous``): the putter waits for one turn of the loop,
behind the getter's wake-up.

A getter interrupted by an outer exception (not its own timeout) just after a
putter handed it an item drops that item: the putter has already returned, so
there is nowhere to give it back (docs/design.md, "Compatibility").
"""

from __future__ import annotations

import collections
import types
from _thread import allocate_lock as _allocate_lock
from queue import Empty, Full
from typing import Any

from greenlet import getcurrent

from .._hub_local import get_hub_if_exists as _get_hub_if_exists
from .._waiter import Waiter
from ._linkable import _wait_hub
from ._parking import _check_timeout, _in_hub, _Lines, _Parked, _wake

__all__ = ["Channel"]

_deque = collections.deque


def _rendezvous(getter: _Parked) -> None:
    # A channel's put returns only after the getter it fed has run, when that
    # getter is a greenlet of this thread (and we are not the hub).
    hub = getter.hub
    if hub is not None and hub is _get_hub_if_exists() and getcurrent() is not hub:
        waiter = Waiter(hub)
        hub.loop.run_callback(waiter.switch, None)
        waiter.get()


class Channel(_Lines):
    """A rendezvous: ``put`` waits until a getter takes the item.

    ``qsize()`` is always 0, and ``empty()`` and ``full()`` are always True;
    ``balance`` is the number of waiting putters minus waiting getters.
    """

    __class_getitem__: Any = classmethod(types.GenericAlias)

    def __init__(self, maxsize: int = 1) -> None:
        if maxsize != 1:
            raise ValueError("Channels have a maxsize of 1")
        self._lock = _allocate_lock()
        self.getters: collections.deque[_Parked] = _deque()
        self.putters: collections.deque[_Parked] = _deque()
        self.hub = _get_hub_if_exists()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {id(self):#x} {self._format()}>"

    def __str__(self) -> str:
        return f"<{type(self).__name__} {self._format()}>"

    def _format(self) -> str:
        out = ""
        if self.getters:
            out += f" getters[{len(self.getters)}]"
        if self.putters:
            out += f" putters[{len(self.putters)}]"
        return out

    @property
    def balance(self) -> int:
        return len(self.putters) - len(self.getters)

    def qsize(self) -> int:
        return 0

    def empty(self) -> bool:
        return True

    def full(self) -> bool:
        return True

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        """Hand ``item`` to a getter, waiting for one (``Full`` if not ``block`` or on timeout)."""
        with self._lock:
            if self.getters:
                g = self.getters.popleft()
                g.item = item
            else:
                g = None
        if g is not None:
            _wake([g])
            _rendezvous(g)
            return
        if not block or _in_hub():
            raise Full
        _check_timeout(timeout)
        parked = _Parked(_wait_hub(), item)
        with self._lock:
            if self.getters:
                g = self.getters.popleft()
                g.item = item
            else:
                self.putters.append(parked)
        if g is not None:
            _wake([g])
            _rendezvous(g)
            return
        self._park(parked, self.putters, timeout, Full)

    def put_nowait(self, item: Any) -> None:
        self.put(item, False)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        """Take an item from a putter, waiting for one; ``Empty`` if none comes."""
        with self._lock:
            p = self.putters.popleft() if self.putters else None
        if p is not None:
            item = p.item
            p.item = None
            _wake([p])
            return item
        if not block or _in_hub():
            raise Empty
        _check_timeout(timeout)
        parked = _Parked(_wait_hub())
        with self._lock:
            if self.putters:
                p = self.putters.popleft()
            else:
                self.getters.append(parked)
        if p is not None:
            item = p.item
            p.item = None
            _wake([p])
            return item
        return self._park(parked, self.getters, timeout, Empty)

    def get_nowait(self) -> Any:
        return self.get(False)

    def _give_back(self, parked: _Parked) -> list[_Parked]:
        # A getter interrupted (not by its own timeout) just after a putter
        # handed it an item: that putter has returned, so the item is dropped.
        return []
