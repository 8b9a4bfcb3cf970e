"""Watcher objects: one source of events each, started with a callback.

Every watcher type shares the life cycle ``start(callback, *args)`` ->
(fires, perhaps many times) -> ``stop()`` -> ``close()``. A started watcher with
``ref=True`` keeps its loop alive; ``ref=False`` lets the loop finish while the
watcher is still started. ``pending`` is true between the loop noticing the
event and the callback being called; stopping a pending watcher cancels the call.
"""

from __future__ import annotations

import os
import signal as _signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

__all__ = ["READ", "WRITE", "async_", "callback", "check", "child", "fork", "idle", "io",
           "prepare", "signal", "stat", "timer", "watcher"]

if TYPE_CHECKING:
    from ._loop import Loop

READ = 1
WRITE = 2

# A started timer's entry in its loop's heap is a list ``[deadline, sequence, timer]``.
# A list, so that heapq compares entries in C: by deadline, then by the sequence
# number, which is unique, so the timers themselves are never compared. Stopping the
# timer blanks the third item (None) in place. These name the items.
_DEADLINE: Final = 0
_SEQUENCE: Final = 1
_TIMER: Final = 2


class watcher:
    """Shared life cycle; subclasses hook ``_activate``/``_deactivate``."""

    __slots__ = ("__weakref__", "_active", "_pending", "_priority", "_ref", "args", "callback",
                 "loop")

    def __init__(self, loop: Loop, ref: bool = True, priority: int | None = None) -> None:
        self.loop: Loop | None = loop
        self.callback: Callable[..., Any] | None = None
        self.args: tuple[Any, ...] | None = None
        self._active = False
        self._pending = False
        self._ref = bool(ref)
        self._priority = priority or 0

    # -- public life cycle

    def start(self, callback: Callable[..., Any], *args: Any) -> None:
        if callback is None or not callable(callback):
            raise TypeError(f"watcher callback must be callable, not {callback!r}")
        loop = self.loop
        if loop is None:
            raise ValueError(f"{self!r} is closed: create a new watcher")
        self.callback = callback
        self.args = args
        if not self._active:
            self._active = True
            if self._ref:
                loop._nrefs += 1
            self._activate(loop)

    def stop(self) -> None:
        self._pending = False
        if self._active:
            self._active = False
            loop = self.loop
            if loop is not None:
                if self._ref:
                    loop._nrefs -= 1
                self._deactivate(loop)
        self.callback = None
        self.args = None

    def close(self) -> None:
        self.stop()
        self.loop = None

    def __enter__(self) -> watcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def feed(self, revents: int, callback: Callable[..., Any], *args: Any) -> None:
        """Make the watcher pending as if its event happened."""
        self.callback = callback
        self.args = args
        if self.loop is not None:
            self._pending = True
            self.loop._fed.append(self)

    # -- properties gevent exposes

    @property
    def active(self) -> bool:
        return self._active

    @property
    def pending(self) -> bool:
        return self._pending

    @property
    def ref(self) -> bool:
        return self._ref

    @ref.setter
    def ref(self, value: bool) -> None:
        value = bool(value)
        if value == self._ref:
            return
        self._ref = value
        if self._active and self.loop is not None:
            self.loop._nrefs += 1 if value else -1

    @property
    def priority(self) -> int:
        return self._priority

    @priority.setter
    def priority(self, value: int) -> None:
        self._priority = int(value)

    # -- hooks

    def _activate(self, loop: Loop) -> None:
        raise NotImplementedError

    def _deactivate(self, loop: Loop) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        # Called by the loop once the watcher was found pending.
        self.callback(*self.args)  # type: ignore[misc]

    def _format(self) -> str:
        return ""

    def __repr__(self) -> str:
        parts = [f"<{type(self).__name__} at {id(self):#x}{self._format()}"]
        if self._active:
            parts.append(" active")
        if self._pending:
            parts.append(" pending")
        if not self._ref:
            parts.append(" ref=False")
        if self.callback is not None:
            parts.append(f" callback={self.callback!r} args={self.args!r}")
        return "".join(parts) + ">"


