"""Parking a blocked put, get or peek: the lines that queues and channels share.

Theory of operation
-------------------
A queue or channel (the *owner*) keeps two FIFO lines of blocked callers,
``getters`` and ``putters``, and one native lock (``_lock``) that guards them.
Each blocked caller is a ``_Parked`` record: the hub of its thread (None for a
thread without a hub, which sleeps on a native lock), the greenlet or native
waiter to wake, and the item it brings (putters) or receives (getters).

A caller joins its line under the owner's lock and only then sleeps
(``_park``). Whoever takes a record out of a line owns its wake-up: it fills in
the item (or ``error``) under the lock and, once the lock is dropped, calls
``_wake``, which queues ``greenlet.switch(record)`` on this thread's loop with
``run_callback``, hands it to another hub with ``run_callback_threadsafe``, or
releases the native lock of a hubless thread. The woken caller checks that it
was switched back with its own record; anything else is an
``InvalidSwitchError``.

A caller that stops waiting (timeout, kill) takes the lock and removes its
record (``_abandon``). If the record is already gone, the call completed as it
gave up, and a wake-up is on its way: the caller disarms it (in its own thread,
where that wake-up would run), then a getter keeps the item it was given (its
own timeout lost the race) or, for any other exception, asks the owner to take
it back (``owner._give_back``); a putter's item is already with the owner and
``put`` just returns.

What an owner provides: ``_lock``, ``getters``, ``putters`` and
``_give_back(record)``, called under the lock, returning the records it
completed.

``_Room`` keeps the free slots of a plain bounded queue as room tokens, so that
its puts need not take the lock to respect the bound; ``_queue``'s docstring
("Room tokens") gives the scheme and its interleavings.
"""

from __future__ import annotations

import collections
from queue import Empty
from typing import Any

from greenlet import getcurrent
from greenlet import greenlet as _RawGreenlet

from .._hub_local import get_hub_if_exists as _get_hub_if_exists
from ..exceptions import InvalidSwitchError
from ..timeout import Timeout
from ._linkable import _NativeWaiter

__all__: list[str] = []

_LOCKED = 0  # a queue's put mode (``_unlocked``) when it takes the lock
# At most this many free slots are room tokens at a time; the rest are counted
# in ``_spare`` (under the lock), so a huge bound costs no memory.
_ROOM_BATCH = 1024

_switch_to = _RawGreenlet.switch


class _Parked:
    """One blocked put/get/peek: who to wake and what item travels.

    A greenlet sleeps in its hub and is switched back to with this record;
    ``pending`` is that switch while it is queued on this thread's loop. A
    caller that gives up after its record was taken disarms the wake-up
    (``greenlet = None``, ``pending`` stopped). A thread without a hub sleeps
    on ``waiter``, a native lock.
    """

    __slots__ = ("error", "greenlet", "hub", "item", "peek", "pending", "waiter")

    def __init__(self, hub: Any, item: Any = None, peek: bool = False) -> None:
        self.hub = hub
        if hub is not None:
            self.greenlet: Any = getcurrent()
            self.waiter: Any = None
        else:
            self.greenlet = None
            self.waiter = _NativeWaiter()
        self.pending: Any = None
        self.item = item
        self.peek = peek
        self.error: BaseException | None = None

    def disarm(self) -> None:
        # In the parked caller's own thread, where its wake-up would run.
        self.greenlet = None
        pending = self.pending
        if pending is not None:
            pending.stop()


def _wake_foreign(p: _Parked) -> None:
    # Queued from another thread; runs in the parked greenlet's hub.
    target = p.greenlet
    if target is not None:
        p.greenlet = None
        _switch_to(target, p)


def _wake(done: list[_Parked]) -> None:
    # Without the lock: tell each completed caller to resume.
    here = _get_hub_if_exists()
    for p in done:
        hub = p.hub
        if hub is None:
            p.waiter(p)
        elif hub is here:
            p.pending = hub.loop.run_callback(_switch_to, p.greenlet, p)
        else:
            loop = hub.loop
            if loop is not None:
                try:
                    loop.run_callback_threadsafe(_wake_foreign, p)
                except Exception:
                    pass  # a destroyed loop: nobody is left there to wake


def _check_timeout(timeout: Any) -> None:
    if timeout is not None and not isinstance(timeout, Timeout) and timeout < 0:
        raise ValueError("'timeout' must be a non-negative number")


def _in_hub() -> bool:
    hub = _get_hub_if_exists()
    return hub is not None and getcurrent() is hub


def _finish(parked: _Parked) -> Any:
    if parked.error is not None:
        raise parked.error
    item = parked.item
    parked.item = None
    return item


def _park(owner: Any, parked: _Parked, line: collections.deque[_Parked], timeout: Any,
          on_timeout: type[BaseException]) -> Any:
    """Sleep until ``owner._match`` (or a hand-over) completes ``parked``; return its item."""
    hub = parked.hub
    if hub is None:
        if parked.waiter.wait(getattr(timeout, "seconds", timeout)):
            return _finish(parked)
        return _abandon(owner, parked, line, None, True, timeout, on_timeout)
    timer = None if timeout is None else Timeout._start_new_or_dummy(timeout)
    try:
        # Hub.switch, inlined; the waker switches back with ``parked``.
        switch_out = getattr(parked.greenlet, "switch_out", None)
        if switch_out is not None:
            switch_out()
        result = _switch_to(hub)
    except BaseException as e:
        return _abandon(owner, parked, line, e, e is timer, timeout, on_timeout)
    finally:
        if timer is not None:
            timer.cancel()
        del timer  # no frame <-> Timeout cycle once it fired (see _wait_core)
    if result is parked:
        return _finish(parked)
    return _abandon(owner, parked, line,
                    InvalidSwitchError(f"Invalid switch into {getcurrent()}: {result!r}"),
                    False, timeout, on_timeout)


