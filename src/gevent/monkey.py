"""Monkey patching: make the standard library cooperative.

Theory of operation
-------------------
Each green module (``gevent.socket``, ``gevent.select``, ``gevent.time``, ...)
lists in ``__implements__`` the names it provides in place of its stdlib
counterpart (``__target__``, else the same name). Patching a module copies
those names over the stdlib module's attributes and records each replaced
original in ``saved[module_name][attr]``, so ``get_original`` can always reach
the real blocking object. A green module may take over the copying with a
``_gevent_do_monkey_patch(request)`` hook (``gevent.select`` uses it to *remove*
``epoll`` and friends).

Every module patch is announced first with ``GeventWillPatchModuleEvent`` (a
subscriber may veto it by raising ``DoNotPatch``) and afterwards with
``GeventDidPatchModuleEvent``; ``patch_all`` wraps the lot in its own
Will/Did events. Patches cannot be undone.

Patching ``_thread`` is the delicate one: see ``patch_thread`` and
``gevent.threading`` for how the main thread, ``threading._shutdown`` and locks
already held while patching are kept working.

Compatibility: the patch functions for modules this build does not provide yet
(``gevent.ssl``, ...) do nothing, silently, and return False.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import warnings
from typing import Any

# Load the loop (and the hub) now: they capture the real, blocking primitives
# (select.epoll, selectors.DefaultSelector, threading) at import, and must do so
# before any patch replaces them.
import gevent._core
import gevent.hub

# The patching state lives in a leaf module that low layers may import; these
# are the same objects (``saved`` is one dict).
from ._patch import (
    _PATCH_ALL_KEY,
    get_original,
    is_module_patched,
    is_object_patched,
    patch_item,
    remove_item,
    saved,
)
from ._patch import is_anything_patched as is_anything_patched

__all__ = ["MonkeyPatchWarning", "get_original", "is_module_patched", "is_object_patched", "main",
           "patch_all", "patch_builtins", "patch_dns", "patch_module", "patch_os", "patch_queue",
           "patch_select", "patch_signal", "patch_socket", "patch_ssl", "patch_subprocess",
           "patch_sys", "patch_thread", "patch_time"]

WIN = sys.platform.startswith("win")
PY314 = sys.version_info[:2] >= (3, 14)


class MonkeyPatchWarning(RuntimeWarning):
    """A monkey patch is likely to misbehave (patched twice differently, ssl patched late)."""




class _PatchRequest:
    """What a ``_gevent_do_monkey_patch`` hook receives."""

    def __init__(self, target_module: Any, source_module: Any, items: list[str],
                 patch_kwargs: dict[str, Any]) -> None:
        self.target_module = target_module
        self.source_module = source_module
        self.items = items
        self.patch_kwargs = patch_kwargs

    def default_patch_items(self) -> None:
        for attr in self.items:
            patch_item(self.target_module, attr, getattr(self.source_module, attr))

    def remove_item(self, target_module: Any, *items: str) -> None:
        for item in items:
            remove_item(target_module, item)


def _notify(event: Any) -> bool:
    """Send ``event``; False when a subscriber vetoed it with ``DoNotPatch``."""
    from gevent import events

    try:
        events.notify_and_call_entry_points(event)
    except events.DoNotPatch:
        return False
    return True


def patch_module(target_module: Any, source_module: Any, items: Any = None,
                 _warnings: Any = None, _patch_kwargs: Any = None,
                 _notify_will_subscribers: bool = True,
                 _notify_did_subscribers: bool = True) -> bool:
    """Copy ``items`` (default: ``source_module.__implements__``) onto ``target_module``.

    Returns False if a subscriber vetoed the patch.
    """
    from gevent import events

    if items is None:
        items = getattr(source_module, "__implements__", None)
        if items is None:
            raise AttributeError(f"{source_module!r} does not have __implements__")
    if isinstance(target_module, str):
        target_module = importlib.import_module(target_module)
    items = list(items)
    name = target_module.__name__
    if _notify_will_subscribers and not _notify(
            events.GeventWillPatchModuleEvent(name, source_module, target_module, items)):
        return False
    request = _PatchRequest(target_module, source_module, items, dict(_patch_kwargs or {}))
    hook = getattr(source_module, "_gevent_do_monkey_patch", None)
    if hook is not None:
        hook(request)
    else:
        request.default_patch_items()
    # Mark the module patched even when every name was new to it.
    saved.setdefault(name, {})
    if _notify_did_subscribers:
        _notify(events.GeventDidPatchModuleEvent(name, source_module, target_module))
    return True


def _green_module(name: str) -> Any:
    """``gevent.<name>`` if this build has it, else None (nothing to patch with)."""
    full = f"gevent.{name}"
    if full not in sys.modules and importlib.util.find_spec(full) is None:
        return None
    module = importlib.import_module(full)
    if not getattr(module, "__implements__", None):
        # Nothing to copy (yet): leave the stdlib module unpatched and unmarked.
        return None
    return module


def _patch_module(name: str, items: Any = None, _patch_kwargs: Any = None) -> bool:
    gevent_module = _green_module(name)
    if gevent_module is None:
        return False
    target = importlib.import_module(getattr(gevent_module, "__target__", name))
    return patch_module(target, gevent_module, items=items, _patch_kwargs=_patch_kwargs)


# ------------------------------------------------------------ one module each


def patch_time() -> bool:
    """Make ``time.sleep`` cooperative."""
    return _patch_module("time")


def patch_socket(dns: bool = True, aggressive: bool = True) -> bool:
    """Replace ``socket.socket`` and friends; with ``dns``, also the resolver functions."""
    from gevent import socket as gsocket

    if dns:
        items = list(gsocket.__implements__)
    else:
        items = [i for i in gsocket.__implements__ if i not in gsocket.__dns__]
    return _patch_module("socket", items=items, _patch_kwargs={"aggressive": aggressive})


def patch_dns() -> bool:
    """Replace only the name-resolution functions of ``socket``."""
    from gevent import socket as gsocket

    return _patch_module("socket", items=list(gsocket.__dns__))


def patch_select(aggressive: bool = True) -> bool:
    """Replace ``select.select`` and ``select.poll``; ``aggressive`` removes ``epoll`` etc."""
    patched = _patch_module("select", _patch_kwargs={"aggressive": aggressive})
    if patched:
        # selectors.PollSelector captured select.poll when it was defined (socketserver
        # uses it): point it at the green poll too.
        import select as select_mod
        import selectors as selectors_mod

        poll_selector: Any = getattr(selectors_mod, "PollSelector", None)
        if poll_selector is not None and hasattr(select_mod, "poll"):
            poll_selector._selector_cls = select_mod.poll
    return patched


def patch_selectors(aggressive: bool = True) -> bool:
    """Make ``selectors.DefaultSelector`` the green selector."""
    return _patch_module("selectors", _patch_kwargs={"aggressive": aggressive})


def patch_ssl(_warnings: Any = None, _first_time: bool = True) -> bool:
    """Replace ``ssl`` with ``gevent.ssl``. Does nothing in a build without ``gevent.ssl``."""
    if "ssl" in sys.modules and not is_module_patched("ssl"):
        _warn_if_ssl_was_used_early(sys.modules["ssl"])
    return _patch_module("ssl")


def _warn_if_ssl_was_used_early(ssl_module: Any) -> None:
    # Patching replaces names in the ssl module only: code that already took
    # ``SSLContext`` out of it, or subclassed it, keeps the blocking class.
    original = getattr(ssl_module, "SSLContext", None)
    if original is None:
        return
    holders = sorted(
        name for name, module in list(sys.modules.items())
        if module is not None and name != "ssl" and not name.startswith("gevent")
        and getattr(module, "SSLContext", None) is original
    )
    subclasses = sorted(
        f"{cls.__module__}.{cls.__qualname__}" for cls in _all_subclasses(original)
        if not cls.__module__.startswith("gevent")
    )
    if not holders and not subclasses:
        return
    lines = ["ssl was imported, and used, before monkey-patching: patch earlier (before "
             "anything imports ssl, requests or urllib3) or these keep the blocking ssl."]
    if holders:
        lines.append(f"Modules that had direct imports (NOT patched): {holders}.")
    if subclasses:
        lines.append(f"Subclasses (NOT patched): {subclasses}.")
    warnings.warn(" ".join(lines), MonkeyPatchWarning, stacklevel=3)


def _all_subclasses(cls: type) -> list[type]:
    found: list[type] = []
    pending: list[type] = list(cls.__subclasses__())
    while pending:
        sub = pending.pop()
        found.append(sub)
        pending.extend(sub.__subclasses__())
    return found


def patch_os() -> bool:
    """Replace ``os.fork`` and friends, when this build has ``gevent.os``."""
    return _patch_module("os")


def patch_queue() -> bool:
    """Replace the ``queue`` classes, when ``gevent.queue`` declares ``__implements__``."""
    return _patch_module("queue")


def patch_signal() -> bool:
    """Replace ``signal.signal`` and friends, when this build has ``gevent.signal``."""
    return _patch_module("signal")


def patch_subprocess() -> bool:
    """Replace ``subprocess.Popen`` and friends, when this build has ``gevent.subprocess``."""
    return _patch_module("subprocess")


def patch_thread(threading: bool = True, _threading_local: bool = True, Event: bool = True,
                 logging: bool = True, existing_locks: bool = True,
                 _warnings: Any = None) -> bool:
    """Replace ``_thread`` (and ``threading``) with greenlet-based versions.

    ``threading``: also patch the names ``threading`` imported from
    ``_thread``, file the main thread under the main greenlet's ident and
    replace ``_shutdown`` so the interpreter still exits cleanly.
    ``Event``: ``threading.Event`` becomes ``gevent.event.Event``.
    ``logging``: the locks of an imported ``logging`` are re-created green.
    ``existing_locks``: locks held by this (main) thread while patching,
    notably import locks, are handed to the main greenlet so that it can
    release them.
    """
    if _green_module("thread") is None:
        return False
    own_warnings = _warnings is None
    found: list[str] = [] if _warnings is None else _warnings
    on_main_thread = gevent.hub.get_thread_ident() == gevent.hub.MAIN_THREAD_IDENT
    if not on_main_thread:
        found.append("Monkey-patching outside the main native thread. Some APIs will not be "
                     "available. Expect a KeyError to be printed at shutdown.")
    threading_mod = importlib.import_module("threading") if threading else None
    if not _patch_module("thread"):
        return False
    if threading_mod is not None:
        from gevent import threading as gthreading

        if _patch_module("threading"):
            if Event:
                from gevent.event import Event as GreenEvent

                patch_item(threading_mod, "Event", GreenEvent)
            patch_item(threading_mod, "_shutdown", gthreading._shutdown)
            if on_main_thread:
                gthreading._fix_main_thread()
            else:
                found.append("Monkey-patching not on the main thread; "
                             "threading.main_thread().join() will hang from a greenlet")
    if _threading_local:
        from gevent.local import local

        patch_item(importlib.import_module("_threading_local"), "local", local)
    if existing_locks:
        _reown_existing_locks()
    if logging and "logging" in sys.modules:
        _green_logging_locks(sys.modules["logging"])
    if own_warnings and found:
        _process_warnings(found)
    return True


def _process_warnings(found: list[str]) -> None:
    # One place that turns collected patching problems into warnings (tests replace it).
    for message in found:
        warnings.warn(message, MonkeyPatchWarning, stacklevel=3)


def _reown_existing_locks() -> None:
    """Give the main greenlet the locks this OS thread holds, and green some global locks."""
    import gc
    import importlib._bootstrap as bootstrap

    import gevent.thread

    native = gevent.hub.get_thread_ident()
    if native != gevent.hub.MAIN_THREAD_IDENT:
        return
    green = gevent.thread.get_ident(gevent.hub._main_greenlet_of_this_thread())
    threading_mod: Any = sys.modules.get("threading")
    py_rlock = getattr(threading_mod, "_PyRLock", None)
    module_lock = getattr(bootstrap, "_ModuleLock", None)
    for obj in gc.get_objects():
        kind = type(obj)
        if py_rlock is not None and kind is py_rlock:
            if getattr(obj, "_owner", None) == native:
                obj._owner = green
        elif (module_lock is not None and kind is module_lock
              and getattr(obj, "owner", None) == native):
            obj.owner = green
    if threading_mod is not None and is_module_patched("threading"):
        # Same kind of lock (an RLock on 3.11), but green.
        lock = getattr(threading_mod, "_active_limbo_lock", None)
        if lock is not None and _lock_is_free(lock):
            threading_mod._active_limbo_lock = _same_kind_green(lock)
    futures_thread: Any = sys.modules.get("concurrent.futures.thread")
    lock = getattr(futures_thread, "_global_shutdown_lock", None)
    if lock is not None and _lock_is_free(lock):
        futures_thread._global_shutdown_lock = _same_kind_green(lock)


def _same_kind_green(lock: Any) -> Any:
    # A fresh green lock, re-entrant if ``lock`` was.
    import threading

    if hasattr(lock, "_is_owned"):
        return threading.RLock()
    return threading.Lock()


def _lock_is_free(lock: Any) -> bool:
    """True if nobody (this thread included) holds the (R)lock ``lock``."""
    is_owned = getattr(lock, "_is_owned", None)
    if is_owned is not None and is_owned():
        return False
    if not lock.acquire(False):
        return False
    lock.release()
    return True


def _green_logging_locks(logging_mod: Any) -> None:
    """Re-create the module lock and every handler's lock of ``logging`` as green RLocks."""
    import threading as threading_mod

    lock = getattr(logging_mod, "_lock", None)
    if lock is not None and _lock_is_free(lock):
        patch_item(logging_mod, "_lock", threading_mod.RLock())
    for ref in list(getattr(logging_mod, "_handlerList", ())):
        handler = ref() if callable(ref) else ref
        old = getattr(handler, "lock", None)
        if handler is None or old is None or not _lock_is_free(old):
            continue
        handler.createLock()


