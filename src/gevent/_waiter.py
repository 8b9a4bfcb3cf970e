"""``Waiter``: the one-shot hand-off between the hub and a blocked greenlet.

A greenlet calls ``get()`` and sleeps in the hub; a hub callback later calls
``switch(value)`` or ``throw(...)`` to wake it. A value that arrives first is
kept and ``get()`` returns it at once. Everything that blocks in gevent is, at
bottom, one of these.
"""

from __future__ import annotations

import sys
from typing import Any

from greenlet import getcurrent
from greenlet import greenlet as RawGreenlet

from ._hub_local import get_hub_noargs
from .exceptions import ConcurrentObjectUseError

__all__ = ["MultipleWaiter", "Waiter"]

_EMPTY = object()
_switch_to = RawGreenlet.switch


class Waiter:
    """One value (or exception) handed from the hub to one waiting greenlet."""

    __slots__ = ("_exception", "greenlet", "hub", "value")

    def __init__(self, hub: Any = None) -> None:
        self.hub = get_hub_noargs() if hub is None else hub
        self.greenlet: Any = None
        self.value: Any = None
        self._exception: Any = _EMPTY

    def clear(self) -> None:
        self.greenlet = None
        self.value = None
        self._exception = _EMPTY

    def __str__(self) -> str:
        if self._exception is _EMPTY:
            return f"<{type(self).__name__} greenlet={self.greenlet}>"
        if self._exception is None:
            return f"<{type(self).__name__} greenlet={self.greenlet} value={self.value!r}>"
        return f"<{type(self).__name__} greenlet={self.greenlet} exc_info={self._exception!r}>"

    def ready(self) -> bool:
        return self._exception is not _EMPTY

    def successful(self) -> bool:
        return self._exception is None

    @property
    def exc_info(self) -> Any:
        exc = self._exception
        return None if exc is _EMPTY else exc

    def switch(self, value: Any) -> None:
        """Wake the waiting greenlet with ``value`` (call from the hub)."""
        greenlet = self.greenlet
        if greenlet is None:
            self.value = value
            self._exception = None
            return
        if getcurrent() is not self.hub:
            raise AssertionError("Can only use Waiter.switch method from the Hub")
        try:
            greenlet.switch(value)
        except:  # noqa: E722
            self.hub.handle_error(greenlet.switch, *sys.exc_info())

    def switch_args(self, *args: Any) -> None:
        self.switch(args)

    def throw(self, *throw_args: Any) -> None:
        """Raise an exception in the waiting greenlet (call from the hub)."""
        greenlet = self.greenlet
        if greenlet is None:
            self._exception = throw_args
            return
        if getcurrent() is not self.hub:
            raise AssertionError("Can only use Waiter.throw method from the Hub")
        try:
            greenlet.throw(*throw_args)
        except:  # noqa: E722
            self.hub.handle_error(greenlet.throw, *sys.exc_info())

    def get(self) -> Any:
        """Return the value, blocking in the hub until it arrives."""
        exc = self._exception
        if exc is not _EMPTY:
            if exc is None:
                return self.value
            getcurrent().throw(*exc)
        if self.greenlet is not None:
            raise ConcurrentObjectUseError(f"This Waiter is already used by {self.greenlet!r}")
        current = self.greenlet = getcurrent()
        try:
            # Hub.switch, inlined: this is every blocking call's last step.
            switch_out = getattr(current, "switch_out", None)
            if switch_out is not None:
                switch_out()
            # An exception thrown in here keeps this frame in its traceback, and
            # the greenlet may keep that exception: hold no reference to it.
            current = switch_out = None
            return _switch_to(self.hub)
        finally:
            self.greenlet = None

    def __call__(self, source: Any) -> None:
        # Usable as a link target: passes on the source's result.
        if source.exception is None:
            self.switch(source.value)
        else:
            self.throw(source.exception)


class MultipleWaiter(Waiter):
    """A Waiter that may receive several values before the reader gets them all."""

    __slots__ = ("_values",)

    def __init__(self, hub: Any = None) -> None:
        super().__init__(hub)
        self._values: list[Any] = []

    def switch(self, value: Any) -> None:
        self._values.append(value)
        super().switch(True)

    def get(self) -> Any:
        if not self._values:
            super().get()
            super().clear()
        return self._values.pop(0)
