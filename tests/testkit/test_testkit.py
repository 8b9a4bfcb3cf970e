"""gevent.testkit: the virtual clock, isolated hubs, the leak finder and the script runner."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import helpers
import pytest

import gevent
from gevent import testkit
from gevent._core import MockClock as CoreMockClock
from gevent._hub_local import get_hub_if_exists
from gevent.event import Event


def test_the_toolkit_reuses_the_loops_clock_and_the_helpers_reuse_the_toolkit() -> None:
    assert testkit.MockClock is CoreMockClock
    assert helpers.wait_all_blocked is testkit.wait_all_blocked


def test_isolated_hub_replaces_the_threads_hub_and_destroys_its_own() -> None:
    before = gevent.get_hub()
    clock = testkit.MockClock(autojump=True)
    with testkit.isolated_hub(clock) as hub:
        assert hub is gevent.get_hub() and hub is not before
        assert hub.loop.clock is clock
        gevent.sleep(3600)
        assert clock.now() == 3600
    assert get_hub_if_exists() is None
    assert before.dead or before.loop is None or get_hub_if_exists() is not before


def test_a_mock_clock_without_autojump_moves_only_when_advanced() -> None:
    clock = testkit.MockClock()
    woke = Event()
    with testkit.isolated_hub(clock):
        gevent.spawn(lambda: (gevent.sleep(5), woke.set()))
        testkit.wait_all_blocked()
        assert not woke.is_set()
        clock.advance(5)
        woke.wait()
        assert clock.now() == 5


def test_run_virtual_calls_the_function_in_virtual_time() -> None:
    def work(n: int, *, scale: float) -> float:
        gevent.joinall([gevent.spawn(gevent.sleep, i * scale) for i in range(n)])
        return gevent.get_hub().loop.clock.now()  # type: ignore[no-any-return]

    started = time.perf_counter()
    assert testkit.run_virtual(work, 10, scale=60.0) == 540.0
    assert time.perf_counter() - started < 60  # nine virtual minutes, no real ones
    assert get_hub_if_exists() is None


def test_leaked_greenlets_lists_what_has_not_finished(virtual_hub: object) -> None:
    blocked = gevent.spawn(Event().wait)
    about_to_start = gevent.spawn(gevent.sleep, 1)
    done = gevent.spawn(lambda: None)
    never_started = gevent.Greenlet(gevent.sleep, 1)
    raw = gevent.spawn_raw(Event().wait)
    assert set(testkit.leaked_greenlets()) == {blocked, about_to_start, done, raw}
    testkit.wait_all_blocked()
    assert set(testkit.leaked_greenlets()) == {blocked, about_to_start, raw}
    gevent.killall([blocked, about_to_start])
    gevent.kill(raw)
    testkit.wait_all_blocked()
    assert testkit.leaked_greenlets() == [] and not never_started.started


def test_wait_all_blocked_refuses_the_hub() -> None:
    hub = gevent.get_hub()
    errors = []
    hub.loop.run_callback(lambda: errors.append(_call_and_catch(testkit.wait_all_blocked)))
    gevent.sleep(0)
    assert errors and "hub" in str(errors[0])


def _call_and_catch(fn: object) -> BaseException | None:
    try:
        fn()  # type: ignore[operator]
    except RuntimeError as exc:
        return exc
    return None


def test_the_script_runner_runs_a_script_in_virtual_time(tmp_path: Path) -> None:
    script = tmp_path / "naps.py"
    script.write_text(textwrap.dedent("""
        import sys
        import gevent
        gevent.joinall([gevent.spawn(gevent.sleep, 3600) for _ in range(3)])
        print("woke", sys.argv[1:])
    """))
    proc = subprocess.run([sys.executable, "-m", "gevent.testkit", "--times", str(script), "x"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "woke ['x']\n"
    assert "virtual time 3600.000000 s" in proc.stderr


def test_the_script_runner_passes_the_exit_status_on(tmp_path: Path) -> None:
    script = tmp_path / "fails.py"
    script.write_text("import sys\nsys.exit(3)\n")
    proc = subprocess.run([sys.executable, "-m", "gevent.testkit", str(script)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3


@pytest.mark.parametrize("name", ["tutorial_greenlets.py", "tutorial_async.py",
                                  "tutorial_states.py", "tutorial_switch.py",
                                  "tutorial_monkey.py", "structured.py"])
def test_the_tutorial_runs_in_no_real_time(name: str) -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / name
    plain = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                           timeout=120)
    virtual = subprocess.run([sys.executable, "-m", "gevent.testkit", "--times", str(path)],
                             capture_output=True, text=True, timeout=120)
    assert virtual.returncode == plain.returncode == 0, virtual.stderr
    # Same lines (the asynchronous order of tutorial_async is random in both runs).
    assert sorted(_stable(virtual.stdout)) == sorted(_stable(plain.stdout))
    times = virtual.stderr.strip().splitlines()[-1].split()
    virtual_seconds, real_seconds = float(times[2]), float(times[6])
    assert real_seconds < max(virtual_seconds, 0.5)


def test_the_network_tutorial_runs_in_virtual_time_with_an_idle_threshold() -> None:
    # Its HTTP server and clients talk over real sockets: the clock may only jump
    # once nothing is in flight, which the threshold (real seconds idle) ensures.
    path = Path(__file__).resolve().parents[2] / "examples" / "tutorial_network.py"
    started = time.perf_counter()
    plain = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                           timeout=120)
    plain_wall = time.perf_counter() - started
    started = time.perf_counter()
    virtual = subprocess.run(
        [sys.executable, "-m", "gevent.testkit", "--times", "--autojump-threshold", "0.01",
         str(path)], capture_output=True, text=True, timeout=120)
    virtual_wall = time.perf_counter() - started
    assert virtual.returncode == plain.returncode == 0, virtual.stderr
    words = [line for line in plain.stdout.splitlines() if line.endswith(":")]
    assert [line for line in virtual.stdout.splitlines() if line.endswith(":")] == words
    times = virtual.stderr.strip().splitlines()[-1].split()
    assert float(times[2]) == pytest.approx(1.0)  # virtual: nine pauses in turn, nine at once
    # The plain run really sleeps that second; the virtual one idles about 0.01 s per
    # jump. Compared as whole runs, so slow imports on a loaded machine count on both sides.
    assert virtual_wall < plain_wall


def _stable(out: str) -> list[str]:
    # Greenlet reprs carry addresses.
    return [line.split(" at 0x")[0] for line in out.splitlines()]



def test_the_example_of_docs_testing_md() -> None:
    # Kept in step with the first example of docs/testing.md.
    def retry_forever(attempt: Any) -> None:
        delay = 1
        while not attempt():
            gevent.sleep(delay)
            delay *= 2

    clock = testkit.MockClock(autojump=True)
    with testkit.isolated_hub(clock):
        with pytest.raises(TimeoutError):
            with gevent.fail_after(60):
                retry_forever(lambda: False)
        assert clock.now() == 60
