"""Waiter records are found by identity: a link target's ``__eq__`` is never called."""

from __future__ import annotations

import threading
import time
from typing import Any

import gevent
from gevent.event import Event
from gevent.hub import Hub


class _Picky:
    """A link callback that refuses to be compared or hashed."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, calls: list[Any]) -> None:
        self.calls = calls

    def __call__(self, source: Any) -> None:
        self.calls.append(source)

    def __eq__(self, other: object) -> bool:
        raise TypeError("not comparable")


def test_unlink_skips_other_links_without_comparing(virtual_hub: Hub) -> None:
    event = Event()
    calls: list[Any] = []
    first, second = _Picky(calls), _Picky(calls)
    event.rawlink(first)
    event.rawlink(second)
    event.unlink(second)
    assert event.linkcount() == 1
    event.set()
    gevent.sleep(0)
    assert calls == [event]


def test_set_hands_over_a_waiter_of_another_thread_past_a_picky_link() -> None:
    event = Event()
    calls: list[Any] = []
    event.rawlink(_Picky(calls))
    woken = threading.Event()

    def wait_without_a_hub() -> None:
        if event.wait(10):
            woken.set()

    thread = threading.Thread(target=wait_without_a_hub, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while event.linkcount() < 2 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert event.linkcount() == 2
    event.set()
    gevent.sleep(0)
    thread.join(10)
    assert woken.is_set()
    assert calls == [event]
