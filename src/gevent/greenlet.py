"""``Greenlet``: a greenlet with a result, links, kill and join.

A ``Greenlet`` is created unstarted; ``start()`` queues it on the hub with
``loop.run_callback`` so it first runs when the current greenlet blocks. When
its function returns or raises, the result is stored, the links are called
(all of them, in the order they were added, from one hub callback), and errors
are reported to ``hub.handle_error`` - they never propagate to the spawner.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Generator, Iterable
from functools import partial as _partial
from types import FunctionType as _FunctionType
from typing import Any

from greenlet import GreenletExit, getcurrent
from greenlet import greenlet as RawGreenlet

from ._config import config as _config
from ._hub_local import get_hub_noargs as _get_hub
from ._hub_primitives import iwait_on_objects, wait_on_objects
from .exceptions import InvalidSwitchError
from .timeout import Timeout

__all__ = ["Greenlet", "joinall", "killall"]

_greenlet_dead = RawGreenlet.dead.__get__
_greenlet_active = RawGreenlet.__bool__


class _StartDone:
    """Marks a greenlet whose start has happened (or was cancelled)."""

    __slots__ = ()
    pending = False
    active = False

    def stop(self) -> None:
        pass

    close = stop


_START_DONE = _StartDone()


class SpawnedLink:
    """A link that runs its callback in a new raw greenlet (so it may block)."""

    __slots__ = ("callback",)

    def __init__(self, callback: Callable[..., Any]) -> None:
        if not callable(callback):
            raise TypeError(f"Expected callable: {callback!r}")
        self.callback = callback

    def __call__(self, source: Any) -> None:
        g = RawGreenlet(self.callback, _get_hub())
        g.switch(source)

    def __hash__(self) -> int:
        return hash(self.callback)

    def __eq__(self, other: object) -> bool:
        return self.callback == getattr(other, "callback", other)

    def __str__(self) -> str:
        return str(self.callback)

    def __repr__(self) -> str:
        return repr(self.callback)

    def __getattr__(self, item: str) -> Any:
        assert item != "callback"
        return getattr(self.callback, item)


class SuccessSpawnedLink(SpawnedLink):
    """Runs only when the source finished successfully."""

    __slots__ = ()

    def __call__(self, source: Any) -> None:
        if source.successful():
            super().__call__(source)


class FailureSpawnedLink(SpawnedLink):
    """Runs only when the source raised."""

    __slots__ = ()

    def __call__(self, source: Any) -> None:
        if not source.successful():
            super().__call__(source)


class _Frame:
    """A light copy of a stack frame: enough for ``traceback.format_stack``."""

    __slots__ = ("f_back", "f_code", "f_globals", "f_lineno", "f_locals")

    def __init__(self, f_code: Any, f_lineno: int, f_back: Any, f_globals: Any) -> None:
        self.f_code = f_code
        self.f_lineno = f_lineno
        self.f_back = f_back
        self.f_globals = f_globals
        self.f_locals = None


def _extract_stack(limit: int) -> _Frame | None:
    # Start at the caller of Greenlet.__init__ (spawn, or user code).
    frame: Any = sys._getframe(2)
    frames = []
    while frame is not None and limit:
        frames.append(frame)
        frame = frame.f_back  # type: ignore[assignment]
        limit -= 1
    result = None
    for f in reversed(frames):
        result = _Frame(f.f_code, f.f_lineno, result, f.f_globals)
    return result


def _capture_stack(limit: int) -> tuple[Any, ...]:
    # What spawn records: the caller's frames as one flat tuple
    # (code, lineno, globals, code, lineno, globals, ...), innermost first. One
    # object instead of a _Frame per frame makes spawn cheaper, and so does the
    # garbage collector having fewer objects to walk; _frames_from_capture turns
    # it into _Frame objects when ``spawning_stack`` is read.
    try:
        frame: Any = sys._getframe(2)
    except ValueError:
        # Fewer Python frames than expected (compiled callers have none): take them all.
        frame = sys._getframe(0)
    out: list[Any] = []
    while frame is not None and limit:
        out += (frame.f_code, frame.f_lineno, frame.f_globals)
        frame = frame.f_back
        limit -= 1
    return tuple(out)


def _frames_from_capture(raw: tuple[Any, ...]) -> _Frame | None:
    result = None
    for i in range(len(raw) - 3, -1, -3):
        result = _Frame(raw[i], raw[i + 1], result, raw[i + 2])
    return result


class Greenlet(RawGreenlet):
    """A light-weight cooperative task with a result. See the module docstring."""

    spawning_stack_limit = 10
    _spawn_callbacks: set[Callable[..., Any]] | None = None

    # Class-level defaults keep ``__init__`` short on the hot spawn path.
    _formatted_info: Any = None
    _ident: Any = None
    _name: Any = None
    _dead_before_start = False
    # False for a child whose owner raises its error itself (a TaskGroup's): the
    # hub would print it too, and it must surface once.
    _report_to_hub = True
    spawning_greenlet: Any = None
    _spawning_stack: Any = None  # a _Frame chain, or what _capture_stack returned
    spawn_tree_locals: Any = None
    # Set per instance only once they change (each store skipped saves time and
    # memory on spawn).
    value: Any = None
    _exc_info: tuple[Any, ...] = ()
    _notifier: Any = None
    _start_event: Any = None

    def __init__(self, run: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> None:
        hub = _get_hub()
        RawGreenlet.__init__(self, None, hub)
        if run is not None:
            self._run = run  # type: ignore[method-assign]
        if not callable(self._run):
            raise TypeError(f"The run argument or self._run must be callable, not {self._run!r}")
        self.args = args
        self.kwargs = kwargs
        # A list, not a deque: an empty deque costs ~760 bytes per greenlet, a list 56.
        self._links: list[Callable[..., Any]] = []
        if _track_tree:
            current = getcurrent()
            self.spawning_greenlet = weakref.ref(current)
            # Share the spawner's tree locals; a spawner without any (the main
            # greenlet, say) roots a new tree and is not given a dict itself.
            tree_locals = getattr(current, "spawn_tree_locals", None)
            self.spawn_tree_locals = {} if tree_locals is None else tree_locals
            self._spawning_stack = _capture_stack(self.spawning_stack_limit)

    @property
    def spawning_stack(self) -> Any:
        stack = self._spawning_stack
        if type(stack) is tuple:
            stack = self._spawning_stack = _frames_from_capture(stack)
        return stack

    @spawning_stack.setter
    def spawning_stack(self, value: Any) -> None:
        self._spawning_stack = value

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        # Replaced by the ``run`` argument, or overridden by subclasses.
        raise NotImplementedError

    # ------------------------------------------------------------ identity

    @property
    def loop(self) -> Any:
        return self.parent.loop

    @property
    def minimal_ident(self) -> int:
        ident = self._ident
        if ident is None:
            ident = self._ident = self.parent.ident_registry.get_ident(self)
        return ident  # type: ignore[no-any-return]

    @property
    def name(self) -> str:
        name = self._name
        if name is None:
            name = self._name = f"Greenlet-{self.minimal_ident}"
        return name  # type: ignore[no-any-return]

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    def _formatinfo(self) -> str:
        info = self._formatted_info
        if info is not None:
            return info  # type: ignore[no-any-return]
        func = self.__dict__.get("_run", None)
        if func is None:
            funcname = "_run"
        elif isinstance(func, _FunctionType):
            funcname = func.__name__
        else:
            funcname = repr(func)
        args = ", ".join(repr(a) for a in getattr(self, "args", ()))
        kwargs = getattr(self, "kwargs", None) or {}
        if kwargs:
            kw = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
            args = f"{args}, {kw}" if args else kw
        info = self._formatted_info = f"{funcname}({args})" if args else funcname
        return info

    def __repr__(self) -> str:
        classname = type(self).__name__
        # The name shows once it was given or the ident behind it was computed.
        name = f' "{self.name}"' if self._name is not None or self._ident is not None else ""
        return f"<{classname}{name} at {id(self):#x}: {self._formatinfo()}>"

    # --------------------------------------------------------------- state

    def __bool__(self) -> bool:
        return self._start_event is not None and not self._exc_info

    @property
    def started(self) -> bool:
        return self._start_event is not None and not self._exc_info

    @property
    def dead(self) -> bool:  # type: ignore[override]
        return self._dead_before_start or _greenlet_dead(self)

    def ready(self) -> bool:
        """True once the greenlet has finished (or was killed before it started)."""
        return bool(self._exc_info) or self.dead

    def successful(self) -> bool:
        """True if it finished without raising (``GreenletExit`` counts as success)."""
        return bool(self._exc_info) and self._exc_info[1] is None

    @property
    def exception(self) -> BaseException | None:
        return self._exc_info[1] if self._exc_info else None

    @property
    def exc_info(self) -> tuple[Any, Any, Any] | None:
        ei = self._exc_info
        if ei and ei[0] is not None:
            return (ei[0], ei[1], ei[2])
        return None

    # --------------------------------------------------------------- start

    def start(self) -> None:
        """Schedule the greenlet to run soon (idempotent)."""
        if self._start_event is None:
            if Greenlet._spawn_callbacks:
                self._call_spawn_callbacks()
            self._start_event = self.parent.loop.run_callback(self.switch)

    def start_later(self, seconds: float) -> None:
        """Schedule the greenlet to run after ``seconds``."""
        if self._start_event is None:
            if Greenlet._spawn_callbacks:
                self._call_spawn_callbacks()
            self._start_event = self.parent.loop.timer(seconds)
            self._start_event.start(self.switch)

    @classmethod
    def spawn(cls, *args: Any, **kwargs: Any) -> Greenlet:
        """Create a greenlet of this class and start it."""
        if cls is Greenlet and not args and "run" not in kwargs:
            raise TypeError("spawn() needs the function to run")
        g = cls(*args, **kwargs)
        g.start()
        return g

    @classmethod
    def spawn_later(cls, seconds: float, *args: Any, **kwargs: Any) -> Greenlet:
        """Create a greenlet of this class and start it after ``seconds``."""
        if cls is Greenlet and not args and "run" not in kwargs:
            raise TypeError("spawn_later() needs the seconds and the function to run")
        g = cls(*args, **kwargs)
        g.start_later(seconds)
        return g

    @staticmethod
    def add_spawn_callback(callback: Callable[..., Any]) -> None:
        """Call ``callback(greenlet)`` whenever any greenlet is started."""
        if Greenlet._spawn_callbacks is None:
            Greenlet._spawn_callbacks = set()
        Greenlet._spawn_callbacks.add(callback)

    @staticmethod
    def remove_spawn_callback(callback: Callable[..., Any]) -> None:
        if Greenlet._spawn_callbacks is not None:
            Greenlet._spawn_callbacks.discard(callback)
            if not Greenlet._spawn_callbacks:
                Greenlet._spawn_callbacks = None

    def _call_spawn_callbacks(self) -> None:
        for cb in list(Greenlet._spawn_callbacks or ()):
            cb(self)

    def _cancel_start(self) -> None:
        event = self._start_event
        if event is not None and event is not _START_DONE:
            event.stop()
            event.close()
        self._start_event = _START_DONE

    # ----------------------------------------------------------------- run

    def run(self) -> None:
        try:
            self._cancel_start()
            try:
                result = self._run(*self.args, **self.kwargs)
            except:  # noqa: E722
                self._report_error(sys.exc_info())
            else:
                self._report_result(result)
        finally:
            self.__dict__.pop("_run", None)
            self.args = ()
            self.kwargs = {}
            # An error's traceback holds this frame: without this, greenlet ->
            # outcome -> traceback -> frame -> greenlet would be a cycle.
            del self

    def _report_result(self, result: Any) -> None:
        self._exc_info = (None, None, None)
        self.value = result
        if self._links and self._notifier is None:
            self._notifier = self.parent.loop.run_callback(self._notify_links)

    def _report_error(self, exc_info: tuple[Any, Any, Any]) -> None:
        if isinstance(exc_info[1], GreenletExit):
            self._report_result(exc_info[1])
            return
        self._exc_info = exc_info
        if self._links and self._notifier is None:
            self._notifier = self.parent.loop.run_callback(self._notify_links)
        if not self._report_to_hub:
            return
        try:
            self.parent.handle_error(self, *exc_info)
        finally:
            del exc_info

    # ---------------------------------------------------------- kill/join

    def throw(self, *args: Any) -> Any:
        """Raise an exception in this greenlet now (from the hub)."""
        self._cancel_start()
        if not _greenlet_active(self) and not _greenlet_dead(self):
            # It never ran, and now never will: record the outcome so that links
            # and join() see it, without switching into it.
            if not self._exc_info:
                self._finish_unstarted(args)
            return None
        if not self.dead:
            return RawGreenlet.throw(self, *args)
        return None

    def _finish_unstarted(self, exc_args: tuple[Any, ...]) -> None:
        if not exc_args:
            exc: Any = GreenletExit()
        elif len(exc_args) == 3 and isinstance(exc_args[0], type):
            exc = exc_args[1] if exc_args[1] is not None else exc_args[0]()
        else:
            exc = exc_args[0]
        if isinstance(exc, tuple) and len(exc) == 3:
            exc = exc[1] if exc[1] is not None else exc[0]()
        if isinstance(exc, type):
            exc = exc()
        self._dead_before_start = True
        self.__dict__.pop("_run", None)
        self.args = ()
        self.kwargs = {}
        if isinstance(exc, GreenletExit):
            self._report_result(exc)
        else:
            self._report_error((type(exc), exc, None))

    def kill(self, exception: Any = GreenletExit, block: bool = True,
             timeout: float | None = None) -> None:
        """Raise ``exception`` in the greenlet and, with ``block``, wait for it to die.

        A greenlet that has not started yet never will; its links still fire.
        ``kill`` never raises and always returns None, even on timeout.
        """
        if not _greenlet_active(self) and not _greenlet_dead(self):
            # Not started yet (or start pending): cancel it for good.
            self._cancel_start()
            if not self._exc_info:
                self._finish_unstarted((exception,))
            return
        if self.dead:
            return
        self._forget_run()
        hub = self.parent
        waiter = None
        if block:
            from ._waiter import Waiter

            waiter = Waiter(hub)
        hub.loop.run_callback(_kill, self, exception, waiter)
        if block:
            waiter.get()  # type: ignore[union-attr]
            self.join(timeout)

    def _forget_run(self) -> None:
        # gevent drops the function and its arguments as soon as a running
        # greenlet is killed: from then on (and in the error report, if the kill
        # makes it fail) its repr reads "_run" unless it was formatted before.
        self.__dict__.pop("_run", None)
        self.args = ()
        self.kwargs = {}

    def _wait_until_ready(self, t: Any, caller: str) -> None:
        # Park the current greenlet until this one finishes, under the started
        # timeout ``t`` (which is closed on the way out, and raised if it fires).
        switch = getcurrent().switch
        self.rawlink(switch)
        try:
            try:
                result = self.parent.switch()
                if result is not self:
                    raise InvalidSwitchError(f"Invalid switch into Greenlet.{caller}(): {result!r}")
            finally:
                t.close()
        except:
            self.unlink(switch)
            # The exception (kept by the greenlet if it kills it) holds this
            # frame: drop the bound method that points back at that greenlet.
            del switch
            raise

    def join(self, timeout: float | None = None) -> None:
        """Wait until the greenlet finishes or ``timeout`` passes; returns None."""
        if self.ready():
            return
        t = Timeout._start_new_or_dummy(timeout)
        try:
            self._wait_until_ready(t, "join")
        except Timeout as ex:
            if ex is not t:
                raise
        finally:
            del t  # no frame <-> Timeout cycle once it fired

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        """Return the result, or raise the exception the greenlet raised.

        If not ready: ``block=False`` raises ``Timeout`` at once; otherwise wait up
        to ``timeout`` and raise ``Timeout`` if it is still not ready.
        """
        if not self.ready():
            if not block:
                raise Timeout()
            self._wait_until_ready(Timeout._start_new_or_dummy(timeout), "get")
        if self.successful():
            return self.value
        self._raise_exception()
        return None

    def _raise_exception(self) -> None:
        _t, value, tb = self._exc_info
        if tb is not None and value.__traceback__ is not tb:
            raise value.with_traceback(tb)
        raise value

    # --------------------------------------------------------------- links

    def rawlink(self, callback: Callable[..., Any]) -> None:
        """Call ``callback(self)`` in the hub when this greenlet finishes."""
        if not callable(callback):
            raise TypeError(f"Expected callable: {callback!r}")
        self._links.append(callback)
        if self.ready() and self._notifier is None:
            self._notifier = self.parent.loop.run_callback(self._notify_links)

    def link(self, callback: Callable[..., Any], SpawnedLink: type = SpawnedLink) -> None:
        """Call ``callback(self)`` in a new greenlet when this greenlet finishes."""
        self.rawlink(SpawnedLink(callback))

    def link_value(self, callback: Callable[..., Any],
                   SpawnedLink: type = SuccessSpawnedLink) -> None:
        """Like ``link``, but only if the greenlet finished successfully."""
        self.link(callback, SpawnedLink=SpawnedLink)

    def link_exception(self, callback: Callable[..., Any],
                       SpawnedLink: type = FailureSpawnedLink) -> None:
        """Like ``link``, but only if the greenlet raised."""
        self.link(callback, SpawnedLink=SpawnedLink)

    def unlink(self, callback: Callable[..., Any]) -> None:
        try:
            self._links.remove(callback)
        except ValueError:
            pass

    def unlink_all(self) -> None:
        self._links.clear()

    def has_links(self) -> bool:
        return bool(self._links)

    def _notify_links(self) -> None:
        links = self._links
        try:
            while links:
                link = links.pop(0)
                try:
                    link(self)
                except:  # noqa: E722
                    self.parent.handle_error((link, self), *sys.exc_info())
        finally:
            self._notifier = None

    # ------------------------------------------------------------- asyncio

    def __await__(self) -> Generator[Any, None, Any]:
        """``await greenlet`` from a coroutine: its value, or its exception.

        Cancelling the awaiting task kills the greenlet (``GreenletExit``) and waits
        for it to die before the cancellation propagates.
        """
        if not self.ready():
            import asyncio  # only code that awaits a greenlet pays for the import

            loop = asyncio.get_running_loop()
            done = loop.create_future()
            link = _partial(_resolve_from_hub, loop, done)
            self.rawlink(link)
            try:
                yield from done.__await__()
            except GeneratorExit:  # the coroutine was closed: it cannot wait any more
                self.unlink(link)
                self.kill(block=False)
                raise
            except BaseException:
                self.unlink(link)
                if not self.ready():
                    self.kill(block=False)
                    dead = loop.create_future()
                    self.rawlink(_partial(_resolve_from_hub, loop, dead))
                    yield from dead.__await__()
                raise
        if self.successful():
            return self.value
        self._raise_exception()
        return None

    # ------------------------------------------------------ context manager

    def __enter__(self) -> Greenlet:
        return self

    def __exit__(self, t: Any, v: Any, tb: Any) -> None:
        if t is None:
            try:
                self.join()
            finally:
                self.kill()
        else:
            self.kill((t, v, tb))


_track_tree: bool = True


def _refresh_tracking() -> None:
    global _track_tree
    _track_tree = bool(_config.track_greenlet_tree)


try:
    _refresh_tracking()
except Exception:  # pragma: no cover - a bad environment value shows up at first use
    _track_tree = True


def _resolve_from_hub(loop: Any, future: Any, _glet: Greenlet) -> None:
    # A link, so it runs in the hub: hand over to the loop's own greenlet or thread.
    if not loop.is_closed():
        loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: Any) -> None:
    if not future.done():
        future.set_result(None)


def _kill(glet: Greenlet, exception: Any, waiter: Any) -> None:
    try:
        if isinstance(exception, tuple) and len(exception) == 3:
            glet.throw(*exception)
        else:
            glet.throw(exception)
    except:  # noqa: E722
        glet.parent.handle_error(glet, *sys.exc_info())
    if waiter is not None:
        waiter.switch(None)


def joinall(greenlets: Iterable[Any], timeout: float | None = None, raise_error: bool = False,
            count: int | None = None) -> Any:
    """Wait for the greenlets to finish; return those that did, in the order they did.

    With ``raise_error``, re-raise the first exception seen.
    """
    if not raise_error:
        return wait_on_objects(greenlets, timeout=timeout, count=count)
    done = []
    for obj in iwait_on_objects(greenlets, timeout=timeout, count=count):
        if getattr(obj, "exception", None) is not None:
            if hasattr(obj, "_raise_exception"):
                obj._raise_exception()
            else:
                raise obj.exception
        done.append(obj)
    return done


def _kill_all(greenlets: list[Any], exception: Any) -> None:
    for g in greenlets:
        if not g.dead:
            try:
                g.throw(exception)
            except:  # noqa: E722
                g.parent.handle_error(g, *sys.exc_info())


def killall(greenlets: Iterable[Any], exception: Any = GreenletExit, block: bool = True,
            timeout: float | None = None) -> None:
    """Kill every greenlet; with ``block``, wait for them (raising ``Timeout`` on timeout)."""
    greenlets = list(greenlets)
    if not greenlets:
        return
    loop = getattr(greenlets[0], "loop", None) or _get_hub().loop
    alive = []
    for g in greenlets:
        if isinstance(g, Greenlet) and not _greenlet_active(g) and not _greenlet_dead(g):
            g.kill(exception, block=False)  # never started: cancelled, never runs
        elif not g.dead:
            if isinstance(g, Greenlet):
                g._forget_run()
            alive.append(g)
    if not alive:
        return
    if block:
        from ._waiter import Waiter

        waiter = Waiter()
        loop.run_callback(_killall_then, alive, exception, waiter)
        waiter.get()
        alive = [g for g in alive if not g.dead]
        if alive:
            t = Timeout._start_new_or_dummy(timeout)
            try:
                while alive:
                    joinall(alive, raise_error=False)
                    alive = [g for g in alive if not g.dead]
            finally:
                t.cancel()
    else:
        loop.run_callback(_kill_all, alive, exception)


def _killall_then(greenlets: list[Any], exception: Any, waiter: Any) -> None:
    _kill_all(greenlets, exception)
    waiter.switch(None)
