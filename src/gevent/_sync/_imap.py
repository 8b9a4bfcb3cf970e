"""``IMap`` and ``IMapUnordered``: the iterators behind ``Group.imap``.

The iterator is itself a greenlet. It walks the input, spawning ``func(item)``
through the group's ``spawn`` (which blocks while a Pool is full), and each
finished call posts ``(index, greenlet)`` to an unbounded queue. The consumer
reads that queue: in completion order, or re-ordered by index. ``maxsize``
bounds the results spawned but not yet asked for with a semaphore that the
spawner acquires and the consumer releases each time it asks for the next
result (before waiting for it, as gevent does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from ..greenlet import Greenlet
from ._queue import UnboundQueue
from ._semaphore import Semaphore

__all__ = ["IMap", "IMapUnordered"]

_RESULT = 0
_INPUT_ERROR = 1
_END = 2


class IMapUnordered(Greenlet):
    """Yields ``func(item)`` for each item, as the calls finish."""

    _ordered = False

    def __init__(self, func: Callable[..., Any], iterable: Iterable[Any],
                 spawn: Callable[..., Any], maxsize: int | None = None,
                 _zipped: bool = False) -> None:
        Greenlet.__init__(self)
        self.func = func
        self.iterable = iterable
        self._spawn = spawn
        self._zipped = _zipped
        self.queue = UnboundQueue()
        self._budget = Semaphore(maxsize) if maxsize else None
        self.count = 0
        self._total: int | None = None
        self._yielded = 0
        self._input_error: BaseException | None = None
        self._buffer: dict[int, Any] = {}

    # --------------------------------------------------------------- producer

    def _run(self) -> None:
        budget = self._budget
        func = self.func
        spawn = self._spawn
        try:
            for item in self.iterable:
                if budget is not None:
                    budget.acquire()
                index = self.count
                self.count += 1
                g = spawn(func, *item) if self._zipped else spawn(func, item)
                g.rawlink(partial(self._on_done, index))
        except BaseException as ex:  # the input itself failed
            self.queue.put((_INPUT_ERROR, self.count, ex))
            return
        self.queue.put((_END, self.count, None))

    def _on_done(self, index: int, greenlet: Any) -> None:
        self.queue.put((_RESULT, index, greenlet))

    # --------------------------------------------------------------- consumer

    def __iter__(self) -> IMapUnordered:
        return self

    def __next__(self) -> Any:
        if self._budget is not None:
            self._budget.release()
        while True:
            if self._ordered:
                g = self._buffer.pop(self._yielded, None)
                if g is not None:
                    return self._deliver(g)
            if self._total is not None and self._yielded >= self._total:
                if self._input_error is not None:
                    error, self._input_error = self._input_error, None
                    raise error
                raise StopIteration
            kind, index, payload = self.queue.get()
            if kind == _RESULT:
                if self._ordered:
                    self._buffer[index] = payload
                    continue
                return self._deliver(payload)
            self._total = index
            if kind == _INPUT_ERROR:
                self._input_error = payload

    next = __next__

    def _deliver(self, g: Any) -> Any:
        self._yielded += 1
        if g.successful():
            return g.value
        raise g.exception


class IMap(IMapUnordered):
    """Yields ``func(item)`` for each item, in input order."""

    _ordered = True
