"""Randomised multi-thread stress of gevent.queue.Queue (run by hand, not by pytest).

    python tests/sync/stress_queue_threads.py [SECONDS]

Three producer and three consumer threads, half of them running greenlets in
their own hub and half plain threads without one, share one queue (unbounded,
maxsize 1, 5 and 100 in turn, and maxsize 5 with a thread that keeps changing
the bound, so bounded queues go through their room tokens and off them).
They mix blocking calls, timeouts and ``get_nowait``, under a 1 us switch
interval. Every item must arrive exactly once and ``join()`` must return once
every ``task_done()`` is in. A rougher version of it found the unlocked put
that made its item visible before counting its task (now pinned down
deterministically in test_threads.py). Races are
found by chance: run it for minutes, on every interpreter, after changing the
queue's unlocked paths.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import gevent
from gevent._hub_local import get_hub_if_exists
from gevent.queue import Empty, Full, Queue

PRODUCERS, CONSUMERS, ITEMS = 3, 3, 2000


def _in_own_hub(body: Callable[[], None]) -> None:
    # A sleeping greenlet keeps this thread's hub from raising LoopExit while
    # its greenlet waits on the other threads.
    keeper = gevent.spawn(gevent.sleep, 60)
    try:
        gevent.spawn(body).get()
    finally:
        keeper.kill()
        hub = get_hub_if_exists()
        if hub is not None:
            hub.destroy(destroy_loop=True)


def one_round(maxsize: int | None, seed: int, resize: bool = False) -> None:
    rnd = random.Random(seed)
    q: Queue = Queue(maxsize)
    resizing = threading.Event()

    def resizer() -> None:
        sizes = (5, 1, 8, 3, 100, 2)
        n = 0
        while not resizing.is_set():
            q.maxsize = sizes[n % len(sizes)]
            n += 1
            time.sleep(0.0005)
    got: list[Any] = []
    got_lock = threading.Lock()

    def producer(pid: int) -> None:
        for i in range(ITEMS):
            while True:
                try:
                    q.put((pid, i), timeout=0.05 if rnd.random() < 0.5 else None)
                    break
                except Full:
                    continue

    def consumer() -> None:
        while True:
            r = rnd.random()
            try:
                if r < 0.3:
                    item = q.get(timeout=0.01)
                elif r < 0.4:
                    item = q.get_nowait()
                else:
                    item = q.get(timeout=5)
            except Empty:
                continue
            if item is not None:
                with got_lock:
                    got.append(item)
            q.task_done()
            if item is None:
                return

    def thread(body: Callable[[], None], green: bool) -> threading.Thread:
        t = threading.Thread(target=(lambda: _in_own_hub(body)) if green else body)
        t.start()
        return t

    consumers = [thread(consumer, c % 2 == 0) for c in range(CONSUMERS)]
    producers = [thread(lambda pid=pid: producer(pid), pid % 2 == 1)  # type: ignore[misc]
                 for pid in range(PRODUCERS)]
    if resize:
        r = threading.Thread(target=resizer)
        r.start()
    for t in producers:
        t.join(60)
        assert not t.is_alive(), "a producer is stuck"
    if resize:
        resizing.set()
        r.join(60)
    keeper = gevent.spawn(gevent.sleep, 60)
    for _ in range(CONSUMERS):
        q.put(None)
    assert q.join(timeout=30), ("join timed out", q.unfinished_tasks, q.qsize())
    keeper.kill()
    for t in consumers:
        t.join(60)
        assert not t.is_alive(), "a consumer is stuck"
    assert sorted(got) == [(p, i) for p in range(PRODUCERS) for i in range(ITEMS)]
    assert q.unfinished_tasks == 0 and q.qsize() == 0


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    sys.setswitchinterval(1e-6)
    start = time.monotonic()
    rounds = 0
    while time.monotonic() - start < seconds:
        for maxsize in (None, 1, 5, 100):
            one_round(maxsize, rounds)
            rounds += 1
        one_round(5, rounds, resize=True)
        rounds += 1
    print(f"ok: {rounds} rounds in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
