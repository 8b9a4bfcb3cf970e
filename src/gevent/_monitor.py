"""The periodic monitoring thread: notices a hub whose thread stopped switching.

Theory of operation
-------------------
A hub's thread is healthy as long as it keeps switching greenlets: every
blocking call ends in a switch to the hub, and the hub switches back out when
something is ready. A greenlet that computes (or calls a native blocking
function) without switching starves every other greenlet of that thread.

``PeriodicMonitoringThread(hub)`` installs a ``greenlet.settrace`` hook in the
hub's thread (``GreenletTracer``). The hook counts switches and remembers which
greenlet was switched to last. A native daemon thread (started with the
*original* ``_thread.start_new_thread``, so monkey patching never makes it
green) wakes up every so often and runs the monitoring functions whose period
has elapsed. The built-in one, ``monitor_blocking``, looks at the counter: no
switch since the previous look, while some greenlet other than the hub was
running, means that greenlet has blocked the loop for at least
``config.max_blocking_time``. The report goes to ``hub.exception_stream`` and
to the ``EventLoopBlocked`` event subscribers.

Threadpool workers run blocking tasks on purpose. They call
``ignore_current_greenlet_blocking()`` before they wait for a task, so a worker
that sits idle, or runs one blocking task without ever switching, is never
reported. A task that spawns greenlets and switches among them is monitored
like any other thread.

The memory monitor (``install_monitor_memory_usage``) needs psutil; it emits
``MemoryUsageThresholdExceeded`` when the resident size passes
``config.max_memory_usage`` (again each time it grows further) and
``MemoryUsageUnderThreshold`` when it falls back.
"""

from __future__ import annotations

import os
import sys
import traceback
import weakref
from collections.abc import Callable
from time import perf_counter
from typing import Any

from greenlet import getcurrent, gettrace, settrace

from . import _compat
from ._config import config as GEVENT_CONFIG
from ._patch import get_original
from ._util import gmctime
from .events import (
    EventLoopBlocked,
    MemoryUsageThresholdExceeded,
    MemoryUsageUnderThreshold,
    notify,
)

__all__ = ["MonitorWarning", "PeriodicMonitoringThread"]

# Captured once, unpatched: the monitor must stay a real thread that really sleeps.
# The tests replace these module globals, so they are looked up at call time.
start_new_thread: Callable[..., int] = get_original("_thread", "start_new_thread")
thread_sleep: Callable[[float], None] = get_original("time", "sleep")
get_thread_ident: Callable[[], int] = get_original("_thread", "get_ident")


class MonitorWarning(RuntimeWarning):
    """A monitoring feature that was asked for cannot work here."""


class GreenletTracer:
    """The ``greenlet.settrace`` hook: counts switches, remembers the running greenlet.

    It chains to whatever trace function was installed before it. ``kill()``
    puts that one back; when called from another thread (greenlet traces are
    per thread) the hook removes itself the next time it runs in its own thread.
    """

    def __init__(self) -> None:
        self.active_greenlet: Any = None
        self.greenlet_switch_counter = 0
        self._killed = False
        self.previous_trace_function: Any = settrace(self)

    def __call__(self, event: str, args: Any) -> None:
        self.greenlet_switch_counter += 1
        if event in ("switch", "throw"):
            self.active_greenlet = args[1]
        else:
            # An event we do not understand: we no longer know who runs.
            self.active_greenlet = None
        if self._killed:
            self._uninstall()
        previous = self.previous_trace_function
        if previous is not None:
            previous(event, args)

    def _uninstall(self) -> None:
        if gettrace() is self:
            settrace(self.previous_trace_function)

    def kill(self) -> None:
        self._killed = True
        self.active_greenlet = None
        self._uninstall()

    def ignore_current_greenlet_blocking(self) -> None:
        self.active_greenlet = None

    def monitor_current_greenlet_blocking(self) -> None:
        self.active_greenlet = getcurrent()

    def did_block_hub(self, hub: Any) -> tuple[bool, Any]:
        """Whether any switch happened since the last call, and who runs now."""
        did_switch = self.greenlet_switch_counter != 0
        self.greenlet_switch_counter = 0
        return did_switch, self.active_greenlet


