"""Queues for greenlets in any native thread: SimpleQueue, Queue, Priority/Lifo.

Theory of operation
-------------------
A queue holds its items (``queue``, shaped by the ``_init``/``_put``/``_get``/
``_peek`` hooks) and two FIFO lines of blocked callers, ``getters`` and
``putters``, of ``_Parked`` records (``_parking`` describes them, how a caller
sleeps and wakes, and how it gives up).

Every change runs ``_match`` under the queue's native lock. ``_match`` moves
items from parked putters into the queue while there is room, then from the
queue to parked getters (a parked peeker gets a copy of the head and leaves the
item in place), and returns the records it completed. The item changes hands
*under the lock*, so nothing can be lost or taken twice; only the wake-up is sent
after the lock is dropped (``_wake``).

A getter that gives up after it was handed an item puts it back unless its own
timeout lost the race (``_give_back``); a putter's item is already in the queue.

Because parked getters exist only while the queue is empty, and parked putters
only while it is full, a newcomer can never overtake them: FIFO service holds
across threads too.

How put and get reach the items depends on the class (``_fast``, one of the
modes below): through the hooks when a subclass overrides one, else straight to
the deque. Under the GIL, ``put`` and ``get`` of a plain queue skip the lock
unless someone is parked; a caller that parks re-checks the buffer after
joining its line, so the two cannot miss each other. docs/design.md,
"Unlocked puts and gets", gives the rules.

Room tokens (plain bounded queues under the GIL)
------------------------------------------------
A bounded put must check for room and append as one step. Instead of the lock,
``_room`` holds one token per free slot (``_Room`` in ``_parking``; past
``_ROOM_BATCH`` the rest are counted in ``_spare``): a put reserves a slot with
an atomic ``_room.pop()`` and only then counts its task and appends
(``IndexError``: full, take the locked path, which parks); a get appends a
token after it took an item. Every insertion takes a token first and every
removal, on any path, gives one back, so items + tokens + spare + puts between
their two steps + gets between theirs == maxsize, always. Interleavings:

- *Put/put, put/get*: a put owns the token it popped, a get returns one only
  once its item is out: never more than maxsize items. Items still move by one
  atomic append and one atomic popleft: none lost or doubled.
- *A putter parks as a get makes room* (parking re-checks, on tokens): the
  putter joins ``putters`` under the lock, then ``_match`` pops a token for the
  first in line; the get appends its token, then looks at ``putters``
  (``_settle_get``). Whichever is second sees the other. A newcomer at the lock
  queues behind parked putters even if a token is free. *A getter parks as a
  put lands*: as unbounded (it re-checks the buffer; the put then looks).
- *Across threads only*, a put may take the token a get just returned before
  that get's ``_settle_get`` serves a parked putter (the mirror of the getter
  race). In one thread nothing runs in between: FIFO holds (design rule 6).
- *maxsize setter*: a larger bound adds spare slots; a smaller one takes spare
  slots, then tokens, back. If too few are free, or the bound becomes None or a
  non-int, tokens stop for good (``_drop_tokens``: puts lock and check the
  length). A put that had its token lands anyway (it came first, as items over
  a shrunk bound stay); a fresh empty list sends later puts to the lock.
- *shutdown()*: a put checks ``is_shutdown`` before its pop and after its
  append; in between, ``_settle_put`` takes the item back and returns the token
  (or a getter has it). Parked putters hold no token.
- *task_done/join*: the task is counted after the pop, before the item lands,
  as on the unbounded path.
- *Give-back* (a getter interrupted after the hand-off) takes a token; if a put
  took the slot, the item goes back over the bound (as in gevent) and tokens
  stop. So they do at construction with more items than maxsize, and when the
  buffer is replaced from outside (put sees ``queue is not _buffer``).
- Locked readers that find an item gone give no token back.
- ``_HOOKS`` classes (``LifoQueue``, ``PriorityQueue``), unbounded queues and
  free-threaded builds (``_UNLOCKED_OK`` false) have no tokens. A bounded
  ``SimpleQueue`` takes its tokens under the lock (its gets need none).
"""

from __future__ import annotations

import collections
import heapq
import sys
import types
import warnings
from _thread import allocate_lock as _allocate_lock
from collections.abc import Callable, Iterable
from queue import Empty, Full
from typing import Any

from greenlet import getcurrent

