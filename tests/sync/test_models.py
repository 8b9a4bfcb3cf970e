"""Hypothesis state machines: queues and semaphores against simple models.

Each step runs from the main greenlet without blocking (nowait calls, or calls
that a model says cannot block), plus steps that park greenlets, so the
hand-over between parked callers and the buffer is exercised too.
"""

from __future__ import annotations

from collections import deque

from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import gevent
from gevent._hub_local import get_hub_if_exists, set_hub, set_loop
from gevent.lock import BoundedSemaphore, Semaphore
from gevent.queue import Empty, Full, Queue


def _fresh_hub() -> None:
    hub = get_hub_if_exists()
    if hub is not None:
        hub.destroy(destroy_loop=True)
    set_hub(None)
    set_loop(None)


class QueueMachine(RuleBasedStateMachine):
    """A bounded Queue with parked getters and putters versus a deque model."""

    def __init__(self) -> None:
        super().__init__()
        _fresh_hub()
        self.maxsize = 3
        self.q: Queue = Queue(self.maxsize)
        self.model: deque[int] = deque()
        self.parked_putters: deque[int] = deque()
        self.parked_getters = 0
        self.received: list[int] = []
        self.expected_received: list[int] = []
        self.counter = 0

    def teardown(self) -> None:
        _fresh_hub()

    def _settle(self) -> None:
        gevent.sleep(0)
        gevent.sleep(0)

    @rule()
    def put_nowait(self) -> None:
        self.counter += 1
        item = self.counter
        try:
            self.q.put_nowait(item)
        except Full:
            assert len(self.model) >= self.maxsize or self.parked_putters
            return
        assert not self.parked_putters
        if self.parked_getters:
            self.parked_getters -= 1
            self.expected_received.append(item)
        else:
            self.model.append(item)
        self._settle()

    @rule()
    def get_nowait(self) -> None:
        try:
            item = self.q.get_nowait()
        except Empty:
            assert not self.model
            return
        assert item == self.model.popleft()
        if self.parked_putters:
            self.model.append(self.parked_putters.popleft())
        self._settle()

    @precondition(lambda self: len(self.model) >= self.maxsize)
    @rule()
    def park_putter(self) -> None:
        self.counter += 1
        self.parked_putters.append(self.counter)
        gevent.spawn(self.q.put, self.counter)
        self._settle()

    @precondition(lambda self: not self.model)
    @rule()
    def park_getter(self) -> None:
        self.parked_getters += 1
        gevent.spawn(lambda: self.received.append(self.q.get()))
        self._settle()

    @invariant()
    def matches_model(self) -> None:
        assert list(self.q.queue) == list(self.model)
        assert len(self.q.putters) == len(self.parked_putters)
        assert len(self.q.getters) == self.parked_getters
        assert self.received == self.expected_received


class SemaphoreMachine(RuleBasedStateMachine):
    """A BoundedSemaphore with parked acquirers versus a counter model."""

    def __init__(self) -> None:
        super().__init__()
        _fresh_hub()
        self.initial = 2
        self.sem = BoundedSemaphore(self.initial)
        self.counter = self.initial
        self.parked = 0
        self.acquired_by_parked: list[int] = []
        self.expected_parked: list[int] = []
        self.next_id = 0

    def teardown(self) -> None:
        _fresh_hub()

    @rule()
    def try_acquire(self) -> None:
        got = self.sem.acquire(blocking=False)
        assert got == (self.counter > 0 and not self.parked)
        if got:
            self.counter -= 1

    @rule()
    def release(self) -> None:
        if self.counter >= self.initial:
            try:
                self.sem.release()
            except ValueError:
                return
            raise AssertionError("over-release accepted")
        self.sem.release()
        if self.parked:
            # The unit goes to the first parked acquirer.
            self.parked -= 1
            self.expected_parked.append(len(self.expected_parked))
        else:
            self.counter += 1
        gevent.sleep(0)

    @precondition(lambda self: self.counter == 0)
    @rule()
    def park(self) -> None:
        ident = self.next_id
        self.next_id += 1
        self.parked += 1

        def acquirer() -> None:
            self.sem.acquire()
            self.acquired_by_parked.append(ident)

        gevent.spawn(acquirer)
        gevent.sleep(0)

    @invariant()
    def matches_model(self) -> None:
        assert self.sem.counter == self.counter
        assert self.sem.linkcount() == self.parked
        assert self.acquired_by_parked == self.expected_parked


QueueMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
SemaphoreMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30,
                                              deadline=None)
TestQueueMachine = QueueMachine.TestCase
TestSemaphoreMachine = SemaphoreMachine.TestCase


def test_semaphore_model_smoke() -> None:
    sem = Semaphore(0)
    assert sem.release() == 1
