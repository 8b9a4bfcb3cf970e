"""Frozen name: gevent's own tests import ``gevent._socketcommon``.

The code lives in ``gevent._io._socketcommon``; this module only re-exports it.
"""

from __future__ import annotations

from ._io._socketcommon import *  # noqa: F403
from ._io._socketcommon import (  # noqa: F401 - what gevent's tests read
    AF_INET,
    AF_INET6,
    AF_UNSPEC,
    SOCK_STREAM,
    __socket__,
    _resolve_addr,
)
from ._io._socketcommon import __all__ as _impl_all

__all__ = list(_impl_all)

del _impl_all
