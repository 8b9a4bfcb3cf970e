"""Debugging helpers: what is every thread and greenlet doing, and error wrapping."""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Callable
from typing import Any, TextIO

from greenlet import getcurrent
from greenlet import greenlet as RawGreenlet

from ._hub_local import get_hub_if_exists

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
    """The greenlets of this process arranged by who spawned whom.

    A greenlet's parent in the tree is the greenlet that spawned it (when
    ``config.track_greenlet_tree`` recorded it), else its greenlet ``parent``.
    ``format()`` draws the tree; with details it adds each greenlet's parent,
    its running and spawning stacks, its spawn-tree locals (where they start)
    and its ``gevent.local`` data.
    """

    DEFAULT_DETAILS = {"running_stacks": True, "spawning_stacks": True, "locals": True}
    # How much of a finished greenlet's value (or exception) the label shows.
    _VALUE_WIDTH = 30

    def __init__(self, greenlet: Any) -> None:
        self.greenlet = greenlet
        self.child_trees: list[GreenletTree] = []

    def add_child(self, tree: GreenletTree) -> None:
        if tree is self:
            return
        self.child_trees.append(tree)

    @property
    def root(self) -> bool:
        g = self.greenlet
        return g is None or getattr(g, "parent", None) is None or bool(
            getattr(g, "greenlet_tree_is_root", False))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.greenlet, name)

    # ---------------------------------------------------------------- building

    @staticmethod
    def _spawner(g: Any) -> Any:
        ref = getattr(g, "spawning_greenlet", None)
        spawner = ref() if ref is not None else None
        return spawner if spawner is not None else g.parent

    @classmethod
    def _forest_dict(cls) -> dict[Any, GreenletTree]:
        glets = [o for o in gc.get_objects()
                 if issubclass(type(o), RawGreenlet)
                 and not getattr(o, "greenlet_tree_is_ignored", False)]
        trees = {g: cls(g) for g in glets}
        for g in glets:
            if getattr(g, "greenlet_tree_is_root", False):
                continue
            spawner = cls._spawner(g)
            if spawner is not None and spawner in trees:
                trees[spawner].add_child(trees[g])
        for tree in trees.values():
            tree.child_trees.sort(key=_child_order)
        return trees

    @classmethod
    def forest(cls) -> list[GreenletTree]:
        """One tree per root (each thread's main greenlet, and detached ones)."""
        trees = cls._forest_dict()
        children = {id(c) for t in trees.values() for c in t.child_trees}
        return [t for t in trees.values() if id(t) not in children]

    @classmethod
    def current_tree(cls) -> GreenletTree:
        """The tree holding the current greenlet, from its root."""
        trees = cls._forest_dict()
        g = getcurrent()
        while not getattr(g, "greenlet_tree_is_root", False):
            up = cls._spawner(g)
            if up is None or getattr(up, "greenlet_tree_is_ignored", False):
                break
            g = up
        return trees.get(g) or cls(g)

    # --------------------------------------------------------------- drawing

    def _label(self) -> str:
        from gevent.greenlet import Greenlet

        g = self.greenlet
        label = repr(g)
        width = self._VALUE_WIDTH
        if isinstance(g, Greenlet):
            if g.ready():
                if g.successful():
                    label += f"; finished with value {repr(g.value)[:width]}"
                else:
                    label += f"; finished with exception {repr(g.exception)[:width]}"
            elif not g.started:
                label += "; not running"
        elif not g:
            label += "; not running"
        return label

    def _details(self, details: dict[str, bool], parent: GreenletTree | None) -> list[str]:
        g = self.greenlet
        lines = [f"Parent: {g.parent!r}"]
        if details.get("running_stacks") and getattr(g, "gr_frame", None) is not None:
            lines.append("Running:")
            lines.extend(_stack_lines(traceback.format_stack(g.gr_frame)))
        stack = getattr(g, "spawning_stack", None) if details.get("spawning_stacks") else None
        if stack is not None:
            lines.append("Spawned at:")
            lines.extend(_stack_lines(traceback.format_stack(stack)))
        if details.get("locals"):
            tree_locals = getattr(g, "spawn_tree_locals", None)
            inherited = (getattr(parent.greenlet, "spawn_tree_locals", None)
                         if parent is not None else None)
            if tree_locals and tree_locals is not inherited:
                lines.append("Spawn Tree Locals")
                lines.append(repr(tree_locals))
            gl = _greenlet_locals(g)
            if gl:
                lines.append("Greenlet Locals:")
                for (kind, ident), data in gl:
                    lines.append(f"  Local {kind!r} at {ident:#x}")
                    lines.append(f"    {data!r}")
        return lines

    def format_lines(self, details: bool | dict[str, bool] = True) -> list[str]:
        # ``details``: True for every detail, False for the bare tree, or a dict
        # naming the details to change (the "Parent:" line always shows then).
        shown: dict[str, bool] | None
        if isinstance(details, dict):
            shown = {**self.DEFAULT_DETAILS, **details}
        else:
            shown = dict(self.DEFAULT_DETAILS) if details else None
        out = [self._label()]
        if shown is not None:
            out.extend(" :    " + line for line in self._details(shown, None))
        children = self.child_trees
        for i, child in enumerate(children):
            more = i < len(children) - 1
            child._draw(out, shown, self, 1, " ", more, more)
        return out

    def _draw(self, out: list[str], details: dict[str, bool] | None, parent: GreenletTree,
              depth: int, bars: str, more_siblings: bool, top_open: bool) -> None:
        # ``bars`` holds one column per level above this node: "|" where that
        # level still has siblings to draw. Detail lines keep the root's ":"
        # while the top-level subtree they belong to is not the last one.
        out.append(f"{bars}+--- {self._label()}")
        if details is not None:
            lead = " :" if top_open else "  "
            pad = " " * (6 * (depth + 1) - 2)
            out.extend(lead + pad + line for line in self._details(details, parent))
        child_bars = bars + ("|    " if more_siblings else "     ")
        children = self.child_trees
        for i, child in enumerate(children):
            child._draw(out, details, self, depth + 1, child_bars,
                        i < len(children) - 1, top_open)

    def format(self, details: bool | dict[str, bool] = True) -> str:
        return "\n".join(self.format_lines(details))

    def __str__(self) -> str:
        return self.format(False)


