"""The event loop: callbacks, timers, descriptors, and nothing else.

Theory of operation
-------------------
One iteration of ``Loop.run`` does, in order:

1. run the queued callbacks (``run_callback``), FIFO, including ones queued
   while this step runs, until the queue is empty, a timer is due (looked at
   every 64 callbacks), or the switch interval has passed (so a long queue or a
   ``sleep(0)`` storm cannot make timers late or starve I/O);
2. call the ``fork`` watchers if ``reinit`` was called, then the ``prepare`` watchers;
3. apply the descriptor interest changes made since the last poll, in one
   batch (``_apply_interest``), then poll: block until a descriptor is ready,
   the nearest timer is due, or another thread wakes us. The poll does not
   block at all when callbacks are queued, idle watchers are started, or
   nothing holds a reference;
4. collect what fired: descriptors, wake-ups (threadsafe callbacks, ``async_``
   sends, signals), due timers, idle watchers (only when nothing else fired),
   and the ``check`` watchers; call them, highest ``priority`` first and in
   the order they were collected otherwise.

``run()`` returns when no started watcher with ``ref=True`` and no callback is
left. The hub turns that into ``LoopExit`` for whoever was waiting.

Descriptor interest is lazy: starting or stopping an io watcher only marks its
descriptor, and a registration outlives the wait that made it, so a socket that
waits again costs no system call. It is dropped when the poll reports the
descriptor and nobody waits on it (at once, so a ready descriptor cannot make
the loop spin), or by ``closing_fd``. Registrations belong to the kernel's open
file, not to the number, so a kept one is trusted only by the watchers that saw
it made: a new watcher object checks it first (see ``_apply_interest``).

Timers live in a binary heap of ``[deadline, sequence, timer]`` entries (their
items are named ``_DEADLINE``, ``_SEQUENCE`` and ``_TIMER``, see ``_watchers``).
Stopping a timer blanks its entry in place (O(1)); when blanks are more than half
the heap it is rebuilt, so start and stop are O(log n) amortised and cancelled
timers never pile up.
"""

from __future__ import annotations

import errno
import heapq
import os
import signal as _signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any

from . import _watchers
from ._clock import MockClock, SystemClock
from ._poll import default_poller_class
from ._watchers import _DEADLINE, _TIMER

__all__ = ["Loop", "loop"]

_callback = _watchers.callback
# Real thread identities, taken before monkey patching can turn them into greenlet ids.
_native_get_ident = threading.get_ident
_MAIN_NATIVE_IDENT = threading.main_thread().ident
# gevent.os replaces these when os is patched; the loop needs the real ones.
_os_waitpid = os.waitpid
_os_close = os.close
_signal_signal = _signal.signal  # gevent.signal replaces signal.signal when patched
_heappush = heapq.heappush
_heappop = heapq.heappop

# How many callbacks run between looks at the clock in step 1.
_CALLBACK_CHECK_COUNT = 64


