"""gevent.resolver: the thread and blocking resolvers, and the DNS functions of gevent.socket."""

from __future__ import annotations

import socket as stdsocket
import threading

import pytest

import gevent
from gevent import socket
from gevent.resolver import blocking, thread


def test_getaddrinfo_matches_the_stdlib() -> None:
    ours = socket.getaddrinfo("127.0.0.1", 80, 0, socket.SOCK_STREAM)
    theirs = stdsocket.getaddrinfo("127.0.0.1", 80, 0, stdsocket.SOCK_STREAM)
    assert ours == theirs
    assert isinstance(ours[0][0], stdsocket.AddressFamily)


def test_dns_functions() -> None:
    assert socket.gethostbyname("127.0.0.1") == "127.0.0.1"
    assert socket.gethostbyname_ex("127.0.0.1")[2] == ["127.0.0.1"]
    assert socket.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV) \
        == ("127.0.0.1", "80")
    assert isinstance(socket.getfqdn(), str)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("name.invalid", 80)


def test_hub_uses_the_configured_resolver() -> None:
    from gevent._config import config

    hub = gevent.get_hub()
    default = hub.resolver
    assert type(default) is config.resolver  # the default setting: "thread,block"
    default.close()
    del hub.resolver
    saved = config.resolver
    try:
        for name, cls in (("block", blocking.Resolver), ("thread", thread.Resolver)):
            config.resolver = name
            resolver = hub.resolver
            assert type(resolver) is cls
            assert hub.resolver is resolver  # made once, then kept
            resolver.close()
            del hub.resolver
    finally:
        config.resolver = saved


@pytest.mark.parametrize("cls", [thread.Resolver, blocking.Resolver])
def test_resolver_classes(cls: type) -> None:
    r = cls(gevent.get_hub())
    try:
        assert r.gethostbyname("127.0.0.1") == "127.0.0.1"
        infos = r.getaddrinfo("127.0.0.1", 53, socket.AF_INET, socket.SOCK_DGRAM)
        assert infos[0][4] == ("127.0.0.1", 53)
        with pytest.raises(TypeError):
            r.gethostbyname(42)
    finally:
        r.close()


def test_native_thread_fallback_keeps_the_loop_running() -> None:
    release = threading.Event()
    ticks = []

    def slow() -> str:
        release.wait(5)
        return "done"

    def ticker() -> None:
        ticks.append(1)
        release.set()

    gevent.spawn_later(0.01, ticker)
    assert thread.run_in_native_thread(slow) == "done"
    assert ticks == [1]


def test_native_thread_fallback_propagates_errors() -> None:
    def boom() -> None:
        raise socket.gaierror(-2, "nope")

    with pytest.raises(socket.gaierror):
        thread.run_in_native_thread(boom)


class _CountingPool:
    """Stands in for the hub's thread pool and counts what is sent to it."""

    def __init__(self) -> None:
        self.calls: list[object] = []

    def apply(self, func: object, args: tuple[object, ...]) -> object:
        self.calls.append(args[0])
        return func(*args)  # type: ignore[operator]


@pytest.mark.parametrize(("host", "port"), [
    ("127.0.0.1", 80), ("::1", "8080"), (b"127.0.0.1", None), (None, 0), ("fe80::1%1", 443),
])
def test_numeric_getaddrinfo_answers_without_the_pool(host: object, port: object,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pool = _CountingPool()
    monkeypatch.setattr(thread.Resolver, "pool", property(lambda self: pool))
    resolver = thread.Resolver(gevent.get_hub())
    try:
        expected = stdsocket.getaddrinfo(host, port, 0, stdsocket.SOCK_STREAM)
    except OSError as exc:
        with pytest.raises(type(exc)):
            resolver.getaddrinfo(host, port, 0, stdsocket.SOCK_STREAM)
    else:
        assert resolver.getaddrinfo(host, port, 0, stdsocket.SOCK_STREAM) == expected
    assert pool.calls == []
    # A name, or a service name for the port, still goes to a worker thread.
    resolver.getaddrinfo("localhost", 80)
    resolver.getaddrinfo("127.0.0.1", "http")
    assert pool.calls == ["localhost", "127.0.0.1"]
