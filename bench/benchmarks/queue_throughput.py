"""One producer, one consumer, N items through one ``gevent.queue.Queue``.

Usage: ``queue_throughput.py N [MAXSIZE]``; MAXSIZE 0 (the default) is an
unbounded queue, where the producer never blocks; with a bound the two take
turns every MAXSIZE items. Metrics: ``time_s``, ``items_per_s``.
"""

from __future__ import annotations

import sys

from _benchlib import emit, perf_counter, size, unavailable

import gevent

_DONE = object()


def main() -> None:
    n = size(1_000_000)
    maxsize = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    bench = "queue_throughput_unbounded" if maxsize <= 0 else f"queue_throughput_max{maxsize}"
    try:
        from gevent.queue import Queue
    except ImportError as exc:
        unavailable(bench, n, exc)

    q = Queue(maxsize) if maxsize > 0 else Queue()
    received = [0]

    def producer() -> None:
        put = q.put
        for i in range(n):
            put(i)
        put(_DONE)

    def consumer() -> None:
        get = q.get
        count = 0
        while get() is not _DONE:
            count += 1
        received[0] = count

    gevent.sleep(0)
    t0 = perf_counter()
    c = gevent.spawn(consumer)
    p = gevent.spawn(producer)
    gevent.joinall([p, c])
    elapsed = perf_counter() - t0
    assert p.successful() and c.successful() and received[0] == n
    emit(bench, n, maxsize=maxsize, time_s=elapsed, items_per_s=n / elapsed)


if __name__ == "__main__":
    main()
