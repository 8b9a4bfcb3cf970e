"""Cooperative ``select.select`` and ``select.poll``.

``select`` first asks the kernel with a zero timeout; when something is
already ready (or the timeout is zero) it yields once to the other greenlets
and returns that answer. Otherwise it waits on loop watchers. ``xlist`` is
reported when the kernel says so at the time of the call (as gevent does) but
never waited for. ``poll`` waits for ``POLLIN``/``POLLPRI`` and ``POLLOUT``
and answers with the native flags (``POLLHUP``, ``POLLNVAL``...).

``monkey.patch_select`` copies ``__implements__`` into the stdlib module and,
when ``aggressive``, removes ``epoll``/``kqueue``/``kevent``/``devpoll`` from it
(``_gevent_do_monkey_patch``), since those would block the whole loop.
"""

from __future__ import annotations

import math
import operator
import select as __select__
from typing import Any

from ._io._select import BADFD, READ, WRITE, get_fileno, native_poll, wait_on_fds
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
_POLLPRI = getattr(__select__, "POLLPRI", 2)
_POLLOUT = getattr(__select__, "POLLOUT", 4)
_POLLNVAL = getattr(__select__, "POLLNVAL", 32)


def select(rlist: Any, wlist: Any, xlist: Any, timeout: float | None = None) -> Any:
    """Wait until some of ``rlist`` are readable or ``wlist`` writable.

    Returns ``(readable, writable, exceptional)`` as lists. ``xlist`` is only
    reported from the kernel's own answer: the loop cannot wait for exceptional
    conditions (out-of-band data), so they do not end a wait by themselves.
    """
    if timeout is not None and timeout < 0:
        raise ValueError("timeout must be non-negative")
    # Sequences go to the kernel as they are (it calls each fileno() once, in
    # order, as the stdlib does); other iterables are read once, here.
    if not isinstance(rlist, (list, tuple)):
        rlist = list(rlist)
    if not isinstance(wlist, (list, tuple)):
        wlist = list(wlist)
    if not isinstance(xlist, (list, tuple)):
        xlist = list(xlist)
    # The kernel checks the arguments and answers at once if anything is ready.
    ready = _original_select(rlist, wlist, xlist, 0)
    if ready[0] or ready[1] or ready[2] or timeout == 0:
        sleep()
        return list(ready[0]), list(ready[1]), list(ready[2])
    items = [(get_fileno(obj), READ, (0, obj)) for obj in rlist]
    items += [(get_fileno(obj), WRITE, (1, obj)) for obj in wlist]
    woke = wait_on_fds(items, timeout, ask_kernel=False)
    if not woke:
        return [], [], []
    try:
        # The exact answer, exceptional conditions included.
        ready = _original_select(rlist, wlist, xlist, 0)
    except (OSError, ValueError):
        ready = ([], [], [])  # a descriptor closed meanwhile: report what woke us
    if ready[0] or ready[1] or ready[2]:
        return list(ready[0]), list(ready[1]), list(ready[2])
    readable: list[Any] = []
    writable: list[Any] = []
    for (kind, obj), _revents in woke:
        (writable if kind else readable).append(obj)
    return readable, writable, []


_INT_MAX = 2**31 - 1


def _poll_timeout(timeout: Any) -> float | None:
    """``poll()``'s milliseconds as seconds (None blocks), checked as the C poll does."""
    if timeout is None:
        return None
    if isinstance(timeout, float):
        # Rounded away from zero: -0.1 ms still means "block".
        ms = math.ceil(timeout) if timeout >= 0 else math.floor(timeout)
    else:
        try:
            ms = operator.index(timeout)
        except TypeError:
            raise TypeError(f"timeout must be an integer or None, not {type(timeout).__name__}") \
                from None
    if not -_INT_MAX - 1 <= ms <= _INT_MAX:
        raise OverflowError("timeout is too large")
    return None if ms < 0 else ms / 1000.0


class poll:
    """A ``select.poll`` object whose ``poll()`` blocks only the calling greenlet.

    Registrations are mirrored in a native poll object, which checks them as the
    stdlib does and gives the exact flags of what is ready.
    """

    def __init__(self) -> None:
        self.fds: dict[int, int] = {}
        self._native = native_poll()
        self._polling = False

    def register(self, fd: Any, eventmask: int = _POLLIN | _POLLPRI | _POLLOUT) -> None:
        fileno = get_fileno(fd)
        self._native.register(fileno, eventmask)
        self.fds[fileno] = eventmask

    def modify(self, fd: Any, eventmask: int) -> None:
        fileno = get_fileno(fd)
        self._native.modify(fileno, eventmask)
        self.fds[fileno] = eventmask

    def unregister(self, fd: Any) -> None:
        fileno = get_fileno(fd)
        self._native.unregister(fileno)
        del self.fds[fileno]

    def poll(self, timeout: Any = None) -> list[tuple[int, int]]:
        """Wait for events; ``timeout`` is in milliseconds, None or negative blocks."""
        seconds = _poll_timeout(timeout)
        if self._polling:
            raise RuntimeError("concurrent poll() invocation")
        self._polling = True
        try:
            ready = self._native.poll(0)
            if ready or seconds == 0:
                sleep()  # as select() does: a busy poll loop still lets others run
                return ready
            items = []
            for fd, mask in self.fds.items():
                events = (READ if mask & (_POLLIN | _POLLPRI) else 0) | (
                    WRITE if mask & _POLLOUT else 0)
                items.append((fd, events, fd))
            woke = wait_on_fds(items, seconds, ask_kernel=False)
            if not woke:
                return []
            return self._native.poll(0) or [
                (fd, _POLLNVAL if revents & BADFD else
                 (_POLLIN if revents & READ else 0) | (_POLLOUT if revents & WRITE else 0))
                for fd, revents in woke
            ]
        finally:
            self._polling = False


if "poll" not in __implements__:
    del poll
    __all__.remove("poll")


def _gevent_do_monkey_patch(patch_request: Any) -> None:
    """Drop the stdlib pollers that would block the loop, when patching aggressively."""
    if patch_request.patch_kwargs.get("aggressive", True):
        patch_request.remove_item(__select__, "epoll", "kqueue", "kevent", "devpoll")
    patch_request.default_patch_items()
