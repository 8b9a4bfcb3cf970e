"""Helpers shared by the test directories (on sys.path through pytest's ``pythonpath``)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
from gevent.testkit import wait_all_blocked

TESTS = Path(__file__).resolve().parent

__all__ = ["assert_no_reference_cycles", "child_env", "run_python", "wait_all_blocked"]


def child_env() -> dict[str, str]:
    """The environment for a child interpreter: ours, with this module importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    return env


def run_python(src: str, *, timeout: float = 60, warnings_as_errors: bool = False) -> str:
    """Run ``src`` in a child interpreter (so patching never touches this one); its stdout.

    The child can ``from helpers import wait_all_blocked`` like the tests do.
    """
    cmd = [sys.executable]
    if warnings_as_errors:
        cmd += ["-W", "error"]
    proc = subprocess.run([*cmd, "-c", textwrap.dedent(src)], capture_output=True, text=True,
                          timeout=timeout, env=child_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def assert_no_reference_cycles(operation: Callable[[], object], repeat: int = 3) -> None:
    """Run ``operation`` and check that it left nothing for the garbage collector.

    The first run warms lazy imports and caches; then, with the collector off,
    ``repeat`` runs must leave no cycle behind (docs/design.md, rule 5).
    """
    operation()
    gevent.sleep(0)
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            operation()
        gevent.sleep(0)
        assert gc.collect() == 0
    finally:
        gc.enable()


def buffer_drained_by_a_thread(q: Any, errors: list[BaseException],
                               timeout: float = 10.0) -> deque[Any]:
    """A queue buffer whose first ``append`` lets another thread take the item at once.

    For the race where an unlocked put has stored its item but not yet counted its
    task: the other thread gets the item and calls ``task_done()`` before ``put``
    returns. What the thread raises lands in ``errors``; ``fired`` says it ran.
    """

    class TakenAtOnce(deque):  # type: ignore[type-arg]
        fired = False

        def append(self, item: Any) -> None:
            super().append(item)
            if self.fired:
                return
            self.fired = True

            def consume() -> None:
                try:
                    q.get_nowait()
                    q.task_done()
                except BaseException as exc:
                    errors.append(exc)

            t = threading.Thread(target=consume)
            t.start()
            t.join(timeout)

    return TakenAtOnce()
