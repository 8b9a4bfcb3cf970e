# mypy: disable-error-code="misc"
"""Interfaces of the loop, its watchers and callbacks (zope.interface when available).

These describe, in our own words, the loop API that the rest of gevent and
third-party code (pyzmq, uWSGI, psycopg wait callbacks) rely on.
"""

from __future__ import annotations

from .events import Attribute, Interface

__all__ = ["ICallback", "ILoop", "IWatcher"]

try:
    from zope.schema import Bool, Float  # type: ignore[import-not-found]
except ImportError:
    def Bool(**kw: object) -> object:  # type: ignore[misc]
        return Attribute(str(kw.get("description", "")))

    Float = Bool  # type: ignore[assignment,misc]


class ILoop(Interface):
    """What every event loop offers. Watcher factories take ``ref`` and ``priority``."""

    default = Attribute("True for the loop of the main thread's hub.")
    approx_timer_resolution = Attribute("About the shortest sleep the loop resolves, in seconds.")

    def run(nowait=False, once=False):  # type: ignore[no-untyped-def]
        """Run until nothing is left (or one iteration with ``once``/``nowait``)."""

    def now():  # type: ignore[no-untyped-def]
        """The loop's cached time."""

    def update_now():  # type: ignore[no-untyped-def]
        """Refresh the cached time."""

    def destroy():  # type: ignore[no-untyped-def]
        """Release the loop's resources."""

    def io(fd, events, ref=True, priority=None):  # type: ignore[no-untyped-def]
        """A watcher for readiness of ``fd`` (1 read, 2 write)."""

    def closing_fd(fd):  # type: ignore[no-untyped-def]
        """``fd`` is about to close; True if watchers were using it."""

    def timer(after, repeat=0.0, ref=True, priority=None):  # type: ignore[no-untyped-def]
        """A watcher firing after ``after`` seconds, then every ``repeat``."""

    def signal(signum, ref=True, priority=None):  # type: ignore[no-untyped-def]
        """A watcher for a POSIX signal."""

    def idle(ref=True, priority=None):  # type: ignore[no-untyped-def]
        """A watcher that fires when nothing else is pending."""

    def prepare(ref=True, priority=None):  # type: ignore[no-untyped-def]
        """A watcher that fires before each poll."""

    def check(ref=True, priority=None):  # type: ignore[no-untyped-def]
        """A watcher that fires after each poll."""

    def fork(ref=True, priority=None):  # type: ignore[no-untyped-def]
        """A watcher that fires after ``reinit``."""

    def async_(ref=True, priority=None):  # type: ignore[no-untyped-def]
        """A watcher any thread can ``send()`` to."""

    def child(pid, trace=0, ref=True):  # type: ignore[no-untyped-def]
        """A watcher for a child process exiting."""

    def stat(path, interval=0.0, ref=True, priority=None):  # type: ignore[no-untyped-def]
        """A watcher for changes to a path."""

    def run_callback(func, *args):  # type: ignore[no-untyped-def]
        """Run ``func(*args)`` soon, in the loop, FIFO."""

    def run_callback_threadsafe(func, *args):  # type: ignore[no-untyped-def]
        """Like ``run_callback`` but callable from any thread; wakes the loop."""


class IWatcher(Interface):
    """One source of events."""

    def start(callback, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Begin watching; call ``callback(*args)`` on each event."""

    def stop():  # type: ignore[no-untyped-def]
        """Stop watching."""

    def close():  # type: ignore[no-untyped-def]
        """Stop and release for good."""


class ICallback(Interface):
    """A function queued to run in the loop."""

    pending = Attribute("True until it has run or been stopped.")

    def stop():  # type: ignore[no-untyped-def]
        """Do not run it after all."""

    def close():  # type: ignore[no-untyped-def]
        """Same as stop."""


def _declare() -> None:
    # The loop core must not import gevent (rule 2), so the declarations that it
    # provides these interfaces are made here, when zope.interface is present.
    try:
        from zope.interface import classImplements
    except ImportError:
        return
    from ._core import Loop, callback, watcher

    classImplements(Loop, ILoop)
    classImplements(watcher, IWatcher)
    classImplements(callback, ICallback)


_declare()