class Loop:
    """gevent's loop interface (``ILoop``), in pure Python."""

    MINPRI = -2
    MAXPRI = 2
    # What a timer can resolve on a poll with millisecond timeouts.
    approx_timer_resolution = 0.001

    def __init__(self, flags: object = None, default: bool | None = None,
                 clock: SystemClock | MockClock | None = None,
                 poller_class: Callable[[], Any] | None = None) -> None:
        if default is None:
            default = _native_get_ident() == _MAIN_NATIVE_IDENT
        self.default = bool(default)
        self._clock = clock if clock is not None else SystemClock()
        self._now = self._clock.now()
        self._poller_class = poller_class or default_poller_class()
        self._poller = self._poller_class()
        self.backend = self._poller.name
        self._callbacks: deque[_watchers.callback] = deque()
        self._timers: list[list[Any]] = []
        self._timer_blanks = 0
        self._timer_seq = 0
        self._nrefs = 0
        self._fds: dict[int, list[_watchers.io]] = {}  # the started io watchers
        self._dirty: set[int] = set()  # descriptors whose watchers changed since the poll
        self._tokens: dict[int, _Token] = {}  # see _apply_interest
        self._always_ready: set[int] = set()
        self._prepares: list[_watchers.watcher] = []
        self._checks: list[_watchers.watcher] = []
        self._idles: list[_watchers.watcher] = []
        self._forks: list[_watchers.watcher] = []
        self._asyncs: list[_watchers.async_] = []
        self._fed: list[_watchers.watcher] = []
        self._signal_watchers: dict[int, list[_watchers.signal]] = {}
        self._signal_saved: dict[int, Any] = {}
        self._signals_caught: list[int] = []
        self._children: list[_watchers.child] = []
        self._sigchld_installed = False
        self._fork_pending = False
        self._break = False
        self._running = False
        self._destroyed = False
        self.error_handler: Any = None
        self.starting_timer_may_update_loop_time = False
        self._switch_interval = sys.getswitchinterval
        self._open_wakeup()

    # ------------------------------------------------------------------ wakeup

    def _open_wakeup(self) -> None:
        r, w = os.pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)
        self._wakeup_r, self._wakeup_w = r, w
        self._wakeup_sent = False
        self._poller.register(r, _watchers.READ)

    def _wake(self) -> None:
        # Any thread; coalesced so a burst of sends costs one write.
        if self._wakeup_sent:
            return
        self._wakeup_sent = True
        try:
            os.write(self._wakeup_w, b"\0")
        except (BlockingIOError, OSError):
            pass

    def _drain_wakeup(self) -> None:
        # Read first, clear the flag after: clearing first lets another thread
        # write a byte that this read swallows while the flag stays set, after
        # which every later _wake() is skipped and the loop sleeps forever.
        # (The senders set their own flags before calling _wake, and the
        # caller looks at those only after this returns, so nothing is lost.)
        try:
            while os.read(self._wakeup_r, 4096):
                pass
        except (BlockingIOError, OSError):
            pass
        self._wakeup_sent = False

    # --------------------------------------------------------------- time

    def now(self) -> float:
        """The loop's notion of the current time, refreshed once per iteration."""
        return self._now

    def update_now(self) -> None:
        self._now = self._clock.now()

    update = update_now

    @property
    def clock(self) -> SystemClock | MockClock:
        return self._clock

    # ------------------------------------------------------------ callbacks

    def run_callback(self, func: Callable[..., Any], *args: Any) -> _watchers.callback:
        cb = _callback()
        cb.callback = func
        cb.args = args
        self._callbacks.append(cb)
        return cb

    def run_callback_threadsafe(self, func: Callable[..., Any], *args: Any) -> _watchers.callback:
        cb = _callback()
        cb.callback = func
        cb.args = args
        self._callbacks.append(cb)  # deque.append is atomic
        self._wake()
        return cb

    def _run_callbacks(self) -> None:
        cbs = self._callbacks
        popleft = cbs.popleft
        count = _CALLBACK_CHECK_COUNT
        deadline = 0.0
        while cbs:
            cb = popleft()
            args = cb.args  # args first: see _watchers.callback
            func = cb.callback
            if func is None:
                continue
            cb.callback = cb.args = None
            try:
                func(*args)  # type: ignore[misc]
            except:  # noqa: E722 -- anything, even BaseException, goes to the handler
                self.handle_error(cb, *sys.exc_info())
            count -= 1
            if not count:
                count = _CALLBACK_CHECK_COUNT
                now = self._clock.now()
                # A timer already due gets its turn now, not at the end of the slice
                # (the loop comes straight back): with a 5 ms slice alone, 100k random
                # sleeps woke with a p99 lateness of ~170 ms; with this, ~1.5 ms.
                timers = self._timers
                if timers and timers[0][_DEADLINE] <= now:
                    break
                if not deadline:
                    deadline = now + self._switch_interval()
                elif now >= deadline:
                    break

    # --------------------------------------------------------------- errors

    def handle_error(self, context: object, type: Any, value: Any, tb: Any) -> None:
        """Pass an error raised by a callback to ``error_handler`` (the hub).

        If the handler raises that same exception object, it is asking for it to
        propagate and stop the loop (the hub does this when it is destroyed).
        """
        handler = self.error_handler
        if handler is None:
            traceback.print_exception(type, value, tb)
            return
        try:
            handler.handle_error(context, type, value, tb)
        except BaseException as exc:
            if exc is value or isinstance(exc, (SystemExit, KeyboardInterrupt)):
                raise
            # The handler itself failed: never let that kill the loop.
            traceback.print_exc()

    # ---------------------------------------------------------------- timers

    def _timer_schedule(self, w: _watchers.timer, delay: float) -> None:
        self._timer_seq += 1
        entry = [self._now + delay, self._timer_seq, w]  # _DEADLINE, _SEQUENCE, _TIMER
        w._entry = entry
        _heappush(self._timers, entry)

    def _timer_cancel(self, w: _watchers.timer) -> None:
        entry = w._entry
        if entry is not None:
            w._entry = None
            entry[_TIMER] = None
            self._timer_blanks += 1
            heap = self._timers
            if self._timer_blanks * 2 > len(heap):
                if self._timer_blanks == len(heap):
                    heap.clear()
                else:
                    heap[:] = [e for e in heap if e[_TIMER] is not None]
                    heapq.heapify(heap)
                self._timer_blanks = 0

    def _next_deadline(self) -> float | None:
        heap = self._timers
        while heap:
            top = heap[0]
            if top[_TIMER] is not None:
                return top[_DEADLINE]  # type: ignore[no-any-return]
            _heappop(heap)
            self._timer_blanks -= 1
        return None

    # ------------------------------------------------------------------- io

    def _io_start(self, w: _watchers.io) -> None:
        # Only record the change: _apply_interest makes it, once, before the poll.
        fd = w.fd
        lst = self._fds.get(fd)
        if lst is None:
            self._fds[fd] = [w]
            # The common case of a socket's next wait: still registered, for this
            # very watcher (its token), with the events it wants. Nothing to apply.
            reg = w._reg
            if (reg is not None and reg is self._tokens.get(fd)
                    and self._poller.masks.get(fd) == w._events):
                return
        else:
            lst.append(w)
        self._dirty.add(fd)

    def _io_stop(self, w: _watchers.io) -> None:
        fd = w.fd
        lst = self._fds.get(fd)
        if lst is None:
            return
        try:
            lst.remove(w)
        except ValueError:
            return
        if lst:
            self._dirty.add(fd)  # the others may want less
            return
        # The last one: the registration is kept (dropped lazily), so there is
        # nothing to apply beyond forgetting an always-ready mark.
        del self._fds[fd]
        self._always_ready.discard(fd)

    def _apply_interest(self) -> None:
        """Bring the poller up to date with the watchers, just before a poll.

        A descriptor nobody waits on now keeps its registration (the next wait
        is then free); it is dropped when the poll reports it (``_narrow``) or
        by ``closing_fd``. A kept registration is trusted only for watchers that
        hold its token: a new watcher object (a new socket, perhaps on a number
        that was closed behind our back and reused) costs one checking
        ``register`` (``EPOLL_CTL_MOD``), which repairs the set if the kernel
        had forgotten it.
        """
        dirty = self._dirty
        self._dirty = set()
        fds = self._fds
        poller = self._poller
        masks = poller.masks
        tokens = self._tokens
        always_ready = self._always_ready
        for fd in dirty:
            lst = fds.get(fd)
            if not lst:
                always_ready.discard(fd)
                continue  # kept: dropped lazily
            if fd in always_ready:
                continue
            want = 0
            for w in lst:
                want |= w._events
            token = tokens.get(fd)
            if token is not None and masks.get(fd) == want:
                for w in lst:
                    if w._reg is not token:
                        break
                else:
                    continue  # registered as wanted, by or for these watchers
            if token is None or fd not in masks:
                token = tokens[fd] = _Token()
            try:
                poller.register(fd, want)
            except OSError as exc:
                tokens.pop(fd, None)
                # Regular files cannot be polled: like libev, treat them as always
                # ready. A descriptor closed under a started watcher is reported
                # ready so the owner's next call meets the real error.
                always_ready.add(fd)
                if not isinstance(exc, PermissionError) and exc.errno != errno.EBADF:
                    self.handle_error(lst[0], type(exc), exc, exc.__traceback__)
                continue
            for w in lst:
                w._reg = token
        if poller.dropped:
            self._poller_dropped()

    def _poller_dropped(self) -> None:
        # A rebuild of the poller's set could not register these again (closed
        # behind our back): their watchers, if any, are reported ready once.
        poller = self._poller
        dropped = poller.dropped
        poller.dropped = []
        for fd in dropped:
            self._tokens.pop(fd, None)
            if self._fds.get(fd):
                self._always_ready.add(fd)

    def _narrow(self, fd: int) -> None:
        # The poll reported ``fd`` and no watcher wants it now: stop it at once
        # (level-triggered, it would be reported again on every poll).
        self._tokens.pop(fd, None)
        self._poller.discard(fd)
        if self._poller.dropped:
            self._poller_dropped()

    def closing_fd(self, fd: int) -> bool:
        """Tell the loop ``fd`` is about to be closed; True if watchers were using it.

        Drops everything kept for it: the registration, its token, a pending change.
        """
        self._tokens.pop(fd, None)
        self._dirty.discard(fd)
        self._poller.unregister(fd)
        if self._poller.dropped:
            self._poller_dropped()
        self._always_ready.discard(fd)
        # Watchers still on it are about to be cancelled by their owner. Others
        # (a select() or poll() on the same descriptor) are fed as ready, like
        # libev's closing_fd does: the poller has forgotten the descriptor, and
        # their owner's next call meets the real error instead of waiting forever.
        lst = self._fds.get(fd)
        if not lst:
            return False
        for w in lst:
            if not w._pending:
                w._revents = w._events
                w._pending = True
                self._fed.append(w)
        return True

    # ---------------------------------------------------------------- signals

    def _signal_start(self, w: _watchers.signal) -> None:
        signum = w.signum
        lst = self._signal_watchers.get(signum)
        if lst is None:
            saved = _signal_signal(signum, self._on_signal)
            self._signal_saved[signum] = saved
            lst = self._signal_watchers[signum] = []
        lst.append(w)

    def _signal_stop(self, w: _watchers.signal) -> None:
        signum = w.signum
        lst = self._signal_watchers.get(signum)
        if not lst or w not in lst:
            return
        lst.remove(w)
        if not lst and not (signum == _signal.SIGCHLD and self._sigchld_installed):
            del self._signal_watchers[signum]
            saved = self._signal_saved.pop(signum, _signal.SIG_DFL)
            try:
                _signal_signal(signum, saved if saved is not None else _signal.SIG_DFL)
            except (ValueError, OSError):
                pass

    def _on_signal(self, signum: int, frame: object) -> None:
        # Runs in the main thread between bytecodes: record and wake, nothing more.
        self._signals_caught.append(signum)
        self._wake()

    # --------------------------------------------------------------- children

    def install_sigchld(self) -> None:
        if self._sigchld_installed or not hasattr(_signal, "SIGCHLD"):
            return
        if _native_get_ident() != _MAIN_NATIVE_IDENT:
            return
        self._sigchld_installed = True
        if _signal.SIGCHLD not in self._signal_watchers:
            self._signal_saved[_signal.SIGCHLD] = _signal_signal(_signal.SIGCHLD, self._on_signal)
            self._signal_watchers[_signal.SIGCHLD] = []

    def reset_sigchld(self) -> None:
        if not self._sigchld_installed:
            return
        self._sigchld_installed = False
        if not self._signal_watchers.get(_signal.SIGCHLD):
            self._signal_watchers.pop(_signal.SIGCHLD, None)
            saved = self._signal_saved.pop(_signal.SIGCHLD, _signal.SIG_DFL)
            _signal_signal(_signal.SIGCHLD, saved if saved is not None else _signal.SIG_DFL)

    def _child_start(self, w: _watchers.child) -> None:
        self.install_sigchld()
        self._children.append(w)
        # The child may have exited before we watched it.
        self._signals_caught.append(getattr(_signal, "SIGCHLD", 17))
        self._wake()

    def _child_stop(self, w: _watchers.child) -> None:
        try:
            self._children.remove(w)
        except ValueError:
            pass

    def _reap_children(self, fired: list[_watchers.watcher]) -> None:
        for w in list(self._children):
            if not w._active:
                continue
            try:
                pid, status = _os_waitpid(w._pid if w._pid > 0 else -1, os.WNOHANG)
            except ChildProcessError:
                continue
            if pid:
                w.rpid = pid
                w.rstatus = status
                w._pending = True
                fired.append(w)

    # ------------------------------------------------------------- factories

    def io(self, fd: int, events: int, ref: bool = True,
           priority: int | None = None) -> _watchers.io:
        return _watchers.io(self, fd, events, ref, priority)

    def timer(self, after: float, repeat: float = 0.0, ref: bool = True,
              priority: int | None = None) -> _watchers.timer:
        return _watchers.timer(self, after, repeat, ref, priority)

    def signal(self, signum: int, ref: bool = True,
               priority: int | None = None) -> _watchers.signal:
        return _watchers.signal(self, signum, ref, priority)

    def idle(self, ref: bool = True, priority: int | None = None) -> _watchers.idle:
        return _watchers.idle(self, ref, priority)

    def prepare(self, ref: bool = True, priority: int | None = None) -> _watchers.prepare:
        return _watchers.prepare(self, ref, priority)

    def check(self, ref: bool = True, priority: int | None = None) -> _watchers.check:
        return _watchers.check(self, ref, priority)

    def fork(self, ref: bool = True, priority: int | None = None) -> _watchers.fork:
        return _watchers.fork(self, ref, priority)

    def async_(self, ref: bool = True, priority: int | None = None) -> _watchers.async_:
        return _watchers.async_(self, ref, priority)

    def child(self, pid: int, trace: int = 0, ref: bool = True) -> _watchers.child:
        return _watchers.child(self, pid, trace, ref)

    def stat(self, path: str | bytes, interval: float = 0.0, ref: bool = True,
             priority: int | None = None) -> _watchers.stat:
        return _watchers.stat(self, path, interval, ref, priority)

    # ------------------------------------------------------------------- run

    def run(self, nowait: bool = False, once: bool = False) -> bool:
        """Run iterations until nothing is left to do. Returns whether work remains."""
        if self._destroyed:
            raise ValueError("operation on destroyed loop")
        self._break = False
        self._running = True
        try:
            while True:
                self._iterate(nowait)
                if once or nowait or self._break:
                    break
                if not self._nrefs and not self._callbacks:
                    break
        finally:
            self._running = False
        return bool(self._nrefs or self._callbacks)

    def break_(self, how: int = 1) -> None:
        self._break = True

    def _iterate(self, nowait: bool) -> None:
        # One pass, in the steps of the module docstring. It stays one function:
        # as separate methods, the extra calls cost 30-90 ns per pass (2-6% of a
        # bare pass with one timer or one ready descriptor).
        # 1. Queued callbacks.
        if self._callbacks:
            self._run_callbacks()
        # 2. Fork watchers after reinit(), then prepare watchers.
        if self._fork_pending:
            self._fork_pending = False
            self._invoke_all(self._forks)
        if self._prepares:
            self._invoke_all(self._prepares)
            if self._callbacks:
                self._run_callbacks()

        # 3. Apply the interest changes in one batch; poll, without blocking if
        # there is something to do already.
        if self._dirty:
            self._apply_interest()
        if nowait or self._callbacks or self._idles or self._fed or self._always_ready \
                or not self._nrefs:
            timeout: float | None = 0.0
        else:
            deadline = self._next_deadline()
            if deadline is None:
                timeout = None
            else:
                timeout = deadline - self._clock.now()
                if timeout <= 0.0:
                    timeout = 0.0
                else:
                    timeout = self._clock.sleep_time(timeout)
        try:
            events = self._poller.poll(timeout)
        except BaseException:
            # A Python signal handler runs inside the poll (EINTR) and may raise.
            # Escaping here would kill the hub; hand it over instead (with no
            # context the hub raises it in the main greenlet, as gevent does).
            events = []
            self._now = self._clock.now()  # timers started meanwhile count from now
            self.handle_error(None, *sys.exc_info())
        self._now = self._clock.now()

        # 4. Collect what fired (descriptors and wake-ups, due timers, idle and
        # check watchers), then call it.
        fired = self._fed
        if fired:
            self._fed = []
        wakeup_fd = self._wakeup_r
        fds = self._fds
        for fd, ev in events:
            if fd == wakeup_fd:
                self._drain_wakeup()
                self._collect_wakeups(fired)
                continue
            lst = fds.get(fd)
            if lst:
                for w in lst:
                    hit = w._events & ev
                    if hit:
                        w._revents = hit
                        w._pending = True
                        fired.append(w)
            else:
                self._narrow(fd)
        if self._always_ready:
            for fd in list(self._always_ready):
                for w in fds.get(fd, ()):
                    w._revents = w._events
                    w._pending = True
                    fired.append(w)

        # Due timers; a repeating one goes back in with a fresh entry.
        heap = self._timers
        if heap:
            now = self._now
            while heap and heap[0][_DEADLINE] <= now:
                entry = _heappop(heap)
                t = entry[_TIMER]
                if t is None:
                    self._timer_blanks -= 1
                    continue
                if t.repeat:
                    self._timer_seq += 1
                    entry = [now + t.repeat, self._timer_seq, t]  # as in _timer_schedule
                    t._entry = entry
                    _heappush(heap, entry)
                else:
                    t._entry = None
                    t._active = False
                    if t._ref:
                        self._nrefs -= 1
                t._pending = True
                fired.append(t)

        if not fired and self._idles:
            for other in self._idles:
                other._pending = True
                fired.append(other)
        for other in self._checks:
            other._pending = True
            fired.append(other)
        if fired:
            self._invoke(fired)

    def _collect_wakeups(self, fired: list[_watchers.watcher]) -> None:
        for a in self._asyncs:
            if a._sent:
                a._sent = False
                a._pending = True
                fired.append(a)
        caught = self._signals_caught
        if caught:
            self._signals_caught = []
            sigchld = getattr(_signal, "SIGCHLD", None)
            for signum in dict.fromkeys(caught):
                for w in self._signal_watchers.get(signum, ()):
                    w._pending = True
                    fired.append(w)
                if signum == sigchld and self._children:
                    self._reap_children(fired)

    def _invoke_all(self, watchers: list[_watchers.watcher]) -> None:
        fired = list(watchers)
        for w in fired:
            w._pending = True
        self._invoke(fired)

    def _invoke(self, fired: list[_watchers.watcher]) -> None:
        for w in fired:
            if w._priority:
                fired = sorted(fired, key=_neg_priority)
                break
        for w in fired:
            if not w._pending:
                continue  # stopped after it fired
            w._pending = False
            if w.callback is None:
                continue
            try:
                w._run()
            except:  # noqa: E722
                self.handle_error(w, *sys.exc_info())

    # --------------------------------------------------------- housekeeping

    def reinit(self) -> None:
        """Rebuild the OS state after a fork, and fire the fork watchers next iteration."""
        try:
            self._poller.close()
        except OSError:
            pass
        for fd in (self._wakeup_r, self._wakeup_w):
            try:
                _os_close(fd)
            except OSError:
                pass
        # The child's registrations start again from the watchers: nothing kept
        # for the parent's set is trusted.
        self._poller = self._poller_class()
        self._open_wakeup()
        self._tokens.clear()
        self._dirty.update(self._fds)
        self._fork_pending = True

    def destroy(self) -> None:
        if self._destroyed:
            return
        self._destroyed = True
        for signum in list(self._signal_watchers):
            saved = self._signal_saved.pop(signum, _signal.SIG_DFL)
            try:
                _signal_signal(signum, saved if saved is not None else _signal.SIG_DFL)
            except (ValueError, OSError, TypeError):
                pass
        self._signal_watchers.clear()
        self._callbacks.clear()
        self._timers.clear()
        self._fds.clear()
        self._dirty.clear()
        self._tokens.clear()
        self._poller.close()
        for fd in (self._wakeup_r, self._wakeup_w):
            try:
                _os_close(fd)
            except OSError:
                pass

    @property
    def pendingcnt(self) -> int:
        return len(self._fed)

    @property
    def activecnt(self) -> int:
        return self._nrefs

    @property
    def sig_pending(self) -> bool:
        return bool(self._signals_caught)

    @property
    def origflags(self) -> str:
        return self.backend

    def fileno(self) -> int:
        return int(self._poller.fileno())

    def debug(self) -> list[str]:
        return [repr(w) for lst in self._fds.values() for w in lst]

    def __repr__(self) -> str:
        default = " default" if self.default else ""
        return (f"<{type(self).__module__}.{type(self).__name__} at {id(self):#x} "
                f"{self.backend}{default} ref={self._nrefs} callbacks={len(self._callbacks)} "
                f"timers={len(self._timers) - self._timer_blanks} fds={len(self._fds)}>")


class _Token:
    """Stands for one registration of a descriptor; watchers that saw it made hold it."""

    __slots__ = ()


def _neg_priority(w: _watchers.watcher) -> int:
    return -w._priority


# gevent's ``gevent.core.loop`` is a lowercase class; keep the name available.
loop = Loop
