"""``AbstractLinkable``: the waiting and waking shared by Event, AsyncResult and Semaphore.

Theory of operation
-------------------
An object keeps its waiters in ``_links``, a deque of ``[target, hub, direct,
pending]`` records in arrival order (see ``_Entry`` and the index names
``_TARGET``, ``_HUB``, ``_DIRECT``, ``_PENDING``). ``hub`` is the hub of the
thread the callback must run in, or None for a *native* waiter: a thread with no
hub that blocks on a plain lock, whose callback only releases that lock and so
may run in any thread. A greenlet blocked in ``_wait_core`` is a *direct* record:
its target is the greenlet itself, switched to with the object.

A change that can make waiters runnable (``set``, ``release``) calls
``_check_and_notify``. Under the object's native lock it walks the waiters from
the head: a waiter of another thread (or a native one) is removed and handed
over at once, with that hub's ``loop.run_callback_threadsafe`` (or by calling
it); the first waiter of the current thread stops the walk, and the rest is
left to a notifier queued with ``run_callback`` on this thread's hub, so local
waiters are woken from the hub exactly as gevent does. The notifier
(``_notify_present`` for events, ``_notify_in_turn`` for semaphores) does the
same walk, but calls local callbacks directly, one at a time, dropping the lock
around each call (the callback switches into a greenlet that may change the
object again).

Rules that keep this correct across threads:

1. State and ``_links`` change only under ``_lock`` (a raw ``_thread`` lock that
   monkey patching cannot replace). No callback, switch or foreign loop call is
   made while holding it, so a woken waiter (or another thread) can always get
   back in.
2. Whoever removes an entry from ``_links`` owns its wake-up and must deliver it.
   A waiter that gives up (timeout, kill) removes its own entry; if it finds the
   entry already gone, a wake-up is in flight to it and it passes the turn on by
   calling ``_check_and_notify`` again, so a Semaphore never loses a release.
3. A waiter links itself and only then sleeps; the waker changes state and only
   then looks at ``_links``. Both steps are under the lock, so one of them
   always sees the other: no lost wake-up.
4. ``_notify_all`` objects (events) wake every waiter present when the
   notification starts and still linked when its turn comes; the others
   (semaphores) wake waiters only while
   ``_may_notify()`` holds, and a woken waiter of another thread re-checks and
   queues again at the tail if it lost the race.
"""

from __future__ import annotations

import sys
from _thread import allocate_lock as _allocate_lock
from collections import deque
from collections.abc import Callable
from typing import Any, NoReturn

from greenlet import getcurrent
from greenlet import greenlet as _RawGreenlet

from .._hub_local import MAIN_THREAD_IDENT as _MAIN_THREAD_IDENT
from .._hub_local import _threadlocal
from .._hub_local import get_hub_if_exists as _get_hub_if_exists
from .._hub_local import get_hub_noargs as _get_hub_noargs
from .._hub_local import get_thread_ident as _get_thread_ident
from ..timeout import Timeout

__all__ = ["AbstractLinkable"]



