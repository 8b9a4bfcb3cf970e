"""gevent, reimplemented in pure Python on greenlet.

Same import name, API and behaviour as gevent; the event loop is this package's
own (``gevent._core``), so there is nothing to compile.
"""

from __future__ import annotations

import os as _os
from collections import namedtuple as _namedtuple
from importlib import metadata as _metadata
from sys import getswitchinterval, setswitchinterval

from greenlet import GreenletExit, getcurrent

from ._config import config
from ._hub_local import get_hub
from ._hub_primitives import iwait_on_objects as iwait
from ._hub_primitives import wait_on_objects as wait
from ._scope import Cancelled as Cancelled
from ._scope import CancelScope as CancelScope
from ._scope import TaskGroup as TaskGroup
from ._scope import current_time as current_time
from ._scope import fail_after as fail_after
from ._scope import fail_at as fail_at
from ._scope import move_on_after as move_on_after
from ._scope import move_on_at as move_on_at
from .greenlet import Greenlet, joinall, killall
from .hub import idle, kill, reinit, sleep, spawn_raw
from .hub import signal as signal_handler
from .timeout import Timeout, with_timeout

try:
    __version__ = _metadata.version("gevent")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

_version_info = _namedtuple(  # type: ignore[name-match]
    "version_info", "major minor micro releaselevel serial")


def _parse_version(text: str) -> tuple[int, int, int, str, int]:
    parts = [int(p) if p.isdigit() else 0 for p in text.split(".")[:3]]
    parts += [0] * (3 - len(parts))
    return (max(parts[0], 1), parts[1], parts[2], "final", 0)


version_info = _version_info(*_parse_version(__version__))

spawn = Greenlet.spawn
spawn_later = Greenlet.spawn_later

# gevent's own names. Structured concurrency (CancelScope, Cancelled, TaskGroup,
# move_on_*, fail_*, current_time; docs/structured.md) is imported above but left out, so that
# __all__ stays gevent's list (tests/compat compares the two).
__all__ = [
    "Greenlet",
    "GreenletExit",
    "Timeout",
    "config",
    "fork",
    "get_hub",
    "getcurrent",
    "getswitchinterval",
    "idle",
    "iwait",
    "joinall",
    "kill",
    "killall",
    "reinit",
    "setswitchinterval",
    "signal_handler",
    "sleep",
    "spawn",
    "spawn_later",
    "spawn_raw",
    "wait",
    "with_timeout",
]

if hasattr(_os, "fork"):

    def fork(*args: object, **kwargs: object) -> int:
        """Fork the process and reinitialise the hub in the child (``gevent.os.fork``)."""
        try:
            from gevent.os import fork as _fork
        except ImportError:
            pid = _os.fork()
            if pid == 0:
                reinit()
            return pid
        return _fork(*args, **kwargs)  # type: ignore[no-any-return]
else:  # pragma: no cover - Windows
    __all__.remove("fork")
