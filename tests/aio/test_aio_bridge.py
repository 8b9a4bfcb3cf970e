"""Crossing both ways: await_ from greenlets, await greenlet from coroutines."""

from __future__ import annotations

import asyncio
import contextvars
import traceback

import pytest
from greenlet import GreenletExit

import gevent
import gevent.socket
from gevent.asyncio import await_, queue_get, queue_put, run, spawn, wait_event
from gevent.event import AsyncResult, Event
from gevent.queue import Empty, Queue

VAR: contextvars.ContextVar[str] = contextvars.ContextVar("VAR", default="unset")


# ------------------------------------------------------------------ await_()

def test_await_returns_the_value_from_the_main_greenlet(virtual_hub: object) -> None:
    assert await_(asyncio.sleep(5, result="slept")) == "slept"


def test_await_accepts_futures_and_tasks(virtual_hub: object) -> None:
    async def make() -> asyncio.Task[int]:
        return asyncio.ensure_future(asyncio.sleep(1, result=3))

    task = await_(make())
    assert await_(task) == 3


def test_await_blocks_only_the_calling_greenlet(virtual_hub: object) -> None:
    order: list[str] = []

    def other() -> None:
        gevent.sleep(1)
        order.append("greenlet ran")

    gevent.spawn(other)
    await_(asyncio.sleep(2))
    order.append("await returned")
    assert order == ["greenlet ran", "await returned"]


def test_several_greenlets_await_at_once(virtual_hub: object) -> None:
    done: list[int] = []

    def waiter(i: int) -> int:
        await_(asyncio.sleep(10 - i))
        done.append(i)
        return i

    greenlets = [gevent.spawn(waiter, i) for i in range(10)]
    gevent.joinall(greenlets, raise_error=True)
    assert done == list(range(9, -1, -1))
    assert [g.value for g in greenlets] == list(range(10))


def test_await_propagates_the_exception_with_its_traceback(virtual_hub: object) -> None:
    async def failing_coroutine() -> None:
        await asyncio.sleep(0)
        raise KeyError("deep")

    with pytest.raises(KeyError, match="deep") as info:
        await_(failing_coroutine())
    names = [frame.name for frame in traceback.extract_tb(info.value.__traceback__)]
    assert "failing_coroutine" in names


def test_timeout_cancels_the_task_and_waits_for_its_cleanup(virtual_hub: object) -> None:
    state: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(100)
        except asyncio.CancelledError:
            state.append("cancelled")
            await asyncio.sleep(1)  # cleanup that takes a while
            state.append("cleaned up")
            raise

    with pytest.raises(gevent.Timeout):
        await_(slow(), timeout=5)
    assert state == ["cancelled", "cleaned up"]


def test_outer_timeout_cancels_the_task(virtual_hub: object) -> None:
    cancelled: list[bool] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(100)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    with gevent.Timeout(1, False):
        await_(slow())
    assert cancelled == [True]


def test_kill_during_await_cancels_the_task(virtual_hub: object) -> None:
    state: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(100)
        finally:
            state.append("task finally")

    def greenlet_body() -> None:
        try:
            await_(slow())
        except GreenletExit:
            state.append("greenlet exit")
            raise

    g = gevent.spawn(greenlet_body)
    gevent.sleep(1)
    g.kill()
    assert g.dead
    assert isinstance(g.value, GreenletExit)
    assert state == ["task finally", "greenlet exit"]


def test_await_from_inside_a_coroutine_is_refused() -> None:
    async def main() -> None:
        with pytest.raises(RuntimeError, match="inside the asyncio loop"):
            await_(asyncio.sleep(0))

    run(main())


def test_await_a_cancelled_task_raises_cancelled_error(virtual_hub: object) -> None:
    async def make() -> asyncio.Task[None]:
        task = asyncio.ensure_future(asyncio.sleep(100))
        asyncio.get_running_loop().call_later(1, task.cancel)
        return task

    task = await_(make())
    with pytest.raises(asyncio.CancelledError):
        await_(task)


