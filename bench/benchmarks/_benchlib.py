"""Helpers shared by the benchmark scripts.

Every script in this folder runs unchanged under this project and under the
reference gevent, so this module uses nothing but the standard library and
gevent's public API. A script prints exactly one JSON line on stdout: its
metrics, plus a few fields naming the implementation that produced them.

Size: the first command-line argument, else the ``GEVENT_BENCH_N`` environment
variable, else the script's own default.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from typing import Any

perf_counter = time.perf_counter


def size(default: int) -> int:
    """The problem size: argv[1], then $GEVENT_BENCH_N, then ``default``."""
    if len(sys.argv) > 1 and sys.argv[1]:
        return int(sys.argv[1])
    env = os.environ.get("GEVENT_BENCH_N")
    if env:
        return int(env)
    return default


def implementation() -> dict[str, Any]:
    """Which gevent (and greenlet) this process imported."""
    info: dict[str, Any] = {"python": sys.version.split()[0]}
    try:
        import gevent

        info["gevent_version"] = getattr(gevent, "__version__", "?")
        info["gevent_file"] = getattr(gevent, "__file__", "?")
    except Exception as exc:  # reported, not raised: the runner decides
        info["gevent_error"] = repr(exc)
    try:
        import greenlet

        info["greenlet_version"] = getattr(greenlet, "__version__", "?")
    except Exception:
        pass
    return info


def emit(bench: str, n: int, **metrics: Any) -> None:
    """Print the one JSON line that the runner reads."""
    record: dict[str, Any] = {"bench": bench, "n": n}
    record.update(metrics)
    record.update(implementation())
    sys.stdout.write(json.dumps(record, sort_keys=True) + "\n")
    sys.stdout.flush()


def unavailable(bench: str, n: int, exc: BaseException) -> None:
    """Report that this implementation lacks what the benchmark needs.

    Used only for an ImportError of the module under test (for example a
    gevent.queue that does not exist yet); anything else is a crash.
    """
    emit(bench, n, unavailable=f"{type(exc).__name__}: {exc}")
    sys.exit(0)


def rss_bytes() -> int:
    """Resident set size of this process, from /proc (0 where there is none)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of an already sorted list, nearest-rank."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, math.ceil(q / 100.0 * len(sorted_values)) - 1))
    return sorted_values[k]
