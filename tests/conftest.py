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

from gevent.hub import Hub
from gevent.testkit import MockClock, destroy_hub, isolated_hub


@pytest.fixture(autouse=True)
def fresh_hub() -> Iterator[None]:
    """Every test starts with no hub in the main thread and leaves none behind."""
    destroy_hub()
    yield
    destroy_hub()


@pytest.fixture
def mock_clock() -> MockClock:
    """A clock that only moves when the test says so."""
    return MockClock()


@pytest.fixture
def autojump_clock() -> MockClock:
    """A clock that jumps to the next timer whenever the loop would sleep."""
    return MockClock(autojump=True)


@pytest.fixture
def virtual_hub(autojump_clock: MockClock) -> Iterator[Hub]:
    """Make this thread's hub run on an autojump clock: sleeps take no real time."""
    with isolated_hub(autojump_clock) as hub:
        assert hub.loop.clock is autojump_clock
        yield hub