class _MonitorEntry:
    """One monitoring function and how often it runs; ``period`` may be changed."""

    __slots__ = ("function", "last_run_time", "period")

    def __init__(self, function: Callable[[Any], Any], period: float) -> None:
        self.function = function
        self.period = period
        self.last_run_time = 0.0

    def __repr__(self) -> str:
        return repr((self.function, self.period, self.last_run_time))


class PeriodicMonitoringThread:
    """A native daemon thread that runs monitoring functions for one hub.

    Each function is called with the hub every ``period`` seconds. The thread
    ends when ``kill()`` is called, or when the hub is garbage collected or
    turns false (destroyed).
    """

    #: How long to sleep when no monitoring function has a usable period.
    inactive_sleep_time = 2.0

    def __init__(self, hub: Any) -> None:
        self._hub_wref = weakref.ref(hub, self._on_hub_gc)
        self.should_run = True
        self.pid = os.getpid()
        self._memory_peak = 0
        self._greenlet_tracer = GreenletTracer()
        self._monitoring_functions: list[_MonitorEntry] = [
            _MonitorEntry(self.monitor_blocking, GEVENT_CONFIG.max_blocking_time)]
        self._calculated_sleep_time = 0.0
        self._compute_sleep_time()
        self.monitor_thread_ident = start_new_thread(self, ())

    @property
    def hub(self) -> Any:
        return self._hub_wref()

    def __repr__(self) -> str:
        ident = getattr(self, "monitor_thread_ident", 0)
        return f"<{type(self).__name__} at {id(self):#x} in thread {ident:#x} for {self.hub!r}>"

    # ------------------------------------------------------ life cycle

    def _on_hub_gc(self, _ref: Any) -> None:
        self.kill()

    def kill(self) -> None:
        """Stop monitoring: the thread exits at its next wake-up; the trace hook goes."""
        self.should_run = False
        self._greenlet_tracer.kill()

    def _on_fork(self) -> None:
        # Threads do not survive fork: the child needs a new one.
        if self.pid != os.getpid() and self.should_run:
            self.pid = os.getpid()
            self.monitor_thread_ident = start_new_thread(self, ())

    # ---------------------------------------------------- the functions

    def monitoring_functions(self) -> list[_MonitorEntry]:
        """The registered entries (``function``, ``period``); a copy of the list."""
        functions = list(self._monitoring_functions)
        self._compute_sleep_time(functions)
        return functions

    def add_monitoring_function(self, function: Callable[[Any], Any],
                                period: float | None) -> None:
        """Call ``function(hub)`` every ``period`` seconds; a period of None removes it."""
        if not callable(function):
            raise ValueError(f"monitoring function must be callable, not {function!r}")
        functions = list(self._monitoring_functions)
        existing = [e for e in functions if e.function == function]
        if period is None:
            functions = [e for e in functions if e.function != function]
        elif period <= 0:
            raise ValueError(f"monitoring period must be positive, not {period!r}")
        elif existing:
            existing[0].period = period
        else:
            functions.append(_MonitorEntry(function, period))
        self._monitoring_functions = functions
        self._compute_sleep_time(functions)

    def _compute_sleep_time(self, functions: list[_MonitorEntry] | None = None) -> None:
        if functions is None:
            functions = self._monitoring_functions
        periods = [e.period for e in functions if e.period is not None]
        self._calculated_sleep_time = min(periods) if periods else 0.0

    def calculate_sleep_time(self) -> float:
        """How long the thread sleeps between two looks: the shortest period."""
        return self._calculated_sleep_time or self.inactive_sleep_time

    # ------------------------------------------------------- the thread

    def __call__(self) -> None:
        # The body of the monitoring thread.
        while self.should_run:
            functions = self.monitoring_functions()
            sleep_time = self.calculate_sleep_time()
            thread_sleep(sleep_time if sleep_time > 0 else self.inactive_sleep_time)
            if not self.should_run:
                break
            if not self._run_due(functions):
                break

    def _run_due(self, functions: list[_MonitorEntry]) -> bool:
        # False when the thread should stop. The hub is held only for the
        # length of this call, so a collected hub is noticed at the next one.
        hub = self.hub
        if not hub:
            self.kill()
            return False
        now = perf_counter()
        for entry in functions:
            period = entry.period
            if period is None or period <= 0:
                continue
            if entry.last_run_time and now - entry.last_run_time < period:
                continue
            entry.last_run_time = now
            try:
                entry.function(hub)
            except SystemExit:
                return False
            except BaseException:
                hub.handle_error(entry.function, *sys.exc_info())
            if not self.should_run:
                return False
        return True

    # ----------------------------------------------------- blocking

    def ignore_current_greenlet_blocking(self) -> None:
        """Do not report the greenlet running now until the next switch."""
        self._greenlet_tracer.ignore_current_greenlet_blocking()

    def monitor_current_greenlet_blocking(self) -> None:
        """Watch the greenlet running now again (undoes the ignore)."""
        self._greenlet_tracer.monitor_current_greenlet_blocking()

    def monitor_blocking(self, hub: Any) -> bool:
        """Report (and return True) if ``hub``'s thread has not switched since last time."""
        did_switch, active = self._greenlet_tracer.did_block_hub(hub)
        if did_switch or active is None or active is hub:
            # It switched, or nobody we know of is running, or the hub itself
            # is sitting in its poll: nothing is blocked.
            return False
        lines = self._blocking_report(hub, active)
        stream = getattr(hub, "exception_stream", None)
        if GEVENT_CONFIG.print_blocking_reports and stream:
            try:
                stream.write("\n".join(lines) + "\n")
            except Exception:
                pass
        notify(EventLoopBlocked(active, GEVENT_CONFIG.max_blocking_time, lines, hub=hub))
        return True

    def _blocking_report(self, hub: Any, active: Any) -> list[str]:
        from .util import format_run_info

        thread_ident = getattr(hub, "thread_ident", None)
        lines = ["=" * 80, "",
                 f"{gmctime()} : Greenlet {active!r} appears to be blocked",
                 f"    Reported by {self!r}"]
        frame = sys._current_frames().get(thread_ident) if thread_ident is not None else None
        if frame is not None:
            lines.append(f"Blocked Stack (for thread id {thread_ident:#x}):")
            lines.append("".join(traceback.format_stack(frame)))
            del frame
        lines.append("Info:")
        lines.extend(format_run_info(thread_stacks=True, greenlet_stacks=True,
                                     current_thread_ident=get_thread_ident()))
        return lines

    # ------------------------------------------------------- memory

    def _get_process(self) -> Any:
        return _compat.get_this_psutil_process()

    def can_monitor_memory_usage(self) -> bool:
        return self._get_process() is not None

    def install_monitor_memory_usage(self) -> None:
        """Add the memory monitor, or warn (``MonitorWarning``) that psutil is missing."""
        if not self.can_monitor_memory_usage():
            import warnings

            warnings.warn("cannot monitor memory usage: psutil is not installed "
                          "or cannot inspect this process", MonitorWarning, stacklevel=2)
            return
        period = max(GEVENT_CONFIG.memory_monitor_period, GEVENT_CONFIG.max_blocking_time or 0)
        self.add_monitoring_function(self.monitor_memory_usage, period)

    def monitor_memory_usage(self, _hub: Any) -> Any:
        """Compare memory use with ``config.max_memory_usage``; return the event sent.

        Returns -1 when no limit is configured and None when nothing changed.
        """
        max_allowed = GEVENT_CONFIG.max_memory_usage
        if not max_allowed:
            return -1
        info = self._get_process().memory_full_info()
        usage = info.rss
        event: Any
        if usage > max_allowed:
            if usage <= self._memory_peak:
                return None
            self._memory_peak = usage
            event = MemoryUsageThresholdExceeded(usage, max_allowed, info)
        elif self._memory_peak:
            event = MemoryUsageUnderThreshold(usage, max_allowed, info, self._memory_peak)
            self._memory_peak = 0
        else:
            return None
        notify(event)
        return event
