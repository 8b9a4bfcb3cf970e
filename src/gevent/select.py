"""Cooperative ``select.select`` and ``select.poll``.

``select`` first asks the kernel with a zero timeout; when something is
already ready (or the timeout is zero) it yields once to the other greenlets
and returns that answer. Otherwise it waits on loop watchers. ``xlist`` is
ignored, as in gevent. ``poll`` honours ``POLLIN`` and ``POLLOUT`` only.

``monkey.patch_select`` copies ``__implements__`` into the stdlib module and,
when ``aggressive``, removes ``epoll``/``kqueue``/``kevent``/``devpoll`` from it
(``_gevent_do_monkey_patch``), since those would block the whole loop.
"""

from __future__ import annotations

import select as __select__
from typing import Any

from ._io._select import BADFD, READ, WRITE, get_fileno, wait_on_fds
from .hub import sleep

__implements__ = ["select"]
if hasattr(__select__, "poll"):
    __implements__.append("poll")
__extensions__: list[str] = []
__all__ = ["error", "poll", "select"]

error = __select__.error
_original_select = __select__.select

__imports__ = ["error"]
for _name in dir(__select__):
    if not _name.startswith("_") and _name not in __implements__ and _name not in globals():
        globals()[_name] = getattr(__select__, _name)
        __imports__.append(_name)
del _name

_POLLIN = getattr(__select__, "POLLIN", 1)
_POLLOUT = getattr(__select__, "POLLOUT", 4)
_POLLNVAL = getattr(__select__, "POLLNVAL", 32)


def select(rlist: Any, wlist: Any, xlist: Any, timeout: float | None = None) -> Any:
    """Wait until some of ``rlist`` are readable or ``wlist`` writable; ``xlist`` is ignored.

    Returns ``(readable, writable, [])`` as lists.
    """
    if timeout is not None and timeout < 0:
        raise ValueError("timeout must be non-negative")
    rlist = list(rlist)
    wlist = list(wlist)
    # The kernel checks the arguments and answers at once if anything is ready.
    ready_r, ready_w, _ = _original_select(rlist, wlist, [], 0)
    if ready_r or ready_w or timeout == 0:
        sleep()
        return list(ready_r), list(ready_w), []
    items = [(get_fileno(obj), READ, (0, obj)) for obj in rlist]
    items += [(get_fileno(obj), WRITE, (1, obj)) for obj in wlist]
    readable: list[Any] = []
    writable: list[Any] = []
    for (kind, obj), _revents in wait_on_fds(items, timeout):
        (writable if kind else readable).append(obj)
    return readable, writable, []


class poll:
    """A ``select.poll`` object whose ``poll()`` blocks only the calling greenlet."""

    def __init__(self) -> None:
        self.fds: dict[int, int] = {}

    def register(self, fd: Any, eventmask: int = _POLLIN | _POLLOUT) -> None:
        events = 0
        if eventmask & _POLLIN:
            events |= READ
        if eventmask & _POLLOUT:
            events |= WRITE
        self.fds[get_fileno(fd)] = events

    def modify(self, fd: Any, eventmask: int) -> None:
        fileno = get_fileno(fd)
        if fileno not in self.fds:
            raise FileNotFoundError(2, "No such file or directory")
        self.register(fileno, eventmask)

    def unregister(self, fd: Any) -> None:
        del self.fds[get_fileno(fd)]

    def poll(self, timeout: float | None = None) -> list[tuple[int, int]]:
        """Wait for events; ``timeout`` is in milliseconds, None or negative blocks."""
        seconds = None if timeout is None or timeout < 0 else timeout / 1000.0
        items = [(fd, events, fd) for fd, events in self.fds.items()]
        out: dict[int, int] = {}
        for fd, revents in wait_on_fds(items, seconds):
            flags = out.get(fd, 0)
            if revents & BADFD:
                flags = _POLLNVAL
            else:
                if revents & READ:
                    flags |= _POLLIN
                if revents & WRITE:
                    flags |= _POLLOUT
            out[fd] = flags
        return list(out.items())


if "poll" not in __implements__:
    del poll
    __all__.remove("poll")


def _gevent_do_monkey_patch(patch_request: Any) -> None:
    """Drop the stdlib pollers that would block the loop, when patching aggressively."""
    if patch_request.patch_kwargs.get("aggressive", True):
        patch_request.remove_item(__select__, "epoll", "kqueue", "kevent", "devpoll")
    patch_request.default_patch_items()
