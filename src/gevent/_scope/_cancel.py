"""Cancel scopes: cancel every blocking call inside a block, from anywhere, at a deadline.

Theory of operation. Each greenlet has an innermost scope (``_innermost``); each
scope points at the scope it was entered in (``_parent``), which for a
TaskGroup's child is the group's scope in the parent greenlet. So the scopes
form a tree, and a greenlet's chain of scopes runs from its innermost scope up
to the root.

Every blocking call ends in a switch to the hub, so cancellation is delivered
the way a ``Timeout`` is: a hub callback throws ``Cancelled(scope)`` into the
greenlet, which raises it from the blocking call it is parked in. The callback
decides what to throw only when it runs: it walks the greenlet's chain from the
innermost scope outwards, stops at the first shielded scope, and picks the
outermost cancelled scope it saw (the others would only pass the exception on).
If the greenlet blocks again while that is still true (it caught the exception
and went on waiting), it gets another one: cancellation is level-triggered, so
a bare ``except:`` cannot make a cancelled block hang. A scope's ``__exit__``
swallows a ``Cancelled`` only if it carries that scope.

``cancel()`` walks the scope's subtree and schedules that callback for every
greenlet in it; a deadline is a loop timer that calls ``cancel()``.
"""

from __future__ import annotations

import math
import weakref
from types import TracebackType
from typing import Any

from greenlet import getcurrent

from .._hub_local import get_hub_if_exists, get_hub_noargs

__all__ = [
    "CancelScope",
    "Cancelled",
    "current_time",
    "fail_after",
    "fail_at",
    "move_on_after",
    "move_on_at",
]

# The innermost scope of each greenlet that is inside one.
_innermost: weakref.WeakKeyDictionary[Any, CancelScope] = weakref.WeakKeyDictionary()
# Per loop, the greenlets that have a delivery check queued, so that a burst of
# cancels queues one. Per loop: a loop destroyed with checks still queued takes
# its set with it.
_checks_pending: weakref.WeakKeyDictionary[Any, weakref.WeakSet[Any]] = (
    weakref.WeakKeyDictionary())

_NEW, _ACTIVE, _EXITED = "new", "active", "exited"


class Cancelled(BaseException):
    """Raised from a blocking call inside a cancelled ``CancelScope``.

    It is a ``BaseException`` so that ``except Exception`` does not swallow it;
    the scope it names (``scope``) catches it on the way out. Let it propagate:
    code that catches it anyway gets another one at its next blocking call
    while the scope is still cancelled.
    """

    def __init__(self, scope: CancelScope) -> None:
        BaseException.__init__(self, scope)
        self.scope = scope

    def __str__(self) -> str:
        return f"cancelled by {self.scope!r}"


def current_time() -> float:
    """The hub's clock, which deadlines are measured on (a virtual one in tests)."""
    loop = get_hub_noargs().loop
    loop.update_now()
    return float(loop.now())


def _check_deadline(deadline: float | None) -> float:
    if deadline is None:
        return math.inf
    deadline = float(deadline)
    if math.isnan(deadline):
        raise ValueError("a deadline cannot be NaN; use None (or math.inf) for no deadline")
    return deadline


