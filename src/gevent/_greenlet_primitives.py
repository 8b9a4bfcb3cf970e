"""Greenlet-level helpers shared by the hub and the test helpers."""

from __future__ import annotations

import gc
from typing import Any

from greenlet import greenlet as RawGreenlet

__all__ = ["get_reachable_greenlets"]


def get_reachable_greenlets() -> list[Any]:
    """Every greenlet the garbage collector can see, minus ones marked to be ignored."""
    return [
        x for x in gc.get_objects()
        if isinstance(x, RawGreenlet) and not getattr(x, "greenlet_tree_is_ignored", False)
    ]
