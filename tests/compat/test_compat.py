"""Differential tests: each script in scenarios/ must print the same under real gevent.

Every scenario runs in a fresh interpreter twice: once with this package and once
with the reference gevent (see ``_reference.py``). Standard output, standard
error (normalised) and the exit status must agree. Scenarios are written only
against gevent's public API and print deterministic lines.

All selected scenarios are started together, a few at a time, on first use, so
the module costs about as long as its slowest few scripts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from _reference import SCENARIOS, Outcome, find_reference, ours_env, ref_env, run_scenario

pytestmark = pytest.mark.compat

# Real differences from the reference that are not fixed yet. Each stays a
# strict xfail, so the day it is fixed the test says so.
KNOWN_DIFFERENCES = {
    "queue_putter_handoff": (
        "a get() that makes room moves a parked putter's item into the queue at once "
        "(under the queue lock); gevent moves it from a loop callback, so until then "
        "the queue looks empty and a LifoQueue serves its older item first"),
    "queue_channel_get_from_hub": (
        "Channel.get in the hub with no putter raises Empty; gevent tries to block and "
        "raises BlockingSwitchOutError, even with block=False"),
}
NAMES = sorted(p.stem for p in SCENARIOS.glob("*.py"))
PARAMS = [pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_DIFFERENCES[name], strict=True))
          if name in KNOWN_DIFFERENCES else name for name in NAMES]
Pair = tuple["Future[Outcome]", "Future[Outcome]"]


@pytest.fixture(scope="module")
def reference_python() -> str:
    ref = find_reference()
    if ref.python is None:
        pytest.skip(ref.why)
    return ref.python


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest, reference_python: str) -> Iterator[dict[str, Pair]]:
    """Start every selected scenario, ours and the reference side by side."""
    selected = [item.callspec.params["name"] for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")]
    workers = max(4, 2 * (os.cpu_count() or 1))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="compat")
    futures: dict[str, Pair] = {}
    ours, ref = ours_env(), ref_env()
    for name in selected:
        script = SCENARIOS / f"{name}.py"
        futures[name] = (pool.submit(run_scenario, sys.executable, ours, script),
                         pool.submit(run_scenario, reference_python, ref, script))
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("name", PARAMS)
def test_same_as_reference(name: str, runs: dict[str, Pair]) -> None:
    ours_future, ref_future = runs[name]
    ref = ref_future.result()
    ours = ours_future.result()
    assert ref.returncode == 0, f"the scenario fails on the reference gevent:\n{ref.stderr}"
    assert ours.stdout.splitlines() == ref.stdout.splitlines()
    assert ours.stderr.splitlines() == ref.stderr.splitlines()
    assert ours.returncode == ref.returncode