class io(watcher):
    """Readiness of a file descriptor: events is READ (1), WRITE (2) or both."""

    # ``_reg`` is the loop's token for the registration this watcher has seen
    # made or checked: the loop trusts a kept registration only for watchers
    # holding the current token (see ``Loop._apply_interest``).
    __slots__ = ("_events", "_pass_events", "_reg", "_revents", "fd")

    def __init__(self, loop: Loop, fd: int, events: int, ref: bool = True,
                 priority: int | None = None) -> None:
        fd = int(fd)
        if fd < 0:
            raise ValueError(f"fd must be non-negative: {fd!r}")
        if events & ~(READ | WRITE):
            raise ValueError(f"illegal event mask: {events!r} (use 1 for read, 2 for write, or 3)")
        os.fstat(fd)  # OSError(EBADF) now rather than a silent watcher that never fires
        super().__init__(loop, ref, priority)
        self.fd = fd
        self._events = events
        self._revents = 0
        self._pass_events = False
        self._reg: object = None

    # start and stop are watcher's, unrolled: a socket wait runs each once, and
    # the calls they save are a tenth of a wait's cost in the loop.
    def start(self, callback: Callable[..., Any], *args: Any, pass_events: bool = False) -> None:
        if callback is None or not callable(callback):
            raise TypeError(f"watcher callback must be callable, not {callback!r}")
        loop = self.loop
        if loop is None:
            raise ValueError(f"{self!r} is closed: create a new watcher")
        self._pass_events = pass_events
        self.callback = callback
        self.args = args
        if not self._active:
            self._active = True
            if self._ref:
                loop._nrefs += 1
            loop._io_start(self)

    def stop(self) -> None:
        self._pending = False
        if self._active:
            self._active = False
            loop = self.loop
            if loop is not None:
                if self._ref:
                    loop._nrefs -= 1
                loop._io_stop(self)
        self.callback = None
        self.args = None

    @property
    def events(self) -> int:
        return self._events

    @events.setter
    def events(self, value: int) -> None:
        if self._active:
            raise AttributeError(f"cannot change the events of an active watcher {self!r}")
        self._events = value

    @property
    def events_str(self) -> str:
        return "|".join(n for b, n in ((READ, "READ"), (WRITE, "WRITE")) if self._events & b)

    def _activate(self, loop: Loop) -> None:
        loop._io_start(self)

    def _deactivate(self, loop: Loop) -> None:
        loop._io_stop(self)

    def _run(self) -> None:
        if self._pass_events:
            self.callback(self._revents, *self.args)  # type: ignore[misc]
        else:
            self.callback(*self.args)  # type: ignore[misc]

    def _format(self) -> str:
        return f" fd={self.fd} events={self.events_str}"


class timer(watcher):
    """Fires once ``after`` seconds from start, then every ``repeat`` seconds if set."""

    __slots__ = ("_entry", "after", "repeat")

    def __init__(self, loop: Loop, after: float = 0.0, repeat: float = 0.0, ref: bool = True,
                 priority: int | None = None) -> None:
        if repeat < 0.0:
            raise ValueError(f"repeat must be positive or zero: {repeat!r}")
        super().__init__(loop, ref, priority)
        self.after = after
        self.repeat = repeat
        self._entry: list[Any] | None = None

    def start(self, callback: Callable[..., Any], *args: Any, update: bool | None = None) -> None:
        # Like libev, the deadline counts from the loop's cached time unless asked
        # to refresh it first (``update=True``), which costs a clock read.
        if update and self.loop is not None:
            self.loop.update_now()
        super().start(callback, *args)

    def again(self, callback: Callable[..., Any], *args: Any, update: bool = True) -> None:
        """Restart the timer from now (libev's ``ev_timer_again``)."""
        if self._active and self.loop is not None:
            self.loop._timer_cancel(self)
            self._active = False
            if self._ref:
                self.loop._nrefs -= 1
        self.start(callback, *args, update=update)

    @property
    def at(self) -> float:
        entry = self._entry
        return entry[_DEADLINE] if entry is not None else 0.0

    def _activate(self, loop: Loop) -> None:
        loop._timer_schedule(self, self.after)

    def _deactivate(self, loop: Loop) -> None:
        loop._timer_cancel(self)

    def _format(self) -> str:
        return f" after={self.after!r}" + (f" repeat={self.repeat!r}" if self.repeat else "")


class _simple(watcher):
    """Watchers that live in one of the loop's per-phase lists."""

    __slots__ = ()
    _phase = ""

    def _activate(self, loop: Loop) -> None:
        getattr(loop, self._phase).append(self)

    def _deactivate(self, loop: Loop) -> None:
        try:
            getattr(loop, self._phase).remove(self)
        except ValueError:
            pass


class prepare(_simple):
    """Runs at the start of every loop iteration, before polling."""

    __slots__ = ()
    _phase = "_prepares"


class check(_simple):
    """Runs at the end of every loop iteration, after polling."""

    __slots__ = ()
    _phase = "_checks"


