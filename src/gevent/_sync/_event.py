"""``Event`` and ``AsyncResult``, built on ``AbstractLinkable``.

Both may be waited on by greenlets of any thread and set from any thread; see
``_linkable`` for how the wake-ups travel.
"""

from __future__ import annotations

from typing import Any

from greenlet import getcurrent

from .._hub_local import _threadlocal
from ..timeout import Timeout
from ._linkable import _DIRECT, _HUB, _PENDING, _TARGET, AbstractLinkable, _switch_to

__all__ = ["AsyncResult", "Event"]

_NOT_SET = object()


class Event(AbstractLinkable):
    """A flag that greenlets wait for; ``set()`` wakes them all.

    ``wait()`` returns True if the flag was set at any time while it waited,
    even if it was cleared again before the waiter ran.
    """

    __slots__ = ("__dict__", "_flag")

    def __init__(self) -> None:
        AbstractLinkable.__init__(self)
        self._flag = False

    def __str__(self) -> str:
        state = "set" if self._flag else "clear"
        return f"<{type(self).__name__} {state} {self._links_repr()}>"

    def is_set(self) -> bool:
        return self._flag

    isSet = is_set
    ready = is_set
    _may_notify = is_set

    def set(self) -> None:
        """Set the flag and wake every waiter (from the hub, soon)."""
        self._flag = True
        links = self._links
        if not links:
            return
        # The ping-pong case, inlined from _check_and_notify/_walk: one greenlet
        # of this thread blocked in wait(); queue its switch.
        lock = self._lock
        lock.acquire()
        if len(links) == 1 and self._notifier is None and self._flag:
            entry = links[0]
            hub = entry[_HUB]
            if entry[_DIRECT] and hub is _threadlocal.hub:
                links.popleft()
                entry[_PENDING] = hub.loop.run_callback(_switch_to, entry[_TARGET], self)
                lock.release()
                return
        lock.release()
        self._check_and_notify()

    def clear(self) -> None:
        self._flag = False

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the flag is set; False only if ``timeout`` expired first."""
        if self._flag and not self._links:
            return True
        if timeout is None:
            # _wait_core's common case, inlined: a greenlet of a thread with a hub.
            hub = _threadlocal.hub
            if hub is not None and self.hub is not None:
                entry = [getcurrent(), hub, True, None]  # no local: see _wait_core
                lock = self._lock
                lock.acquire()
                self._links.append(entry)
                kick = self._notifier is None and self._flag
                lock.release()
                if kick:
                    self._check_and_notify()
                try:
                    if getattr(entry[_TARGET], "switch_out", None) is not None:
                        entry[_TARGET].switch_out()
                    result = _switch_to(hub)
                except BaseException:
                    self._give_up(entry)
                    raise
                if result is self:
                    return True
                self._give_up(entry)
                self._invalid_switch(getcurrent(), result)
        if self._wait_core(timeout):
            return True
        return self._flag

    def _reset_internal_locks(self) -> None:
        # threading.Event calls this after fork.
        pass


class AsyncResult(AbstractLinkable):
    """A one-time value (or exception) that greenlets in any thread can wait for."""

    __slots__ = ("__dict__", "_exc_info", "_value")

    def __init__(self) -> None:
        AbstractLinkable.__init__(self)
        self._value: Any = _NOT_SET
        self._exc_info: tuple[Any, ...] = ()

    def __str__(self) -> str:
        parts = [f"<{type(self).__name__}"]
        if self._value is not _NOT_SET:
            parts.append(f" value={self._value!r}")
        if self._exc_info:
            parts.append(f" exception={self._exc_info[1]!r}")
        if not self.ready():
            parts.append(" unset")
        parts.append(f" {self._links_repr()}>")
        return "".join(parts)

    # ---------------------------------------------------------------- state

    def ready(self) -> bool:
        return self._value is not _NOT_SET or bool(self._exc_info)

    def successful(self) -> bool:
        return self._value is not _NOT_SET

    @property
    def value(self) -> Any:
        """The value, or None if not set (or set with an exception)."""
        return None if self._value is _NOT_SET else self._value

    @property
    def exc_info(self) -> tuple[Any, ...]:
        """``(type, value, traceback)`` if set with an exception, else ``()``."""
        return self._exc_info

    @property
    def exception(self) -> BaseException | None:
        return self._exc_info[1] if self._exc_info else None

    # -------------------------------------------------------------- setting

    def set(self, value: Any = None) -> None:
        """Store ``value`` and wake every waiter."""
        self._value = value
        if self._links:
            self._check_and_notify()

    def set_exception(self, exception: BaseException, exc_info: Any = None) -> None:
        """Store an exception (with ``exc_info``'s traceback, if given) and wake every waiter."""
        if exc_info and exc_info[2] is not None:
            self._exc_info = (exc_info[0], exc_info[1], exc_info[2])
        else:
            self._exc_info = (type(exception), exception, exception.__traceback__)
        if self._links:
            self._check_and_notify()

    def __call__(self, source: Any) -> None:
        # A Greenlet link target: copy the greenlet's outcome.
        if source.successful():
            self.set(source.value)
        else:
            self.set_exception(source.exception, getattr(source, "exc_info", None))

    # -------------------------------------------------------------- getting

    def _raise_exception(self) -> None:
        _t, value, tb = self._exc_info
        # Start from the stored traceback each time so repeated get() calls
        # do not keep extending it.
        raise value.with_traceback(tb)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        """Return the value or raise the exception; if unset, wait (``Timeout`` on expiry)."""
        if self._value is not _NOT_SET and not self._links:
            return self._value
        if not self.ready():
            if not block:
                raise Timeout()
            timer = Timeout._start_new_or_dummy(timeout)
            try:
                self._wait_core(None)
            finally:
                timer.cancel()
                del timer  # no frame <-> Timeout cycle once it fired (see _wait_core)
        elif self._links:
            self._wait_core(None)
        if self._value is not _NOT_SET:
            return self._value
        self._raise_exception()
        return None

    def get_nowait(self) -> Any:
        return self.get(block=False)

    def wait(self, timeout: float | None = None) -> Any:
        """Wait until set; return the value, or None (exception set, or timeout). Never raises."""
        if not self.ready() or self._links:
            self._wait_core(timeout)
        return self.value

    # ------------------------------------------- concurrent.futures style

    def result(self, timeout: float | None = None) -> Any:
        return self.get(timeout=timeout)

    set_result = set

    def done(self) -> bool:
        return self.ready()

    def cancel(self) -> bool:
        return False

    def cancelled(self) -> bool:
        return False
