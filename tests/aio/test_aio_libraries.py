"""Real asyncio libraries, from greenlets and beside them, in one thread."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

import gevent
import gevent.socket
from gevent.asyncio import await_, run, spawn
from gevent.pywsgi import WSGIServer

aiohttp = pytest.importorskip("aiohttp")
from aiohttp import web  # noqa: E402


def _wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = f"wsgi {environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def wsgi_server() -> Iterator[WSGIServer]:
    server = WSGIServer(("127.0.0.1", 0), _wsgi_app, log=None)
    server.start()
    yield server
    server.stop()


def _green_http_get(port: int, path: str) -> bytes:
    with gevent.socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).partition(b"\r\n\r\n")[2]


# ------------------------------------------------------------------- aiohttp

async def _start_aiohttp() -> tuple[web.AppRunner, int]:
    async def hello(request: web.Request) -> web.Response:
        await asyncio.sleep(0.001)
        # A handler may wait on a greenlet doing gevent I/O.
        n = await spawn(lambda: len(request.match_info["name"]))
        return web.Response(text=f"hello {request.match_info['name']} {n}")

    app = web.Application()
    app.router.add_get("/hello/{name}", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port


def test_aiohttp_server_serves_greenlets_and_aiohttp_clients_in_greenlets() -> None:
    runner, port = await_(_start_aiohttp())
    try:
        # Plain greenlets with gevent sockets, while the server runs on the
        # background loop.
        greenlets = [gevent.spawn(_green_http_get, port, f"/hello/g{i}") for i in range(5)]

        async def client_get(path: str) -> str:
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}{path}") as resp:
                    assert resp.status == 200
                    return await resp.text()

        # aiohttp's client, called from several greenlets at once.
        clients = [gevent.spawn(await_, client_get(f"/hello/c{i}")) for i in range(5)]
        with gevent.Timeout(30):
            gevent.joinall(greenlets + clients, raise_error=True)
        assert [g.value for g in greenlets] == [f"hello g{i} 2".encode() for i in range(5)]
        assert [g.value for g in clients] == [f"hello c{i} 2" for i in range(5)]
    finally:
        await_(runner.cleanup())


def test_aiohttp_client_against_a_gevent_wsgi_server(wsgi_server: WSGIServer) -> None:
    async def main() -> list[str]:
        async with aiohttp.ClientSession() as session:
            async def one(i: int) -> str:
                async with session.get(f"http://127.0.0.1:{wsgi_server.server_port}/p{i}") as r:
                    return await r.text()
            return await asyncio.gather(*(one(i) for i in range(10)))

    with gevent.Timeout(30):
        assert run(main()) == [f"wsgi /p{i}" for i in range(10)]


# --------------------------------------------------------------------- httpx

def test_httpx_async_client_against_a_gevent_wsgi_server(wsgi_server: WSGIServer) -> None:
    httpx = pytest.importorskip("httpx")

    async def main() -> list[str]:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{wsgi_server.server_port}") as c:
            responses = await asyncio.gather(*(c.get(f"/x{i}") for i in range(10)))
        return [r.text for r in responses]

    with gevent.Timeout(30):
        assert run(main()) == [f"wsgi /x{i}" for i in range(10)]


def test_httpx_async_client_from_greenlets(wsgi_server: WSGIServer) -> None:
    httpx = pytest.importorskip("httpx")
    base = f"http://127.0.0.1:{wsgi_server.server_port}"

    async def get(path: str) -> str:
        async with httpx.AsyncClient(base_url=base) as c:
            return (await c.get(path)).text

    greenlets = [gevent.spawn(await_, get(f"/g{i}")) for i in range(5)]
    with gevent.Timeout(30):
        gevent.joinall(greenlets, raise_error=True)
    assert [g.value for g in greenlets] == [f"wsgi /g{i}" for i in range(5)]


# --------------------------------------------------------------------- redis

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_port() -> Iterator[int]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_redis_asyncio_in_a_coroutine_beside_greenlets(redis_port: int) -> None:
    redis_asyncio = pytest.importorskip("redis.asyncio")

    async def main() -> list[Any]:
        client = redis_asyncio.Redis(host="127.0.0.1", port=redis_port)
        try:
            ticks: list[int] = []
            g = gevent.spawn(lambda: [ticks.append(i) or gevent.sleep(0.001) for i in range(5)])
            await client.set("k", "v")
            await client.incrby("n", 5)
            pipe = client.pipeline()
            pipe.get("k").get("n")
            values = await pipe.execute()
            await g
            return [*values, len(ticks)]
        finally:
            await client.aclose()

    with gevent.Timeout(30):
        assert run(main()) == [b"v", b"5", 5]


def test_redis_asyncio_from_greenlets_with_pubsub(redis_port: int) -> None:
    redis_asyncio = pytest.importorskip("redis.asyncio")
    client = redis_asyncio.Redis(host="127.0.0.1", port=redis_port)

    async def subscribe_and_read(n: int) -> list[bytes]:
        pubsub = client.pubsub()
        await pubsub.subscribe("chan")
        got: list[bytes] = []
        try:
            while len(got) < n:
                msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
                if msg is not None:
                    got.append(msg["data"])
        finally:
            await pubsub.aclose()
        return got

    try:
        reader = gevent.spawn(await_, subscribe_and_read(3))
        with gevent.Timeout(30):
            while not await_(client.pubsub_numsub("chan"))[0][1]:
                gevent.sleep(0.01)
            for i in range(3):
                await_(client.publish("chan", f"m{i}"))
            assert reader.get() == [b"m0", b"m1", b"m2"]
        # Several greenlets using one client concurrently.
        writers = [gevent.spawn(await_, client.set(f"key{i}", i)) for i in range(10)]
        gevent.joinall(writers, raise_error=True)
        assert await_(client.mget([f"key{i}" for i in range(10)])) == [
            str(i).encode() for i in range(10)]
    finally:
        await_(client.aclose())
