"""The loop class in use and its watcher types (gevent's ``gevent.core``).

In gevent this module is the libev extension. Here it re-exports the pure-Python
loop so that code (and gevent's test helpers) asking for ``gevent.core.loop``
get the loop the hub actually uses.
"""

from __future__ import annotations

import time as _time

from ._core import (
    Loop,
    async_,
    callback,
    check,
    child,
    fork,
    idle,
    io,
    prepare,
    signal,
    stat,
    timer,
)

__all__ = ["embeddable_backends", "get_header_version", "get_version", "loop",
           "recommended_backends", "supported_backends", "time"]

loop = Loop
READ = 1
WRITE = 2
MINPRI = Loop.MINPRI
MAXPRI = Loop.MAXPRI

# libev's event bits, for code that passes them around.
NONE = 0
TIMER = 0x100
PERIODIC = 0x200
SIGNAL = 0x400
CHILD = 0x800
STAT = 0x1000
IDLE = 0x2000
PREPARE = 0x4000
CHECK = 0x8000
EMBED = 0x10000
FORK = 0x20000
CLEANUP = 0x40000
ASYNC = 0x80000
CUSTOM = 0x1000000
ERROR = 0x80000000


def get_version() -> str:
    return "gevent-python-loop 1"


def get_header_version() -> str:
    return get_version()


def supported_backends() -> list[str]:
    return ["epoll", "selectors"]


def recommended_backends() -> list[str]:
    return supported_backends()


def embeddable_backends() -> list[str]:
    return []


def time() -> float:
    return _time.monotonic()


__all__ += []
_exported = (async_, callback, check, child, fork, idle, io, prepare, signal, stat, timer)