def patch_sys(stdin: bool = True, stdout: bool = True, stderr: bool = True) -> bool:
    """Deprecated in gevent and a no-op here."""
    return False


def patch_builtins() -> bool:
    """A no-op on Python 3, as in gevent."""
    return False


def patch_contextvars() -> bool:
    """A no-op: greenlet switches context variables itself."""
    return False


# ---------------------------------------------------------------- patch_all

_PATCH_ALL_DEFAULTS: dict[str, Any] = {
    "socket": True, "dns": True, "time": True, "select": True, "thread": True, "os": True,
    "ssl": True, "subprocess": True, "sys": False, "aggressive": True, "Event": True,
    "builtins": True, "signal": True, "queue": True, "contextvars": True,
}


def patch_all(socket: bool = True, dns: bool = True, time: bool = True, select: bool = True,
              thread: bool = True, os: bool = True, ssl: bool = True, subprocess: bool = True,
              sys: bool = False, aggressive: bool = True, Event: bool = True,
              builtins: bool = True, signal: bool = True, queue: bool = True,
              contextvars: bool = True, **kwargs: Any) -> bool | None:
    """Patch every module this build can make cooperative.

    Returns True after patching, False when a subscriber vetoed it, and None
    when a repeated call asks for nothing new. Repeated calls patch the union of
    everything asked for so far, with a ``MonkeyPatchWarning`` when the
    arguments differ.
    """
    from gevent import events

    args = {"socket": socket, "dns": dns, "time": time, "select": select, "thread": thread,
            "os": os, "ssl": ssl, "subprocess": subprocess, "sys": sys,
            "aggressive": aggressive, "Event": Event, "builtins": builtins, "signal": signal,
            "queue": queue, "contextvars": contextvars}
    merged = _merge_with_previous_patch_all(args, kwargs)
    if merged is None:
        return None
    args = merged
    saved[_PATCH_ALL_KEY] = {**args, **kwargs}

    if signal and not os:
        warnings.warn("Patching signal but not os will result in SIGCHLD handlers installed "
                      "after this not being called and os.waitpid may not function correctly "
                      "if gevent.subprocess is used. This may raise an error in the future.",
                      MonkeyPatchWarning, stacklevel=2)
    if not _notify(events.GeventWillPatchAllEvent(args, kwargs)):
        return False
    _patch_modules(args)
    _notify(events.GeventDidPatchBuiltinModulesEvent(args, kwargs))
    _notify(events.GeventDidPatchAllEvent(args, kwargs))
    return True


