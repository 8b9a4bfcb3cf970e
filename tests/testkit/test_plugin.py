"""The pytest plugin (``-p gevent.testkit.plugin``), run on small test files in a child pytest."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

USER_TESTS = '''
import time

import gevent
import pytest
from gevent import TaskGroup


def test_virtual_hub_makes_sleeps_free(virtual_hub, autojump_clock):
    started = time.perf_counter()
    gevent.sleep(86400)
    assert autojump_clock.now() == 86400
    assert virtual_hub is gevent.get_hub()
    assert time.perf_counter() - started < 60


def test_fresh_hub_is_this_threads_hub(fresh_hub):
    assert fresh_hub is gevent.get_hub()
    assert fresh_hub.loop.clock.__class__.__name__ == "SystemClock"


def test_mock_clock_starts_at_zero(mock_clock):
    assert mock_clock.now() == 0 and not mock_clock.autojump


@pytest.mark.gevent_leak_check
def test_marked_and_clean(virtual_hub):
    with TaskGroup() as tg:
        tg.spawn(gevent.sleep, 5)


@pytest.mark.gevent_leak_check
def test_marked_and_leaky(virtual_hub):
    gevent.spawn(gevent.sleep, 5)


def test_unmarked_and_leaky(virtual_hub):
    gevent.spawn(gevent.sleep, 5)
'''


def run_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(USER_TESTS))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "gevent.testkit.plugin", "-p", "no:cacheprovider",
         "-rfE", "test_user.py", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_fixtures_and_the_leak_marker(tmp_path: Path) -> None:
    proc = run_pytest(tmp_path)
    assert "1 failed, 5 passed" in proc.stdout, proc.stdout + proc.stderr
    assert "FAILED test_user.py::test_marked_and_leaky" in proc.stdout
    assert "left 1 greenlet(s) running or blocked" in proc.stdout


def test_the_option_checks_every_test(tmp_path: Path) -> None:
    proc = run_pytest(tmp_path, "--gevent-leak-check")
    assert "2 failed, 4 passed" in proc.stdout, proc.stdout + proc.stderr
    assert "FAILED test_user.py::test_unmarked_and_leaky" in proc.stdout


def test_the_plugin_makes_no_fixture_autouse(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(textwrap.dedent('''
        from gevent._hub_local import get_hub_if_exists

        def test_no_hub_was_made():
            assert get_hub_if_exists() is None
    '''))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "gevent.testkit.plugin", "-p", "no:cacheprovider",
         "test_plain.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "1 passed" in proc.stdout, proc.stdout + proc.stderr
