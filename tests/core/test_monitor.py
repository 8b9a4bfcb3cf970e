"""The periodic monitoring thread: switch tracing, blocking reports, memory events."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import greenlet
import pytest
from helpers import wait_all_blocked

import gevent
from gevent import _monitor, events
from gevent._config import config
from gevent.threadpool import ThreadPool


class FakeHub:
    """Just enough hub for the monitor, with no thread actually started."""

    def __init__(self) -> None:
        self.thread_ident = -1
        self.exception_stream = io.StringIO()
        self.dead = False

    def __bool__(self) -> bool:
        return not self.dead

    def handle_error(self, *args: Any) -> None:
        raise  # re-raises what the monitor caught


@pytest.fixture
def no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_monitor, "start_new_thread", lambda func, args: 1234)
    monkeypatch.setattr(_monitor, "thread_sleep", lambda seconds: None)


@pytest.fixture
def pmt(no_threads: None) -> Iterator[_monitor.PeriodicMonitoringThread]:
    hub = FakeHub()
    monitor = _monitor.PeriodicMonitoringThread(hub)
    monitor._test_hub = hub  # type: ignore[attr-defined]  # keep it alive
    yield monitor
    monitor.kill()
    greenlet.settrace(None)


@pytest.fixture
def monitor_config() -> Iterator[None]:
    saved = config.monitor_thread
    config.monitor_thread = True
    yield
    config.monitor_thread = saved


def test_constructor_installs_the_tracer(pmt: _monitor.PeriodicMonitoringThread) -> None:
    assert pmt.monitor_thread_ident == 1234
    assert greenlet.gettrace() is pmt._greenlet_tracer
    assert pmt.should_run


def test_kill_restores_the_previous_trace(no_threads: None) -> None:
    calls: list[Any] = []

    def previous(event: str, args: Any) -> None:
        calls.append(event)

    old = greenlet.settrace(previous)
    try:
        monitor = _monitor.PeriodicMonitoringThread(FakeHub())
        tracer = monitor._greenlet_tracer
        assert tracer.previous_trace_function is previous
        tracer("switch", (None, None))
        assert calls == ["switch"]  # chained
        monitor.kill()
        assert greenlet.gettrace() is previous
        assert not monitor.should_run
    finally:
        greenlet.settrace(old)


def test_monitor_stops_when_the_hub_goes_away(no_threads: None) -> None:
    hub = FakeHub()
    monitor = _monitor.PeriodicMonitoringThread(hub)
    del hub
    assert monitor.hub is None
    assert not monitor.should_run
    assert greenlet.gettrace() is None


def test_add_and_remove_monitoring_functions(pmt: _monitor.PeriodicMonitoringThread) -> None:
    base = len(pmt.monitoring_functions())

    def f(hub: Any) -> None:
        return None

    with pytest.raises(ValueError):
        pmt.add_monitoring_function(None, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        pmt.add_monitoring_function(f, -1)
    pmt.add_monitoring_function(f, 0.05)
    assert pmt.monitoring_functions()[-1].function is f
    assert pmt.calculate_sleep_time() == 0.05
    pmt.add_monitoring_function(f, 2)
    assert len(pmt.monitoring_functions()) == base + 1
    assert pmt.monitoring_functions()[-1].period == 2
    pmt.add_monitoring_function(f, None)
    assert len(pmt.monitoring_functions()) == base


def test_the_thread_body_calls_functions_until_killed(
        pmt: _monitor.PeriodicMonitoringThread) -> None:
    seen: list[Any] = []

    def f(hub: Any) -> None:
        seen.append(hub)
        if len(seen) == 3:
            pmt.kill()

    pmt.add_monitoring_function(f, 0.000001)
    pmt()
    assert len(seen) == 3
    assert seen[0] is pmt.hub


def test_the_thread_body_stops_when_the_hub_dies(pmt: _monitor.PeriodicMonitoringThread) -> None:
    def f(hub: Any) -> None:
        hub.dead = True

    pmt.add_monitoring_function(f, 0.000001)
    pmt()
    assert not pmt.should_run


def test_monitor_blocking_decisions(pmt: _monitor.PeriodicMonitoringThread) -> None:
    seen: list[Any] = []
    events.subscribers.append(seen.append)
    try:
        hub = pmt.hub
        tracer = pmt._greenlet_tracer
        assert not pmt.monitor_blocking(hub)  # nobody known to run
        target = object()
        tracer("switch", (object(), target))
        assert not pmt.monitor_blocking(hub)  # it switched
        assert pmt.monitor_blocking(hub)      # then it did not
        assert isinstance(seen[-1], events.EventLoopBlocked)
        assert seen[-1].greenlet is target
        assert "appears to be blocked" in hub.exception_stream.getvalue()
        pmt.ignore_current_greenlet_blocking()
        assert not pmt.monitor_blocking(hub)
        pmt.monitor_current_greenlet_blocking()
        assert pmt.monitor_blocking(hub)
        tracer("switch", (target, hub))
        assert not pmt.monitor_blocking(hub)
        assert not pmt.monitor_blocking(hub)  # the hub itself waiting is fine
    finally:
        events.subscribers.remove(seen.append)


class FakeProcess:
    def __init__(self) -> None:
        self.rss = 0

    def memory_full_info(self) -> FakeProcess:
        return self


def test_memory_events(pmt: _monitor.PeriodicMonitoringThread,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    proc = FakeProcess()
    monkeypatch.setattr(pmt, "_get_process", lambda: proc)
    saved = config.max_memory_usage
    try:
        config.max_memory_usage = None
        assert pmt.monitor_memory_usage(None) == -1
        config.max_memory_usage = 10
        _check_memory_events(pmt, proc)
    finally:
        config.max_memory_usage = saved


def _check_memory_events(pmt: _monitor.PeriodicMonitoringThread, proc: FakeProcess) -> None:
    proc.rss = 5
    assert pmt.monitor_memory_usage(None) is None
    proc.rss = 20
    assert isinstance(pmt.monitor_memory_usage(None), events.MemoryUsageThresholdExceeded)
    assert pmt.monitor_memory_usage(None) is None
    proc.rss = 30
    assert pmt.monitor_memory_usage(None).mem_usage == 30
    proc.rss = 1
    under = pmt.monitor_memory_usage(None)
    assert isinstance(under, events.MemoryUsageUnderThreshold)
    assert under.max_memory_usage == 30
    assert pmt.can_monitor_memory_usage()
    pmt.install_monitor_memory_usage()
    assert pmt.monitoring_functions()[-1].function == pmt.monitor_memory_usage


def test_install_memory_monitor_warns_without_psutil(
        pmt: _monitor.PeriodicMonitoringThread, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pmt, "_get_process", lambda: None)
    with pytest.warns(_monitor.MonitorWarning):
        pmt.install_monitor_memory_usage()


# ------------------------------------------------------- with real threads

pytestmark_real = pytest.mark.filterwarnings("ignore::gevent._monitor.MonitorWarning")


@pytestmark_real
@pytest.mark.slow
def test_blocking_the_main_thread_is_reported(monitor_config: None) -> None:
    hub = gevent.get_hub()
    stream = hub.exception_stream = io.StringIO()
    wait_all_blocked()  # the hub runs, and starts its monitor
    monitor = hub.periodic_monitoring_thread
    assert monitor is not None
    assert greenlet.gettrace() is monitor._greenlet_tracer
    try:
        time.sleep(0.5)  # five times max_blocking_time
    finally:
        monitor.kill()
    assert greenlet.gettrace() is None
    data = stream.getvalue()
    assert "appears to be blocked" in data
    assert "PeriodicMonitoringThread" in data


@pytestmark_real
@pytest.mark.slow
def test_an_idle_or_busy_worker_thread_is_not_reported(monitor_config: None) -> None:
    pool = ThreadPool(1)
    stream = io.StringIO()
    calls: list[Any] = []

    def prepare() -> Any:
        hub = gevent.get_hub()
        hub.exception_stream = stream
        wait_all_blocked()  # the worker's hub runs, and starts its monitor
        monitor = hub.periodic_monitoring_thread
        monitor.add_monitoring_function(calls.append, 0.01)
        return monitor

    try:
        monitor = pool.apply(prepare)
        time.sleep(0.3)           # the worker sits idle
        pool.apply(time.sleep, (0.3,))  # then runs one blocking task
        monitor.kill()
        assert calls
        assert stream.getvalue() == ""
    finally:
        pool.kill()


@pytestmark_real
@pytest.mark.slow
def test_a_worker_switching_greenlets_is_monitored(monitor_config: None) -> None:
    pool = ThreadPool(1)
    stream = io.StringIO()

    def task() -> None:
        gevent.get_hub().exception_stream = stream
        wait_all_blocked()  # the worker's hub runs, and starts its monitor
        g = gevent.spawn(time.sleep, 0.5)
        g.join()

    try:
        pool.apply(task)
        assert "appears to be blocked" in stream.getvalue()
    finally:
        pool.kill()