from .._hub_local import _threadlocal
from .._hub_local import get_hub_if_exists as _get_hub_if_exists
from ._event import Event
from ._linkable import _wait_hub
from ._parking import (
    _LOCKED,
    _abandon,
    _check_timeout,
    _in_hub,
    _Lines,
    _park,
    _park_resumed,
    _Parked,
    _Room,
    _switch_to,
    _wake,
)

try:
    from queue import ShutDown  # type: ignore[attr-defined]
except ImportError:

    class ShutDown(Exception):  # type: ignore[no-redef]
        """Raised by put/get on a queue that was shut down."""


__all__ = ["Empty", "Full", "JoinableQueue", "LifoQueue", "PriorityQueue", "Queue", "ShutDown",
           "SimpleQueue", "UnboundQueue"]

_deque = collections.deque
_NOTHING: Any = object()
# Unbounded queues put and get without their lock only where the GIL makes each
# deque and list operation atomic and every thread sees them in program order.
_UNLOCKED_OK = getattr(sys, "_is_gil_enabled", lambda: True)()

# How put and get reach a queue's items: the value of ``_fast``, chosen per
# class by ``SimpleQueue.__init_subclass__``. ``_HOOKS`` is 0 so that
# ``if fast:`` reads "a plain mode" on the hot paths.
_HOOKS = 0        # an item hook or ``_on_put`` is overridden: always call the hooks
_PLAIN = 1        # no hook overridden: append to and pop from the deque directly
_PLAIN_TASKS = 2  # as _PLAIN, with Queue's task counting (its ``_on_put``) inlined
# How put reaches the buffer: the value of ``_unlocked``. ``_PLAIN`` and
# ``_PLAIN_TASKS`` (a plain unbounded queue under the GIL): append without the
# lock. ``_ROOM_TASKS``: a bounded Queue under the GIL takes a room token, then
# appends, without the lock. Otherwise ``_LOCKED`` (0, from _parking; a bounded
# SimpleQueue takes its token under the lock).
_ROOM_TASKS = 3
# How get reaches the buffer: ``_unlocked_get`` says it may pop without the
# lock (a plain queue under the GIL); then either ``_get_free`` (nothing more
# to do) or ``_room_on`` (room tokens count the free slots: give one back).


