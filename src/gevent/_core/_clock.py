"""Clocks the loop reads time from.

The loop never calls ``time.monotonic`` itself: it asks its clock. ``SystemClock``
is the real one; ``MockClock`` is a virtual clock for tests, which can jump
forward on its own whenever the loop would otherwise sleep (``autojump``), so
that timer-heavy tests run in no real time and give the same answer every run.
"""

from __future__ import annotations

import time

__all__ = ["MockClock", "SystemClock"]


class SystemClock:
    """Monotonic wall time; sleeping really sleeps."""

    __slots__ = ()

    now = staticmethod(time.monotonic)

    def sleep_time(self, timeout: float) -> float:
        """How long the poller should really block to let ``timeout`` seconds pass."""
        return timeout


class MockClock:
    """A virtual clock that only moves when told to, or on its own with ``autojump``.

    With ``autojump=True``, a loop that would block for *t* seconds waiting for a
    timer instead advances the clock by *t* and polls without blocking.
    """

    __slots__ = ("_now", "autojump")

    def __init__(self, start: float = 0.0, autojump: bool = False) -> None:
        self._now = float(start)
        self.autojump = autojump

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"a clock cannot go backwards (advance({seconds!r}))")
        self._now += seconds

    def sleep_time(self, timeout: float) -> float:
        if self.autojump:
            self._now += timeout
            return 0.0
        return timeout
