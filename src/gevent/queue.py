"""Queues for greenlets: ``SimpleQueue``, ``Queue`` (joinable), ``PriorityQueue``,
``LifoQueue`` and the rendezvous ``Channel``.

``Empty`` and ``Full`` are the standard library's exceptions. ``JoinableQueue``
is ``Queue``. Beyond gevent, greenlets of any native thread may put and get
(see docs/design.md, "Synchronisation primitives and threads").
"""

from __future__ import annotations

import queue as _stdlib_queue

from ._sync._channel import Channel
from ._sync._queue import (
    Empty,
    Full,
    JoinableQueue,
    LifoQueue,
    PriorityQueue,
    Queue,
    ShutDown,
    SimpleQueue,
    UnboundQueue,
)

__implements__ = ["Queue", "PriorityQueue", "LifoQueue", "SimpleQueue"]
__extensions__ = ["JoinableQueue", "Channel"]
__imports__ = ["Empty", "Full"]
# ShutDown is the standard library's from Python 3.13, and ours before that.
if hasattr(_stdlib_queue, "ShutDown"):
    __imports__.append("ShutDown")
else:
    __extensions__.append("ShutDown")
__all__ = ["Channel", "Empty", "Full", "JoinableQueue", "LifoQueue", "PriorityQueue", "Queue",
           "ShutDown", "SimpleQueue"]

_ = UnboundQueue