def test_background_loop_keeps_running_between_awaits(virtual_hub: object) -> None:
    ticks: list[int] = []

    async def ticker() -> None:
        while True:
            await asyncio.sleep(1)
            ticks.append(1)

    async def start() -> asyncio.Task[None]:
        return asyncio.ensure_future(ticker())

    task = await_(start())
    gevent.sleep(5.5)  # the main greenlet blocks in gevent only
    assert len(ticks) == 5
    task.cancel()


def test_idle_background_loop_does_not_keep_the_hub_alive() -> None:
    await_(asyncio.sleep(0))
    with gevent.Timeout(10, ref=False):
        assert gevent.wait() is True  # returns: nothing but the idle background loop is left


def test_run_inside_the_background_loop_awaits_instead(virtual_hub: object) -> None:
    await_(asyncio.sleep(0))
    assert run(asyncio.sleep(1, result="nested")) == "nested"


# ------------------------------------------------------------ await greenlet

def test_await_greenlet_returns_its_value_and_raises_its_exception() -> None:
    def fails() -> None:
        gevent.sleep(0.001)
        raise ValueError("green failure")

    async def main() -> None:
        assert await gevent.spawn(lambda: 41 + 1) == 42
        g = gevent.spawn(fails)
        with pytest.raises(ValueError, match="green failure"):
            await g
        with pytest.raises(ValueError):  # awaiting twice works
            await g

    hub = gevent.get_hub()
    hub.NOT_ERROR = (ValueError,)  # the failing greenlet's report is expected
    run(main())


def test_await_greenlet_that_already_finished() -> None:
    g = gevent.spawn(lambda: "early")
    g.join()

    async def main() -> object:
        return await g

    assert run(main()) == "early"


def test_cancelling_the_awaiting_task_kills_the_greenlet_and_waits_for_it() -> None:
    state: list[str] = []

    def body() -> None:
        try:
            gevent.sleep(100)
        except GreenletExit:
            state.append("greenlet exit")
            gevent.sleep(0.01)  # dying takes a moment
            state.append("greenlet dead")
            raise

    async def main() -> None:
        g = spawn(body)
        task = asyncio.ensure_future(_await(g))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert g.dead
        assert state == ["greenlet exit", "greenlet dead"]

    run(main())


async def _await(g: gevent.Greenlet) -> object:
    return await g


def test_task_cancelled_while_its_greenlet_is_blocked_on_a_socket() -> None:
    a, b = gevent.socket.socketpair()
    state: list[str] = []

    def reader() -> bytes:
        try:
            return a.recv(10)
        except GreenletExit:
            state.append("killed in recv")
            raise

    async def main() -> None:
        g = spawn(reader)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(_await(g), 0.05)
        assert g.dead
        assert state == ["killed in recv"]

    try:
        run(main())
        # The socket is still usable by others afterwards.
        b.send(b"later")
        assert a.recv(10) == b"later"
    finally:
        a.close()
        b.close()


def test_spawn_with_arguments() -> None:
    async def main() -> object:
        return await spawn(lambda a, b=0: a * b, 6, b=7)

    assert run(main()) == 42


# ---------------------------------------------------------------- contextvars

def test_contextvars_flow_from_greenlet_to_coroutine(virtual_hub: object) -> None:
    async def read() -> str:
        await asyncio.sleep(0)
        return VAR.get()

    def greenlet_body() -> str:
        VAR.set("green")
        return await_(read())

    assert gevent.spawn(greenlet_body).get() == "green"


def test_contextvars_flow_from_coroutine_to_greenlet() -> None:
    async def main() -> tuple[str, str]:
        VAR.set("task")
        seen = await spawn(VAR.get)

        def sets() -> None:
            VAR.set("changed in greenlet")

        await spawn(sets)
        return seen, VAR.get()  # like a task, the greenlet works on a copy

    assert run(main()) == ("task", "task")


