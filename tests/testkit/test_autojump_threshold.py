"""``MockClock(autojump=True, autojump_threshold=t)``: jump only after ``t`` real seconds idle.

Without a threshold the clock jumps as soon as the loop would sleep, even while
real I/O is on its way (a reply from another thread or process), so a timeout
fires in virtual time before the reply can arrive. With one, the loop first
really polls for up to the threshold.
"""

from __future__ import annotations

import socket as stdsocket
import threading
import time

import pytest

import gevent
from gevent import socket
from gevent.testkit import MockClock, isolated_hub

# Generous on purpose: the reply comes after REPLY_AFTER real seconds, the
# threshold is many times that.
REPLY_AFTER = 0.02
THRESHOLD = 1.0


def _reply_from_a_thread(peer: stdsocket.socket) -> threading.Thread:
    def reply() -> None:
        time.sleep(REPLY_AFTER)
        peer.sendall(b"reply")

    t = threading.Thread(target=reply)
    t.start()
    return t


def _wait_for_reply(clock: MockClock) -> tuple[bytes | None, float]:
    native_a, native_b = stdsocket.socketpair()
    try:
        with isolated_hub(clock):
            a = socket.socket(fileno=native_a.detach())
            thread = _reply_from_a_thread(native_b)
            try:
                with gevent.Timeout(5, False):
                    return a.recv(10), clock.now()
                return None, clock.now()
            finally:
                thread.join()
                a.close()
    finally:
        native_b.close()


def test_without_a_threshold_the_clock_jumps_past_io_in_flight() -> None:
    got, virtual = _wait_for_reply(MockClock(autojump=True))
    assert got is None  # the 5 s timeout fired at once, in virtual time
    assert virtual == pytest.approx(5.0)


def test_with_a_threshold_io_in_flight_arrives_first() -> None:
    got, virtual = _wait_for_reply(MockClock(autojump=True, autojump_threshold=THRESHOLD))
    assert got == b"reply"
    assert virtual == 0.0  # no jump: the loop was never idle for the threshold


def test_with_a_threshold_timers_still_take_no_real_time() -> None:
    clock = MockClock(autojump=True, autojump_threshold=0.01)
    with isolated_hub(clock):
        started = time.perf_counter()
        gevent.sleep(60)
        real = time.perf_counter() - started
    assert clock.now() == pytest.approx(60.0)
    assert real < 30  # one idle threshold, not a minute


def test_a_timer_nearer_than_the_threshold_is_just_waited_for() -> None:
    clock = MockClock(autojump=True, autojump_threshold=THRESHOLD * 10)
    with isolated_hub(clock):
        started = time.perf_counter()
        gevent.sleep(0.01)
        real = time.perf_counter() - started
    assert clock.now() == pytest.approx(0.01)
    assert real < THRESHOLD * 5  # never slower than real time


def test_a_negative_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="real seconds"):
        MockClock(autojump=True, autojump_threshold=-1)
