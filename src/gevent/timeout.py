"""``Timeout``: raise an exception in a greenlet after some seconds.

A ``Timeout`` is a ``BaseException`` (so ``except Exception`` does not swallow it)
that, once started, is thrown into the greenlet that started it when its timer
fires, unless cancelled first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from greenlet import getcurrent

from ._hub_local import get_hub_noargs
from ._util import _NONE

__all__ = ["Timeout", "with_timeout"]


class _FakeTimer:
    """Stands in for a timer (and a Timeout) that never fires: ``seconds=None``."""

    __slots__ = ()
    pending = False
    active = False
    seconds = None
    timer = None
    exception = None

    def start(self, *args: Any, **kwargs: Any) -> None:
        pass

    def stop(self) -> None:
        pass

    cancel = close = stop

    def __enter__(self) -> _FakeTimer:
        return self

    def __exit__(self, t: Any, v: Any, tb: Any) -> None:
        pass


_FakeTimer = _FakeTimer()  # type: ignore[assignment,misc]


class Timeout(BaseException):
    """Raise ``exception`` (or this Timeout) in the starting greenlet after ``seconds``.

    ``seconds=None`` never fires. ``exception=False`` makes the ``with`` block
    swallow the timeout silently. Always ``close()`` a timeout you started, or use
    it as a context manager.
    """

    def __init__(self, seconds: float | None = None, exception: Any = None, ref: bool = True,
                 priority: int = -1) -> None:
        BaseException.__init__(self)
        self.seconds = seconds
        self.exception = exception
        if seconds is None:
            self.timer: Any = _FakeTimer
        else:
            self.timer = get_hub_noargs().loop.timer(seconds or 0.0, ref=ref, priority=priority)

    def start(self) -> None:
        """Schedule the timeout for the current greenlet."""
        if self.pending:
            raise AssertionError(f"{self!r} is already started; to restart it, cancel it first")
        if self.seconds is None:
            return
        exc = self.exception
        throws = self if exc is None or exc is False or isinstance(exc, str) else exc
        self.timer.start(self._on_expiration, getcurrent(), throws, update=True)

    def _on_expiration(self, prev_greenlet: Any, ex: Any) -> None:
        prev_greenlet.throw(ex)

    @classmethod
    def start_new(cls, timeout: Any = None, exception: Any = None, ref: bool = True,
                  _one_shot: bool = False) -> Timeout:
        """Start and return a Timeout (or start the given one, if it is one)."""
        if isinstance(timeout, Timeout):
            if not timeout.pending:
                timeout.start()
            return timeout
        t = cls(timeout, exception, ref=ref)
        t.start()
        return t

    @staticmethod
    def _start_new_or_dummy(timeout: Any, exception: Any = None, ref: bool = True) -> Any:
        # Internal helper for blocking calls: no timer at all when no timeout.
        if timeout is None:
            return _FakeTimer
        return Timeout.start_new(timeout, exception, ref, _one_shot=True)

    @property
    def pending(self) -> bool:
        """True while the timeout is scheduled and has not fired."""
        return bool(self.timer.pending or self.timer.active)

    def cancel(self) -> None:
        """Stop the timer if it is pending; the Timeout may be started again."""
        # Also after it fired: stopping drops the watcher's reference to our
        # callback, which would otherwise keep this Timeout in a cycle.
        self.timer.stop()

    def close(self) -> None:
        """Cancel for good and release the timer."""
        self.timer.stop()
        self.timer.close()
        self.timer = _FakeTimer

    def __repr__(self) -> str:
        classname = type(self).__name__
        pending = " pending" if self.pending else ""
        exception = "" if self.exception is None else f" exception={self.exception!r}"
        return f"<{classname} at {id(self):#x} seconds={self.seconds}{exception}{pending}>"

    def __str__(self) -> str:
        if self.seconds is None:
            return ""
        suffix = "" if self.seconds == 1 else "s"
        if self.exception is None:
            return f"{self.seconds} second{suffix}"
        if self.exception is False:
            return f"{self.seconds} second{suffix} (silent)"
        return f"{self.seconds} second{suffix}: {self.exception}"

    def __lt__(self, other: Any) -> bool:
        return self.seconds < other  # type: ignore[no-any-return,operator]

    def __enter__(self) -> Timeout:
        if not self.pending:
            self.start()
        return self

    def __exit__(self, typ: Any, value: Any, tb: Any) -> bool | None:
        self.close()
        if value is self and self.exception is False:
            return True
        return None


def with_timeout(seconds: float | None, function: Callable[..., Any], *args: Any,
                 **kwds: Any) -> Any:
    """Call ``function(*args, **kwds)`` under a timeout.

    If it times out, return the keyword ``timeout_value`` when given, else raise
    the ``Timeout``.
    """
    timeout_value = kwds.pop("timeout_value", _NONE)
    timeout = Timeout.start_new(seconds)
    try:
        try:
            return function(*args, **kwds)
        except Timeout as ex:
            if ex is timeout and timeout_value is not _NONE:
                return timeout_value
            raise
    finally:
        timeout.close()
