"""N greenlets each sleeping a random 0-10 ms (fixed seed); wall time and lateness.

Lateness is how long after its due time each greenlet woke up. Metrics:
``time_s`` (spawn to last join), ``late_p50_ms``, ``late_p99_ms``,
``late_max_ms``.
"""

from __future__ import annotations

import random

from _benchlib import emit, percentile, perf_counter, size

import gevent

BENCH = "sleep_random"


def main() -> None:
    n = size(100_000)
    rng = random.Random(20260911)
    delays = [rng.uniform(0.0, 0.010) for _ in range(n)]
    lateness = [0.0] * n

    def sleeper(i: int, delay: float) -> None:
        due = perf_counter() + delay
        gevent.sleep(delay)
        lateness[i] = perf_counter() - due

    gevent.sleep(0)
    t0 = perf_counter()
    greenlets = [gevent.spawn(sleeper, i, d) for i, d in enumerate(delays)]
    gevent.joinall(greenlets)
    elapsed = perf_counter() - t0
    assert all(g.successful() for g in greenlets)
    lateness.sort()
    emit(
        BENCH,
        n,
        time_s=elapsed,
        late_p50_ms=percentile(lateness, 50) * 1e3,
        late_p99_ms=percentile(lateness, 99) * 1e3,
        late_max_ms=lateness[-1] * 1e3,
    )


if __name__ == "__main__":
    main()