class _NativeWaiter:
    """Wakes a thread that has no hub and sleeps on a native lock."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = _allocate_lock()
        self._lock.acquire()

    def __call__(self, _source: Any) -> None:
        try:
            self._lock.release()
        except RuntimeError:  # already woken
            pass

    def wait(self, timeout: float | None) -> bool:
        if timeout is None:
            return self._lock.acquire()
        return self._lock.acquire(True, max(timeout, 0.0))


def _wait_hub() -> Any:
    """The hub the current thread should block in, or None to block natively.

    Threads other than the main one that have no hub block on a native lock
    rather than growing a hub just to wait (gevent does this for semaphores);
    the main thread always gets a hub so that ``LoopExit`` can be detected.
    """
    hub = _get_hub_if_exists()
    if hub is None and _get_thread_ident() == _MAIN_THREAD_IDENT:
        hub = _get_hub_noargs()
    return hub


# A waiter is a list ``[target, hub, direct, pending]``, read with the index
# names below. A list rather than a __slots__ record: building one is several
# times cheaper than calling a class, and every wait builds one.
_Entry = list[Any]
# What to wake: a rawlink's callback, a native waiter (callable), or, for a
# direct entry, the greenlet itself. None once a direct wake-up was disarmed.
_TARGET = 0
# The hub of the thread the wake-up must run in; None for a native waiter.
_HUB = 1
# True for a greenlet blocked in ``_wait_core`` (or ``Event.wait``): the target
# is switched to with the object, instead of being called with it.
_DIRECT = 2
# A direct entry's switch queued on its own loop by ``run_callback``, if any. A
# direct waiter that gives up after its entry was taken disarms its wake-up
# (target set to None, this callback stopped); this replaces a Waiter per wait,
# which the hot paths cannot afford.
_PENDING = 3
_switch_to = _RawGreenlet.switch


def _wake_direct(entry: _Entry, source: Any) -> None:
    # Runs in the waiter's own hub (queued from another thread); the target is
    # None if the waiter gave up meanwhile, which can only happen in that thread.
    target = entry[_TARGET]
    if target is not None:
        entry[_TARGET] = None
        _switch_to(target, source)


def _deliver(entries: list[_Entry], source: Any) -> None:
    # Hand wake-ups to other threads. Called without the lock held.
    for entry in entries:
        hub = entry[_HUB]
        if hub is None:
            entry[_TARGET](source)
            continue
        loop = hub.loop
        if loop is None:
            continue  # that hub was destroyed; its greenlets are gone
        try:
            if entry[_DIRECT]:
                loop.run_callback_threadsafe(_wake_direct, entry, source)
            else:
                loop.run_callback_threadsafe(entry[_TARGET], source)
        except Exception:
            # A destroyed loop refuses work; nobody is left there to wake.
            pass


class AbstractLinkable:
    """Base for objects that greenlets (in any thread) wait on, and ``rawlink`` to."""

    __slots__ = ("__weakref__", "_links", "_lock", "_notifier", "hub")

    _notify_all = True

    def __init__(self, hub: Any = None) -> None:
        self._lock = _allocate_lock()
        self._links: deque[_Entry] = deque()
        self._notifier: Any = None
        self.hub = hub

    # ---------------------------------------------------------- overridable

    def ready(self) -> bool:
        raise NotImplementedError

    def _may_notify(self) -> bool:
        # True while waiters should still be woken; called under the lock.
        return self.ready()

    # ---------------------------------------------------------------- links

    def linkcount(self) -> int:
        return len(self._links)

    def _at_fork_reinit(self) -> None:
        # In a forked child (threading calls this): the waiters belong to the parent.
        self._lock = _allocate_lock()
        self._links.clear()
        self._notifier = None

    def rawlink(self, callback: Callable[..., Any]) -> None:
        """Call ``callback(self)`` once, from the hub, when this object is ready.

        The callback is unlinked before it is called; it runs in the hub of the
        thread that linked it.
        """
        if not callable(callback):
            raise TypeError(f"Expected callable: {callback!r}")
        hub = _get_hub_noargs()
        if self.hub is None:
            self.hub = hub
        with self._lock:
            self._links.append([callback, hub, False, None])
            if self._notifier is not None or not self._may_notify():
                return
            foreign = self._walk(hub)
        if foreign:
            _deliver(foreign, self)

    def unlink(self, callback: Callable[..., Any]) -> None:
        with self._lock:
            self._remove_callback(callback)

    def _remove_callback(self, callback: Callable[..., Any]) -> bool:
        # Identity first: some callbacks refuse __eq__ and __hash__. Entries go
        # by position, never by deque.remove: that compares them as lists, which
        # compares the other entries' targets.
        links = self._links
        for i, entry in enumerate(links):
            if entry[_TARGET] is callback:
                del links[i]
                return True
        for i, entry in enumerate(links):
            if entry[_TARGET] == callback:
                del links[i]
                return True
        return False

    def _remove_entry(self, entry: _Entry) -> bool:
        # Under the lock. False means a notifier already took it (rule 2).
        links = self._links
        if links and links[-1] is entry:
            links.pop()
            return True
        for i, e in enumerate(links):
            if e is entry:
                del links[i]
                return True
        return False

    # ------------------------------------------------------------ notifying

    def _check_and_notify(self) -> None:
        """Wake whoever can run now; call after a change, without the lock."""
        lock = self._lock
        lock.acquire()
        try:
            if not self._links or self._notifier is not None or not self._may_notify():
                return
            foreign = self._walk(_threadlocal.hub)
        finally:
            lock.release()
        if foreign:
            _deliver(foreign, self)

    def _walk(self, hub: Any) -> list[_Entry]:
        """Take the foreign waiters at the head; queue a notifier for local ones.

        Called under the lock, with links present and ``_may_notify()`` true.
        """
        links = self._links
        foreign = []
        if self._notify_all:
            if hub is None:
                foreign = list(links)
                links.clear()
                return foreign
            if len(links) == 1:
                # The common case: one waiter, of this thread.
                entry = links[0]
                if entry[_HUB] is hub:
                    if entry[_DIRECT]:
                        # A greenlet blocked in wait(): queue its switch
                        # itself, where the notifier would have gone; it
                        # stops that callback if it gives up meanwhile.
                        links.popleft()
                        entry[_PENDING] = hub.loop.run_callback(_switch_to, entry[_TARGET], self)
                    else:
                        self._notifier = hub.loop.run_callback(self._notify_present, hub)
                    return foreign
                foreign.append(links.popleft())
                return foreign
            local = False
            for entry in links:
                if entry[_HUB] is hub:
                    local = True
                else:
                    foreign.append(entry)
            if foreign:
                # Not deque.remove, which would compare the entries (see
                # _remove_callback).
                kept = [entry for entry in links if entry[_HUB] is hub]
                links.clear()
                links.extend(kept)
            if local:
                self._notifier = hub.loop.run_callback(self._notify_present, hub)
            return foreign
        budget = self._wake_budget()
        while links and budget > 0:
            entry = links[0]
            if hub is not None and entry[_HUB] is hub:
                self._notifier = hub.loop.run_callback(self._notify_in_turn, hub)
                break
            links.popleft()
            foreign.append(entry)
            if entry[_DIRECT] or entry[_HUB] is None:
                # A waiter that will try to take a unit; a rawlink callback
                # takes none, so it must not use up the turn.
                budget -= 1
        return foreign

    def _wake_budget(self) -> int:
        return 1

    def _notify_present(self, hub: Any) -> None:
        """The notifier of ``_notify_all`` objects: wake the waiters present now, in order.

        Runs in ``hub``'s greenlet, queued by ``_walk``. A waiter unlinked
        meanwhile (even by an earlier callback of this run) is skipped; one
        that arrives meanwhile waits for the check at the end.
        """
        lock = self._lock
        links = self._links
        # The first entry is taken in the same critical section as the
        # snapshot: no callback of this run can have unlinked it yet.
        lock.acquire()
        batch = list(links)
        if batch:
            links.popleft()
        lock.release()
        first = True
        for entry in batch:
            if first:
                first = False
            else:
                lock.acquire()
                if links and links[0] is entry:
                    links.popleft()
                    removed = True
                else:
                    removed = self._remove_entry(entry)
                lock.release()
                if not removed:
                    continue
            callback = entry[_TARGET]
            if entry[_HUB] is hub:
                try:
                    if entry[_DIRECT]:
                        _switch_to(callback, self)
                    else:
                        callback(self)
                except:  # noqa: E722 - a link's error must not stop the others
                    hub.handle_error((callback, self), *sys.exc_info())
            else:
                _deliver([entry], self)
        lock.acquire()
        try:
            self._notifier = None
            if not links or not self._may_notify():
                return
            foreign = self._walk(hub)
        finally:
            lock.release()
        if foreign:
            _deliver(foreign, self)

    def _notify_in_turn(self, hub: Any) -> None:
        """The notifier of the other objects: wake from the head while ``_may_notify()``.

        Runs in ``hub``'s greenlet, queued by ``_walk``. Each woken waiter runs
        before the next is taken, so a semaphore's unit goes to one waiter at a
        time.
        """
        lock = self._lock
        links = self._links
        while True:
            lock.acquire()
            try:
                if not links or not self._may_notify():
                    self._notifier = None
                    return
                entry = links.popleft()
            finally:
                lock.release()
            callback = entry[_TARGET]
            if entry[_HUB] is hub:
                try:
                    if entry[_DIRECT]:
                        _switch_to(callback, self)
                    else:
                        callback(self)
                except:  # noqa: E722 - a link's error must not stop the others
                    hub.handle_error((callback, self), *sys.exc_info())
            else:
                _deliver([entry], self)

    # -------------------------------------------------------------- waiting

    def _wait_core(self, timeout: float | None) -> bool:
        """Block until woken; True if woken, False on timeout.

        The caller has checked, under no lock, that it must wait. A gevent
        ``Timeout`` (the argument, or an outer one) propagates.
        """
        hub = _threadlocal.hub
        if hub is None:
            hub = _wait_hub()
            if hub is None:
                return self._wait_native(timeout)
        if self.hub is None:
            self.hub = hub
        # No local for the current greenlet: a kill's traceback holds this frame,
        # and the greenlet keeps that exception (see the no-cycles rule).
        entry = [getcurrent(), hub, True, None]
        lock = self._lock
        lock.acquire()
        try:
            self._links.append(entry)
            kick = self._notifier is None and self._may_notify()
        finally:
            lock.release()
        if kick:
            self._check_and_notify()
        # Hub.switch, inlined; the waker switches back with ``self``.
        if timeout is None:
            try:
                if getattr(entry[_TARGET], "switch_out", None) is not None:
                    entry[_TARGET].switch_out()
                result = _switch_to(hub)
            except BaseException:
                self._give_up(entry)
                raise
        else:
            timer = Timeout._start_new_or_dummy(timeout)
            try:
                try:
                    if getattr(entry[_TARGET], "switch_out", None) is not None:
                        entry[_TARGET].switch_out()
                    result = _switch_to(hub)
                except BaseException as ex:
                    woken = self._give_up(entry)
                    if ex is timer:
                        return woken
                    raise
            finally:
                timer.cancel()
                # A timer that fired has this frame in its traceback: without
                # this, frame and Timeout would be a cycle only gc could free.
                del timer
        if result is not self:
            self._give_up(entry)
            self._invalid_switch(getcurrent(), result)
        return True

    def _invalid_switch(self, current: Any, result: Any) -> NoReturn:
        from ..exceptions import InvalidSwitchError

        raise InvalidSwitchError(
            f"Invalid switch into {current}: got {result!r} (expected {self!r})")

    def _give_up(self, entry: _Entry) -> bool:
        """Stop waiting; True if a wake-up was already on its way to us."""
        lock = self._lock
        lock.acquire()
        try:
            removed = self._remove_entry(entry)
        finally:
            lock.release()
        if entry[_DIRECT]:
            # A dead record lets go of its greenlet. If someone took it, a
            # wake-up is in flight: this also disarms it (it has not run, or we
            # would not be here), as does stopping the queued callback.
            entry[_TARGET] = None
            if not removed:
                pending = entry[_PENDING]
                if pending is not None:
                    pending.stop()
        if removed:
            return False
        # Pass the turn on.
        self._check_and_notify()
        return True

    def _wait_native(self, timeout: Any) -> bool:
        seconds = getattr(timeout, "seconds", timeout)
        waiter = _NativeWaiter()
        entry = [waiter, None, False, None]
        with self._lock:
            self._links.append(entry)
            kick = self._notifier is None and self._may_notify()
        if kick:
            self._check_and_notify()
        if waiter.wait(seconds):
            return True
        return self._give_up(entry)

    def _links_repr(self) -> str:
        return f"_links[{len(self._links)}]"
