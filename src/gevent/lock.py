"""Greenlet locks: ``Semaphore``, ``BoundedSemaphore``, ``DummySemaphore`` and ``RLock``.

Beyond gevent, every lock here may be acquired by greenlets of any native
thread and released from any thread (see docs/design.md, "Synchronisation
across threads").
"""

from __future__ import annotations

from ._sync._rlock import RLock
from ._sync._semaphore import BoundedSemaphore, DummySemaphore, Semaphore

__all__ = ["BoundedSemaphore", "DummySemaphore", "RLock", "Semaphore"]

#: This implementation is always pure Python.
PURE_PYTHON = True
