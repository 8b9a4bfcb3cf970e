"""Random trees of task groups and cancel scopes, with random failures, cancels and deadlines.

Whatever the tree, once the outermost block is over: no greenlet is left, no
``Cancelled`` escapes (every one is caught by its scope), every error a leaf
raised surfaces exactly once in what the block raised, and every scope that
caught a cancellation had been cancelled. Silent ``gevent.Timeout`` blocks mix
the old API in: a Timeout surfaces only inside a group, beside errors. Runs on
the autojump clock, so the sleeps and deadlines take no real time.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any, Union

from hypothesis import given, settings
from hypothesis import strategies as st

import gevent
from gevent import Cancelled, CancelScope, TaskGroup, current_time
from gevent.testkit import MockClock, isolated_hub, leaked_greenlets

if sys.version_info >= (3, 11):
    from builtins import BaseExceptionGroup
else:
    from exceptiongroup import BaseExceptionGroup

# A tree is a nested tuple:
#   ("work", seconds, fails)             sleep, then raise a fresh Failure if ``fails``
#   ("cancel", seconds, up)              sleep, then cancel the ``up``-th enclosing scope
#   ("fragile", seconds)                 sleep; if cancelled meanwhile, raise a Failure
#   ("scope", deadline, shield, body)    run ``body`` in a CancelScope
#   ("group", children, body)            spawn each child in a TaskGroup, run ``body``
#   ("timeout", seconds, body)           run ``body`` under a silent gevent.Timeout
Tree = tuple[Any, ...]

SECONDS = st.sampled_from([0, 0, 1, 2, 3])
LEAVES = st.one_of(
    st.tuples(st.just("work"), SECONDS, st.booleans()),
    st.tuples(st.just("cancel"), SECONDS, st.integers(0, 3)),
    st.tuples(st.just("fragile"), SECONDS),
)


def _extend(kids: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.just("scope"), st.one_of(st.none(), SECONDS), st.booleans(), kids),
        st.tuples(st.just("group"), st.lists(kids, max_size=3), kids),
        st.tuples(st.just("timeout"), SECONDS, kids),
    )


TREES = st.recursive(LEAVES, _extend, max_leaves=10)


class Failure(Exception):
    pass


class Run:
    def __init__(self) -> None:
        self.ids = itertools.count()
        self.raised: list[int] = []
        self.scopes: list[CancelScope] = []

    def run(self, tree: Tree, enclosing: tuple[CancelScope, ...]) -> None:
        kind = tree[0]
        if kind == "work":
            gevent.sleep(tree[1])
            if tree[2]:
                n = next(self.ids)
                self.raised.append(n)
                raise Failure(n)
        elif kind == "fragile":
            try:
                gevent.sleep(tree[1])
            except Cancelled:
                n = next(self.ids)
                self.raised.append(n)
                raise Failure(n) from None
        elif kind == "cancel":
            gevent.sleep(tree[1])
            if enclosing:
                enclosing[-1 - min(tree[2], len(enclosing) - 1)].cancel()
        elif kind == "scope":
            deadline = None if tree[1] is None else current_time() + tree[1]
            with CancelScope(deadline=deadline, shield=tree[2]) as scope:
                self.scopes.append(scope)
                self.run(tree[3], (*enclosing, scope))
        elif kind == "timeout":
            # Silent: its with-block swallows it, if it arrives as itself.
            with gevent.Timeout(tree[1], False):
                self.run(tree[2], enclosing)
        else:
            with TaskGroup() as tg:
                self.scopes.append(tg.cancel_scope)
                inner = (*enclosing, tg.cancel_scope)
                for child in tree[1]:
                    tg.spawn(self.run, child, inner)
                self.run(tree[2], inner)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]


def _outcome(tree: Tree) -> tuple[Run, BaseException | None, list[Any]]:
    run = Run()
    with isolated_hub(MockClock(autojump=True)):
        try:
            run.run(tree, ())
        except BaseException as exc:
            raised: BaseException | None = exc
        else:
            raised = None
        left = leaked_greenlets()
    return run, raised, left


Outcome = Union[BaseException, None]


@settings(max_examples=300, deadline=None)
@given(TREES)
def test_random_trees_leak_nothing_and_report_each_error_once(tree: Tree) -> None:
    run, raised, left = _outcome(tree)
    assert left == []
    leaves = [] if raised is None else _leaves(raised)
    assert not any(isinstance(leaf, Cancelled) for leaf in leaves), leaves
    # A Timeout that met errors in a group travels with them, in the group.
    assert all(isinstance(leaf, (Failure, gevent.Timeout)) for leaf in leaves), leaves
    assert all(isinstance(raised, BaseExceptionGroup) for leaf in leaves
               if isinstance(leaf, gevent.Timeout)), raised
    failures = [leaf.args[0] for leaf in leaves if isinstance(leaf, Failure)]
    assert sorted(failures) == sorted(run.raised)
    for scope in run.scopes:
        assert not scope.cancelled_caught or scope.cancel_called


def test_the_strategy_reaches_failures_cancels_and_nesting() -> None:
    # Guards the property above against a strategy that stopped exploring.
    tree = ("group", [("work", 1, True), ("scope", 2, False, ("work", 5, True))],
            ("scope", None, True, ("cancel", 0, 0)))
    run, raised, left = _outcome(tree)
    assert left == [] and run.raised == [0]
    assert raised is not None and [leaf.args[0] for leaf in _leaves(raised)] == [0]
