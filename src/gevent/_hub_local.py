"""Per-thread storage for the hub and its loop.

Uses ``_thread._local`` directly (not ``threading.local``) so that monkey
patching ``threading`` never changes where a thread's hub lives.
"""

from __future__ import annotations

from _thread import _local
from typing import Any

__all__ = ["get_hub", "get_hub_class", "get_hub_if_exists", "get_hub_noargs", "get_loop",
           "set_default_hub_class", "set_hub", "set_loop"]


class _Threadlocal(_local):
    def __init__(self) -> None:
        self.Hub: Any = None
        self.loop: Any = None
        self.hub: Any = None


_threadlocal = _Threadlocal()
_default_hub_class: Any = None


def get_hub_class() -> Any:
    """The class this thread will use for its hub."""
    hubtype = _threadlocal.Hub
    if hubtype is None:
        hubtype = _threadlocal.Hub = _default_hub_class
    return hubtype


def set_default_hub_class(hubtype: Any) -> None:
    global _default_hub_class
    _default_hub_class = hubtype


def get_hub_if_exists() -> Any:
    """This thread's hub, or None if it has none yet (never creates one)."""
    return _threadlocal.hub


def get_hub_noargs() -> Any:
    hub = _threadlocal.hub
    if hub is None:
        hubtype = get_hub_class()
        hub = _threadlocal.hub = hubtype()
    return hub


def get_hub(*args: Any, **kwargs: Any) -> Any:
    """This thread's hub, created on first use."""
    hub = _threadlocal.hub
    if hub is None:
        hubtype = get_hub_class()
        hub = _threadlocal.hub = hubtype(*args, **kwargs)
    return hub


def set_hub(hub: Any) -> None:
    _threadlocal.hub = hub


def get_loop() -> Any:
    return _threadlocal.loop


def set_loop(loop: Any) -> None:
    _threadlocal.loop = loop