def _merge_with_previous_patch_all(args: dict[str, bool],
                                   kwargs: dict[str, Any]) -> dict[str, bool] | None:
    """The union of this ``patch_all`` call's arguments and an earlier call's.

    None when an earlier call already asked for everything this one does.
    """
    previous = saved.get(_PATCH_ALL_KEY)
    if previous is None:
        return args
    if previous != {**args, **kwargs}:
        # stacklevel: the warning names patch_all's caller.
        warnings.warn("Patching more than once will result in the union of all True "
                      "parameters being patched", MonkeyPatchWarning, stacklevel=3)
    if not any(v and not previous.get(k) for k, v in args.items()):
        return None
    return {k: bool(v or previous.get(k)) for k, v in args.items()}


def _patch_modules(args: dict[str, bool]) -> None:
    # gevent's order: os and thread before anything that could start a thread or a
    # child, and ssl after socket.
    if args["os"]:
        patch_os()
    if args["thread"]:
        patch_thread(Event=args["Event"])
    if args["time"]:
        patch_time()
    if args["sys"]:
        patch_sys()
    if args["socket"]:
        patch_socket(dns=args["dns"], aggressive=args["aggressive"])
    if args["select"]:
        patch_select(aggressive=args["aggressive"])
        patch_selectors(aggressive=args["aggressive"])
    if args["ssl"]:
        patch_ssl()
    if args["subprocess"]:
        patch_subprocess()
    if args["builtins"]:
        patch_builtins()
    if args["signal"]:
        patch_signal()
    if args["queue"]:
        patch_queue()
    if args["contextvars"]:
        patch_contextvars()