# ----------------------------------------------------------------- adapters

def test_task_and_greenlet_wait_on_the_same_event() -> None:
    event = Event()
    woke: list[str] = []

    def green_waiter() -> None:
        event.wait()
        woke.append("greenlet")

    async def main() -> None:
        g = spawn(green_waiter)
        waiter = asyncio.ensure_future(wait_event(event))
        await asyncio.sleep(0.01)
        assert not waiter.done()
        gevent.spawn(event.set)
        assert await waiter is True
        woke.append("task")
        await g

    run(main())
    assert sorted(woke) == ["greenlet", "task"]


def test_wait_event_timeout_and_async_result() -> None:
    async def main() -> None:
        assert await wait_event(Event(), timeout=0.01) is False
        result = AsyncResult()
        gevent.spawn_later(0.01, result.set, "value")
        assert await wait_event(result) == "value"
        assert await wait_event(result) == "value"  # already set: no wait

    run(main())


def test_task_and_greenlets_share_a_queue_in_turn() -> None:
    q: Queue[int] = Queue()
    got: dict[str, list[int]] = {"task": [], "greenlet": []}

    def green_consumer() -> None:
        for _ in range(5):
            got["greenlet"].append(q.get())

    async def task_consumer() -> None:
        for _ in range(5):
            got["task"].append(await queue_get(q))

    async def main() -> None:
        g = spawn(green_consumer)
        t = asyncio.ensure_future(task_consumer())
        await asyncio.sleep(0.01)
        for i in range(10):
            await queue_put(q, i)
            await asyncio.sleep(0)
        await t
        await g

    run(main())
    assert sorted(got["task"] + got["greenlet"]) == list(range(10))
    assert got["task"] and got["greenlet"]


def test_cancelled_queue_get_loses_no_item() -> None:
    q: Queue[str] = Queue()

    async def main() -> object:
        t = asyncio.ensure_future(queue_get(q))
        await asyncio.sleep(0.01)
        t.cancel()
        with pytest.raises(asyncio.CancelledError):
            await t
        q.put("kept")
        return await queue_get(q, timeout=1)

    assert run(main()) == "kept"


def test_queue_get_and_put_timeouts() -> None:
    from gevent.queue import Full

    async def main() -> None:
        with pytest.raises(Empty):
            await queue_get(Queue(), timeout=0.01)
        full: Queue[int] = Queue(1)
        await queue_put(full, 1)
        with pytest.raises(Full):
            await queue_put(full, 2, timeout=0.01)

    run(main())


def test_close_background_frees_the_thread_for_asyncio_run() -> None:
    from gevent.asyncio import close_background

    async def forever() -> None:
        await asyncio.sleep(3600)

    async def start() -> asyncio.Task[None]:
        return asyncio.ensure_future(forever())

    task = await_(start())
    with pytest.raises(RuntimeError, match="running event loop"):
        coro = asyncio.sleep(0)
        try:
            asyncio.run(coro)
        finally:
            coro.close()
    close_background()
    assert task.cancelled()
    assert asyncio.run(asyncio.sleep(0, result="free")) == "free"
    close_background()  # nothing left: a no-op


def test_background_loop_of_a_destroyed_hub_is_cleared() -> None:
    # Destroying the hub leaves the background loop's greenlet parked in it, and that
    # loop registered as this thread's running loop: the next crossing unwinds it.
    from asyncio import events

    await_(asyncio.sleep(0))
    stale = events._get_running_loop()
    assert stale is not None
    gevent.get_hub().destroy(destroy_loop=True)
    assert await_(asyncio.sleep(0, result="new hub")) == "new hub"
    assert stale.is_closed()
    assert events._get_running_loop() is not stale
    assert run(asyncio.sleep(0, result="run")) == "run"
