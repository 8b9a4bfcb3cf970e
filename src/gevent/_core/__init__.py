"""The self-contained loop core: descriptors, timers, callbacks. Nothing about sockets.

Rule: the rest of gevent imports the core only through this module.
"""

from __future__ import annotations

from ._clock import MockClock, SystemClock
from ._loop import Loop
from ._poll import READ, WRITE, EpollPoller, SelectorsPoller, default_poller_class
from ._watchers import (
    async_,
    callback,
    check,
    child,
    fork,
    idle,
    io,
    prepare,
    signal,
    stat,
    timer,
    watcher,
)

__all__ = [
    "READ",
    "WRITE",
    "EpollPoller",
    "Loop",
    "MockClock",
    "SelectorsPoller",
    "SystemClock",
    "async_",
    "callback",
    "check",
    "child",
    "default_poller_class",
    "fork",
    "idle",
    "io",
    "prepare",
    "signal",
    "stat",
    "timer",
    "watcher",
]
