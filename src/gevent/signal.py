"""``signal.signal`` and ``signal.getsignal`` that leave gevent's SIGCHLD handling alone.

Every signal but ``SIGCHLD`` goes straight to the standard library. For
``SIGCHLD`` the event loop owns the process-level handler: it is how child
watchers (and so ``gevent.os.waitpid`` and ``gevent.subprocess``) learn that a
child ended. So a handler given here for ``SIGCHLD`` is only recorded, and
runs, in a new greenlet and as ``handler(SIGCHLD, None)``, each time one of
gevent's watched children (from ``gevent.os.fork*`` or ``posix_spawn*``)
exits; setting one makes sure the loop catches ``SIGCHLD`` (as libev's default
loop always does). ``SIG_IGN`` or ``SIG_DFL`` hand the signal back to the
process: the loop lets go of it until the next child is watched.

``set_wakeup_fd`` is the standard library's. The loop catches ``SIGCHLD`` with a
Python-level handler, so the interpreter itself already writes the signal
byte to the wakeup descriptor for every child that exits.

Every other name of the standard ``signal`` module is re-exported unchanged
(``__imports__``).

Compatibility: with ``GEVENT_NOWAITPID`` set, children are not watched, and
these functions are extensions that monkey patching leaves out.
"""

from __future__ import annotations

import errno
import os as _os
import signal as _signal
import sys as _sys
from collections.abc import Callable as _Callable
from typing import Any as _Any

from ._patch import get_original as _get_original


def _original(name: str) -> _Any:
    # The standard library's own function, even when this module is imported
    # (or reloaded) after monkey patching put ours in its place.
    func = getattr(_signal, name)
    if getattr(func, "__module__", None) == __name__:
        func = _get_original("signal", name)
    return func


_signal_signal = _original("signal")
_signal_getsignal = _original("getsignal")
_signal_set_wakeup_fd = _original("set_wakeup_fd")
_SIGCHLD: int | None = getattr(_signal, "SIGCHLD", None)

__all__ = ["getsignal", "set_wakeup_fd", "signal"]
__implements__: list[str] = list(__all__)
__extensions__: list[str] = []
if _os.environ.get("GEVENT_NOWAITPID"):
    __implements__, __extensions__ = [], list(__all__)
if hasattr(_signal, "pthread_kill"):
    # Patched in, but kept out of ``__all__``, which stays gevent's.
    __implements__.append("pthread_kill")
    _signal_pthread_kill = _original("pthread_kill")

__imports__: list[str] = []
for _name in dir(_signal):
    if not _name.startswith("_") and _name not in __all__ and _name not in __implements__:
        globals()[_name] = getattr(_signal, _name)
        __imports__.append(_name)
del _name


def _initial_child_handler() -> _Any:
    handler = _signal_getsignal(_SIGCHLD) if _SIGCHLD is not None else None
    if getattr(getattr(handler, "__self__", None), "install_sigchld", None) is not None:
        # The loop's own catcher, installed before this module was imported.
        return _signal.SIG_DFL
    return handler


_child_handler: _Any = _initial_child_handler()


def getsignal(signalnum: int) -> _Any:
    """``signal.getsignal``; for ``SIGCHLD``, the handler recorded by ``signal()``."""
    if signalnum != _SIGCHLD:
        return _signal_getsignal(signalnum)
    return _child_handler


