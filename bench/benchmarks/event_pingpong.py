"""Two greenlets bouncing a turn back and forth through two ``gevent.event.Event``.

Metrics: ``time_s``, ``us_per_roundtrip`` (one set/wait each way).
"""

from __future__ import annotations

from _benchlib import emit, perf_counter, size, unavailable

import gevent

BENCH = "event_pingpong"


def main() -> None:
    n = size(100_000)
    try:
        from gevent.event import Event
    except ImportError as exc:
        unavailable(BENCH, n, exc)

    ping = Event()
    pong = Event()

    def server() -> None:
        for _ in range(n):
            ping.wait()
            ping.clear()
            pong.set()

    def client() -> None:
        for _ in range(n):
            ping.set()
            pong.wait()
            pong.clear()

    gevent.sleep(0)
    t0 = perf_counter()
    s = gevent.spawn(server)
    c = gevent.spawn(client)
    gevent.joinall([s, c])
    elapsed = perf_counter() - t0
    assert s.successful() and c.successful()
    emit(BENCH, n, time_s=elapsed, us_per_roundtrip=elapsed / n * 1e6)


if __name__ == "__main__":
    main()
