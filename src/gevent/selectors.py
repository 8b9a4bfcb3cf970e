"""A ``selectors`` selector built on the hub's loop.

``GeventSelector`` keeps the stdlib's registration bookkeeping and waits with
loop watchers, so ``select()`` blocks only the calling greenlet.
``DefaultSelector`` is ``GeventSelector``; everything else public in the
stdlib module is re-exported.
"""

from __future__ import annotations

import os
import selectors as __selectors__
from typing import Any

from ._io._select import READ, WRITE, wait_on_fds

__implements__ = ["DefaultSelector"]
__extensions__ = ["GeventSelector"]
__all__ = ["DefaultSelector", "GeventSelector"]

__imports__: list[str] = []
for _name in dir(__selectors__):
    if not _name.startswith("_") and _name not in ("DefaultSelector", "GeventSelector") \
            and _name not in globals():
        globals()[_name] = getattr(__selectors__, _name)
        __imports__.append(_name)
del _name

_EVENT_READ = __selectors__.EVENT_READ
_EVENT_WRITE = __selectors__.EVENT_WRITE


class GeventSelector(__selectors__._BaseSelectorImpl):  # type: ignore[name-defined,misc]
    """A ``BaseSelector`` that waits on the hub's loop."""

    def __init__(self, hub: Any = None) -> None:
        super().__init__()
        self.hub = hub

    def register(self, fileobj: Any, events: int, data: Any = None) -> Any:
        fd = self._fileobj_lookup(fileobj)  # type: ignore[attr-defined]
        try:
            os.fstat(fd)
        except OSError:
            raise ValueError(f"Invalid file descriptor: {fd}") from None
        return super().register(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        if timeout is not None and timeout < 0:
            timeout = 0.0
        items = []
        for key in self.get_map().values():
            events = (READ if key.events & _EVENT_READ else 0) | (
                WRITE if key.events & _EVENT_WRITE else 0)
            items.append((key.fd, events, key))
        ready: dict[int, tuple[Any, int]] = {}
        for key, revents in wait_on_fds(items, timeout, self.hub):
            mask = (_EVENT_READ if revents & READ else 0) | (
                _EVENT_WRITE if revents & WRITE else 0)
            mask &= key.events
            if key.fd in ready:
                mask |= ready[key.fd][1]
            ready[key.fd] = (key, mask)
        return list(ready.values())

    def close(self) -> None:
        super().close()
        self.hub = None


DefaultSelector = GeventSelector


def _green_select(*args: Any) -> Any:
    # What a patched ``SelectSelector._select`` calls: the cooperative select.
    from .select import select

    return select(*args)


_green_select._gevent_monkey = True  # type: ignore[attr-defined]


def _gevent_do_monkey_patch(patch_request: Any) -> None:
    """Drop the stdlib selectors that would block the loop, when patching aggressively.

    ``SelectSelector`` stays, but its ``_select`` is a reference to the blocking
    ``select.select`` taken when the class was created: point it at ours.
    """
    patch_request.default_patch_items()
    select_selector = getattr(__selectors__, "SelectSelector", None)
    if select_selector is not None \
            and not hasattr(select_selector.__dict__.get("_select"), "__get__"):
        # A builtin stored on the class (POSIX); Windows defines a method there.
        select_selector._select = staticmethod(_green_select)
    if patch_request.patch_kwargs.get("aggressive", True):
        patch_request.remove_item(__selectors__, "EpollSelector", "KqueueSelector",
                                  "DevpollSelector")
