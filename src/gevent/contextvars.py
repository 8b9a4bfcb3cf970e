"""PEP 567 context variables for greenlets.

greenlet gives every greenlet its own ``contextvars`` context natively, so this
module re-exports the standard library's implementation, as gevent does on
Python 3.7 and later. It is not monkey-patched.
"""

from __future__ import annotations

from contextvars import Context, ContextVar, Token, copy_context

# The standard library's own objects: nothing to patch, everything imported.
__implements__: list[str] = []
__imports__ = ["ContextVar", "Context", "copy_context", "Token"]
__all__ = ["Context", "ContextVar", "Token", "copy_context"]
