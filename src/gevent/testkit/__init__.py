"""Testing code that uses gevent: a virtual clock, ``wait_all_blocked`` and a pytest plugin.

``gevent.testing`` is gevent's own test support; this is the toolkit for
users' tests (docs/testing.md):

- ``MockClock``: a clock that moves only when told to, or with ``autojump=True``
  jumps to the next timer whenever the loop would sleep.
- ``isolated_hub(clock)``: a fresh hub for the block, on that clock.
- ``run_virtual(fn, ...)``: call ``fn`` on a fresh autojump hub.
- ``wait_all_blocked()``: run until every other greenlet is blocked.
- ``leaked_greenlets()``: the greenlets of the hub that have not finished.
- The pytest plugin ``gevent.testkit.plugin`` (``-p gevent.testkit.plugin``):
  fixtures ``fresh_hub``, ``mock_clock``, ``autojump_clock``, ``virtual_hub``
  and the ``gevent_leak_check`` marker.
- ``python -m gevent.testkit script.py``: run a script in virtual time.
"""

from __future__ import annotations

from gevent._testkit import (
    MockClock,
    destroy_hub,
    isolated_hub,
    leaked_greenlets,
    run_virtual,
    wait_all_blocked,
)

__all__ = [
    "MockClock",
    "destroy_hub",
    "isolated_hub",
    "leaked_greenlets",
    "run_virtual",
    "wait_all_blocked",
]