def _child_order(tree: GreenletTree) -> tuple[int, int]:
    from gevent.greenlet import Greenlet

    g = tree.greenlet
    if isinstance(g, Greenlet):
        return (1, g.minimal_ident)
    return (0, 0)


def _stack_lines(entries: list[str]) -> list[str]:
    return ["  " + ln for entry in entries for ln in entry.rstrip().splitlines()]


def _greenlet_locals(g: Any) -> list[Any]:
    try:
        from gevent.local import all_local_dicts_for_greenlet
    except ImportError:
        return []
    return [entry for entry in all_local_dicts_for_greenlet(g) if entry[1]]


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


class _SwitchTracer:
    """A ``greenlet.settrace`` hook that notes switches and the longest gap between them."""

    def __init__(self, hub_only: bool) -> None:
        import time

        self.hub_only = hub_only
        self.active_greenlet: Any = getcurrent()
        self.previous_trace_function: Any = None
        self.switched = False
        self._clock = time.perf_counter
        self.last_switch = self._clock()
        self.longest_gap = 0.0

    def __call__(self, event: str, args: Any) -> None:
        if event in ("switch", "throw"):
            _origin, target = args
            self.active_greenlet = target
            if not self.hub_only or _is_hub(target):
                now = self._clock()
                self.longest_gap = max(self.longest_gap, now - self.last_switch)
                self.last_switch = now
                self.switched = True
        if self.previous_trace_function is not None:
            self.previous_trace_function(event, args)

    def finish(self) -> float:
        self.longest_gap = max(self.longest_gap, self._clock() - self.last_switch)
        return self.longest_gap


def _is_hub(g: Any) -> bool:
    # Switches happen within one thread, so a switch into a hub is a switch into
    # this thread's hub. (Importing gevent.hub here would close a cycle: the hub
    # starts the monitor, which formats its reports with this module.)
    return g is not None and g is get_hub_if_exists()


class assert_switches:
    """Fail (an ``AssertionError``) if the block blocks the other greenlets.

    Without ``max_blocking_time``, the block must switch at least once; with it,
    no stretch without a switch may last longer than that many seconds. With
    ``hub_only``, only switches into the hub count.
    """

    def __init__(self, max_blocking_time: float | None = None, hub_only: bool = False) -> None:
        self.max_blocking_time = max_blocking_time
        self.hub_only = hub_only
        self.tracer: _SwitchTracer | None = None

    def __enter__(self) -> assert_switches:
        import greenlet

        self.tracer = tracer = _SwitchTracer(self.hub_only)
        tracer.previous_trace_function = greenlet.settrace(tracer)
        return self

    def __exit__(self, t: Any, v: Any, tb: Any) -> None:
        import greenlet

        tracer = self.tracer
        assert tracer is not None
        greenlet.settrace(tracer.previous_trace_function)
        self.tracer = None
        gap = tracer.finish()
        if t is not None:
            return
        limit = self.max_blocking_time
        # Reaching the hub is required whenever hub_only is asked for; for any
        # greenlet, a time limit alone is enough.
        must_switch = limit is None or self.hub_only
        if (tracer.switched or not must_switch) and (limit is None or gap <= limit):
            return
        target = "To the hub" if self.hub_only else "To any greenlet"
        message = f"{target} in {gap:.4f} seconds"
        if limit is not None:
            message += f" (max allowed {limit:.4f} seconds)"
        raise _FailedToSwitch(message)
