"""Small, stable integer identities for objects (greenlet ``minimal_ident``)."""

from __future__ import annotations

import weakref
from heapq import heappop, heappush
from typing import Any

__all__ = ["IdentRegistry"]


class IdentRegistry:
    """Hands out the smallest free integer to each object, reusing freed ones."""

    def __init__(self) -> None:
        self._registry: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._available: list[int] = []
        self._next = 0
        # The finalizers below must not keep us alive.
        self._self_ref = weakref.ref(self)

    def get_ident(self, obj: Any) -> int:
        try:
            return self._registry[obj]
        except KeyError:
            pass
        if self._available:
            ident = heappop(self._available)
        else:
            ident = self._next
            self._next += 1
        self._registry[obj] = ident
        weakref.finalize(obj, _release, self._self_ref, ident)
        return ident

    def __len__(self) -> int:
        return len(self._registry)


def _release(registry_ref: Any, ident: int) -> None:
    registry = registry_ref()
    if registry is not None:
        heappush(registry._available, ident)
