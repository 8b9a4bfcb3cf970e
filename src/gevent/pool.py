"""Groups and pools of greenlets: ``Group``, ``Pool`` and ``PoolFull``.

Both offer the ``multiprocessing.Pool``-style methods ``apply``, ``apply_async``,
``map``, ``map_async``, ``imap`` and ``imap_unordered``.
"""

from __future__ import annotations

from ._sync._pool import Group, GroupMappingMixin, Pool, PoolFull, pass_value

__all__ = ["Group", "Pool", "PoolFull"]

_ = (GroupMappingMixin, pass_value)