# --------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> Any:
    """``python -m gevent.monkey [--no-<module>|--<module>]... [--module] script|module [args]``."""
    import runpy

    argv = list(sys.argv[1:] if argv is None else argv)
    options: dict[str, bool] = {}
    verbose = False
    run_module = False
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)[2:]
        if opt == "verbose":
            verbose = True
        elif opt == "module":
            run_module = True
        elif opt.startswith("no-") and opt[3:] in _PATCH_ALL_DEFAULTS:
            options[opt[3:]] = False
        elif opt in _PATCH_ALL_DEFAULTS:
            options[opt] = True
        else:
            raise SystemExit(f"gevent.monkey: unknown option --{opt}")
    if not argv:
        print(main.__doc__)
        return None
    if any(options.values()):
        # Naming modules means "only these" (plus the ones not named negatively).
        selected = {k: bool(options.get(k, False)) for k in _PATCH_ALL_DEFAULTS}
    else:
        selected = {**_PATCH_ALL_DEFAULTS, **options}
    patch_all(**selected)
    if verbose:
        print("gevent.monkey patched:", sorted(n for n in saved if n != _PATCH_ALL_KEY))
    sys.argv[:] = argv
    if run_module:
        return runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
    sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(argv[0])))
    return runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    # ``python -m gevent.monkey`` runs this file as ``__main__``, a second copy
    # of the module. Patch through the real ``gevent.monkey`` so that the
    # originals it records are the ones ``get_original`` (and gevent's own
    # modules, such as the thread pool) consult.
    from gevent import monkey as _monkey

    _monkey.main()
