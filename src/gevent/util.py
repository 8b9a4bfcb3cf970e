"""Debugging helpers: what is every thread and greenlet doing, and error wrapping."""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from greenlet import getcurrent
from greenlet import greenlet as RawGreenlet

__all__ = ["GreenletTree", "assert_switches", "format_run_info", "print_run_info", "wrap_errors"]


class wrap_errors:
    """Call a function and *return* (not raise) the listed exceptions.

    Handy with ``link`` or ``spawn``: ``gevent.spawn(wrap_errors(ValueError, int), 'x')``
    finishes successfully with the ``ValueError`` as its value.
    """

    def __init__(self, errors: type[BaseException] | tuple[type[BaseException], ...],
                 func: Callable[..., Any]) -> None:
        self.__errors = errors
        self.__func = func
        self.__name__ = getattr(func, "__name__", type(func).__name__)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.__func(*args, **kwargs)
        except self.__errors as ex:
            return ex

    def __str__(self) -> str:
        return str(self.__func)

    def __repr__(self) -> str:
        return repr(self.__func)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__func, name)


def _thread_stacks(limit: int | None, current_thread_ident: int | None) -> list[str]:
    import threading

    names = {t.ident: t.name for t in threading.enumerate()}
    lines = ["*" * 80, "* Threads", ""]
    for ident, frame in sys._current_frames().items():
        mark = " (current)" if ident == current_thread_ident else ""
        lines.append(f"Thread {ident:#x} ({names.get(ident, 'unknown')}){mark}")
        lines.append("".join(traceback.format_stack(frame, limit)))
    return lines


class GreenletTree:
    """The greenlets of this process arranged by who spawned whom."""

    DEFAULT_DETAILS = {"running_stacks": True, "spawning_stacks": True, "locals": True}

    def __init__(self, greenlet: Any) -> None:
        self.greenlet = greenlet
        self.child_trees: list[GreenletTree] = []

    def add_child(self, tree: GreenletTree) -> None:
        if tree is self:
            return
        self.child_trees.append(tree)

    @property
    def root(self) -> bool:
        return self.greenlet is None or getattr(self.greenlet, "parent", None) is None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.greenlet, name)

    @classmethod
    def _forest_dict(cls) -> dict[Any, GreenletTree]:
        trees: dict[Any, GreenletTree] = {}
        glets = [o for o in gc.get_objects() if isinstance(o, RawGreenlet)]
        for g in glets:
            trees[g] = cls(g)
        for g in glets:
            spawner_ref = getattr(g, "spawning_greenlet", None)
            spawner = spawner_ref() if spawner_ref is not None else None
            if spawner is None:
                spawner = g.parent
            if spawner is not None and spawner in trees:
                trees[spawner].add_child(trees[g])
        return trees

    @classmethod
    def forest(cls) -> list[GreenletTree]:
        """The roots of every tree: one per thread's main greenlet, typically."""
        trees = cls._forest_dict()
        children = {id(c) for t in trees.values() for c in t.child_trees}
        return [t for t in trees.values() if id(t) not in children]

    @classmethod
    def current_tree(cls) -> GreenletTree:
        """The tree holding the current greenlet, starting at its root."""
        trees = cls._forest_dict()
        current = getcurrent()
        root = current
        while root.parent is not None:
            root = root.parent
        return trees.get(root) or cls(root)

    def format_lines(self, details: bool | dict[str, bool] = True) -> list[str]:
        if not isinstance(details, dict):
            details = (self.DEFAULT_DETAILS if details
                       else dict.fromkeys(self.DEFAULT_DETAILS, False))
        lines: list[str] = []
        self._format(lines, "", details)
        return lines

    def _format(self, lines: list[str], indent: str, details: dict[str, bool]) -> None:
        g = self.greenlet
        label = repr(g)
        if getattr(g, "dead", False):
            label += "; finished"
        elif g is getcurrent():
            label += "; running"
        lines.append(indent + label)
        sub = indent + " :    "
        if details.get("running_stacks") and getattr(g, "gr_frame", None) is not None:
            lines.append(sub + "Running:")
            for entry in traceback.format_stack(g.gr_frame):
                lines.extend(sub + "  " + ln for ln in entry.rstrip().splitlines())
        if details.get("spawning_stacks") and getattr(g, "spawning_stack", None) is not None:
            lines.append(sub + "Spawned at:")
            for entry in traceback.format_stack(g.spawning_stack):
                lines.extend(sub + "  " + ln for ln in entry.rstrip().splitlines())
        tree_locals = getattr(g, "spawn_tree_locals", None)
        if details.get("locals") and tree_locals:
            lines.append(sub + f"Spawn Tree Locals: {tree_locals!r}")
        for child in self.child_trees:
            child._format(lines, indent + " +--- ", details)

    def format(self, details: bool | dict[str, bool] = True) -> str:
        return "\n".join(self.format_lines(details))

    __str__ = format


