"""gevent.asyncio.EventLoop: asyncio's loop with its waits on the hub."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import threading

import pytest

import gevent
import gevent.socket
from gevent.asyncio import EventLoop, run


@pytest.mark.skipif(not hasattr(asyncio, "Runner"), reason="asyncio.Runner is new in 3.11")
def test_runner_with_loop_factory_runs_greenlets_while_asyncio_sleeps(virtual_hub: object) -> None:
    ticks: list[float] = []

    def ticker() -> None:
        for _ in range(5):
            gevent.sleep(1)
            ticks.append(gevent.get_hub().loop.now())

    async def main() -> str:
        g = gevent.spawn(ticker)
        await asyncio.sleep(10)  # virtual: no real time
        assert g.dead
        return "done"

    with asyncio.Runner(loop_factory=EventLoop) as runner:
        assert runner.run(main()) == "done"
        assert isinstance(runner.get_loop(), EventLoop)
    assert len(ticks) == 5


def test_asyncio_time_is_the_hub_clock(virtual_hub: object) -> None:
    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(3600)
        return start, loop.time()

    start, end = run(main())
    assert end - start == pytest.approx(3600, abs=0.01)


def test_tasks_progress_while_greenlets_run(virtual_hub: object) -> None:
    progress: list[int] = []

    async def counter() -> None:
        for i in range(3):
            await asyncio.sleep(1)
            progress.append(i)

    async def main() -> None:
        task = asyncio.create_task(counter())
        # A greenlet that blocks in gevent: the loop greenlet waits on it, and the
        # task keeps stepping meanwhile.
        await gevent.asyncio.spawn(gevent.sleep, 5)
        assert progress == [0, 1, 2]
        await task

    run(main())


def test_call_soon_from_a_greenlet_wakes_a_parked_loop() -> None:
    # The loop parks with no timer at all; without the wake-up it would sleep forever.
    async def main() -> object:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        def resolve() -> None:
            gevent.sleep(0.01)
            fut.set_result("from greenlet")  # schedules callbacks with loop.call_soon

        gevent.spawn(resolve)
        with gevent.Timeout(10):
            return await fut

    assert run(main()) == "from greenlet"


def test_stop_from_a_greenlet_wakes_the_loop() -> None:
    loop = EventLoop()
    try:
        gevent.spawn_later(0.01, loop.stop)
        with gevent.Timeout(10):
            loop.run_forever()
    finally:
        loop.close()


def test_call_soon_threadsafe_from_another_thread() -> None:
    async def main() -> object:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        t = threading.Thread(target=loop.call_soon_threadsafe, args=(fut.set_result, 7))
        t.start()
        with gevent.Timeout(10):
            value = await fut
        t.join()
        return value

    assert run(main()) == 7


def test_run_in_executor_runs_in_a_native_thread_and_does_not_block_greenlets() -> None:
    native = threading.get_ident()
    seen: list[int] = []

    async def main() -> object:
        loop = asyncio.get_running_loop()
        greenlet_done = threading.Event()

        def in_a_greenlet() -> None:
            for _ in range(5):
                gevent.sleep(0.001)
            greenlet_done.set()

        g = gevent.spawn(in_a_greenlet)

        def blocking() -> int:
            # Returns only once the greenlet has finished: had the executor
            # blocked the hub, this would time out instead.
            assert greenlet_done.wait(30)
            return threading.get_ident()

        ident = await loop.run_in_executor(None, blocking)
        seen.append(ident)
        assert g.dead  # greenlets ran while the thread waited
        return await loop.run_in_executor(None, sum, [1, 2, 3])

    assert run(main()) == 6
    assert seen[0] != native


def test_reader_and_green_socket_on_the_same_descriptor() -> None:
    # eventlet #929: asyncio's reader and a greenlet waiting on the same fd both wake.
    a, b = gevent.socket.socketpair()

    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        order: list[str] = []
        fired = loop.create_future()

        def on_readable() -> None:
            order.append("asyncio")
            loop.remove_reader(a.fileno())
            fired.set_result(None)

        loop.add_reader(a.fileno(), on_readable)

        def green_reader() -> None:
            gevent.socket.wait_read(a.fileno())
            order.append("greenlet")

        g = gevent.spawn(green_reader)
        await asyncio.sleep(0.01)
        b.send(b"x")
        with gevent.Timeout(10):
            await fired
            await g
        return sorted(order)

    try:
        assert run(main()) == ["asyncio", "greenlet"]
    finally:
        a.close()
        b.close()


def test_many_readers_on_their_own_descriptors() -> None:
    pairs = [socket.socketpair() for _ in range(20)]

    async def main() -> int:
        loop = asyncio.get_running_loop()
        got: list[bytes] = []
        for r, w in pairs:
            r.setblocking(False)
            w.setblocking(False)
        for _, w in pairs:
            w.send(b"ab")
        datas = await asyncio.gather(*(loop.sock_recv(r, 10) for r, _ in pairs))
        got.extend(datas)
        return len([d for d in got if d == b"ab"])

    try:
        assert run(main()) == 20
    finally:
        for r, w in pairs:
            r.close()
            w.close()


def test_asyncio_client_against_a_gevent_server_in_the_same_thread() -> None:
    from gevent.server import StreamServer

    def handle(sock: socket.socket, addr: object) -> None:
        data = sock.recv(100)
        sock.sendall(data.upper())

    server = StreamServer(("127.0.0.1", 0), handle)
    server.start()

    async def main() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.server_port)
        writer.write(b"hello")
        await writer.drain()
        data = await reader.read(100)
        writer.close()
        await writer.wait_closed()
        return data

    try:
        assert run(main()) == b"HELLO"
    finally:
        server.stop()


def test_asyncio_server_with_a_greenlet_client() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.read(100)
        writer.write(data[::-1])
        await writer.drain()
        writer.close()

    def client(port: int) -> bytes:
        s = gevent.socket.create_connection(("127.0.0.1", port))
        with s:
            s.sendall(b"abc")
            return s.recv(100)

    async def main() -> bytes:
        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await gevent.asyncio.spawn(client, port)

    assert run(main()) == b"cba"


def test_signal_handler_runs_on_the_hub() -> None:
    async def main() -> int:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        loop.add_signal_handler(signal.SIGUSR1, fut.set_result, signal.SIGUSR1)
        try:
            os.kill(os.getpid(), signal.SIGUSR1)
            with gevent.Timeout(10):
                return await fut
        finally:
            assert loop.remove_signal_handler(signal.SIGUSR1)
            assert not loop.remove_signal_handler(signal.SIGUSR1)

    before = signal.getsignal(signal.SIGUSR1)
    assert run(main()) == signal.SIGUSR1
    assert signal.getsignal(signal.SIGUSR1) == before


def test_signal_handler_refuses_coroutines_and_bad_signals() -> None:
    async def coro() -> None:
        pass

    async def main() -> None:
        loop = asyncio.get_running_loop()
        with pytest.raises(TypeError):
            loop.add_signal_handler(signal.SIGUSR1, coro)
        with pytest.raises((ValueError, RuntimeError)):
            loop.add_signal_handler(signal.SIGKILL, lambda: None)

    run(main())


def test_subprocess_is_reaped_by_the_hub() -> None:
    async def main() -> tuple[bytes, int]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import sys; sys.stdout.write(sys.stdin.read().upper())",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate(b"child")
        return out, proc.returncode  # type: ignore[return-value]

    with gevent.Timeout(30):
        assert run(main()) == (b"CHILD", 0)


def test_subprocess_exit_code() -> None:
    async def main() -> int:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "raise SystemExit(3)")
        return await proc.wait()

    with gevent.Timeout(30):
        assert run(main()) == 3


def test_run_refuses_a_non_coroutine() -> None:
    with pytest.raises(ValueError, match="coroutine"):
        run(42)  # type: ignore[arg-type]


def test_loop_in_the_hub_greenlet_is_refused() -> None:
    loop = EventLoop()
    errors: list[BaseException] = []
    never = loop.create_future()  # a coroutine would be left never awaited

    def in_hub() -> None:
        try:
            loop.run_until_complete(never)
        except RuntimeError as exc:
            errors.append(exc)

    gevent.get_hub().loop.run_callback(in_hub)
    gevent.sleep(0.01)
    loop.close()
    assert errors and "hub greenlet" in str(errors[0])


def test_policy_for_older_code() -> None:
    from gevent.asyncio import EventLoopPolicy

    loop = EventLoopPolicy().new_event_loop()
    try:
        assert isinstance(loop, EventLoop)
        assert loop.run_until_complete(asyncio.sleep(0, result=1)) == 1
    finally:
        loop.close()


@pytest.mark.skipif(sys.version_info < (3, 12), reason="asyncio.run(loop_factory=) is new in 3.12")
def test_asyncio_run_with_loop_factory() -> None:
    async def main() -> str:
        assert isinstance(asyncio.get_running_loop(), EventLoop)
        return await gevent.asyncio.spawn(lambda: "green")

    assert asyncio.run(main(), loop_factory=EventLoop) == "green"  # type: ignore[call-arg]


def test_event_loop_in_another_native_thread() -> None:
    results: list[object] = []

    def in_thread() -> None:
        async def main() -> object:
            loop = asyncio.get_running_loop()
            assert loop.hub is not main_hub  # type: ignore[attr-defined]
            with pytest.raises(RuntimeError, match="main thread"):
                loop.add_signal_handler(signal.SIGUSR2, lambda: None)
            g = gevent.spawn(lambda: "thread greenlet")
            return await g

        try:
            results.append(run(main()))
        except BaseException as exc:  # reported to the main thread below
            results.append(exc)
        finally:
            gevent.get_hub().destroy(destroy_loop=True)

    main_hub = gevent.get_hub()
    t = threading.Thread(target=in_thread)
    t.start()
    t.join(30)
    assert results == ["thread greenlet"]


def test_subprocess_in_another_native_thread_uses_asyncio_watcher() -> None:
    results: list[object] = []

    def in_thread() -> None:
        async def main() -> int:
            proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
            return await proc.wait()

        try:
            results.append(run(main()))
        except BaseException as exc:
            results.append(exc)
        finally:
            gevent.get_hub().destroy(destroy_loop=True)

    t = threading.Thread(target=in_thread)
    t.start()
    t.join(60)
    assert results == [0]


def test_debug_source_traceback_ends_at_the_caller() -> None:
    # Found by CPython's test_asyncio: our call_soon/call_at wrappers must not be the
    # last frame of a handle's source traceback.
    loop = EventLoop()
    loop.set_debug(True)
    try:
        for make in (lambda: loop.call_soon(lambda: None),
                     lambda: loop.call_later(0, lambda: None),
                     lambda: loop.call_at(loop.time(), lambda: None),
                     lambda: loop.call_soon_threadsafe(lambda: None)):
            handle = make()
            assert handle._source_traceback[-1][2] == "<lambda>"  # type: ignore[attr-defined]
            handle.cancel()
    finally:
        loop.close()
