"""The test toolkit behind ``gevent.testkit`` (docs/testing.md).

The pytest plugin (``_plugin``) is not imported here, so the toolkit works
without pytest installed.
"""

from __future__ import annotations

from .._core import MockClock
from ._hub import destroy_hub, isolated_hub, leaked_greenlets, wait_all_blocked
from ._run import main, run_virtual

__all__ = [
    "MockClock",
    "destroy_hub",
    "isolated_hub",
    "leaked_greenlets",
    "main",
    "run_virtual",
    "wait_all_blocked",
]
