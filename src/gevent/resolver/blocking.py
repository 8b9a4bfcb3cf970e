"""A resolver that calls the C library directly, blocking the whole loop.

Use it (``GEVENT_RESOLVER=block``) where threads are unwelcome; every lookup
stops all greenlets until it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import AbstractResolver

__all__ = ["Resolver"]


class Resolver(AbstractResolver):
    """Resolves in the calling greenlet, without any switch."""

    method = "blocking"

    def _call(self, func: Callable[..., Any], *args: Any) -> Any:
        return func(*args)
