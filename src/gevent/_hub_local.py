"""Per-thread storage for the hub and its loop, and native thread identity.

Uses ``_thread._local`` directly (not ``threading.local``) so that monkey
patching ``threading`` never changes where a thread's hub lives. For the same
reason ``get_thread_ident`` is ``_thread.get_ident`` captured here, at gevent's
import, before any patch can make it return greenlet identities.
"""

from __future__ import annotations

from _thread import _local
from _thread import get_ident as get_thread_ident
from typing import Any

__all__ = ["MAIN_THREAD_IDENT", "get_hub", "get_hub_class", "get_hub_if_exists", "get_hub_noargs",
           "get_loop", "get_thread_ident", "set_default_hub_class", "set_hub", "set_loop"]


def _native_main_thread_ident() -> int:
    # The interpreter's main thread, even when gevent is first imported in
    # another thread. gevent imports this module before any patching can
    # rename the main thread, so the ident is the native one.
    import threading

    ident = threading.main_thread().ident
    return get_thread_ident() if ident is None else ident


MAIN_THREAD_IDENT = _native_main_thread_ident()


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
