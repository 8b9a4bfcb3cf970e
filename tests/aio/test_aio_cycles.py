"""Crossing between greenlets and asyncio leaves no reference cycles (design rule 5)."""

from __future__ import annotations

import asyncio

from helpers import assert_no_reference_cycles

import gevent
from gevent.asyncio import await_


def test_await_value_leaves_no_cycle(virtual_hub: object) -> None:
    assert_no_reference_cycles(lambda: await_(asyncio.sleep(0, result=1)))


def test_await_timeout_leaves_no_cycle(virtual_hub: object) -> None:
    def timed_out() -> None:
        try:
            await_(asyncio.sleep(10), timeout=1)
        except gevent.Timeout:
            pass

    assert_no_reference_cycles(timed_out)


def test_kill_during_await_leaves_no_cycle(virtual_hub: object) -> None:
    def killed() -> None:
        g = gevent.spawn(await_, asyncio.sleep(10))
        gevent.sleep(1)
        g.kill()

    assert_no_reference_cycles(killed)


def test_await_error_leaves_no_cycle(virtual_hub: object) -> None:
    async def fails() -> None:
        raise KeyError("x")

    def caught() -> None:
        try:
            await_(fails())
        except KeyError:
            pass

    assert_no_reference_cycles(caught)


def test_cancelled_await_greenlet_leaves_no_cycle() -> None:
    from gevent.asyncio import run, spawn

    async def cancel_one() -> None:
        g = spawn(gevent.sleep, 100)
        task = asyncio.ensure_future(_await(g))
        await asyncio.sleep(0)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    assert_no_reference_cycles(lambda: run(cancel_one()))


async def _await(g: gevent.Greenlet) -> object:
    return await g
