"""``ThreadPoolExecutor``: the ``concurrent.futures`` face of ``ThreadPool``.

Theory of operation
-------------------
``submit`` spawns the call in a gevent ``ThreadPool`` and wraps the AsyncResult
it gets back in a ``_FutureProxy``, which answers the ``Future`` questions
(``done``, ``result``, ``add_done_callback``...) from that result. Waiting on
one blocks only the calling greenlet, and the proxy has ``rawlink``/``unlink``,
so it can be handed to ``gevent.wait`` and ``gevent.iwait``.

``concurrent.futures.wait`` and ``as_completed`` reach into a future's private
``_condition``, ``_state`` and ``_waiters``. The proxy offers a lock that locks
nothing (every change happens in the one hub that owns the pool), a state
computed from the result, and a ``_waiters`` list that links each waiter added
to it to the result. Those functions block on a ``threading`` lock, which only
works once ``threading`` is monkey-patched; unpatched, ``_waiters`` of a future
that is not done raises ``AttributeError`` rather than block the whole thread.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from functools import partial
from typing import Any

from .._patch import is_module_patched
from ..timeout import Timeout
from ._pool import ThreadPool

__all__ = ["ThreadPoolExecutor"]


class _FutureWaiters(list):  # type: ignore[type-arg]
    """``future._waiters`` for ``concurrent.futures.wait`` and ``as_completed``."""

    def __init__(self, proxy: _FutureProxy) -> None:
        super().__init__()
        self._proxy = proxy

    def append(self, waiter: Any) -> None:
        super().append(waiter)
        proxy = self._proxy
        if not proxy.done():
            proxy._result.rawlink(partial(_notify_cf_waiter, proxy, waiter))


def _notify_cf_waiter(proxy: _FutureProxy, waiter: Any, _source: Any) -> None:
    if proxy._result.successful():
        waiter.add_result(proxy)
    else:
        waiter.add_exception(proxy)


class _NoLock:
    """``future._condition``: nothing to lock, every change happens in one hub."""

    def acquire(self, *args: Any) -> bool:
        return True

    def release(self) -> None:
        pass

    def __enter__(self) -> bool:
        return True

    def __exit__(self, *args: Any) -> None:
        pass

    def notify_all(self) -> None:
        pass


class _FutureProxy:
    """A ``concurrent.futures.Future`` look-alike over a pool's AsyncResult.

    Works with ``gevent.wait``/``iwait`` (``rawlink``/``unlink``). With
    ``threading`` monkey-patched it also works with ``concurrent.futures.wait``
    and ``as_completed``; unpatched, those raise ``AttributeError`` for a
    future that is not done yet (they would block the whole thread).
    """

    def __init__(self, result: Any) -> None:
        self._result = result
        self._links: dict[Any, Any] = {}
        self._condition = _NoLock()

    def __getattr__(self, name: str) -> Any:
        if name == "_waiters":
            if not self.done() and not is_module_patched("threading"):
                raise AttributeError(name)
            waiters = _FutureWaiters(self)
            self.__dict__["_waiters"] = waiters
            return waiters
        if name == "_state":
            from concurrent.futures._base import FINISHED, RUNNING

            return FINISHED if self.done() else RUNNING
        return getattr(self._result, name)

    def done(self) -> bool:
        return bool(self._result.ready())

    def running(self) -> bool:
        return not self.done()

    def cancelled(self) -> bool:
        return False

    def cancel(self) -> bool:
        return False

    def result(self, timeout: float | None = None) -> Any:
        try:
            return self._result.get(timeout=timeout)
        except Timeout as exc:
            if exc.__class__ is not Timeout:
                raise
            raise concurrent.futures.TimeoutError() from None

    def exception(self, timeout: float | None = None) -> BaseException | None:
        try:
            self.result(timeout)
        except concurrent.futures.TimeoutError:
            raise
        except BaseException as exc:
            return exc
        return None

    def add_done_callback(self, fn: Callable[[Any], Any]) -> None:
        if self.done():
            _call_done_callback(fn, self)
        else:
            self._result.rawlink(lambda _source: _call_done_callback(fn, self))

    def rawlink(self, callback: Callable[[Any], Any]) -> None:
        link = self._links[callback] = partial(_relink, callback, self)
        self._result.rawlink(link)

    def unlink(self, callback: Callable[[Any], Any]) -> None:
        link = self._links.pop(callback, None)
        if link is not None:
            self._result.unlink(link)


def _relink(callback: Callable[[Any], Any], proxy: _FutureProxy, _source: Any) -> None:
    callback(proxy)


def _call_done_callback(fn: Callable[[Any], Any], future: _FutureProxy) -> None:
    try:
        fn(future)
    except Exception:
        # As concurrent.futures does: a failing callback is logged, not raised.
        from concurrent.futures._base import LOGGER

        LOGGER.exception("exception calling callback for %r", future)


class ThreadPoolExecutor(concurrent.futures.ThreadPoolExecutor):
    """``concurrent.futures.ThreadPoolExecutor`` on a gevent ThreadPool.

    Tasks always run in native threads, patched or not; the futures it returns
    block only the calling greenlet and can be passed to ``gevent.wait``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._threadpool = ThreadPool(self._max_workers)
        self._gevent_shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if self._gevent_shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        return _FutureProxy(self._threadpool.spawn(fn, *args, **kwargs))

    def shutdown(self, wait: bool = True, **kwargs: Any) -> None:
        self._gevent_shutdown = True
        super().shutdown(wait, **kwargs)
        if wait:
            self._threadpool.join()
        self._threadpool.kill()

    kill = shutdown
