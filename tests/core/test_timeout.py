"""Timeout and with_timeout (spec section 1.9)."""

from __future__ import annotations

import pytest

import gevent
from gevent import Timeout
from gevent.hub import Hub


def test_timeout_is_a_base_exception_raised_in_the_starting_greenlet(virtual_hub: Hub) -> None:
    assert issubclass(Timeout, BaseException) and not issubclass(Timeout, Exception)
    t = Timeout(1)
    t.start()
    with pytest.raises(Timeout) as info:
        gevent.sleep(2)
    assert info.value is t
    t.close()


def test_exception_argument_decides_what_is_raised(virtual_hub: Hub) -> None:
    with pytest.raises(KeyError):
        with Timeout(1, KeyError("k")):
            gevent.sleep(2)
    with pytest.raises(Timeout) as info:
        with Timeout(1, "a string"):
            gevent.sleep(2)
    assert str(info.value) == "1 second: a string"


def test_false_exception_is_swallowed_by_its_own_with_block(virtual_hub: Hub) -> None:
    with Timeout(1, False):
        gevent.sleep(2)
        pytest.fail("not reached")
    assert virtual_hub.loop.now() >= 1


def test_seconds_none_never_fires_and_allocates_no_timer(virtual_hub: Hub) -> None:
    with Timeout(None) as t:
        gevent.sleep(1)
    assert not t.pending
    assert str(t) == ""


def test_cancel_then_restart_and_pending(virtual_hub: Hub) -> None:
    t = Timeout(1)
    t.start()
    assert t.pending
    with pytest.raises(AssertionError, match="already started"):
        t.start()
    t.cancel()
    assert not t.pending
    gevent.sleep(2)
    t.start()
    with pytest.raises(Timeout):
        gevent.sleep(2)
    t.close()


def test_start_new_returns_the_raised_object(virtual_hub: Hub) -> None:
    t = Timeout.start_new(0.5)
    try:
        with pytest.raises(Timeout) as info:
            gevent.sleep(1)
        assert info.value is t
    finally:
        t.close()
    again = Timeout(1)
    assert Timeout.start_new(again) is again
    again.close()


def test_nested_outer_timeout_passes_through_inner(virtual_hub: Hub) -> None:
    outer = Timeout(1)
    with pytest.raises(Timeout) as info:
        with outer:
            with Timeout(5):
                gevent.sleep(10)
    assert info.value is outer


def test_string_forms(virtual_hub: Hub) -> None:
    assert str(Timeout(0.01)) == "0.01 seconds"
    assert str(Timeout(1)) == "1 second"
    assert str(Timeout(2, False)) == "2 seconds (silent)"
    assert str(Timeout(0.01, "a string")) == "0.01 seconds: a string"
    assert Timeout(0) < 1


def test_with_timeout_returns_timeout_value_or_raises(virtual_hub: Hub) -> None:
    assert gevent.with_timeout(1, gevent.sleep, 2, timeout_value="late") == "late"
    with pytest.raises(Timeout):
        gevent.with_timeout(1, gevent.sleep, 2)
    assert gevent.with_timeout(1, lambda: "ok") == "ok"


def test_zero_timeout_fires_on_the_next_iteration(virtual_hub: Hub) -> None:
    with pytest.raises(Timeout):
        with Timeout(0):
            gevent.sleep(0.001)
