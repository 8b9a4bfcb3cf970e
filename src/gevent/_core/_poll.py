"""Readiness pollers: the only part of the loop that talks to the OS readiness API.

Rule: a poller reports which descriptors are ready; it never calls back into the
loop or touches greenlets. The loop decides what readiness means for watchers,
and when to change interest: it keeps registrations across waits and batches
its changes (see ``Loop._apply_interest``), so a poller does what it is told at
once, every time, and keeps only what it needs to do that right.

Events are the loop's READ (1) and WRITE (2) bits, which match gevent's io
watcher event mask.

Both pollers keep ``masks``, what the kernel was last told for each descriptor
(the loop reads it to skip changes that would change nothing), and repair
themselves when the kernel disagrees with it. The kernel's registration belongs
to the pair (open file, descriptor number): a number closed behind our back
leaves it in place for as long as another number or process (``dup``, ``fork``)
keeps the file open, and nothing can remove it through the closed number. So
when an update finds the kernel's set and ``masks`` disagree, the poller starts
a fresh set from ``masks`` (``rebuild``): rare, and the only way such a stale
registration stops reporting. Descriptors that cannot be registered again then
are listed in ``dropped`` for the loop.
"""

from __future__ import annotations

import errno
import os
import select
import selectors
import sys

__all__ = ["READ", "WRITE", "EpollPoller", "SelectorsPoller", "default_poller_class"]

# Captured at import, before gevent.monkey can replace or remove them
# (patch_select drops select.epoll; patch_selectors swaps DefaultSelector).
_epoll = getattr(select, "epoll", None)
_DefaultSelector = selectors.DefaultSelector
_fstat = os.fstat

READ = 1
WRITE = 2

_EPOLLIN = getattr(select, "EPOLLIN", 1)
_EPOLLPRI = getattr(select, "EPOLLPRI", 2)
_EPOLLOUT = getattr(select, "EPOLLOUT", 4)
_EPOLL_READISH = _EPOLLIN | _EPOLLPRI | getattr(select, "EPOLLHUP", 16) | getattr(
    select, "EPOLLERR", 8)
_EPOLL_WRITEISH = _EPOLLOUT | getattr(select, "EPOLLHUP", 16) | getattr(select, "EPOLLERR", 8)


class _EventTable(dict):  # type: ignore[type-arg]
    """epoll's event bits to ours, filled on first sight of each combination."""

    def __missing__(self, native: int) -> int:
        ev = (READ if native & _EPOLL_READISH else 0) | (WRITE if native & _EPOLL_WRITEISH else 0)
        self[native] = ev
        return ev


_EVENTS = _EventTable()


def _native(events: int) -> int:
    native = 0
    if events & READ:
        native |= _EPOLLIN | _EPOLLPRI
    if events & WRITE:
        native |= _EPOLLOUT
    return native


class EpollPoller:
    """Level-triggered epoll (Linux)."""

    name = "epoll"

    def __init__(self) -> None:
        self._ep = _epoll()  # type: ignore[misc]
        self.masks: dict[int, int] = {}
        self.dropped: list[int] = []
        self.rebuilds = 0

    def fileno(self) -> int:
        return int(self._ep.fileno())

    def register(self, fd: int, events: int) -> None:
        """Make the kernel watch ``fd`` for exactly ``events`` now (0 stops watching).

        Always one ``epoll_ctl`` at least: the loop calls this to change interest
        and to check a registration it has stopped trusting.
        """
        if not events:
            self.unregister(fd)
            return
        native = _native(events)
        masks = self.masks
        if fd in masks:
            try:
                self._ep.modify(fd, native)
            except FileNotFoundError:
                # Closed behind our back (and perhaps reused): the kernel forgot
                # this file, but may still hold the old one through a dup.
                masks[fd] = events
                self.rebuild()
                return
            except OSError:
                # Closed (EBADF): the old file may still sit in the set.
                del masks[fd]
                self.rebuild()
                raise
        else:
            try:
                self._ep.register(fd, native)
            except FileExistsError:
                self._ep.modify(fd, native)
        masks[fd] = events

    def unregister(self, fd: int) -> None:
        """Stop watching ``fd`` now; free when it was not registered."""
        if self.masks.pop(fd, None) is not None:
            try:
                self._ep.unregister(fd)
            except OSError:
                # Already closed: the kernel dropped it with its file, or, if a
                # dup keeps the file open, keeps reporting it under this number
                # until ``discard`` finds it out.
                pass

    def discard(self, fd: int) -> None:
        """The poll reported ``fd`` and nobody wants it: make sure it stops."""
        self.masks.pop(fd, None)
        try:
            self._ep.unregister(fd)
        except OSError:
            # Reported, yet not registered under this number's current file:
            # a stale registration of a file closed behind our back.
            self.rebuild()

    def rebuild(self) -> None:
        """Start a fresh epoll set holding what ``masks`` says, dropping the rest.

        The new set takes the old one's descriptor number (``dup2``), so a
        caller holding that number, or closing a number it wrongly thinks it
        owns, sees no difference from before.
        """
        self.rebuilds += 1
        fresh = _epoll()  # type: ignore[misc]
        try:
            os.dup2(fresh.fileno(), self._ep.fileno(), inheritable=False)
        finally:
            fresh.close()
        masks = self.masks
        for fd, events in list(masks.items()):
            try:
                self._ep.register(fd, _native(events))
            except OSError:
                del masks[fd]
                self.dropped.append(fd)

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
        table = _EVENTS
        return [(fd, table[native]) for fd, native in raw]

    def close(self) -> None:
        self._ep.close()
        self.masks.clear()


