"""Shared fixtures: a fresh hub per test, and a loop on a virtual clock.

The folders follow the source layers: core (loop, hub, greenlet, timeout,
monitor), sync, io (io/ssl has its own conftest), threads, http, servers and
monkey; compat/ and conformance/ compare with gevent itself. They are not
packages: pytest imports each test module by its file name, so a file name is
used once in the whole tree, and no folder gets an ``__init__.py`` (``tests``
is on ``sys.path``, where a package ``http`` would hide the standard library's).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gevent.testkit import destroy_hub

# The public toolkit's fixtures: mock_clock, autojump_clock and virtual_hub (a hub
# on the autojump clock, so sleeps take no real time), and the gevent_leak_check
# marker. Its fresh_hub is replaced below by an autouse one.
pytest_plugins = ["gevent.testkit.plugin"]


@pytest.fixture(autouse=True)
def fresh_hub() -> Iterator[None]:
    """Every test starts with no hub in the main thread and leaves none behind."""
    destroy_hub()
    yield
    destroy_hub()
