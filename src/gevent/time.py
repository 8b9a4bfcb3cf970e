"""The ``time`` module with a cooperative ``sleep``.

Everything else public in the stdlib ``time`` module is re-exported unchanged.
"""

from __future__ import annotations

import time as __time__

from .hub import sleep

__implements__ = ["sleep"]
__extensions__: list[str] = []
__all__ = __implements__

__imports__: list[str] = []
for _name in dir(__time__):
    if not _name.startswith("_") and _name not in __implements__:
        globals()[_name] = getattr(__time__, _name)
        __imports__.append(_name)
del _name

_ = sleep