def _identity(fd: int) -> tuple[int, int]:
    st = _fstat(fd)
    return (st.st_dev, st.st_ino)


class SelectorsPoller:
    """Portable fallback on the stdlib ``selectors`` module, with epoll's semantics.

    A selector trusts its own map and hides the kernel's answers, so this poller
    remembers which file (device and inode) each registration was made for: a
    number found closed or holding another file means the selector's set may be
    stale, and it is rebuilt.
    """

    name = "selectors"

    def __init__(self) -> None:
        self._sel = _DefaultSelector()
        self.name = "selectors-" + type(self._sel).__name__.replace("Selector", "").lower()
        self.masks: dict[int, int] = {}
        self._files: dict[int, tuple[int, int]] = {}
        self.dropped: list[int] = []
        self.rebuilds = 0

    def fileno(self) -> int:
        fileno = getattr(self._sel, "fileno", None)
        return fileno() if fileno is not None else -1

    @staticmethod
    def _mask(events: int) -> int:
        return (selectors.EVENT_READ if events & READ else 0) | (
            selectors.EVENT_WRITE if events & WRITE else 0)

    def register(self, fd: int, events: int) -> None:
        if not events:
            self.unregister(fd)
            return
        ident = _identity(fd)  # OSError(EBADF) on a closed descriptor, as epoll
        mask = self._mask(events)
        masks = self.masks
        if fd in masks:
            if self._files.get(fd) != ident:
                masks[fd] = events
                self._files[fd] = ident
                self.rebuild()
                return
            try:
                self._sel.modify(fd, mask)
            except (KeyError, ValueError, OSError):
                self._sel_unregister(fd)
                self._sel.register(fd, mask)
        else:
            try:
                self._sel.register(fd, mask)
            except KeyError:
                self._sel.modify(fd, mask)
        masks[fd] = events
        self._files[fd] = ident

    def _sel_unregister(self, fd: int) -> None:
        try:
            self._sel.unregister(fd)
        except (KeyError, ValueError, OSError):
            pass

    def unregister(self, fd: int) -> None:
        if self.masks.pop(fd, None) is not None:
            self._files.pop(fd, None)
            self._sel_unregister(fd)

    def discard(self, fd: int) -> None:
        # The poll reported ``fd`` and nobody wants it. A selector reports only
        # what its map holds; but if the number was closed or holds another
        # file now, the kernel's set under the selector may hold a stale entry.
        ident = self._files.get(fd)
        self.unregister(fd)
        try:
            same = _identity(fd) == ident
        except OSError:
            same = False
        if not same:
            self.rebuild()

    def rebuild(self) -> None:
        self.rebuilds += 1
        try:
            self._sel.close()
        except OSError:
            pass
        self._sel = _DefaultSelector()
        masks = self.masks
        for fd, events in list(masks.items()):
            try:
                self._files[fd] = _identity(fd)
                self._sel.register(fd, self._mask(events))
            except (OSError, ValueError, KeyError):
                del masks[fd]
                self._files.pop(fd, None)
                self.dropped.append(fd)

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
        out = []
        for fd in list(self.masks):
            try:
                _fstat(fd)
            except OSError:
                self.masks.pop(fd, None)
                self._files.pop(fd, None)
                self._sel_unregister(fd)
                out.append((fd, READ | WRITE))
        return out

    def close(self) -> None:
        self._sel.close()
        self.masks.clear()
        self._files.clear()


def default_poller_class() -> type[EpollPoller] | type[SelectorsPoller]:
    if sys.platform.startswith("linux") and _epoll is not None:
        return EpollPoller
    return SelectorsPoller