def format_run_info(thread_stacks: bool = True, greenlet_stacks: bool = True,
                    limit: int | None = None, current_thread_ident: int | None = None) -> list[str]:
    """Lines describing every thread's stack and every greenlet tree."""
    lines: list[str] = []
    if thread_stacks:
        lines.extend(_thread_stacks(limit, current_thread_ident))
    if greenlet_stacks:
        lines.extend(["*" * 80, "* Greenlets", ""])
        for tree in GreenletTree.forest():
            lines.extend(tree.format_lines(details={"running_stacks": True,
                                                    "spawning_stacks": True,
                                                    "locals": True}))
    return lines


def print_run_info(thread_stacks: bool = True, greenlet_stacks: bool = True,
                   limit: int | None = None, file: TextIO | None = None) -> None:
    for line in format_run_info(thread_stacks, greenlet_stacks, limit):
        print(line, file=file)


def dump_stacks() -> list[str]:
    return format_run_info()


def clear_stack_frames(frame: Any) -> None:
    while frame is not None:
        try:
            frame.clear()
        except RuntimeError:
            pass
        frame = frame.f_back


def is_idle_threadpool_worker(greenlet: Any) -> bool:
    return bool(getattr(greenlet, "_gevent_is_idle_threadpool_worker", False))


class _FailedToSwitch(AssertionError):
    pass


class assert_switches:
    """Fail (``AssertionError``) if the block does not switch greenlets, or blocks too long.

    With ``max_blocking_time``, any stretch without a switch longer than that fails;
    with ``hub_only``, only switches into the hub count.
    """

    def __init__(self, max_blocking_time: float | None = None, hub_only: bool = False) -> None:
        self.max_blocking_time = max_blocking_time
        self.hub_only = hub_only
        self._switched = False
        self._longest = 0.0
        self._last = 0.0
        self._previous_trace: Any = None

    def _trace(self, event: str, args: Iterable[Any]) -> None:
        import time

        from gevent.hub import Hub

        _origin, target = args  # type: ignore[misc]
        if not self.hub_only or isinstance(target, Hub):
            self._switched = True
        now = time.perf_counter()
        self._longest = max(self._longest, now - self._last)
        self._last = now
        if self._previous_trace is not None:
            self._previous_trace(event, args)

    def __enter__(self) -> assert_switches:
        import time

        import greenlet

        self._last = time.perf_counter()
        self._previous_trace = greenlet.settrace(self._trace)
        return self

    def __exit__(self, t: Any, v: Any, tb: Any) -> None:
        import time

        import greenlet

        greenlet.settrace(self._previous_trace)
        self._longest = max(self._longest, time.perf_counter() - self._last)
        if t is not None:
            return
        if self.max_blocking_time is None:
            if not self._switched:
                raise _FailedToSwitch("To the hub" if self.hub_only else "No switches")
        elif self._longest > self.max_blocking_time:
            raise _FailedToSwitch(
                f"blocked for {self._longest:.4f}s, more than {self.max_blocking_time}s")
