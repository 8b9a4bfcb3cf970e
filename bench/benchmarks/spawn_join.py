"""Spawn N greenlets, then join them all; time and memory per greenlet.

Metrics: ``time_s`` (spawn + joinall), ``spawn_s``, ``join_s``, ``us_per_greenlet``,
``rss_per_greenlet`` (resident-size growth while the N greenlets exist but have
not run, measured in the timed pass) and ``traced_per_greenlet`` (Python heap
bytes per spawned greenlet, tracemalloc, in a second untimed pass).
"""

from __future__ import annotations

import gc
import tracemalloc

from _benchlib import emit, perf_counter, rss_bytes, size

import gevent

BENCH = "spawn_join"


def work() -> None:
    pass


def main() -> None:
    n = size(100_000)
    gevent.sleep(0)  # the hub and its loop exist before the clock starts

    gc.collect()
    rss0 = rss_bytes()
    t0 = perf_counter()
    greenlets = [gevent.spawn(work) for _ in range(n)]
    t1 = perf_counter()
    rss1 = rss_bytes()
    gevent.joinall(greenlets)
    t2 = perf_counter()
    assert all(g.successful() for g in greenlets)
    del greenlets
    gc.collect()

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    greenlets = [gevent.spawn(work) for _ in range(n)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    gevent.joinall(greenlets)

    emit(
        BENCH,
        n,
        time_s=t2 - t0,
        spawn_s=t1 - t0,
        join_s=t2 - t1,
        us_per_greenlet=(t2 - t0) / n * 1e6,
        rss_per_greenlet=(rss1 - rss0) / n,
        traced_per_greenlet=(after - before) / n,
    )


if __name__ == "__main__":
    main()
