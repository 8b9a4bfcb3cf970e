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

import gevent
from gevent._core import Loop, MockClock
from gevent._hub_local import get_hub_if_exists, set_hub, set_loop
from gevent.hub import Hub


@pytest.fixture(autouse=True)
def fresh_hub() -> Iterator[None]:
    """Every test starts with no hub in the main thread and leaves none behind."""
    _destroy_current_hub()
    yield
    _destroy_current_hub()


def _destroy_current_hub() -> None:
    hub = get_hub_if_exists()
    if hub is not None:
        hub.destroy(destroy_loop=True)
    set_hub(None)
    set_loop(None)


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
    _destroy_current_hub()
    loop = Loop(default=True, clock=autojump_clock)
    set_loop(loop)
    hub = gevent.get_hub()
    assert hub.loop is loop
    yield hub