class CancelScope:
    """A block whose blocking calls raise ``Cancelled`` once it is cancelled.

    Cancel it with ``cancel()`` (from any greenlet of its thread, or another
    thread), or give it a ``deadline`` on the hub's clock (``current_time()``).
    Cancelling reaches the greenlet that entered the scope and every child of a
    ``TaskGroup`` opened inside it. ``shield=True`` keeps the cancellation of
    enclosing scopes out (its own still gets in) until it exits or the shield
    is lowered.

    Attributes:
        cancel_called: ``cancel()`` was called or the deadline passed.
        cancelled_caught: the scope ended because of its own cancellation.
    """

    def __init__(self, deadline: float | None = None, shield: bool = False) -> None:
        self._deadline = _check_deadline(deadline)
        self._shield = bool(shield)
        self.cancel_called = False
        self.cancelled_caught = False
        self._expired = False
        self._state = _NEW
        self._parent: CancelScope | None = None
        self._children: set[CancelScope] = set()
        self._greenlets: set[Any] = set()  # those whose innermost scope this is
        self._hub: Any = None
        self._timer: Any = None

    # ------------------------------------------------------------ properties

    @property
    def deadline(self) -> float:
        """When the scope cancels itself, on ``current_time()``'s clock (``inf``: never)."""
        return self._deadline

    @deadline.setter
    def deadline(self, value: float | None) -> None:
        self._deadline = _check_deadline(value)
        if self._state is _ACTIVE:
            self._arm()

    @property
    def shield(self) -> bool:
        """Whether the cancellation of enclosing scopes is kept out."""
        return self._shield

    @shield.setter
    def shield(self, value: bool) -> None:
        self._shield = bool(value)
        if self._state is _ACTIVE and not value:
            self._deliver()

    # --------------------------------------------------------------- cancel

    def cancel(self) -> None:
        """Cancel the scope: every blocking call inside it raises ``Cancelled`` (idempotent).

        Called before the scope is entered, the first blocking call in it raises.
        Called from the cancelled greenlet itself, its next blocking call raises.
        """
        hub = self._hub
        if hub is not None and self._state is _ACTIVE and get_hub_if_exists() is not hub:
            # Another thread: the scope's state belongs to its own hub.
            hub.loop.run_callback_threadsafe(self.cancel)
            return
        self._cancel()

    def _cancel(self) -> None:
        if self.cancel_called:
            return
        self.cancel_called = True
        self._disarm()
        if self._state is _ACTIVE:
            self._deliver()

    def _on_deadline(self) -> None:
        self._expired = True
        self._cancel()

    def _deliver(self) -> None:
        # Queue a check for everyone inside, except behind shields, which keep
        # this out (a check there would find nothing to throw).
        loop = self._hub.loop
        todo = [self]
        while todo:
            scope = todo.pop()
            for glet in scope._greenlets:
                _schedule_check(loop, glet)
            todo.extend(child for child in scope._children if not child._shield)

    # ------------------------------------------------------------- deadline

    def _arm(self) -> None:
        self._disarm()
        if self.cancel_called or self._deadline == math.inf:
            return
        delay = self._deadline - current_time()
        if delay <= 0:
            self._on_deadline()
            return
        timer = self._timer = self._hub.loop.timer(delay, priority=-1)
        timer.start(self._on_deadline)

    def _disarm(self) -> None:
        timer = self._timer
        if timer is not None:
            self._timer = None
            timer.stop()
            timer.close()

    # ---------------------------------------------------------- with-block

    def __enter__(self) -> CancelScope:
        if self._state is not _NEW:
            raise RuntimeError(f"{self!r} was already entered; make a new CancelScope "
                               "for each with-block")
        glet = getcurrent()
        self._hub = get_hub_noargs()
        self._state = _ACTIVE
        self._attach(glet, _innermost.get(glet))
        self._arm()
        if self.cancel_called:
            _schedule_check(self._hub.loop, glet)
        return self

    def _attach(self, glet: Any, parent: CancelScope | None) -> None:
        self._parent = parent
        if parent is not None:
            parent._children.add(self)
            parent._greenlets.discard(glet)
        self._greenlets.add(glet)
        _innermost[glet] = self

    def __exit__(self, typ: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> bool:
        self._close()
        if isinstance(value, Cancelled) and value.scope is self:
            self.cancelled_caught = True
            return True
        return False

    def _close(self) -> None:
        glet = getcurrent()
        if self._state is not _ACTIVE or _innermost.get(glet) is not self:
            raise RuntimeError(
                f"{self!r} is not the innermost scope of {glet!r}: cancel scopes must be "
                "exited in the greenlet that entered them, innermost first")
        self._state = _EXITED
        self._disarm()
        self._greenlets.discard(glet)
        parent = self._parent
        if parent is None:
            del _innermost[glet]
        else:
            parent._children.discard(self)
            parent._greenlets.add(glet)
            _innermost[glet] = parent
            if _visible_cancel(glet) is not None:
                # Leaving a shield, or an inner scope, inside a cancelled one.
                _schedule_check(self._hub.loop, glet)
        self._parent = None

    def __repr__(self) -> str:
        parts = [self._state]
        if self._deadline != math.inf:
            parts.append(f"deadline={self._deadline:.6g}")
        if self._shield:
            parts.append("shielded")
        if self.cancel_called:
            parts.append("cancelled")
        return f"<{type(self).__name__} at {id(self):#x} {' '.join(parts)}>"


class _FailScope(CancelScope):
    """``fail_after``/``fail_at``: a deadline that raises ``TimeoutError`` instead of moving on."""

    def __exit__(self, typ: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> bool:
        caught = CancelScope.__exit__(self, typ, value, tb)
        if caught and self._expired:
            raise TimeoutError(f"the block did not finish by its deadline ({self._deadline:.6g} "
                               "on the hub's clock)") from None
        return caught


def _visible_cancel(glet: Any) -> CancelScope | None:
    """The outermost cancelled scope on ``glet``'s chain that no shield hides."""
    scope = _innermost.get(glet)
    found = None
    while scope is not None:
        if scope.cancel_called:
            found = scope
        if scope._shield:
            break
        scope = scope._parent
    return found


def _schedule_check(loop: Any, glet: Any) -> None:
    pending = _checks_pending.get(loop)
    if pending is None:
        pending = _checks_pending[loop] = weakref.WeakSet()
    if glet not in pending:
        pending.add(glet)
        loop.run_callback(_check, loop, glet)


def _check(loop: Any, glet: Any) -> None:
    # Runs in the hub, so ``glet`` is parked: in a blocking call, or queued to run.
    _checks_pending[loop].discard(glet)
    if glet.dead:
        return
    scope = _visible_cancel(glet)
    if scope is None:
        return
    glet.throw(Cancelled(scope))
    # Back in the hub: it finished, or blocked again. Still inside a cancelled
    # scope, it gets another one.
    if not glet.dead and _visible_cancel(glet) is not None:
        _schedule_check(loop, glet)


def move_on_at(deadline: float | None) -> CancelScope:
    """A scope that cancels itself at ``deadline`` (on ``current_time()``'s clock)."""
    return CancelScope(deadline=deadline)


def _seconds_to_deadline(seconds: float) -> float:
    seconds = float(seconds)
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"seconds must be zero or more, not {seconds!r}")
    return current_time() + seconds


def move_on_after(seconds: float) -> CancelScope:
    """A scope that cancels itself ``seconds`` from now; the block then just ends."""
    return CancelScope(deadline=_seconds_to_deadline(seconds))


def fail_at(deadline: float | None) -> CancelScope:
    """Like ``move_on_at``, but a block cut short by the deadline raises ``TimeoutError``."""
    return _FailScope(deadline=deadline)


def fail_after(seconds: float) -> CancelScope:
    """Like ``move_on_after``, but a block cut short by the deadline raises ``TimeoutError``."""
    return _FailScope(deadline=_seconds_to_deadline(seconds))
