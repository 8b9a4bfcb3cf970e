"""asyncio on the hub: the loop, its selector, and the crossings both ways."""

from __future__ import annotations

from ._bridge import await_, close_background, queue_get, queue_put, run, spawn, wait_event
from ._loop import EventLoop, EventLoopPolicy
from ._selector import HubSelector

__all__ = ["EventLoop", "EventLoopPolicy", "HubSelector", "await_", "close_background",
           "queue_get", "queue_put", "run", "spawn", "wait_event"]
