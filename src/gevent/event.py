"""Events and one-shot results that greenlets wait for: ``Event`` and ``AsyncResult``.

Beyond gevent, both may be waited on by greenlets of several native threads at
once and set from any thread (see docs/design.md, "Synchronisation across
threads").
"""

from __future__ import annotations

from ._sync._event import AsyncResult, Event

__all__ = ["AsyncResult", "Event"]
