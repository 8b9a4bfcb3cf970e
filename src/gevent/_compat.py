"""Platform facts and small helpers shared across the package (and gevent's test helpers)."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

PY3 = True
PY311 = sys.version_info[:2] >= (3, 11)
PY312 = sys.version_info[:2] >= (3, 12)
PY313 = sys.version_info[:2] >= (3, 13)
PYPY = hasattr(sys, "pypy_version_info")
WIN = sys.platform.startswith("win")
LINUX = sys.platform.startswith("linux")
OSX = MAC = sys.platform == "darwin"
# Always true here: there are no compiled accelerators to switch off.
PURE_PYTHON = True

string_types = (str,)
integer_types = (int,)
text_type = str
native_path_types = (str, bytes)
thread_mod_name = "_thread"
hostname_types = (str, bytes, bytearray)

perf_counter = time.perf_counter
get_clock_info = time.get_clock_info
NativeStrIO = __import__("io").StringIO


def reraise(t: Any, value: BaseException, tb: Any = None) -> None:
    if value.__traceback__ is not tb and tb is not None:
        raise value.with_traceback(tb)
    raise value


def exc_clear() -> None:
    """Nothing to clear on Python 3."""


def fsencode(path: Any) -> Any:
    return os.fsencode(path)


def fsdecode(path: Any) -> Any:
    return os.fsdecode(path)


def _fspath(path: Any) -> str | bytes:
    return os.fspath(path)


fspath = _fspath


_psutil_process: Any = None


def get_this_psutil_process() -> Any:
    """The ``psutil.Process`` for this process, or None when psutil is missing."""
    global _psutil_process
    if _psutil_process is None:
        try:
            import psutil  # type: ignore[import-untyped]
        except ImportError:
            return None
        try:
            _psutil_process = psutil.Process()
        except Exception:
            return None
    return _psutil_process