class SimpleQueue(_Room, _Lines):
    """A FIFO queue for greenlets; ``maxsize`` None (or <= 0) means unbounded.

    ``bool(q)`` is always True; ``len(q)`` is ``qsize()``. Iterating calls
    ``get()`` until it returns the ``StopIteration`` class.
    """

    __class_getitem__: Any = classmethod(types.GenericAlias)

    # How put/get reach the items: _HOOKS, _PLAIN or _PLAIN_TASKS (see their
    # definitions). Set per class by ``__init_subclass__``.
    _fast = _PLAIN
    # Set by Queue (used by the _PLAIN_TASKS paths).
    unfinished_tasks: int
    _cond: Event
    _tasks: list[None]
    _tasks_started: Callable[[], None]
    _task_undone: Callable[[], None]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_fast" in cls.__dict__:
            return  # Queue says so itself
        plain = all(getattr(cls, name) is getattr(SimpleQueue, name)
                    for name in _ITEM_HOOKS)
        on_put = cls._on_put
        if not plain:
            cls._fast = _HOOKS
        elif on_put is SimpleQueue._on_put:
            cls._fast = _PLAIN
        elif on_put is Queue._on_put:
            cls._fast = _PLAIN_TASKS
        else:
            cls._fast = _HOOKS

    def __init__(self, maxsize: int | None = None, items: Iterable[Any] = (),
                 _warn_depth: int = 2) -> None:
        if maxsize is not None and maxsize <= 0:
            if maxsize == 0:
                warnings.warn("Queue(0) now equivalent to Queue(None); if you want a channel, "
                              "use Channel", DeprecationWarning, stacklevel=_warn_depth)
            maxsize = None
        self._maxsize = maxsize
        self._lock = _allocate_lock()
        self.getters: collections.deque[_Parked] = _deque()
        self.putters: collections.deque[_Parked] = _deque()
        self.hub = _get_hub_if_exists()
        self.is_shutdown = False
        fast = self._fast = type(self)._fast  # an instance attribute reads faster
        # A plain queue under the GIL puts and gets without the lock; bounded,
        # it counts free slots in room tokens (module docstring, design.md).
        plain = fast != _HOOKS and _UNLOCKED_OK
        self._unlocked = fast if maxsize is None and plain else _LOCKED
        self._unlocked_get = self._get_free = plain
        self._room_on, self._room, self._spare, self._buffer = False, [], 0, None
        if items:
            self._init(maxsize, items)
        else:
            self._init(maxsize)
        if plain and type(maxsize) is int and len(self.queue) <= maxsize:  # type: ignore[operator]
            self._start_room(_LOCKED if fast == _PLAIN else _ROOM_TASKS)

    # ------------------------------------------------------------- hooks

    def _create_queue(self, items: Iterable[Any] = ()) -> Any:
        return _deque(items)

    def _init(self, maxsize: int | None, items: Iterable[Any] = ()) -> None:
        self.queue = self._create_queue(items)

    def _get(self) -> Any:
        return self.queue.popleft()

    def _peek(self) -> Any:
        return self.queue[0]

    def _put(self, item: Any) -> None:
        self.queue.append(item)

    def _qsize(self) -> int:
        return len(self.queue)

    def _on_put(self) -> None:
        pass

    # ------------------------------------------------------------ basics

    def copy(self) -> SimpleQueue:
        return type(self)(self.maxsize, self.queue)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {id(self):#x}{self._format()}>"

    def __str__(self) -> str:
        return f"<{type(self).__name__}{self._format()}>"

    def _format(self) -> str:
        out = ""
        if self._maxsize is not None:
            out += f" maxsize={self._maxsize!r}"
        if getattr(self, "queue", None):
            out += f" queue={self.queue!r}"
        if self.getters:
            out += f" getters[{len(self.getters)}]"
        if self.putters:
            out += f" putters[{len(self.putters)}]"
        return out

    def qsize(self) -> int:
        return len(self.queue)

    def __len__(self) -> int:
        return self.qsize()

    def __bool__(self) -> bool:
        return True

    def empty(self) -> bool:
        return not self.qsize()

    def full(self) -> bool:
        return self._maxsize is not None and self.qsize() >= self._maxsize

    @property
    def maxsize(self) -> int | None:
        return self._maxsize

    @maxsize.setter
    def maxsize(self, value: int | None) -> None:
        if value is not None and value <= 0:
            value = None
        with self._lock:
            old = self._maxsize
            self._maxsize = value
            if self._tokens():
                self._resize_room(old, value)
            else:
                self._unlocked = self._fast if value is None and _UNLOCKED_OK else _LOCKED
            done = self._match()
        if done:
            _wake(done)

    # ----------------------------------------------------------- matching

    def _match(self) -> list[_Parked]:
        """Move items between the lines and the queue; under the lock."""
        done: list[_Parked] = []
        putters = self.putters
        getters = self.getters
        maxsize = self._maxsize
        tokens = self._tokens()
        room = self._room
        while True:
            progress = False
            while putters:
                if tokens:
                    if not self._take_room():  # the putter's slot
                        break
                elif maxsize is not None and len(self.queue) >= maxsize:
                    break
                p = putters.popleft()
                try:
                    self._put(p.item)
                    self._on_put()
                except Exception as exc:
                    # A subclass hook failed: the parked putter gets the error,
                    # not whoever happened to make room for it.
                    p.error = exc
                    if tokens:  # (the plain append failed: the slot stays free)
                        room.append(None)
                p.item = None
                done.append(p)
                progress = True
            while getters and len(self.queue):
                g = getters.popleft()
                try:
                    if g.peek:
                        g.item = self._peek()
                    else:
                        g.item = self._get()
                        if tokens:
                            room.append(None)
                        progress = True
                except Exception as exc:
                    if self._unlocked_get and isinstance(exc, IndexError):
                        # An unlocked get() in another thread took the last item.
                        getters.appendleft(g)
                        return done
                    g.error = exc
                done.append(g)
            if not progress or not putters:
                return done

    # ---------------------------------------------------------------- put

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        """Add ``item``; if full, wait (``Full`` if not ``block`` or on timeout)."""
        unlocked = self._unlocked
        if unlocked and not self.is_shutdown:
            # Append without the lock, then look for parked getters (they
            # re-check the buffer after joining the line; see design.md).
            if unlocked == _PLAIN_TASKS:
                # Count the task first: once the item is in, another thread may
                # get it and call task_done() at once.
                self._tasks.append(None)
                if self._cond._flag:
                    self._tasks_started()
                self.queue.append(item)
                if self.getters or self.is_shutdown:
                    self._settle_put(item)
                return
            # Bounded: reserve a slot with one atomic pop of a room token; none
            # left (or a buffer replaced from outside): the locked path.
            if unlocked == _ROOM_TASKS:
                queue = self.queue
                if queue is self._buffer:
                    try:
                        self._room.pop()
                    except IndexError:
                        pass
                    else:
                        self._tasks.append(None)  # counted first, as above
                        if self._cond._flag:
                            self._tasks_started()
                        queue.append(item)
                        if self.getters or self.is_shutdown:
                            self._settle_put(item)
                        return
            else:  # _PLAIN
                self.queue.append(item)
                if self.getters or self.is_shutdown:
                    self._settle_put(item)
                return
        lock = self._lock
        lock.acquire()
        try:
            if self.is_shutdown:
                raise ShutDown
            queue = self.queue
            maxsize = self._maxsize
            room = ((not self.putters and self._take_room()) if self._room_on and self._tokens()
                    else maxsize is None or len(queue) < maxsize)
            if room:
                fast = self._fast
                if fast:  # _PLAIN or _PLAIN_TASKS
                    queue.append(item)
                    if fast == _PLAIN_TASKS:
                        tasks = self._tasks
                        tasks.append(None)
                        if self._cond._flag:
                            self._cond.clear()
                else:
                    self._put(item)
                    self._on_put()
                if not self.getters:
                    return
                # A getter is parked: serve it (fast queues: as an unlocked put
                # would, once the lock is dropped).
                settle = bool(fast)
                done = None if fast else self._match()
            else:
                settle = False
                done = None
        finally:
            lock.release()
        if settle:
            self._settle_put(item)
        elif done is None:
            self._put_slow(item, block, timeout)
        else:
            _wake(done)

    def _settle_put(self, item: Any) -> None:
        # After a put on a fast queue found getters parked (or, unlocked, found
        # it shut down): serve them, or take the item back from a queue that
        # was shut down meanwhile.
        lock = self._lock
        lock.acquire()
        try:
            queue = self.queue
            if self.is_shutdown:
                for i in range(len(queue) - 1, -1, -1):
                    if queue[i] is item:
                        del queue[i]
                        self._give_room()
                        if self._fast == _PLAIN_TASKS:
                            self._task_undone()
                        raise ShutDown
                return  # a getter has it: the put came first
            getters = self.getters
            if len(getters) == 1 and not getters[0].peek and not self.putters:
                # The one getter waited on an empty queue: hand it over.
                try:
                    item = queue.popleft()
                except IndexError:  # an unlocked get in another thread took it
                    return
                self._give_room()
                g = getters.popleft()
                g.item = item
                done = None
            else:
                g = None
                done = self._match()
        finally:
            lock.release()
        if g is not None:
            hub = g.hub
            if hub is not None and hub is _threadlocal.hub:
                g.pending = hub.loop.run_callback(_switch_to, g.greenlet, g)
            else:
                _wake([g])
        elif done:
            _wake(done)

    def _settle_get(self) -> None:
        # After an unlocked get: let parked putters into the room it made.
        with self._lock:
            done = self._match()
        if done:
            _wake(done)

    def _put_slow(self, item: Any, block: bool, timeout: Any) -> None:
        if not block or _in_hub():
            raise Full
        _check_timeout(timeout)
        parked = _Parked(_wait_hub(), item)
        with self._lock:
            if self.is_shutdown:
                raise ShutDown
            room = not self.putters and (  # else wait behind them
                self._take_room() if self._tokens()
                else self._maxsize is None or len(self.queue) < self._maxsize)
            if room:
                self._put(item)
                self._on_put()
                done = self._match()
                parked = None  # type: ignore[assignment]
            else:
                self.putters.append(parked)
                # An unlocked get that made room meanwhile did not see us:
                # look again (_match takes a token, or checks the length).
                done = self._match()
        if done:
            _wake(done)  # possibly our own wake-up
        if parked is None:
            return
        self._park(parked, self.putters, timeout, Full)

    def put_nowait(self, item: Any) -> None:
        self.put(item, False)

    # ---------------------------------------------------------------- get

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        """Remove and return the first item, waiting if empty.

        Raises ``Empty`` if not ``block``, or when ``timeout`` expires.
        """
        queue = self.queue
        if self._get_free and queue:
            # Take without the lock, then let a parked putter in (putters
            # re-check for room after joining their line).
            try:
                item = queue.popleft()
            except IndexError:
                pass  # another thread took the last item
            else:
                if self.putters:
                    self._settle_get()
                return item
        elif self._room_on and queue:
            # The same, giving the slot's token back before looking at putters.
            try:
                item = queue.popleft()
            except IndexError:
                pass
            else:
                self._room.append(None)
                if self.putters:
                    self._settle_get()
                return item
        parked = None
        lock = self._lock
        lock.acquire()
        try:
            if queue and not self._unlocked_get:
                item = queue.popleft() if self._fast else self._get()  # _HOOKS: the hook
                if not self.putters:
                    return item
                done = self._match()
            else:
                done = None
                # The common blocking case: a greenlet (not the hub) waiting
                # for as long as it takes. Join the line without letting go.
                if block and timeout is None and not self.is_shutdown:
                    hub = _threadlocal.hub
                    if hub is not None and getcurrent() is not hub:
                        # (No local for the current greenlet: see _wait_core.)
                        parked = _Parked(hub)
                        self.getters.append(parked)
                        if queue:  # an unlocked put landed meanwhile
                            done = self._match()
        finally:
            lock.release()
        if parked is not None:
            if done:
                _wake(done)  # possibly our own wake-up: the switch below returns at once
            try:
                if getattr(parked.greenlet, "switch_out", None) is not None:
                    parked.greenlet.switch_out()
                result = _switch_to(hub)
            except BaseException as e:
                return _abandon(self, parked, self.getters, e, False, None, Empty)
            if result is parked and parked.error is None:
                item = parked.item
                parked.item = None
                return item
            return _park_resumed(self, parked, result)
        if done is None:
            return self._get_slow(block, timeout, False)
        _wake(done)
        return item

    def _get_slow(self, block: bool, timeout: Any, peek: bool) -> Any:
        if self.is_shutdown and not self.qsize():
            raise ShutDown
        hub = _threadlocal.hub
        if not block or (hub is not None and getcurrent() is hub):
            with self._lock:
                item = self._take(peek)
                done = None if item is _NOTHING or peek else self._match()
            if item is _NOTHING:
                raise Empty
            if done:
                _wake(done)
            return item
        if timeout is not None:
            _check_timeout(timeout)
        parked = _Parked(hub if hub is not None else _wait_hub(), peek=peek)
        lock = self._lock
        lock.acquire()
        try:
            item = self._take(peek)
            if item is not _NOTHING:
                done = None if peek else self._match()
            elif self.is_shutdown:
                raise ShutDown
            else:
                self.getters.append(parked)
                # An unlocked put that landed meanwhile did not see us: settle.
                done = self._match() if len(self.queue) else None
        finally:
            lock.release()
        if done:
            _wake(done)
        if item is not _NOTHING:
            return item
        return _park(self, parked, self.getters, timeout, Empty)

    def _take(self, peek: bool) -> Any:
        # Under the lock: the first item (removed unless ``peek``), or _NOTHING.
        if not len(self.queue):
            return _NOTHING
        try:
            if peek:
                return self._peek()
            item = self._get()
        except IndexError:
            if not self._unlocked_get:
                raise
            return _NOTHING  # an unlocked get() in another thread took it
        self._give_room()
        return item

    def get_nowait(self) -> Any:
        return self.get(False)

    def peek(self, block: bool = True, timeout: float | None = None) -> Any:
        """Return the first item without removing it, waiting like ``get``."""
        with self._lock:
            item = self._take(True)
        if item is not _NOTHING:
            return item
        return self._get_slow(block, timeout, True)

    def peek_nowait(self) -> Any:
        return self.peek(False)

    # ------------------------------------------------------------ waiting

    def _give_back(self, parked: _Parked) -> list[_Parked]:
        # Under the lock: a getter interrupted after it was handed an item.
        if parked.peek or parked.error is not None:
            return []
        if self._tokens() and not self._take_room():
            # A put took the slot meanwhile: the item goes back over the
            # bound (as in gevent), which no token accounts for.
            self._drop_tokens()
        self._put(parked.item)
        parked.item = None
        return self._match()

    # ------------------------------------------------------------ shutdown

    def _shutdown(self, immediate: bool) -> list[_Parked]:
        # Under the lock: fail every parked caller that can no longer succeed.
        self.is_shutdown = True
        done = []
        while self.putters:
            p = self.putters.popleft()
            p.error = ShutDown()
            done.append(p)
        if immediate or not len(self.queue):
            while self.getters:
                g = self.getters.popleft()
                g.error = ShutDown()
                done.append(g)
        return done


_ITEM_HOOKS = ("_create_queue", "_init", "_get", "_peek", "_put", "_qsize")


class Queue(SimpleQueue):
    """A SimpleQueue that counts unfinished tasks: ``task_done``, ``join``, ``shutdown``."""

    def __init__(self, maxsize: int | None = None, items: Iterable[Any] = (),
                 unfinished_tasks: int | None = None) -> None:
        self._cond = Event()
        # One token per unfinished task: an unlocked put counts its task with
        # list.append, which is atomic where += is not.
        self._tasks: list[None] = []
        SimpleQueue.__init__(self, maxsize, items, _warn_depth=3)
        if unfinished_tasks is None:
            unfinished_tasks = len(self.queue)
        self.unfinished_tasks = unfinished_tasks

    @property  # type: ignore[override]
    def unfinished_tasks(self) -> int:
        return len(self._tasks)

    @unfinished_tasks.setter
    def unfinished_tasks(self, count: int) -> None:
        with self._lock:
            self._tasks = [None] * count
            if count > 0:
                self._cond.clear()
            else:
                self._cond.set()

    def _tasks_started(self) -> None:
        # An unlocked put found ``join()``'s event set: clear it, unless every
        # task was done again meanwhile. Under the lock, as task_done sets it.
        with self._lock:
            if self._tasks:
                self._cond.clear()

    def _task_undone(self) -> None:
        # Under the lock: a put was taken back.
        tasks = self._tasks
        if tasks:
            tasks.pop()
            if not tasks:
                self._all_done()

    def copy(self) -> Queue:
        return type(self)(self.maxsize, self.queue, self.unfinished_tasks)

    def _format(self) -> str:
        out = SimpleQueue._format(self)
        if self.unfinished_tasks:
            out += f" tasks={self.unfinished_tasks}"
        return out

    def _on_put(self) -> None:
        # Under the lock.
        self._tasks.append(None)
        if self._cond._flag:
            self._cond.clear()

    _fast = _PLAIN_TASKS  # no item hook overridden; _on_put inlined in put

    def task_done(self) -> None:
        """Mark one item from ``get()`` as processed; ``join()`` wakes when none are left."""
        with self._lock:
            tasks = self._tasks
            if not tasks:
                raise ValueError("task_done() called too many times")
            tasks.pop()
            if not tasks:
                self._all_done()

    def _all_done(self) -> None:
        # Under the lock, when the count reached zero. An unlocked put from
        # another thread may add a task as the event is being set, and if it
        # read the flag just before the set it leaves the clearing to us: look
        # again afterwards. (Waiters already woken return True: the count did
        # reach zero while they waited.) Event.set only takes the event's own
        # lock and queues wake-ups, so calling it under ours is safe.
        cond = self._cond
        cond.set()
        if self._tasks:
            cond.clear()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every item put has been marked done; False on timeout."""
        return self._cond.wait(timeout=timeout)

    def shutdown(self, immediate: bool = False) -> None:
        """Refuse further puts (``ShutDown``); with ``immediate``, drop the items too."""
        with self._lock:
            if immediate:
                tasks = self._tasks
                while self._take(False) is not _NOTHING:
                    if tasks:
                        tasks.pop()
            done = self._shutdown(immediate)
            if not self._tasks:
                self._all_done()
        if done:
            _wake(done)


JoinableQueue = Queue


class UnboundQueue(Queue):
    """A Queue that is always unbounded (used by the pool's imap machinery)."""

    def __init__(self, maxsize: int | None = None, items: Iterable[Any] = ()) -> None:
        if maxsize is not None:
            raise ValueError("UnboundQueue has no maxsize")
        Queue.__init__(self, None, items)


class PriorityQueue(Queue):
    """Items come out lowest first (``heapq`` order); put ``(priority, data)`` tuples."""

    def _create_queue(self, items: Iterable[Any] = ()) -> Any:
        q = list(items)
        heapq.heapify(q)
        return q

    def _put(self, item: Any, heappush: Callable[..., Any] = heapq.heappush) -> None:
        heappush(self.queue, item)

    def _get(self, heappop: Callable[..., Any] = heapq.heappop) -> Any:
        return heappop(self.queue)


class LifoQueue(Queue):
    """Items come out newest first."""

    def _create_queue(self, items: Iterable[Any] = ()) -> Any:
        return list(items)

    def _get(self) -> Any:
        return self.queue.pop()

    def _peek(self) -> Any:
        return self.queue[-1]
