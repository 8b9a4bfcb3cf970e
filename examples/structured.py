"""Structured concurrency: fetch from several mirrors, keep the first answer, bound it all.

    python examples/structured.py                      # about two seconds
    python -m gevent.testkit examples/structured.py    # the same output, in no real time
"""

from __future__ import annotations

import gevent
from gevent import TaskGroup, fail_after, move_on_after

DELAYS = {"mirror-a": 3.0, "mirror-b": 1.0, "mirror-c": 2.0}


def fetch(name: str) -> str:
    gevent.sleep(DELAYS[name])  # stands in for a network round trip
    return f"payload from {name}"


def first_answer() -> str:
    answers: list[str] = []

    def attempt(name: str, tg: TaskGroup) -> None:
        answers.append(fetch(name))
        tg.cancel()  # the first answer is enough: cancel the other attempts

    with TaskGroup() as tg:
        for name in DELAYS:
            tg.spawn(attempt, name, tg)
    # No attempt outlives the block: the slower ones were cancelled.
    return answers[0]


print(first_answer())

with move_on_after(0.5) as scope:
    print(first_answer())
print("gave up after half a second:", scope.cancelled_caught)

try:
    with fail_after(0.5):
        first_answer()
except TimeoutError:
    print("TimeoutError")
