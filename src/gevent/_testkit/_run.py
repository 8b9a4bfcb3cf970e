"""Run a function, or a whole script, on a hub whose clock jumps instead of sleeping."""

from __future__ import annotations

import argparse
import runpy
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from .._core import MockClock
from ._hub import isolated_hub

__all__ = ["main", "run_virtual"]


def run_virtual(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function(*args, **kwargs)`` on a fresh hub with an autojump ``MockClock``.

    Sleeps, timeouts and deadlines inside take no real time; the hub is
    destroyed afterwards. Returns what the function returns.
    """
    with isolated_hub(MockClock(autojump=True)):
        return function(*args, **kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gevent.testkit script.py [args]``: run a script in virtual time."""
    parser = argparse.ArgumentParser(
        prog="python -m gevent.testkit",
        description="Run a Python script on a gevent hub whose clock jumps to the next "
                    "timer instead of sleeping, so sleeps and timeouts take no real time.")
    parser.add_argument("--times", action="store_true",
                        help="print the virtual and the real time taken, to stderr, at exit")
    parser.add_argument("--autojump-threshold", type=float, default=0.0, metavar="SECONDS",
                        help="jump only after the loop has been idle this many real seconds "
                             "(for scripts with real I/O in flight; default 0: at once)")
    parser.add_argument("script", help="the script to run, as python would run it")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    ns = parser.parse_args(argv)
    if ns.autojump_threshold < 0:
        parser.error("--autojump-threshold is in real seconds, at least 0")
    clock = MockClock(autojump=True, autojump_threshold=ns.autojump_threshold)
    sys.argv = [ns.script, *ns.args]
    started = time.perf_counter()
    try:
        with isolated_hub(clock):
            runpy.run_path(ns.script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        if ns.times:
            print(f"virtual time {clock.now():.6f} s, real time "
                  f"{time.perf_counter() - started:.6f} s", file=sys.stderr)
    return 0
