"""Shared by the asyncio benchmarks: run one workload on both loops, interleaved.

These compare gevent.asyncio.EventLoop with the standard library's selector loop
in the same interpreter (issue 12's goal: within 1.5x of the stock loop). Under
an implementation without ``gevent.asyncio`` the script reports itself unavailable.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable
from typing import Any

from _benchlib import perf_counter


def compare(workload: Callable[[asyncio.AbstractEventLoop, int], None], n: int,
            gevent_loop: type, rounds: int = 3) -> dict[str, Any]:
    """Median seconds of ``workload(loop, n)`` on each loop, rounds alternating."""
    times: dict[str, list[float]] = {"gevent": [], "stock": []}
    factories = {"gevent": gevent_loop, "stock": asyncio.SelectorEventLoop}
    for _ in range(rounds):
        for name, factory in factories.items():
            loop = factory()
            try:
                t0 = perf_counter()
                workload(loop, n)
                times[name].append(perf_counter() - t0)
            finally:
                loop.close()
    ours = statistics.median(times["gevent"])
    stock = statistics.median(times["stock"])
    return {"time_s": ours, "stock_time_s": stock, "ratio_vs_stock": ours / stock}
