"""Readiness pollers: the only part of the loop that talks to the OS readiness API.

Rule: a poller reports which descriptors are ready; it never calls back into the
loop or touches greenlets. The loop decides what readiness means for watchers.

Events are the loop's READ (1) and WRITE (2) bits, which match gevent's io
watcher event mask.
"""

from __future__ import annotations

import errno
import select
import selectors
import sys

__all__ = ["READ", "WRITE", "EpollPoller", "SelectorsPoller", "default_poller_class"]

# Captured at import, before gevent.monkey can replace or remove them
# (patch_select drops select.epoll; patch_selectors swaps DefaultSelector).
_epoll = getattr(select, "epoll", None)
_DefaultSelector = selectors.DefaultSelector

READ = 1
WRITE = 2


class EpollPoller:
    """Level-triggered epoll (Linux)."""

    name = "epoll"

    def __init__(self) -> None:
        self._ep = _epoll()  # type: ignore[misc]
        self._masks: dict[int, int] = {}

    @staticmethod
    def _native(events: int) -> int:
        native = 0
        if events & READ:
            native |= select.EPOLLIN | select.EPOLLPRI
        if events & WRITE:
            native |= select.EPOLLOUT
        return native

    def fileno(self) -> int:
        return self._ep.fileno()

    def register(self, fd: int, events: int) -> None:
        """Start (or change) watching ``fd``; ``events == 0`` stops watching it."""
        old = self._masks.get(fd)
        if events == old:
            return
        if not events:
            self.unregister(fd)
            return
        native = self._native(events)
        if old is None:
            try:
                self._ep.register(fd, native)
            except FileExistsError:
                self._ep.modify(fd, native)
        else:
            try:
                self._ep.modify(fd, native)
            except FileNotFoundError:
                # The descriptor was closed and reused behind our back: epoll
                # forgot it when it closed, so register it afresh.
                self._ep.register(fd, native)
        self._masks[fd] = events

    def unregister(self, fd: int) -> None:
        if self._masks.pop(fd, None) is not None:
            try:
                self._ep.unregister(fd)
            except OSError:
                # Already closed: the kernel dropped it from the set.
                pass

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        if timeout is None:
            timeout = -1
        elif timeout > 0 and timeout < 0.001:
            # epoll counts in milliseconds: round up, never spin on a sub-ms wait.
            timeout = 0.001
        try:
            raw = self._ep.poll(timeout)
        except InterruptedError:
            return []
        out = []
        for fd, native in raw:
            ev = 0
            if native & (select.EPOLLIN | select.EPOLLPRI | select.EPOLLHUP | select.EPOLLERR):
                ev |= READ
            if native & (select.EPOLLOUT | select.EPOLLHUP | select.EPOLLERR):
                ev |= WRITE
            out.append((fd, ev))
        return out

    def close(self) -> None:
        self._ep.close()
        self._masks.clear()


class SelectorsPoller:
    """Portable fallback on the stdlib ``selectors`` module."""

    name = "selectors"

    def __init__(self) -> None:
        self._sel = _DefaultSelector()
        self.name = "selectors-" + type(self._sel).__name__.replace("Selector", "").lower()

    def fileno(self) -> int:
        fileno = getattr(self._sel, "fileno", None)
        return fileno() if fileno is not None else -1

    def register(self, fd: int, events: int) -> None:
        mask = (selectors.EVENT_READ if events & READ else 0) | (
            selectors.EVENT_WRITE if events & WRITE else 0
        )
        try:
            key = self._sel.get_key(fd)
        except KeyError:
            key = None
        if not mask:
            if key is not None:
                self.unregister(fd)
            return
        if key is None:
            self._sel.register(fd, mask)
        elif key.events != mask:
            try:
                self._sel.modify(fd, mask)
            except OSError:
                self.unregister(fd)
                self._sel.register(fd, mask)

    def unregister(self, fd: int) -> None:
        try:
            self._sel.unregister(fd)
        except (KeyError, ValueError, OSError):
            pass

    def poll(self, timeout: float | None) -> list[tuple[int, int]]:
        try:
            ready = self._sel.select(timeout)
        except InterruptedError:
            return []
        except OSError as exc:
            if exc.errno != errno.EBADF:
                raise
            return self._find_bad()
        out = []
        for key, mask in ready:
            ev = (READ if mask & selectors.EVENT_READ else 0) | (
                WRITE if mask & selectors.EVENT_WRITE else 0
            )
            out.append((key.fd, ev))
        return out

    def _find_bad(self) -> list[tuple[int, int]]:
        # select() fails as a whole on one closed descriptor: report that one as
        # ready (the owner's next read or write gets the real error) and drop it.
        import os

        out = []
        for key in list(self._sel.get_map().values()):
            try:
                os.fstat(key.fd)
            except OSError:
                self.unregister(key.fd)
                out.append((key.fd, READ | WRITE))
        return out

    def close(self) -> None:
        self._sel.close()


def default_poller_class() -> type[EpollPoller] | type[SelectorsPoller]:
    if sys.platform.startswith("linux") and _epoll is not None:
        return EpollPoller
    return SelectorsPoller
