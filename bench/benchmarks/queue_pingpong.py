"""Two greenlets passing a value back and forth through two ``gevent.queue.Queue``.

Every get() finds its queue empty and blocks, so each round trip is two
blocking hand-offs. Metrics: ``time_s``, ``us_per_roundtrip``.
"""

from __future__ import annotations

from _benchlib import emit, perf_counter, size, unavailable

import gevent

BENCH = "queue_pingpong"


def main() -> None:
    n = size(100_000)
    try:
        from gevent.queue import Queue
    except ImportError as exc:
        unavailable(BENCH, n, exc)

    there = Queue()
    back = Queue()

    def echo() -> None:
        get = there.get
        put = back.put
        for _ in range(n):
            put(get())

    def client() -> None:
        get = back.get
        put = there.put
        for i in range(n):
            put(i)
            if get() != i:
                raise AssertionError("out of order")

    gevent.sleep(0)
    t0 = perf_counter()
    e = gevent.spawn(echo)
    c = gevent.spawn(client)
    gevent.joinall([e, c])
    elapsed = perf_counter() - t0
    assert e.successful() and c.successful()
    emit(BENCH, n, time_s=elapsed, us_per_roundtrip=elapsed / n * 1e6)


if __name__ == "__main__":
    main()
