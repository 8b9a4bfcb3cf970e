"""``TaskGroup``: greenlets that cannot outlive the block that spawned them.

The group owns a ``CancelScope`` that covers its body and every child (each
child's chain of scopes starts at it), so ``tg.cancel()``, a failing child, an
exception in the body and the cancellation of an enclosing scope all end the
same way: the group's scope is cancelled, every blocking call inside raises
``Cancelled``, and ``__exit__`` waits, shielded, until no child is left.

What leaves the block, in this order: a ``KeyboardInterrupt`` or
``SystemExit``, as itself; the children's and the body's errors,
in one ``ExceptionGroup`` (a ``BaseExceptionGroup`` if one of them is not an
``Exception``), with the ``Timeout`` or kill that reached the body, if one did,
among them, so that nothing is lost; that ``Timeout`` or kill's exception
alone, as itself, so that whatever threw it recognises it; an enclosing scope's
``Cancelled``, for that scope to catch. A ``Cancelled`` of the group's
own scope, or of an enclosing one, is never an error, and a child that ends
with ``GreenletExit`` (it was killed) succeeded, as gevent counts it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

from .._sync._event import Event
from ..greenlet import Greenlet
from ._cancel import Cancelled, CancelScope, _innermost, _schedule_check, _visible_cancel

if sys.version_info >= (3, 11):  # pragma: no cover - depends on the interpreter
    from builtins import BaseExceptionGroup
else:  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup

__all__ = ["TaskGreenlet", "TaskGroup"]

_NEW, _OPEN, _CLOSING, _DONE = "new", "open", "closing", "done"


class TaskGreenlet(Greenlet):
    """A TaskGroup's child: its error goes to the group, which raises it, not to the hub.

    The hub would print the traceback as it does for any failed greenlet; the
    group raises the error in its owner instead, so it surfaces once.
    """

    _report_to_hub = False


class TaskGroup:
    """Spawn greenlets with ``spawn()``; leaving the ``with`` block waits for all of them.

    If a child raises, the others and the body are cancelled and the block
    raises an ``ExceptionGroup`` of the errors. An exception in the body
    cancels the children too. ``cancel()`` cancels everything inside without
    an error. Groups nest, and a group opened inside a ``CancelScope`` is
    cancelled with it.
    """

    def __init__(self) -> None:
        self._scope = CancelScope()
        self._state = _NEW
        self._running: set[Greenlet] = set()
        self._idle = Event()
        self._idle.set()
        self._errors: list[BaseException] = []

    @property
    def cancel_scope(self) -> CancelScope:
        """The scope covering the body and the children."""
        return self._scope

    def cancel(self) -> None:
        """Cancel the body and every child; the block then ends without an error."""
        self._scope.cancel()

    def spawn(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Greenlet:
        """Start ``function(*args, **kwargs)`` in a child greenlet of the group and return it."""
        if self._state is not _OPEN and self._state is not _CLOSING:
            raise RuntimeError(
                f"{self!r} is not open: spawn() works inside its with-block, or from its "
                "children until the block has finished")
        if not callable(function):
            raise TypeError(f"spawn() needs a callable, not {function!r}")
        child = TaskGreenlet(function, *args, **kwargs)
        scope = self._scope
        scope._greenlets.add(child)
        _innermost[child] = scope
        self._running.add(child)
        self._idle.clear()
        child.rawlink(self._child_done)
        child.start()
        if _visible_cancel(child) is not None:
            # Spawned into a cancelled group: it runs until its first blocking call.
            _schedule_check(scope._hub.loop, child)
        return child

    def _child_done(self, child: Any) -> None:
        self._running.discard(child)
        self._scope._greenlets.discard(child)
        _innermost.pop(child, None)
        exc = child.exception
        if exc is not None and not self._cancelled_from_here(exc):
            self._errors.append(exc)
            self._scope.cancel()
        if not self._running:
            self._idle.set()

    def _cancelled_from_here(self, exc: BaseException) -> bool:
        # The group's scope or one enclosing it: the cancellation is being
        # handled on the owner's side, it is no child's error.
        if not isinstance(exc, Cancelled):
            return False
        scope: CancelScope | None = self._scope
        while scope is not None:
            if exc.scope is scope:
                return True
            scope = scope._parent
        return False

    def __enter__(self) -> TaskGroup:
        if self._state is not _NEW:
            raise RuntimeError(f"{self!r} was already used; make a new TaskGroup for each block")
        self._scope.__enter__()
        self._state = _OPEN
        return self

    def __exit__(self, typ: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> bool:
        self._state = _CLOSING
        foreign: list[BaseException] = []  # Timeout, kill, KeyboardInterrupt reaching the body
        outer: list[Cancelled] = []  # an enclosing scope's cancellation
        self._take(value, foreign, outer)
        shielded = False
        while self._running:
            try:
                if shielded:
                    with CancelScope(shield=True):
                        self._idle.wait()
                else:
                    self._idle.wait()
            except BaseException as exc:
                # Cancelled now, or killed while waiting: cancel the children
                # and wait for them regardless. Killed twice (or killed after a
                # Timeout), kill them outright.
                if foreign and not isinstance(exc, Cancelled):
                    for child in list(self._running):
                        child.kill(block=False)
                self._take(exc, foreign, outer)
                self._scope.cancel()
                shielded = True
                del exc
        self._state = _DONE
        self._scope._close()
        swallow, raised = self._outcome(value, foreign, outer)
        # Rule 5: what is raised from here keeps this frame in its traceback,
        # so the frame must hold no exception by then.
        del foreign, outer, value, tb
        if raised is None:
            return swallow
        try:
            if isinstance(raised, BaseExceptionGroup):
                raise raised from None
            raise raised
        finally:
            del raised

    def _take(self, exc: BaseException | None, foreign: list[BaseException],
              outer: list[Cancelled]) -> None:
        if exc is None:
            return
        if isinstance(exc, Cancelled):
            if exc.scope is self._scope:
                self._scope.cancelled_caught = True
            elif not outer:
                outer.append(exc)
            return
        if isinstance(exc, Exception):
            self._errors.append(exc)
        elif not foreign:
            foreign.append(exc)
        self._scope.cancel()

    def _outcome(self, value: BaseException | None, foreign: list[BaseException],
                 outer: list[Cancelled]) -> tuple[bool, BaseException | None]:
        """Whether ``__exit__`` swallows ``value``, and what it raises instead (if not it)."""
        errors = self._errors
        self._errors = []
        for err in errors + foreign:
            if isinstance(err, (KeyboardInterrupt, SystemExit)):
                return False, (None if err is value else err)
        if errors:
            exc: BaseException | None = BaseExceptionGroup(
                f"{len(errors)} error{'s' if len(errors) > 1 else ''} in a TaskGroup",
                errors + foreign)
        elif foreign:
            exc = foreign[0]
        elif outer:
            exc = outer[0]
        else:
            return isinstance(value, Cancelled) and value.scope is self._scope, None
        return False, (None if exc is value else exc)

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} at {id(self):#x} {self._state} "
                f"running={len(self._running)}>")
