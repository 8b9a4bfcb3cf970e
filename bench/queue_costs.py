"""Per-operation cost of Queue.put and Queue.get that never block, in one greenlet.

Usage: ``python bench/queue_costs.py`` under the interpreter of the gevent to
measure (the project venv for ours; the reference venv, e.g.
``~/.cache/gevent-bench/ref-venv/bin/python bench/queue_costs.py``, for gevent's
C build). Prints nanoseconds per put and per get, best of 3 repeats, for an
unbounded queue and for a bound that is never reached, with the cost of the
empty loop subtracted. A diagnostic for PROFILE.md, not a benchmark: the ratios
that count come from ``bench/run.py``.
"""

from __future__ import annotations

import timeit

from gevent.queue import Queue

N = 1_000_000


def _best(stmt: object) -> float:
    return min(timeit.repeat(stmt, number=1, repeat=3))  # type: ignore[arg-type]


def costs(maxsize: int | None) -> tuple[float, float]:
    base = _best(lambda: [None for _ in range(N)])

    def put_all() -> None:
        q = Queue(maxsize)
        put = q.put
        for i in range(N):
            put(i)

    def get_all() -> None:
        q = Queue(maxsize, range(N))
        get = q.get
        for _ in range(N):
            get()

    put_ns = (_best(put_all) - base) * 1e9 / N
    # Queue(maxsize, items) builds the buffer inside the timed call: subtract it.
    fill = _best(lambda: Queue(maxsize, range(N)))
    get_ns = (_best(get_all) - fill - base) * 1e9 / N
    return put_ns, get_ns


def main() -> None:
    import gevent

    print(f"gevent {gevent.__version__} from {gevent.__file__}")
    for label, maxsize in (("unbounded", None), ("maxsize=10**8", 10**8)):
        put_ns, get_ns = costs(maxsize)
        print(f"{label:14} put {put_ns:6.0f} ns   get {get_ns:6.0f} ns")


if __name__ == "__main__":
    main()
