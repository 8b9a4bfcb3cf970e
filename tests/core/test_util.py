"""gevent.util: the greenlet tree, run info, wrap_errors and assert_switches."""

from __future__ import annotations

import time

import pytest

import gevent
from gevent import util
from gevent.hub import Hub


def test_tree_draws_spawner_children_with_details(virtual_hub: Hub) -> None:
    def child() -> int:
        return 1

    def parent() -> gevent.Greenlet:
        g = gevent.spawn(child)
        g.join()
        return g

    top = gevent.spawn(parent)
    top.name = "Top"
    top.join()
    waiting = gevent.Greenlet(child)
    tree = gevent.spawn(util.GreenletTree.current_tree).get()
    text = tree.format(details={"running_stacks": False, "spawning_stacks": False})
    lines = text.splitlines()
    assert lines[1] == " :    Parent: None"
    assert any(line.startswith(' +--- <Greenlet "Top"') and "; finished with value <Greenlet"
               in line for line in lines)
    # The child drawn under Top, whether or not Top is the root's last child:
    # greenlets that earlier tests left to the garbage collector may follow it.
    top_at = next(i for i, line in enumerate(lines) if '"Top"' in line)
    under_top = [line for line in lines[top_at + 1:top_at + 4] if "+---" in line]
    assert under_top and under_top[0][:11] in (" |    +--- ", "      +--- "), text
    assert "; finished with value 1" in under_top[0]
    assert any(f"{waiting!r}; not running" in line for line in lines)
    assert "Parent" not in str(tree)
    value_part = next(line for line in lines if '"Top"' in line).split("finished with value ")[1]
    assert len(value_part) == 30


def test_assert_switches_rules() -> None:
    with pytest.raises(util._FailedToSwitch, match="To any greenlet in"):
        with util.assert_switches():
            time.sleep(0.001)
    with pytest.raises(util._FailedToSwitch, match=r"To the hub in .*\(max allowed 0.0010"):
        with util.assert_switches(0.001, hub_only=True):
            time.sleep(0)
    with util.assert_switches(10.0):
        time.sleep(0)
    with util.assert_switches():
        gevent.sleep(0)


def test_wrap_errors_returns_the_listed_exceptions() -> None:
    wrapped = util.wrap_errors(ValueError, int)
    assert wrapped("3") == 3
    assert isinstance(wrapped("x"), ValueError)
    with pytest.raises(TypeError):
        wrapped(None)


def test_format_run_info_lists_threads_and_greenlets() -> None:
    text = "\n".join(util.format_run_info())
    assert "Threads" in text and "Greenlets" in text
