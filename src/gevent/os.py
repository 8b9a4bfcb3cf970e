"""Cooperative helpers for file descriptors, and the rest of the ``os`` module.

This is the descriptor part of gevent's ``gevent.os``: ``make_nonblocking``,
``nb_read``/``nb_write`` (non-blocking I/O that waits on loop watchers),
``tp_read``/``tp_write`` (blocking I/O in the hub's thread pool), ``close``
(wakes greenlets watching the descriptor before closing it) and
``fork_gevent`` (fork, then reinitialise the hub in the child). Every other
public ``os`` name is re-exported unchanged.

Compatibility: the child-watching ``fork``/``waitpid``/``posix_spawn`` of
gevent are not provided yet, so ``__implements__`` is empty and
``monkey.patch_os()`` leaves ``os`` alone.
"""

from __future__ import annotations

import os as __os__
from typing import Any

from ._hub_local import get_hub_if_exists
from ._hub_local import get_hub_noargs as get_hub
from ._socketcommon import wait_read, wait_write

__implements__: list[str] = []
__extensions__ = ["close", "fork", "fork_gevent", "make_nonblocking", "nb_read", "nb_write",
                  "tp_read", "tp_write"]
__all__ = list(__extensions__)

__imports__: list[str] = []
for _name in dir(__os__):
    if not _name.startswith("_") and _name not in __extensions__:
        globals()[_name] = getattr(__os__, _name)
        __imports__.append(_name)
del _name

_raw_read = __os__.read
_raw_write = __os__.write
_raw_close = __os__.close


def make_nonblocking(fd: int) -> bool:
    """Put ``fd`` in non-blocking mode; True if that changed anything."""
    if __os__.get_blocking(fd):
        __os__.set_blocking(fd, False)
        return True
    return False


def nb_read(fd: int, n: int) -> bytes:
    """Read up to ``n`` bytes from the non-blocking ``fd``, waiting cooperatively."""
    while True:
        try:
            return _raw_read(fd, n)
        except BlockingIOError:
            pass
        wait_read(fd)


def nb_write(fd: int, buf: Any) -> int:
    """Write to the non-blocking ``fd``, waiting cooperatively; returns the bytes written."""
    while True:
        try:
            return _raw_write(fd, buf)
        except BlockingIOError:
            pass
        wait_write(fd)


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
    pid = __os__.fork()
    if pid == 0:
        from .hub import reinit

        reinit()
    return pid


# gevent.fork() uses this. Compatibility: gevent's default also watches the
# child (fork_and_watch) so that waitpid is cooperative; not provided yet.
fork = fork_gevent
