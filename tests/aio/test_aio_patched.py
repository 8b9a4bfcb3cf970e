"""gevent.asyncio under monkey.patch_all(), in child interpreters."""

from __future__ import annotations

from helpers import run_python


def test_event_loop_under_patch_all() -> None:
    out = run_python("""
        from gevent import monkey
        monkey.patch_all()
        import asyncio, socket, threading, time
        import gevent, gevent.asyncio
        from gevent.server import StreamServer

        native_get_ident = monkey.get_original("_thread", "get_ident")
        main_native = native_get_ident()

        def handle(sock, addr):
            sock.sendall(sock.recv(100).upper())

        server = StreamServer(("127.0.0.1", 0), handle)
        server.start()

        async def main():
            loop = asyncio.get_running_loop()
            assert isinstance(loop, gevent.asyncio.EventLoop)
            # Executor jobs run in native threads, even with threading patched.
            ident = await loop.run_in_executor(None, native_get_ident)
            assert ident != main_native, (ident, main_native)
            # time.sleep is gevent's here, so the loop is not blocked.
            r, w = await asyncio.open_connection("127.0.0.1", server.server_port)
            w.write(b"patched")
            await w.drain()
            data = await r.read(100)
            w.close()
            await w.wait_closed()
            # A blocking (patched) socket call inside a greenlet the task awaits.
            def fetch():
                with socket.create_connection(("127.0.0.1", server.server_port)) as s:
                    s.sendall(b"green")
                    return s.recv(100)
            green = await gevent.asyncio.spawn(fetch)
            return data, green

        print(gevent.asyncio.run(main()))
        server.stop()
    """)
    assert out.strip() == "(b'PATCHED', b'GREEN')"


def test_await_under_patch_all_with_threads() -> None:
    out = run_python("""
        from gevent import monkey
        monkey.patch_all()
        import asyncio, threading
        import gevent
        from gevent.asyncio import await_

        results = []
        def worker(i):
            results.append(await_(asyncio.sleep(0.01 * i, result=i)))

        # Green threads (patched threading) awaiting on the one background loop.
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(sorted(results))
    """)
    assert out.strip() == "[0, 1, 2, 3, 4]"


def test_stock_loop_under_patch_all_can_be_awaited_from_greenlets() -> None:
    # asyncio's own loop on gevent's patched selectors: await_ uses its thread-safe entry.
    out = run_python("""
        from gevent import monkey
        monkey.patch_all()
        import asyncio
        import gevent
        from gevent.asyncio import await_

        async def main():
            g = gevent.spawn(await_, asyncio.sleep(0.01, result="stock"))
            while not g.dead:
                await asyncio.sleep(0.005)
            return g.get()

        print(asyncio.run(main()))
    """)
    assert out.strip() == "stock"


def test_no_patching_asyncio_stays_native() -> None:
    out = run_python("""
        import asyncio, selectors, socket
        import gevent.asyncio
        # Importing gevent.asyncio patches nothing.
        assert socket.socket.__module__ == "socket"
        assert selectors.DefaultSelector.__module__ == "selectors"
        print(asyncio.run(asyncio.sleep(0, result="native")))
    """)
    assert out.strip() == "native"