def signal(signalnum: int, handler: _Any) -> _Any:
    """``signal.signal``; ``SIGCHLD`` handlers run in a greenlet for gevent's children.

    Returns the previous handler, like the standard library.
    """
    global _child_handler
    if signalnum != _SIGCHLD:
        return _signal_signal(signalnum, handler)
    if handler not in (_signal.SIG_IGN, _signal.SIG_DFL) and not callable(handler):
        # The standard library's wording: callers may match on it.
        raise TypeError("signal handler must be signal.SIG_IGN, signal.SIG_DFL, "
                        "or a callable object")
    old = _child_handler
    _child_handler = handler
    from ._hub_local import get_hub_if_exists, get_hub_noargs

    if callable(handler):
        # Make sure the loop is the one catching SIGCHLD (libev's default loop
        # always is): then watched children are noticed, and the interpreter
        # writes the signal byte to a set_wakeup_fd descriptor for any child.
        get_hub_noargs().loop.install_sigchld()
    else:
        hub = get_hub_if_exists()
        if hub is not None and hub.loop is not None:
            # The loop restores what it replaced; then the process gets the
            # disposition asked for.
            hub.loop.reset_sigchld()
        _signal_signal(signalnum, handler)
    return old


def set_wakeup_fd(fd: int, /, *, warn_on_full_buffer: bool = True) -> int:
    """``signal.set_wakeup_fd``: gevent's SIGCHLD catcher is a Python handler, so the
    interpreter writes the byte for it like for any other signal."""
    return _signal_set_wakeup_fd(fd, warn_on_full_buffer=warn_on_full_buffer)  # type: ignore[no-any-return]


def pthread_kill(thread_id: int, signalnum: int, /) -> None:
    """``signal.pthread_kill`` that also takes a green thread's ident.

    Once ``threading`` is patched, ``threading.get_ident()`` names a greenlet,
    and handing that to the C ``pthread_kill`` is undefined behaviour (it can
    block the process for good, holding the GIL). A greenlet's ident is sent to
    the native thread that runs it (``ProcessLookupError`` once it has ended, as
    for a native thread); any other ident goes through unchanged.
    """
    _signal_pthread_kill(_native_ident_of(thread_id), signalnum)


def _native_ident_of(ident: int) -> int:
    import gc

    from greenlet import getcurrent, greenlet

    from ._hub_local import get_thread_ident

    current = getcurrent()
    found = current if id(current) == ident else None
    if found is None and ident in _sys._current_frames():
        return ident  # a live native thread's own ident: no scan needed
    if found is None:
        # Rare and never on a hot path: a scan is cheaper than a registry kept
        # for every greenlet. A pthread_t is never the address of a live object.
        found = next((g for g in gc.get_objects() if id(g) == ident
                      and isinstance(g, greenlet)), None)
    if found is None:
        return ident
    if found.dead:
        raise ProcessLookupError(errno.ESRCH, _os.strerror(errno.ESRCH))
    root = _root_of(found)
    if root is _root_of(current):
        return get_thread_ident()
    # Another native thread's greenlet: its hub knows that thread's ident.
    for obj in gc.get_objects():
        if isinstance(obj, greenlet) and obj.parent is root \
                and isinstance(getattr(obj, "thread_ident", None), int):
            return obj.thread_ident  # type: ignore[no-any-return]
    return ident


def _root_of(g: _Any) -> _Any:
    while g.parent is not None:
        g = g.parent
    return g


def _on_child_exit() -> None:
    """Run the recorded SIGCHLD handler in a new greenlet (a watched child exited)."""
    handler = _child_handler
    if callable(handler):
        from .greenlet import Greenlet

        Greenlet.spawn(handler, int(_SIGCHLD or 0), None)


def _chain_to_gevent_os() -> None:
    # gevent.os runs ``_on_child_exit(child)`` in the hub whenever a watched
    # child ends; run our hook after it. Looked up by name at each start of a
    # child watcher, so wrapping the module attribute is enough.
    from . import os as gos
    original: _Callable[..., _Any] | None = getattr(gos, "_on_child_exit", None)
    if original is None or getattr(original, "_gevent_signal_chained", False):
        return

    def on_child_exit(*args: _Any) -> None:
        try:
            original(*args)
        finally:
            _on_child_exit()

    on_child_exit._gevent_signal_chained = True  # type: ignore[attr-defined]
    gos._on_child_exit = on_child_exit  # type: ignore[assignment]


if _SIGCHLD is not None:
    _chain_to_gevent_os()
