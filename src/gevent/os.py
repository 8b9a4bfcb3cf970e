"""Cooperative helpers for file descriptors, and the rest of the ``os`` module.

This is the descriptor part of gevent's ``gevent.os``: ``make_nonblocking``,
``nb_read``/``nb_write`` (non-blocking I/O that waits on loop watchers),
``tp_read``/``tp_write`` (blocking I/O in the hub's thread pool), ``close``
(wakes greenlets watching the descriptor before closing it) and
``fork_gevent`` (fork, then reinitialise the hub in the child). Every other
public ``os`` name is re-exported unchanged.

Children: ``fork`` is ``fork_and_watch``: in the parent, a loop ``child``
watcher learns (through SIGCHLD) when the child ends and reaps it, so
``waitpid`` can wait for it cooperatively. ``forkpty`` and ``posix_spawn*``
watch their children the same way. With ``GEVENT_NOWAITPID`` set, ``fork`` is
``fork_gevent`` and only ``fork``, ``forkpty`` and ``close`` are patched.
"""

from __future__ import annotations

import errno
import os as __os__
from time import monotonic as _monotonic
from typing import Any

from ._hub_local import get_hub_if_exists
from ._hub_local import get_hub_noargs as get_hub

# GEVENT_NOWAITPID set: fork() does not watch children and waitpid is the OS's.
_WATCH_CHILDREN = not __os__.environ.get("GEVENT_NOWAITPID")

__implements__: list[str] = ["fork", "close"]
if _WATCH_CHILDREN:
    __implements__.append("waitpid")
__extensions__ = ["fork_and_watch", "fork_gevent", "make_nonblocking", "nb_read", "nb_write",
                  "tp_read", "tp_write"]
__all__ = sorted(set(__implements__) | set(__extensions__))

__imports__: list[str] = []
for _name in dir(__os__):
    if (not _name.startswith("_") and _name not in __extensions__
            and _name not in ("fork", "close", "waitpid", "forkpty", "posix_spawn",
                              "posix_spawnp")):
        globals()[_name] = getattr(__os__, _name)
        __imports__.append(_name)
del _name
_exit = __os__._exit

# Module attributes (looked up at each call) so that tests can replace them.
_read = _raw_read = __os__.read
_write = _raw_write = __os__.write
_raw_close = __os__.close
_raw_fork = __os__.fork
_raw_waitpid = __os__.waitpid


def make_nonblocking(fd: int) -> bool:
    """Put ``fd`` in non-blocking mode; True if that changed anything."""
    if __os__.get_blocking(fd):
        __os__.set_blocking(fd, False)
        return True
    return False


# A failed read/write with one of these means "try again once the fd is ready".
_RETRY_ERRNOS = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR})


def _nb_io(func: Any, fd: int, arg: Any, events: int) -> Any:
    # Call ``func(fd, arg)`` until it does not ask to be retried, waiting on one
    # io watcher (made on first need, closed at the end) in between.
    hub = None
    watcher = None
    try:
        while True:
            try:
                return func(fd, arg)
            except OSError as exc:
                if exc.errno not in _RETRY_ERRNOS:
                    raise
            if watcher is None:
                hub = get_hub()
                watcher = hub.loop.io(fd, events)
            hub.wait(watcher)  # type: ignore[union-attr]
    finally:
        if watcher is not None:
            watcher.close()


def nb_read(fd: int, n: int) -> bytes:
    """Read up to ``n`` bytes from the non-blocking ``fd``, waiting cooperatively."""
    return _nb_io(_read, fd, n, 1)  # type: ignore[no-any-return]


def nb_write(fd: int, buf: Any) -> int:
    """Write to the non-blocking ``fd``, waiting cooperatively; returns the bytes written."""
    return _nb_io(_write, fd, buf, 2)  # type: ignore[no-any-return]


def tp_read(fd: int, n: int) -> bytes:
    """``os.read`` run in the hub's thread pool."""
    return get_hub().threadpool.apply(_raw_read, (fd, n))  # type: ignore[no-any-return]


def tp_write(fd: int, buf: Any) -> int:
    """``os.write`` run in the hub's thread pool."""
    return get_hub().threadpool.apply(_raw_write, (fd, buf))  # type: ignore[no-any-return]


def close(fd: int) -> None:
    """Close ``fd``, first telling the loop so greenlets watching it wake up instead of hanging."""
    hub = get_hub_if_exists()
    if hub is not None and hub.loop is not None:
        hub.loop.closing_fd(fd)
    _raw_close(fd)


def fork_gevent() -> int:
    """``os.fork()``; in the child, the hub is reinitialised for the new process."""
    pid = _raw_fork()
    if pid == 0:
        _reinit_child()
    return pid


def _reinit_child() -> None:
    from .hub import reinit

    # The parent's children are not ours to wait for.
    _children.clear()
    reinit()


# ------------------------------------------------------------ watched children


class _Child:
    """A forked child the loop watches, and what ``waitpid`` needs to report it."""

    __slots__ = ("callback", "done", "finished_at", "pid", "status", "watcher")

    def __init__(self, pid: int, watcher: Any, callback: Any) -> None:
        self.pid = pid
        self.watcher = watcher
        self.callback = callback
        self.status: int | None = None
        self.finished_at = 0.0
        self.done: Any = None  # an Event, made by the first waiter


