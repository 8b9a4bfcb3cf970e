"""Synchronisation primitives on one wait seam (layer: above the hub, below I/O).

Every primitive here is an ``AbstractLinkable`` (``_linkable``) or parks in the
queue lines (``_parking``); they block only through the hub-level modules and
never touch a descriptor. Public names are in ``gevent.event``, ``gevent.lock``,
``gevent.queue`` and ``gevent.pool``.
"""

from __future__ import annotations

__all__: list[str] = []
