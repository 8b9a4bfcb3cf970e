"""Native worker threads for gevent: ``ThreadPool``, ``ThreadResult`` and the workers.

The ``concurrent.futures`` executor over this pool is in ``_executor``.

Theory of operation
-------------------
A ``ThreadPool`` belongs to one hub (the one of the thread that made it) and
only that thread may submit work. Its workers are real OS threads, started with
the ``_thread`` functions captured before any monkey patching, so they stay
native even after ``patch_all()``.

Hand-off to the workers. The pool keeps a deque of tasks and a list of idle
workers, each parked on its own native lock, all guarded by one native lock.
``spawn`` appends a task and releases one parked worker, or starts a new thread
if none is idle and ``size < maxsize``. At most ``maxsize`` tasks may sit in the
deque not yet taken; a further ``spawn`` blocks its greenlet on an ``async_``
watcher that a worker sends when it takes a task. Idle workers give up after
``idle_task_timeout`` seconds (never, when negative). Shrinking the pool hands
out "quit tokens" that workers honour only when the deque is empty, so queued
work is never stranded without a thread.

Hand-off back. Every task carries a ``ThreadResult``: an ``async_`` watcher of
the submitting hub's loop, started at submit time. The worker stores the value
(or the exception) and calls ``send()``, which only writes to the loop's
wake-up pipe; the callback then runs in the hub's own thread and fills in the
``AsyncResult`` the caller waits on. Nobody polls.

Each worker thread runs its tasks inside a ``_WorkerGreenlet``. If a task uses
gevent, the thread gets its own hub lazily (``get_hub()`` is per thread); that
hub is destroyed when the thread ends. The hub's parent is the thread's main
greenlet, which only relays whatever is thrown at it (``LoopExit``, fatal
errors) into the worker greenlet, exactly as the main greenlet of the main
thread would receive them.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from greenlet import getcurrent
from greenlet import greenlet as RawGreenlet

from .._hub_local import get_hub_if_exists, get_hub_noargs
from .._patch import get_original
from .._sync._event import AsyncResult
from .._sync._pool import GroupMappingMixin
from .._waiter import Waiter
from ..exceptions import InvalidThreadUseError

__all__ = ["ThreadPool", "ThreadResult"]

# Native primitives, taken before anything could patch them.
_allocate_lock: Callable[[], Any] = get_original("_thread", "allocate_lock")
_start_new_thread: Callable[..., int] = get_original("_thread", "start_new_thread")
_get_thread_ident: Callable[[], int] = get_original("_thread", "get_ident")
_getpid: Callable[[], int] = get_original("os", "getpid")


def _get_thread_profile() -> Any:
    """The profile hook that ``threading.setprofile`` asked new threads to use."""
    import threading

    getter = getattr(threading, "getprofile", None)
    return getter() if getter is not None else getattr(threading, "_profile_hook", None)


def _get_thread_trace() -> Any:
    """The trace hook that ``threading.settrace`` asked new threads to use."""
    import threading

    getter = getattr(threading, "gettrace", None)
    return getter() if getter is not None else getattr(threading, "_trace_hook", None)


class _Spent:
    """Stands in for a ThreadResult's watcher and receiver once it has fired."""

    __slots__ = ()

    def send(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __call__(self, *args: Any) -> None:
        pass


_SPENT = _Spent()


class ThreadResult:
    """The outcome of one task, carried from a worker thread to a hub.

    ``set(value)`` or ``handle_error(context, exc_info)`` may be called from any
    thread; the hub then calls ``call_when_ready()``, reports an error to
    ``hub.handle_error``, and finally ``receiver(self)``, all in its own thread.
    """

    __slots__ = ("_call_when_ready", "async_watcher", "context", "exc_info", "hub", "receiver",
                 "value")

    def __init__(self, receiver: Any, hub: Any, call_when_ready: Callable[[], Any]) -> None:
        self.receiver = receiver
        self.hub = hub
        self.value: Any = None
        self.context: Any = None
        self.exc_info: tuple[Any, ...] = ()
        self._call_when_ready = call_when_ready
        self.async_watcher: Any = hub.loop.async_()
        self.async_watcher.start(self._on_async)

    @property
    def exception(self) -> BaseException | None:
        return self.exc_info[1] if self.exc_info else None

    def successful(self) -> bool:
        return not self.exc_info

    def _on_async(self) -> None:
        watcher, self.async_watcher = self.async_watcher, _SPENT
        watcher.stop()
        watcher.close()
        try:
            self._call_when_ready()
            if self.exc_info:
                self.hub.handle_error(self.context, *self.exc_info)
            self.context = None
            receiver = self.receiver
            if receiver is not None:
                receiver(self)
        finally:
            # Drop everything the task produced; the receiver has copied it.
            self.receiver = _SPENT
            self.value = None
            self._call_when_ready = _SPENT
            if self.exc_info:
                self.exc_info = (self.exc_info[0], self.exc_info[1], None)

    def destroy_in_main_thread(self) -> None:
        """Forget the watcher without it ever firing (hub thread only)."""
        watcher, self.async_watcher = self.async_watcher, _SPENT
        watcher.stop()
        watcher.close()
        self.receiver = _SPENT
        self.hub = None

    # -- called from the worker thread

    def set(self, value: Any) -> None:
        self.value = value
        self.async_watcher.send()

    def handle_error(self, context: Any, exc_info: tuple[Any, ...]) -> None:
        self.context = context
        self.exc_info = exc_info
        self.async_watcher.send()


def _deliver(async_result: Any, thread_result: ThreadResult) -> None:
    # The receiver of a pool task's ThreadResult: runs in the pool's hub.
    if thread_result.exc_info:
        async_result.set_exception(thread_result.exc_info[1], exc_info=thread_result.exc_info)
    else:
        async_result.set(thread_result.value)


class _WorkerGreenlet(RawGreenlet):
    """The greenlet that runs a pool's tasks inside one worker thread."""

    def __init__(self, threadpool: ThreadPool) -> None:
        RawGreenlet.__init__(self)
        self._threadpool = threadpool
        self.thread_ident = _get_thread_ident()
        self._hub: Any = get_hub_if_exists()
        self._stderr = sys.stderr
        self._gevent_is_idle_threadpool_worker = False

    def __repr__(self) -> str:
        return (f"<ThreadPoolWorker at {id(self):#x} thread_ident={self.thread_ident:#x} "
                f"hub={self._hub!r}>")

    def run(self) -> None:  # type: ignore[override]
        pool = self._threadpool
        while True:
            task = pool._next_task(self)
            if task is None:
                break
            self._run_task(*task)
            del task

    def _run_task(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                  result: ThreadResult) -> None:
        self._gevent_is_idle_threadpool_worker = False
        try:
            self._before_run_task(func, args, kwargs, result)
        except BaseException:
            self._report_setup_failure(func)
            self._threadpool._worker_finished_task()
            result.handle_error((self, func), sys.exc_info())
            return
        # The hooks are cleared before the result is handed over, so that the
        # caller never sees this thread with the task's hooks still set.
        exc_info: Any = None
        value: Any = None
        try:
            try:
                value = func(*args, **kwargs)
            except BaseException:
                exc_info = sys.exc_info()
            finally:
                self._after_run_task(func, args, kwargs, result)
        except BaseException:
            exc_info = sys.exc_info()
        self._hub = get_hub_if_exists()
        # Count as free again before the caller can see the result, so that
        # its next spawn() reuses this thread instead of starting another.
        self._threadpool._worker_finished_task()
        if exc_info is None:
            result.set(value)
        else:
            result.handle_error((self, func), exc_info)
        del func, args, kwargs, result, value, exc_info

    def _report_setup_failure(self, func: Any) -> None:
        try:
            self._stderr.write(f"Failed to run worker thread task {func!r}\n")
        except Exception:
            pass

    def _before_run_task(self, func: Any, args: Any, kwargs: Any, result: Any,
                         _sys: Any = sys, _get_thread_profile: Any = _get_thread_profile,
                         _get_thread_trace: Any = _get_thread_trace) -> None:
        # Only call the setters when there is a hook: each call is an audit event.
        profile = _get_thread_profile()
        if profile is not None:
            _sys.setprofile(profile)
        trace = _get_thread_trace()
        if trace is not None:
            _sys.settrace(trace)

    def _after_run_task(self, func: Any, args: Any, kwargs: Any, result: Any,
                        _sys: Any = sys) -> None:
        if _sys.getprofile() is not None:
            _sys.setprofile(None)
        if _sys.gettrace() is not None:
            _sys.settrace(None)


def _worker_thread_main(pool: ThreadPool) -> None:
    # The body of every worker thread.
    try:
        worker = pool._WorkerGreenlet(pool)
    except BaseException:
        pool._worker_failed_to_start()
        raise
    pending: BaseException | None = None
    try:
        while not worker.dead:
            try:
                if pending is None:
                    worker.switch()
                else:
                    exc, pending = pending, None
                    worker.throw(exc)
            except BaseException as exc:  # relay, see the module docstring
                # Thrown at this thread's main greenlet (the hub's parent):
                # it is meant for whoever runs in the worker greenlet.
                pending = exc
    finally:
        del worker
        pool._worker_exited()
        hub = get_hub_if_exists()
        if hub is not None:
            try:
                hub.destroy(destroy_loop=True)
            except Exception:
                pass


class ThreadPool:
    """A pool of native threads that run blocking functions for one hub.

    Args:
        maxsize: the most worker threads (and the most tasks waiting for one).
        hub: the hub results are delivered to; this thread's hub by default.
        idle_task_timeout: seconds an idle worker waits for work before it
            exits; negative means forever.
    """

    _WorkerGreenlet = _WorkerGreenlet

    def __init__(self, maxsize: int, hub: Any = None, idle_task_timeout: float = -1) -> None:
        if hub is None:
            hub = get_hub_noargs()
        self.hub = hub
        self.pid = _getpid()
        self._idle_task_timeout = idle_task_timeout
        self._lock = _allocate_lock()
        self._tasks: deque[tuple[Any, ...]] = deque()
        self._idle: list[Any] = []           # parked workers' locks
        self._size = 0                       # workers alive and not told to quit
        self._busy = 0                       # workers running a task
        self._quit_tokens = 0
        self._slot_watchers: list[Any] = []  # async_ watchers of blocked spawn() calls
        self._pending = 0                    # unfinished tasks (hub thread only)
        self._join_waiters: list[Waiter] = []
        self._maxsize = 0
        self.maxsize = maxsize

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} at {id(self):#x} tasks={self._pending} "
                f"size={self._size} maxsize={self._maxsize} hub={self.hub!r}>")

    # ------------------------------------------------------------ sizing

    @property
    def maxsize(self) -> int:
        return self._maxsize

    @maxsize.setter
    def maxsize(self, value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"maxsize must be an integer, not {value!r}")
        if value < 0:
            raise ValueError(f"maxsize must not be negative: {value!r}")
        with self._lock:
            self._maxsize = value
            if self._size > value:
                self._resize_locked(value)
            watchers = self._take_slot_watchers_locked()
        for w in watchers:
            w.send()

    @property
    def size(self) -> int:
        """Worker threads running (or starting); settable from 0 to ``maxsize``."""
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        if value < 0:
            raise ValueError(f"size must not be negative: {value!r}")
        if value > self._maxsize:
            raise ValueError(f"size must not exceed maxsize ({self._maxsize}): {value!r}")
        with self._lock:
            start = self._resize_locked(value)
        self._start_workers(start)

    def _resize_locked(self, value: int) -> int:
        # Returns how many threads the caller must start (outside the lock).
        change = value - self._size
        self._size = value
        if change < 0:
            self._quit_tokens -= change
            for _ in range(min(-change, len(self._idle))):
                self._idle.pop().release()
            return 0
        cancelled = min(change, self._quit_tokens)
        self._quit_tokens -= cancelled
        return change - cancelled

    def _start_workers(self, count: int) -> None:
        for _ in range(count):
            try:
                _start_new_thread(_worker_thread_main, (self,))
            except BaseException:
                with self._lock:
                    self._size -= 1
                raise

    def adjust(self) -> None:
        """Start threads for queued tasks that no idle worker will take."""
        with self._lock:
            wanted = min(self._maxsize, self._busy + len(self._tasks))
            start = self._resize_locked(wanted) if wanted > self._size else 0
        self._start_workers(start)

    def free_count(self) -> int:
        return max(0, self._maxsize - self._pending)

    def __len__(self) -> int:
        return self._pending

    def kill(self) -> None:
        """Let every worker exit once the queued tasks are done; never blocks."""
        with self._lock:
            self._resize_locked(0)

    def _on_fork(self) -> None:
        # Only the forking thread survives a fork: forget the workers.
        pid = _getpid()
        if pid == self.pid:
            return
        self.pid = pid
        self._lock = _allocate_lock()
        self._idle = []
        self._size = 0
        self._busy = 0
        self._quit_tokens = 0
        if self._tasks:
            self.adjust()

    # ---------------------------------------------------- worker side

    def _take_slot_watchers_locked(self) -> list[Any]:
        watchers = self._slot_watchers
        self._slot_watchers = []
        return watchers

    def _next_task(self, worker: Any) -> tuple[Any, ...] | None:
        """Block (natively) until there is a task for ``worker``; None means exit."""
        hub = get_hub_if_exists()
        monitor = getattr(hub, "periodic_monitoring_thread", None) if hub is not None else None
        if monitor is not None:
            # Waiting for work (and running one blocking task) is this thread's job.
            monitor.ignore_current_greenlet_blocking()
        worker._gevent_is_idle_threadpool_worker = True
        timeout = self._idle_task_timeout
        timed_out = False
        lock = self._lock
        with lock:
            while True:
                if self._tasks:
                    task = self._tasks.popleft()
                    self._busy += 1
                    watchers = self._take_slot_watchers_locked()
                    for w in watchers:
                        w.send()
                    return task
                if self._quit_tokens > 0:
                    self._quit_tokens -= 1
                    return None
                if timed_out:
                    self._size -= 1
                    return None
                parked = _allocate_lock()
                parked.acquire()
                self._idle.append(parked)
                lock.release()
                try:
                    woke = parked.acquire(True, timeout if timeout is not None and timeout >= 0
                                          else -1)
                finally:
                    lock.acquire()
                if not woke:
                    timed_out = True
                    try:
                        self._idle.remove(parked)
                    except ValueError:
                        pass

    def _worker_exited(self) -> None:
        pass

    def _worker_finished_task(self) -> None:
        with self._lock:
            self._busy -= 1

    def _worker_failed_to_start(self) -> None:
        with self._lock:
            if self._quit_tokens > 0:
                self._quit_tokens -= 1
            else:
                self._size -= 1

    # ------------------------------------------------------ hub side

    def _check_owner(self) -> None:
        if _get_thread_ident() != self.hub.thread_ident:
            raise InvalidThreadUseError(
                f"{self!r} belongs to thread {self.hub.thread_ident:#x}; it cannot be used "
                f"from thread {_get_thread_ident():#x}")

    def _wait_for_slot(self) -> None:
        # Block this greenlet until fewer than maxsize tasks wait for a worker.
        hub = self.hub
        while True:
            with self._lock:
                if len(self._tasks) < self._maxsize:
                    return
            waiter = Waiter(hub)
            watcher = hub.loop.async_()
            watcher.start(waiter.switch, waiter)
            try:
                with self._lock:
                    if len(self._tasks) < self._maxsize:
                        return
                    self._slot_watchers.append(watcher)
                waiter.get()
            finally:
                watcher.close()
                with self._lock:
                    if watcher in self._slot_watchers:
                        self._slot_watchers.remove(watcher)

    def _task_finished(self) -> None:
        # call_when_ready of every task's ThreadResult: runs in the hub.
        self._pending -= 1
        if self._pending <= 0 and self._join_waiters:
            waiters, self._join_waiters = self._join_waiters, []
            # Later, not now: the receiver still has to fill in the result.
            run_callback = self.hub.loop.run_callback
            for w in waiters:
                run_callback(w.switch, None)

    def spawn(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``func(*args, **kwargs)`` in a worker; return an AsyncResult for it.

        Blocks the calling greenlet while ``maxsize`` tasks are already waiting.
        """
        self._check_owner()
        self._wait_for_slot()
        async_result = AsyncResult()
        thread_result = ThreadResult(partial(_deliver, async_result), self.hub,
                                     self._task_finished)
        self._pending += 1
        start = 0
        with self._lock:
            self._tasks.append((func, args, kwargs, thread_result))
            if self._idle:
                self._idle.pop(0).release()
            elif (len(self._tasks) > self._size - self._busy
                  and self._size < self._maxsize):
                # Every worker is busy (or already has a task waiting for it).
                start = self._resize_locked(self._size + 1)
        try:
            self._start_workers(start)
        except BaseException:
            # No thread to run it: take the task back if it is still queued.
            with self._lock:
                try:
                    self._tasks.remove((func, args, kwargs, thread_result))
                except ValueError:
                    pass
                else:
                    self._pending -= 1
                    thread_result.destroy_in_main_thread()
            raise
        return async_result

    def join(self) -> None:
        """Wait until every task submitted so far has finished."""
        if self._pending <= 0:
            return
        waiter = Waiter(self.hub)
        self._join_waiters.append(waiter)
        try:
            waiter.get()
        finally:
            if waiter in self._join_waiters:
                self._join_waiters.remove(waiter)

    def _apply_immediately(self) -> bool:
        # Inside a worker, in another thread, or in the hub itself: blocking on
        # our own hub is impossible, so just call the function.
        current = getcurrent()
        return (isinstance(current, _WorkerGreenlet) or current is self.hub
                or _get_thread_ident() != self.hub.thread_ident)

    def apply(self, func: Callable[..., Any], args: Iterable[Any] | None = None,
              kwds: dict[str, Any] | None = None) -> Any:
        """Run ``func(*args, **kwds)`` in a worker and return its result (or raise)."""
        args = tuple(args) if args is not None else ()
        kwds = kwds or {}
        if self._apply_immediately():
            return func(*args, **kwds)
        return self.spawn(func, *args, **kwds).get()

    def apply_cb(self, func: Callable[..., Any], args: Iterable[Any] | None = None,
                 kwds: dict[str, Any] | None = None,
                 callback: Callable[[Any], Any] | None = None) -> Any:
        result = self.apply(func, args, kwds)
        if callback is not None:
            callback(result)
        return result

    def apply_async(self, func: Callable[..., Any], args: Iterable[Any] | None = None,
                    kwds: dict[str, Any] | None = None,
                    callback: Callable[[Any], Any] | None = None) -> Any:
        """Start a new Greenlet that applies ``func`` in the pool; return the Greenlet."""
        from ..greenlet import Greenlet

        return Greenlet.spawn(self.apply_cb, func, args, kwds, callback)

    # ------------------------------------------------------------ mapping

    def imap(self, func: Callable[..., Any], *iterables: Iterable[Any],
             **kwargs: Any) -> Iterator[Any]:
        """Like ``map``, lazily, in order; as many tasks in flight as the pool allows."""
        return _MapIterator(self, func, iterables, ordered=True)

    def imap_unordered(self, func: Callable[..., Any], *iterables: Iterable[Any],
                       **kwargs: Any) -> Iterator[Any]:
        """Like ``imap``, but yields results in the order they finish."""
        return _MapIterator(self, func, iterables, ordered=False)

    # The same on top of imap as for greenlet pools.
    map = GroupMappingMixin.map
    map_cb = GroupMappingMixin.map_cb
    map_async = GroupMappingMixin.map_async


class _MapIterator:
    """Feeds a pool from a producer greenlet and yields the results."""

    def __init__(self, pool: ThreadPool, func: Callable[..., Any],
                 iterables: tuple[Iterable[Any], ...], ordered: bool) -> None:
        self._pool = pool
        self._hub = pool.hub
        self._func = func
        self._ordered = ordered
        self._done: dict[int, Any] = {}        # index -> finished result (ordered)
        self._finished: deque[Any] = deque()   # finished results (unordered)
        self._next_index = 0
        self._yielded = 0
        self._total: int | None = None
        self._error: BaseException | None = None
        self._waiter: Waiter | None = None
        from ..greenlet import Greenlet

        self._producer = Greenlet.spawn(self._produce, iterables)

    def _produce(self, iterables: tuple[Iterable[Any], ...]) -> None:
        count = 0
        try:
            for args in zip(*iterables, strict=False):
                result = self._pool.spawn(self._func, *args)
                result.rawlink(partial(self._on_result, count))
                count += 1
        except BaseException as exc:
            self._error = exc
        finally:
            self._total = count
            self._hub.loop.run_callback(self._wake)

    def _on_result(self, index: int, result: Any) -> None:
        if self._ordered:
            self._done[index] = result
        else:
            self._finished.append(result)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            waiter.switch(None)

    def __iter__(self) -> _MapIterator:
        return self

    def __next__(self) -> Any:
        while True:
            result = None
            if self._ordered:
                result = self._done.pop(self._next_index, None)
                if result is not None:
                    self._next_index += 1
            elif self._finished:
                result = self._finished.popleft()
            if result is not None:
                self._yielded += 1
                return result.get()
            if self._total is not None and self._yielded >= self._total:
                error, self._error = self._error, None
                if error is not None:
                    raise error
                raise StopIteration
            waiter = self._waiter = Waiter(self._hub)
            waiter.get()
