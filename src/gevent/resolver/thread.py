"""The default resolver: the C library's lookups, run in a native thread.

Theory of operation
-------------------
A lookup in ``getaddrinfo`` can take seconds, and the C call cannot be made
cooperative, so it runs outside the hub's thread while the calling greenlet
waits in ``Hub.wait``. When the hub's thread pool (``gevent.threadpool``) is
available the work goes there (``pool.apply``). Otherwise each lookup gets a
short-lived native thread of its own that hands the result back through an
``async_`` watcher, the loop's thread-safe wake-up: the greenlet blocks on that
watcher, and the loop runs everything else meanwhile.
"""

from __future__ import annotations

import _socket
from collections.abc import Callable
from typing import Any

from .._hub_local import get_hub_noargs
from .._patch import get_original
from . import AbstractResolver, native_getaddrinfo

__all__ = ["Resolver"]


def _start_native_thread(func: Callable[[], None]) -> None:
    # A real thread, even after monkey.patch_thread() made _thread green.
    start_new_thread = get_original("_thread", "start_new_thread")
    start_new_thread(func, ())


def run_in_native_thread(func: Callable[..., Any], *args: Any) -> Any:
    """Call ``func(*args)`` in a new native thread; block only this greenlet meanwhile."""
    hub = get_hub_noargs()
    outcome: list[tuple[bool, Any]] = []
    watcher = hub.loop.async_()

    def work() -> None:
        try:
            outcome.append((True, func(*args)))
        except BaseException as exc:
            outcome.append((False, exc))
        finally:
            watcher.send()

    try:
        _start_native_thread(work)
        hub.wait(watcher)
    finally:
        watcher.close()
    ok, value = outcome[0]
    if ok:
        return value
    try:
        raise value
    finally:
        del value


def _is_ip_literal(host: str) -> bool:
    for family, text in ((_socket.AF_INET, host), (_socket.AF_INET6, host.partition("%")[0])):
        try:
            _socket.inet_pton(family, text)
        except (OSError, ValueError):
            continue
        return True
    return False


def _needs_no_lookup(host: Any, port: Any) -> bool:
    """Whether ``getaddrinfo(host, port)`` can be answered without any name service."""
    numeric_port = port is None or type(port) is int or (
        type(port) is str and port.isascii() and port.isdigit())
    if not numeric_port:
        return False
    if host is None:
        return True
    if type(host) is bytes:
        try:
            host = host.decode("ascii")
        except UnicodeDecodeError:
            return False
    return type(host) is str and _is_ip_literal(host)


class Resolver(AbstractResolver):
    """Runs each lookup in the hub's thread pool, or failing that in a thread of its own."""

    method = "thread"

    def __init__(self, hub: Any = None) -> None:
        super().__init__(hub)
        self._no_pool = False
        # A failed lookup is an answer, not a crash: the pool must not print it
        # as an error of the hub's (the caller gets the exception anyway).
        quiet = (_socket.gaierror, _socket.herror)
        not_error = tuple(getattr(self.hub, "NOT_ERROR", ()))
        if not all(e in not_error for e in quiet):
            self.hub.NOT_ERROR = not_error + quiet

    @property
    def pool(self) -> Any:
        """The hub's thread pool, or None when this build has none to offer."""
        if self._no_pool:
            return None
        try:
            return self.hub.threadpool
        except (ImportError, AttributeError):
            self._no_pool = True
            return None

    def getaddrinfo(self, host: Any, port: Any, family: int = 0, socktype: int = 0,
                    proto: int = 0, flags: int = 0) -> Any:
        if _needs_no_lookup(host, port):
            # A numeric address and port need no name service: the C library
            # answers at once, so a trip through a worker thread would only cost
            # time (every create_connection to an IP address makes this call).
            return native_getaddrinfo(host, port, family, socktype, proto, flags)
        return super().getaddrinfo(host, port, family, socktype, proto, flags)

    def _call(self, func: Callable[..., Any], *args: Any) -> Any:
        pool = self.pool
        if pool is not None and get_hub_noargs() is self.hub:
            return pool.apply(func, args)
        return run_in_native_thread(func, *args)