def _park_resumed(owner: Any, parked: _Parked, result: Any) -> Any:
    # Queue.get's inlined park woke with an error or with a stray switch.
    if result is parked:
        return _finish(parked)
    return _abandon(owner, parked, owner.getters,
                    InvalidSwitchError(f"Invalid switch into {getcurrent()}: {result!r}"),
                    False, None, Empty)


def _abandon(owner: Any, parked: _Parked, line: collections.deque[_Parked],
             ex: BaseException | None, timed_out: bool, timeout: Any,
             on_timeout: type[BaseException]) -> Any:
    """Give up waiting: raise ``ex`` (or ``on_timeout``), or return an item that came anyway.

    If our record is no longer in ``line``, the call completed as we gave up.
    """
    done: list[_Parked] = []
    with owner._lock:
        try:
            line.remove(parked)
        except ValueError:
            if parked.hub is not None:
                parked.disarm()
            if timed_out:
                return _finish(parked)
            if line is not owner.putters:
                # A getter hands its item back; a putter's item is in the queue.
                done = owner._give_back(parked)
        else:
            # A dead record lets go of its greenlet (no cycle through the
            # traceback that the greenlet may keep).
            parked.greenlet = None
    if done:
        _wake(done)
    if timed_out and (ex is None or not isinstance(timeout, Timeout)):
        raise on_timeout
    assert ex is not None
    try:
        raise ex
    finally:
        del ex  # its traceback will hold this frame: no cycle through the local


class _Lines:
    """What queues and channels share: parking a caller in a line, and iteration.

    Iterating calls ``get()`` until it returns the ``StopIteration`` class.
    """

    __slots__ = ()

    def _park(self, parked: _Parked, line: collections.deque[_Parked], timeout: Any,
              on_timeout: type[BaseException]) -> Any:
        return _park(self, parked, line, timeout, on_timeout)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        raise NotImplementedError

    def __iter__(self) -> Any:
        return self

    def __next__(self) -> Any:
        result = self.get()
        if result is StopIteration:
            raise result
        return result

    next = __next__


class _Room:
    """Room tokens: the free slots of a plain bounded queue (see ``_queue``).

    ``_room`` holds one token per free slot, up to ``_ROOM_BATCH``; ``_spare``
    counts the others. Everything here runs under the queue's lock; the
    unlocked paths only ``pop`` a token (put) and ``append`` one (get).
    """

    # Provided by the queue.
    queue: Any
    _maxsize: Any
    _fast: int
    _unlocked: int
    _get_free: bool
    _room_on: bool
    _room: list[None]
    _spare: int
    _buffer: Any

    def _start_room(self, mode: int) -> None:
        # At construction: count the free slots in tokens from now on.
        free = self._maxsize - len(self.queue)
        tokens = min(free, _ROOM_BATCH)
        self._room = [None] * tokens
        self._spare = free - tokens
        self._buffer = self.queue
        self._unlocked = mode
        self._get_free = False
        self._room_on = True

    def _tokens(self) -> bool:
        # Whether tokens count the free slots. A buffer replaced from outside
        # holds items no token accounts for: from then on, count by length.
        if not self._room_on:
            return False
        if self.queue is self._buffer:
            return True
        self._drop_tokens()
        return False

    def _take_room(self) -> bool:
        # With tokens: reserve a slot, if one is free.
        try:
            self._room.pop()
        except IndexError:
            spare = self._spare
            if not spare:
                return False
            # Turn a batch of spare slots into tokens, one of them ours.
            tokens = min(spare, _ROOM_BATCH)
            self._spare = spare - tokens
            self._room.extend([None] * (tokens - 1))
        return True

    def _give_room(self) -> None:
        # An item left the buffer (on a locked path): its slot is free.
        if self._room_on and self._tokens():
            self._room.append(None)

    def _drop_tokens(self) -> None:
        # Stop counting room in tokens, for good. A fresh empty list sends a
        # put that has yet to take its token to the locked path; a put that
        # has taken one already still lands (it came first); a get that read
        # the old mode gives its token to the dead list.
        self._get_free = True
        self._room_on = False
        self._unlocked = self._fast if self._maxsize is None else _LOCKED
        self._room = []
        self._spare = 0
        self._buffer = None

    def _resize_room(self, old: int, new: Any) -> None:
        # With tokens, after ``maxsize`` went from ``old`` to ``new``.
        if new is None or type(new) is not int:
            self._drop_tokens()
        elif new > old:
            self._spare += new - old
        else:
            # Take back the slots that are gone, spare ones first. If fewer are
            # free (the buffer holds more than the new bound, or puts have
            # reserved them), count by length from now on.
            gone = old - new
            spare = self._spare
            self._spare = max(0, spare - gone)
            room = self._room
            for _ in range(gone - spare):
                try:
                    room.pop()
                except IndexError:
                    self._drop_tokens()
                    return
