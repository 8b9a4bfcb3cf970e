"""The pytest plugin: a fresh hub, virtual clocks, and a check for greenlets left running.

No fixture is autouse: a test asks for one by name, so loading the plugin
changes no test that does not. The leak check runs right after the test
function returns, before any fixture is torn down (so before the hub goes), for
tests marked ``gevent_leak_check`` or for every test with ``--gevent-leak-check``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from .._core import MockClock
from .._hub_local import get_hub_if_exists
from ._hub import isolated_hub, leaked_greenlets, wait_all_blocked

__all__ = [
    "autojump_clock",
    "check_no_leaked_greenlets",
    "fresh_hub",
    "mock_clock",
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_call",
    "virtual_hub",
]

MARKER = "gevent_leak_check"


def pytest_addoption(parser: Any) -> None:
    parser.getgroup("gevent").addoption(
        "--gevent-leak-check", action="store_true", default=False,
        help="fail every test that leaves a greenlet of its hub running or blocked")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: fail the test if it leaves a greenlet running or blocked")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: Any) -> Generator[None, Any, Any]:
    wanted = (item.get_closest_marker(MARKER) is not None
              or item.config.getoption("gevent_leak_check", default=False))
    if not wanted:
        return (yield)
    try:
        result = yield
    except BaseException:
        _kill_all(leaked_greenlets())  # the test failed already; just clean up
        raise
    check_no_leaked_greenlets()
    return result


def check_no_leaked_greenlets() -> None:
    """Fail if this thread's hub still has greenlets running, blocked or about to start.

    Greenlets that are only runnable get to finish first (``wait_all_blocked``);
    those left are listed in the failure, and killed so the next test starts clean.
    """
    if get_hub_if_exists() is None:
        return
    try:
        wait_all_blocked()
    except RuntimeError:
        pass  # one never blocks: it is reported below
    left = leaked_greenlets()
    if left:
        names = "\n  ".join(repr(g) for g in left)
        _kill_all(left)
        pytest.fail(f"the test left {len(left)} greenlet(s) running or blocked; wait for them "
                    f"(join, or spawn them in a TaskGroup) or kill them:\n  {names}",
                    pytrace=False)


def _kill_all(glets: list[Any]) -> None:
    hub = get_hub_if_exists()
    if not glets or hub is None:
        return
    for glet in glets:
        if hasattr(glet, "kill"):
            glet.kill(block=False)
        else:
            hub.loop.run_callback(glet.throw)
    try:
        wait_all_blocked()
    except RuntimeError:
        pass


@pytest.fixture
def fresh_hub() -> Iterator[Any]:
    """A new hub for this thread on the real clock, destroyed after the test."""
    with isolated_hub() as hub:
        yield hub


@pytest.fixture
def mock_clock() -> MockClock:
    """A virtual clock that moves only on ``advance()``; pass it to ``isolated_hub``."""
    return MockClock()


@pytest.fixture
def autojump_clock() -> MockClock:
    """A virtual clock that jumps to the next timer whenever the loop would sleep."""
    return MockClock(autojump=True)


@pytest.fixture
def virtual_hub(autojump_clock: MockClock) -> Iterator[Any]:
    """A new hub on ``autojump_clock``: sleeps, timeouts and deadlines take no real time."""
    with isolated_hub(autojump_clock) as hub:
        yield hub
