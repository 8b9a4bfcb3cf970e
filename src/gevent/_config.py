"""``gevent.config``: settings read lazily from ``GEVENT_*`` environment variables.

A setting reads its environment variable the first time it is asked for, checks
and converts it, and caches the result. Assigning (``config.loop = ...`` or
``config.set('loop', ...)``) overrides it; do that before the consumer (for
instance the hub) reads it. ``python -m gevent._config`` lists every setting.
"""

from __future__ import annotations

import importlib
import os
import textwrap
from collections.abc import Callable
from typing import Any

__all__ = ["config"]


def validate_invalid(value: Any) -> Any:
    raise ValueError(f"not a valid value: {value!r}")


def validate_bool(value: Any) -> bool:
    """Accept the usual spellings of true and false (1/true/on/yes, 0/false/off/no)."""
    if isinstance(value, str):
        value = value.lower().strip()
        if value in ("1", "true", "on", "yes"):
            return True
        if value in ("0", "false", "off", "no", ""):
            return False
        raise ValueError(f"invalid boolean string {value!r}: use 1/true/on/yes or 0/false/off/no")
    return bool(value)


def validate_anything(value: Any) -> Any:
    return value


def _positive_number(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def validate(value: Any) -> Any:
        if value is None:
            return None
        value = convert(value)
        if value <= 0:
            raise ValueError(f"must be positive: {value!r}")
        return value

    return validate


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def validate(value: Any) -> Any:
        return None if value is None else convert(value)

    return validate


def _import_dotted(path: str) -> Any:
    if "." not in path:
        raise ImportError(
            f"cannot import {path!r}: expected a dotted name like 'package.module.Name'")
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class Setting:
    """One configurable value: its name, environment variable, default and validator."""

    name = ""
    environment_key = ""
    default: Any = None
    document = True
    desc = ""

    def __init__(self) -> None:
        self._value: Any = None
        self._set = False

    def validate(self, value: Any) -> Any:
        return value

    def get(self) -> Any:
        if not self._set:
            raw = os.environ.get(self.environment_key) if self.environment_key else None
            self._value = self.validate(raw if raw is not None else self.default)
            self._set = True
        return self._value

    def set(self, value: Any) -> None:
        self._value = self.validate(value)
        self._set = True


class _Bool(Setting):
    def validate(self, value: Any) -> Any:
        return validate_bool(value)


class _Float(Setting):
    def validate(self, value: Any) -> Any:
        return _positive_number(float)(value)


class _Int(Setting):
    def validate(self, value: Any) -> Any:
        return _positive_number(int)(value)


class ImportableSetting(Setting):
    """A class or function given as an object, a dotted name, or a preference list."""

    shortname_map: dict[str, str] = {}
    # Names that mean something in upstream gevent but have no implementation here.
    unavailable: dict[str, str] = {}

    def _import_one(self, path: Any) -> Any:
        if not isinstance(path, str):
            return path
        path = path.strip()
        if path in self.unavailable:
            raise ImportError(self.unavailable[path])
        dotted = self.shortname_map.get(path, path)
        if "/" in dotted or "\\" in dotted:
            # A file path is not an importable name, and we never touch sys.path.
            raise ImportError(f"Cannot import {dotted!r}: use a dotted module name, not a path")
        return _import_dotted(dotted)

    def _import_one_of(self, candidates: list[Any]) -> Any:
        """The first candidate that imports; ImportError naming every failure otherwise."""
        if not candidates:
            raise ImportError("Cannot import from empty list")
        errors = []
        for candidate in candidates:
            try:
                return self._import_one(candidate)
            except (ImportError, AttributeError) as exc:
                errors.append(f"{candidate!r}: {exc}")
        raise ImportError(
            f"cannot use any of {candidates!r} for {self.environment_key or self.name}: "
            + "; ".join(errors)
        )

    def validate(self, value: Any) -> Any:
        if value is None or not isinstance(value, (str, list, tuple)):
            return value
        candidates = value.split(",") if isinstance(value, str) else list(value)
        return self._import_one_of(candidates)

    def get_options(self) -> dict[str, Any]:
        """Each short name, with what it imports to (or the error it gives)."""
        options: dict[str, Any] = {}
        for name in self.shortname_map:
            try:
                options[name] = self._import_one(name)
            except (ImportError, AttributeError) as exc:
                options[name] = exc
        return options


_NO_COMPILED = (
    "this gevent is the pure-Python reimplementation and has no {} loop; "
    "unset GEVENT_LOOP or set it to 'python' (the only loop here)"
)


class Loop(ImportableSetting):
    name = "loop"
    environment_key = "GEVENT_LOOP"
    default = "python"
    desc = "The event loop class. 'python' is this package's pure-Python loop."
    shortname_map = {
        "python": "gevent._core.Loop",
        "pure": "gevent._core.Loop",
        "default": "gevent._core.Loop",
    }
    unavailable = {
        name: _NO_COMPILED.format(repr(name))
        for name in ("libev-cext", "libev-cffi", "libuv-cffi", "libuv", "libev")
    }


class Resolver(ImportableSetting):
    name = "resolver"
    environment_key = "GEVENT_RESOLVER"
    default = "thread,block"
    desc = "The DNS resolver class."
    shortname_map = {
        "thread": "gevent.resolver.thread.Resolver",
        "block": "gevent.resolver.blocking.Resolver",
        "dnspython": "gevent.resolver.dnspython.Resolver",
        "ares": "gevent.resolver.ares.Resolver",
    }


class Threadpool(ImportableSetting):
    name = "threadpool"
    environment_key = "GEVENT_THREADPOOL"
    default = "gevent.threadpool.ThreadPool"
    desc = "The thread pool class the hub creates on demand."


class FileObject(ImportableSetting):
    name = "fileobject"
    environment_key = "GEVENT_FILE"
    default = "posix,thread"
    desc = "The class behind gevent.fileobject.FileObject."
    shortname_map = {
        "thread": "gevent._io._fileobjectcommon.FileObjectThread",
        "posix": "gevent._io._fileobjectposix.FileObjectPosix",
        "block": "gevent._io._fileobjectcommon.FileObjectBlock",
    }


class FormatContext(ImportableSetting):
    name = "format_context"
    environment_key = "GEVENT_FORMAT_CONTEXT"
    default = "pprint.saferepr"
    desc = "How the hub formats the context of an error it prints."


def _simple(name: str, env: str, default: Any, base: type[Setting], desc: str) -> type[Setting]:
    return type(f"_{name}", (base,), {"name": name, "environment_key": env, "default": default,
                                      "desc": desc})


class _Backend(Setting):
    name = "libev_backend"
    environment_key = "GEVENT_BACKEND"
    desc = "Accepted for compatibility; the pure-Python loop picks epoll or selectors itself."


class _Nameservers(Setting):
    name = "resolver_nameservers"
    environment_key = "GEVENT_RESOLVER_NAMESERVERS"
    desc = "Name servers for the resolvers that use them."


class _TraceMalloc(_Bool):
    name = "trace_malloc"
    environment_key = "PYTHONTRACEMALLOC"
    default = False
    desc = "Whether tracemalloc is on (read from PYTHONTRACEMALLOC)."


SETTINGS: list[type[Setting]] = [
    Loop, Resolver, Threadpool, FileObject, FormatContext,
    _Backend, _Nameservers, _TraceMalloc,
    _simple("threadpool_idle_task_timeout", "GEVENT_THREADPOOL_IDLE_TASK_TIMEOUT", 5.0, _Float,
            "Seconds an idle thread pool worker waits before exiting."),
    _simple("track_greenlet_tree", "GEVENT_TRACK_GREENLET_TREE", True, _Bool,
            "Whether greenlets remember who spawned them (spawning_greenlet, spawn_tree_locals)."),
    _simple("monitor_thread", "GEVENT_MONITOR_THREAD_ENABLE", False, _Bool,
            "Whether each hub starts a monitoring thread that reports a blocked loop."),
    _simple("max_blocking_time", "GEVENT_MAX_BLOCKING_TIME", 0.1, _Float,
            "Seconds the loop may go without switching before it is reported blocked."),
    _simple("print_blocking_reports", "GEVENT_MONITOR_PRINT_BLOCKING_REPORTS", True, _Bool,
            "Whether blocking reports are printed to the hub's exception stream."),
    _simple("max_memory_usage", "GEVENT_MONITOR_MEMORY_MAX", None, _Int,
            "Bytes of memory above which the monitor emits an event."),
    _simple("memory_monitor_period", "GEVENT_MONITOR_MEMORY_PERIOD", 5, _Float,
            "Seconds between memory checks of the monitor."),
    _simple("disable_watch_children", "GEVENT_NOWAITPID", False, _Bool,
            "Whether gevent leaves child processes alone (no SIGCHLD handling)."),
    _simple("resolver_timeout", "GEVENT_RESOLVER_TIMEOUT", None, _Float,
            "Seconds a resolver waits for an answer."),
    _simple("pywsgi_strict", "GEVENT_PYWSGI_STRICT", True, _Bool,
            "The default of WSGIServer.strict_http. Off keeps four leniencies of gevent's "
            "pywsgi (no Host on HTTP/1.1, Content-Length beside chunked, obs-fold, loose "
            "chunk extensions); see docs/http.md."),
]
for _ares in ("flags", "timeout", "tries", "ndots", "udp_port", "tcp_port", "servers"):
    SETTINGS.append(_simple(f"ares_{_ares}", f"GEVENTARES_{_ares.upper()}", None, Setting,
                            "Accepted for compatibility; there is no c-ares resolver here."))


class Config:
    """All settings, as attributes; see the module docstring."""

    def __init__(self) -> None:
        object.__setattr__(self, "settings", {cls.name: cls() for cls in SETTINGS})

    def __getattr__(self, name: str) -> Any:
        settings = object.__getattribute__(self, "settings")
        if name not in settings:
            raise AttributeError(f"no configuration setting named {name!r}")
        return settings[name].get()

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.settings:
            raise AttributeError(f"no configuration setting named {name!r}")
        self.settings[name].set(value)

    def set(self, name: str, value: Any) -> None:
        setattr(self, name, value)

    def __dir__(self) -> list[str]:
        return sorted(self.settings)

    def print_help(self) -> None:
        for name, setting in sorted(self.settings.items()):
            env = f" (environment: {setting.environment_key})" if setting.environment_key else ""
            print(f"{name}{env}, default {setting.default!r}")
            print(textwrap.indent(textwrap.fill(setting.desc), "    "))


config = Config()

if __name__ == "__main__":
    config.print_help()
