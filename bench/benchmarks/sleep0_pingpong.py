"""Two greenlets taking turns with ``gevent.sleep(0)``, N turns each.

Each ``sleep(0)`` yields to the hub, which runs the other greenlet's wake-up
callback: this is the cost of one cooperative switch through the loop.
Metrics: ``time_s``, ``us_per_switch`` (per sleep(0) call, 2N calls in all).
"""

from __future__ import annotations

from _benchlib import emit, perf_counter, size

import gevent

BENCH = "sleep0_pingpong"


def player(turns: int) -> None:
    sleep = gevent.sleep
    for _ in range(turns):
        sleep(0)


def main() -> None:
    n = size(200_000)
    gevent.sleep(0)
    t0 = perf_counter()
    a = gevent.spawn(player, n)
    b = gevent.spawn(player, n)
    gevent.joinall([a, b])
    elapsed = perf_counter() - t0
    assert a.successful() and b.successful()
    emit(BENCH, n, time_s=elapsed, us_per_switch=elapsed / (2 * n) * 1e6)


if __name__ == "__main__":
    main()
