"""Native worker threads: the thread pool and its ``concurrent.futures`` executor.

Public names are in ``gevent.threadpool``.
"""

from __future__ import annotations

__all__: list[str] = []
