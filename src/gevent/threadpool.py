"""Native thread pools whose results are waited for cooperatively.

``ThreadPool`` runs blocking functions in real OS threads (even after monkey
patching) and hands each result back to the hub of the thread that submitted
it. ``ThreadPoolExecutor`` is the ``concurrent.futures`` face of the same
machinery. The implementation lives in ``gevent._threads``: ``_pool`` (the
pool, its workers and results) and ``_executor`` (the executor and its futures).
"""

from __future__ import annotations

from ._threads._executor import ThreadPoolExecutor, _FutureProxy
from ._threads._pool import (
    ThreadPool,
    ThreadResult,
    _get_thread_profile,
    _get_thread_trace,
    _WorkerGreenlet,
)

__all__ = ["ThreadPool", "ThreadPoolExecutor", "ThreadResult"]

# Private names kept importable from here; gevent's own tests read the hooks and the worker.
_ = (_FutureProxy, _get_thread_profile, _get_thread_trace, _WorkerGreenlet)
