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

    ``autojump_threshold`` (real seconds, default 0) makes the jump wait until the
    loop has stayed idle that long, for tests whose real I/O is still in flight
    (a peer's reply, a child process): the loop really polls for up to the
    threshold, and only a poll that ran its full time without an event jumps.
    """

    __slots__ = ("_jump", "_jump_by", "_now", "autojump", "autojump_threshold")

    def __init__(self, start: float = 0.0, autojump: bool = False,
                 autojump_threshold: float = 0.0) -> None:
        if autojump_threshold < 0:
            raise ValueError(f"autojump_threshold is in real seconds, at least 0, "
                             f"not {autojump_threshold!r}")
        self._now = float(start)
        self.autojump = autojump
        self.autojump_threshold = float(autojump_threshold)
        self._jump = 0.0  # real time by which a pending jump is due, or 0
        self._jump_by = 0.0

    def now(self) -> float:
        if self._jump:
            # The first reading after a threshold poll: it ran its full time
            # (a millisecond of slack for the poll's rounding) only if no event
            # came, and then the loop was idle long enough to jump.
            if time.monotonic() >= self._jump - 0.001:
                self._now += self._jump_by
            self._jump = 0.0
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"a clock cannot go backwards (advance({seconds!r}))")
        self._now += seconds

    def sleep_time(self, timeout: float) -> float:
        if not self.autojump:
            return timeout
        threshold = self.autojump_threshold
        if threshold <= 0.0:
            self._now += timeout
            return 0.0
        # Never slower than real time: a timer nearer than the threshold is
        # simply waited for.
        wait = min(timeout, threshold)
        self._jump_by = timeout
        self._jump = time.monotonic() + wait
        return wait
