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
    gevent.queue that does not exist yet), a missing external tool (wrk), or a
    resource the machine will not grant (file descriptors); anything else is a
    crash.
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


# ------------------------------------------------ multi-process benchmarks
#
# A script that needs a second process (a server for its client, or an external
# load generator) starts it with ``start_child``, which pins it to a core of its
# own where there are two, makes it die with its parent (Linux), and waits for
# one ready line on its stdout. ``stop_child`` always ends it. A Python server
# child also calls ``exit_with_parent`` so that it cannot outlive the script
# even where the parent-death signal does not exist.


def cpu_pair() -> tuple[set[int] | None, set[int] | None]:
    """Two disjoint CPU sets (this process, the other process), or (None, None).

    None means "do not pin": fewer than two CPUs are usable, or the platform
    has no ``sched_setaffinity``.
    """
    getter = getattr(os, "sched_getaffinity", None)
    if getter is None or not hasattr(os, "sched_setaffinity"):
        return None, None
    try:
        cpus = sorted(getter(0))
    except OSError:
        return None, None
    if len(cpus) < 2:
        return None, None
    return {cpus[0]}, {cpus[1]}


def pin_self(cpus: set[int] | None) -> bool:
    """Pin this process to ``cpus``; False when not pinned (None, or refused)."""
    if not cpus:
        return False
    try:
        os.sched_setaffinity(0, cpus)
    except OSError:
        return False
    return True


def _die_with_parent() -> None:
    """In a freshly forked child: ask Linux to SIGKILL us when the parent goes."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    except Exception:  # not Linux, or no libc: exit_with_parent still applies
        pass


def child_setup(cpus: set[int] | None) -> Any:
    """A ``preexec_fn``: die with the parent (Linux), and pin to ``cpus`` if given.

    Affinity set before exec is inherited by every thread the program starts.
    """

    def preexec() -> None:
        _die_with_parent()
        if cpus:
            try:
                os.sched_setaffinity(0, cpus)
            except OSError:
                pass

    return preexec


def start_child(cmd: list[str], cpus: set[int] | None, *,
                ready_timeout: float = 30.0) -> tuple[Any, str]:
    """Start ``cmd`` pinned to ``cpus`` (None: not pinned); (process, ready line).

    The child must print one line on stdout within ``ready_timeout`` seconds;
    it is killed and RuntimeError raised otherwise. The child's stderr is this
    process's stderr.
    """
    import select
    import subprocess

    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            preexec_fn=child_setup(cpus))
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + ready_timeout
    line = b""
    try:
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"child {cmd[1:]} not ready after {ready_timeout:.0f}s")
            readable, _, _ = select.select([fd], [], [], left)
            if not readable:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError(f"child {cmd[1:]} exited with {proc.wait()} before ready")
            line += chunk
    except BaseException:
        stop_child(proc)
        raise
    return proc, line.decode().strip()


def stop_child(proc: Any, grace: float = 2.0) -> None:
    """Terminate ``proc``, then kill it if it is still there after ``grace`` s."""
    import subprocess

    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        except OSError:
            pass
    if proc.stdout is not None:
        proc.stdout.close()


def exit_with_parent(max_lifetime: float = 600.0) -> None:
    """In a gevent server child: a greenlet that exits the process when the
    parent is gone (checked every half second) or after ``max_lifetime``."""
    import gevent

    parent = os.getppid()
    deadline = time.monotonic() + max_lifetime

    def watch() -> None:
        while os.getppid() == parent and time.monotonic() < deadline:
            gevent.sleep(0.5)
        os._exit(3)

    gevent.spawn(watch)


def ready(*fields: Any) -> None:
    """In a server child: print the one ready line the parent waits for."""
    sys.stdout.write(" ".join(str(f) for f in fields) + "\n")
    sys.stdout.flush()


def raise_nofile(needed: int) -> tuple[bool, int]:
    """Raise RLIMIT_NOFILE's soft limit to at least ``needed``; (ok, soft limit)."""
    try:
        import resource
    except ImportError:
        return True, -1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return True, soft
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return False, soft
    return target >= needed, target