def _on_child_exit(child: _Child) -> None:
    # Runs in the hub when SIGCHLD told the loop that ``child`` ended (and reaped it).
    watcher = child.watcher
    watcher.stop()
    child.status = watcher.rstatus
    child.finished_at = _monotonic()
    if child.done is not None:
        child.done.set()
    if child.callback is not None:
        child.callback(watcher)


# pid -> _Child, for children made by fork_and_watch/forkpty_and_watch/posix_spawn*.
_children: dict[int, _Child] = {}


def _watch_child(pid: int, callback: Any = None, loop: Any = None, ref: bool = False) -> None:
    if loop is None:
        loop = get_hub().loop
    watcher = loop.child(pid, ref=ref)
    child = _Child(pid, watcher, callback)
    _children[pid] = child
    watcher.start(_on_child_exit, child)


def fork_and_watch(callback: Any = None, loop: Any = None, ref: bool = False,
                   fork: Any = fork_gevent) -> int:
    """Fork with ``fork``; in the parent, watch the child so ``waitpid`` is cooperative.

    ``callback(watcher)`` runs in the hub when the child exits.
    """
    pid = fork()
    if pid:
        _watch_child(pid, callback, loop, ref)
    return pid  # type: ignore[no-any-return]


def _finished(child: _Child) -> tuple[int, int]:
    del _children[child.pid]
    return (child.pid, child.status or 0)


def _reap_children(timeout: float = 60) -> None:
    """Forget finished watched children that nobody waited for in ``timeout`` seconds."""
    limit = _monotonic() - timeout
    for pid, child in list(_children.items()):
        if child.status is not None and child.finished_at <= limit:
            del _children[pid]


def waitpid(pid: int, options: int) -> tuple[int, int]:
    """``os.waitpid``, waiting cooperatively for children that gevent forked.

    ``pid == -1`` reports the first watched child that has already finished,
    and otherwise asks the OS. Children gevent does not watch, and
    ``pid == 0`` or below -1, always go to the OS (which may block).
    """
    if pid == -1:
        done = [c for c in _children.values() if c.status is not None]
        if done:
            return _finished(min(done, key=lambda c: c.finished_at))
        return _raw_waitpid(pid, options)
    child = _children.get(pid)
    if child is None:
        return _raw_waitpid(pid, options)
    if child.status is None and child.watcher.loop is not get_hub().loop:
        # Its watcher's loop was destroyed with the hub before the child
        # exited: watch it again here (one that already exited is found at once).
        _watch_child(pid, child.callback)
        child = _children[pid]
    if child.status is None:
        if options & __os__.WNOHANG:
            return (0, 0)
        if child.done is None:
            from ._sync._event import Event

            child.done = Event()
        # Someone waits for it now: the loop must keep running until it exits.
        child.watcher.ref = True
        child.done.wait()
    return _finished(child)




if hasattr(__os__, "forkpty"):
    _raw_forkpty = __os__.forkpty

    def forkpty_gevent() -> tuple[int, int]:
        """``os.forkpty()``; in the child, the hub is reinitialised for the new process."""
        pid, master_fd = _raw_forkpty()
        if pid == 0:
            _reinit_child()
        return pid, master_fd

    def forkpty_and_watch(callback: Any = None, loop: Any = None, ref: bool = False,
                          forkpty: Any = forkpty_gevent) -> tuple[int, int]:
        """``forkpty`` whose child is watched like ``fork_and_watch``'s."""
        result: list[tuple[int, int]] = []

        def do_fork() -> int:
            result.append(forkpty())
            return result[0][0]

        fork_and_watch(callback, loop, ref, do_fork)
        return result[0]

    __extensions__ += ["forkpty_gevent", "forkpty_and_watch"]
    __implements__.append("forkpty")


if hasattr(__os__, "posix_spawn"):
    _raw_posix_spawn = __os__.posix_spawn
    _raw_posix_spawnp = __os__.posix_spawnp

    def posix_spawn(*args: Any, **kwargs: Any) -> int:
        """``os.posix_spawn``, with the child watched so ``waitpid`` is cooperative."""
        pid = _raw_posix_spawn(*args, **kwargs)
        _watch_child(pid)
        return pid

    def posix_spawnp(*args: Any, **kwargs: Any) -> int:
        """``os.posix_spawnp``, with the child watched so ``waitpid`` is cooperative."""
        pid = _raw_posix_spawnp(*args, **kwargs)
        _watch_child(pid)
        return pid

    __implements__ += ["posix_spawn", "posix_spawnp"]


fork: Any
forkpty: Any
if _WATCH_CHILDREN:
    fork = fork_and_watch
    if hasattr(__os__, "forkpty"):
        forkpty = forkpty_and_watch
else:
    # Only fork/forkpty (reinitialising the hub) and close replace the OS's.
    fork = fork_gevent
    if hasattr(__os__, "forkpty"):
        forkpty = forkpty_gevent
    __extensions__ += [n for n in __implements__ if n not in ("fork", "forkpty", "close")]
    __implements__ = [n for n in __implements__ if n in ("fork", "forkpty", "close")]
    __extensions__.append("waitpid")

__all__ = sorted(set(__implements__) | set(__extensions__))
