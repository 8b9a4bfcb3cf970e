"""Frozen name: gevent's own tests import ``gevent._fileobjectcommon``.

The code lives in ``gevent._io._fileobjectcommon``; this module only re-exports it.
"""

from __future__ import annotations

from ._io._fileobjectcommon import *  # noqa: F403
from ._io._fileobjectcommon import __all__ as _impl_all

__all__ = list(_impl_all)

del _impl_all
