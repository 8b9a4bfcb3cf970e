"""Queues for greenlets: ``SimpleQueue``, ``Queue`` (joinable), ``PriorityQueue``,
``LifoQueue`` and the rendezvous ``Channel``.

``Empty`` and ``Full`` are the standard library's exceptions. ``JoinableQueue``
is ``Queue``. Beyond gevent, greenlets of any native thread may put and get
(see docs/design.md, "Synchronisation across threads").
"""

from __future__ import annotations

from ._queue_impl import (
    Channel,
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
# ShutDown is only in the standard library from Python 3.13: ours either way.
__extensions__ = ["JoinableQueue", "Channel", "ShutDown"]
__imports__ = ["Empty", "Full"]
__all__ = ["Channel", "Empty", "Full", "JoinableQueue", "LifoQueue", "PriorityQueue", "Queue",
           "ShutDown", "SimpleQueue"]

_ = UnboundQueue
