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

TESTS = Path(__file__).resolve().parent


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


def wait_all_blocked(max_iterations: int = 10_000) -> None:
    """Run the event loop until every other greenlet of this thread's hub is blocked.

    Returns as soon as an iteration of the hub's loop finds nothing to run: no
    callback queued (a greenlet that was just spawned, woken, or that yielded
    with ``sleep(0)`` is waiting in one), no I/O ready and no timer due. Every
    other greenlet of the hub has then finished or is parked in a blocking call
    such as ``Event.wait()``, ``socket.recv()`` or ``sleep(seconds)``.

    Time does not move on: a timer that is not due yet stays pending, so a
    greenlet sleeping for a while is left asleep, and a virtual clock does not
    jump. This is what to call instead of ``gevent.sleep(0.01)`` when a test only
    needs another greenlet to get as far as it can: it takes no real time and
    cannot return early. It waits for this hub only; native threads, and
    greenlets of other threads' hubs, keep running on their own.

    Call it from any greenlet except the hub. It raises ``RuntimeError`` if the
    loop still has work after ``max_iterations`` iterations, as it will while a
    greenlet never blocks (``while True: gevent.sleep(0)``).
    """
    hub = gevent.get_hub()
    if gevent.getcurrent() is hub:
        raise RuntimeError("wait_all_blocked() cannot be called from the hub")
    loop = hub.loop
    for _ in range(max_iterations):
        # The loop fires idle watchers in an iteration in which no other watcher
        # fired (no I/O, no timer, nothing fed). It may still hold callbacks then,
        # since it runs them in time slices: go round until none is left.
        gevent.idle()
        if not loop._callbacks:
            return
    raise RuntimeError(f"greenlets of {hub!r} were still runnable after "
                       f"{max_iterations} loop iterations")


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
