"""gevent.signal_handler and signal watchers: delivery happens in the loop."""

from __future__ import annotations

import os
import signal

import pytest

import gevent
from gevent.hub import Hub
from gevent.testkit import wait_all_blocked

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX signals only")


def test_signal_handler_runs_in_a_new_greenlet_with_its_args(virtual_hub: Hub) -> None:
    calls: list[tuple[object, ...]] = []
    main = gevent.getcurrent()

    def handler(*args: object) -> None:
        calls.append((gevent.getcurrent() is not main, *args))

    sig = gevent.signal_handler(signal.SIGUSR1, handler, "a", 1)
    try:
        assert sig.ref is False
        os.kill(os.getpid(), signal.SIGUSR1)
        wait_all_blocked()  # the handler's greenlet runs; no real time passes
        assert calls == [(True, "a", 1)]
    finally:
        sig.cancel()
    assert signal.getsignal(signal.SIGUSR1) in (signal.SIG_DFL, None, signal.default_int_handler)


def test_signal_handler_needs_a_callable() -> None:
    with pytest.raises(TypeError):
        gevent.signal_handler(signal.SIGUSR1, 42)  # type: ignore[arg-type]


def test_signal_watcher_wakes_a_loop_blocked_in_poll() -> None:
    # Real time here: the signal comes from a real thread while the loop polls.
    loop = gevent.get_hub().loop
    got: list[int] = []
    watcher = loop.signal(signal.SIGUSR2)
    watcher.start(got.append, signal.SIGUSR2)
    try:
        # A real thread sends the signal while the loop sleeps in poll.
        import threading

        threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGUSR2)).start()
        with gevent.Timeout(10):
            while not got:
                gevent.sleep(0.01)
        assert got == [signal.SIGUSR2]
    finally:
        watcher.stop()