class idle(_simple):
    """Runs when the loop has nothing else pending; keeps the loop from blocking."""

    __slots__ = ()
    _phase = "_idles"


class fork(_simple):
    """Runs in the next iteration after ``loop.reinit()`` (that is, after a fork)."""

    __slots__ = ()
    _phase = "_forks"


class async_(_simple):
    """A wake-up that any thread may ``send()``; the callback runs in the loop's thread."""

    __slots__ = ("_sent",)
    _phase = "_asyncs"

    def __init__(self, loop: Loop, ref: bool = True, priority: int | None = None) -> None:
        super().__init__(loop, ref, priority)
        self._sent = False

    def send(self) -> None:
        loop = self.loop
        if loop is None:
            return
        self._sent = True
        loop._wake()

    def send_ignoring_arg(self, _ignored: object) -> None:
        # Usable directly as a link callback (links pass the source).
        self.send()

    @property
    def pending(self) -> bool:
        return self._sent or self._pending


class signal(watcher):
    """Delivery of a POSIX signal. Installs a Python handler while started."""

    __slots__ = ("signum",)

    def __init__(self, loop: Loop, signalnum: int, ref: bool = True,
                 priority: int | None = None) -> None:
        if not 0 < signalnum < _signal.NSIG:
            raise ValueError(f"illegal signal number: {signalnum!r}")
        super().__init__(loop, ref, priority)
        self.signum = signalnum

    def _activate(self, loop: Loop) -> None:
        loop._signal_start(self)

    def _deactivate(self, loop: Loop) -> None:
        loop._signal_stop(self)

    def _format(self) -> str:
        return f" signum={self.signum}"


class child(watcher):
    """Exit of a child process (``pid`` 0 means any child), seen through SIGCHLD."""

    __slots__ = ("_pid", "_trace", "rpid", "rstatus")

    def __init__(self, loop: Loop, pid: int, trace: int = 0, ref: bool = True) -> None:
        if not loop.default:
            raise TypeError("child watchers are only available on the default loop")
        super().__init__(loop, ref)
        self._pid = pid
        self._trace = trace
        self.rpid = 0
        self.rstatus = 0

    @property
    def pid(self) -> int:
        return self._pid

    def _activate(self, loop: Loop) -> None:
        loop._child_start(self)

    def _deactivate(self, loop: Loop) -> None:
        loop._child_stop(self)

    def _format(self) -> str:
        return f" pid={self._pid} rstatus={self.rstatus}"


class stat(watcher):
    """Changes to a path's ``os.stat`` result, polled every ``interval`` seconds."""

    __slots__ = ("_timer", "attr", "interval", "path", "prev")

    def __init__(self, loop: Loop, path: str | bytes, interval: float = 0.0, ref: bool = True,
                 priority: int | None = None) -> None:
        super().__init__(loop, ref, priority)
        self.path = path
        self.interval = interval
        self.attr: os.stat_result | None = self._stat()
        self.prev: os.stat_result | None = None
        self._timer = timer(loop, interval or 5.0, interval or 5.0, ref=False)

    def _stat(self) -> os.stat_result | None:
        try:
            return os.stat(self.path)
        except OSError:
            return None

    def _poll(self) -> None:
        now = self._stat()
        if now != self.attr:
            self.prev, self.attr = self.attr, now
            loop = self.loop
            if loop is not None and self._active:
                self._pending = True
                loop._fed.append(self)

    def _activate(self, loop: Loop) -> None:
        self.attr = self._stat()
        self._timer.start(self._poll, update=True)

    def _deactivate(self, loop: Loop) -> None:
        self._timer.stop()

    def close(self) -> None:
        super().close()
        self._timer.close()


class callback:
    """A function queued with ``loop.run_callback``; runs once unless stopped first.

    Only the loop makes these: it creates one empty and sets the two slots, which
    costs less than any ``__init__`` (this is the hottest allocation in the loop).
    ``stop()`` clears ``callback`` before ``args``, and the loop reads ``args``
    first, so a stop from another thread can never hand the loop a callback with
    no arguments.
    """

    __slots__ = ("args", "callback")

    callback: Callable[..., Any] | None
    args: tuple[Any, ...] | None

    @property
    def pending(self) -> bool:
        return self.callback is not None

    def stop(self) -> None:
        self.callback = None
        self.args = None

    close = stop

    def __repr__(self) -> str:
        state = " pending" if self.callback is not None else ""
        return f"<callback at {id(self):#x}{state} callback={self.callback!r} args={self.args!r}>"
