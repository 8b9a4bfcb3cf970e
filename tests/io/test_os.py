"""gevent.os: names, non-blocking descriptor I/O and the watched-children table."""

from __future__ import annotations

import os

import pytest

import gevent
from gevent import os as gos


def test_implements_and_all() -> None:
    assert {"fork", "close"} <= set(gos.__implements__)
    for name in ("fork_gevent", "fork_and_watch", "nb_read", "nb_write", "tp_read", "tp_write",
                 "make_nonblocking", "waitpid"):
        assert name in gos.__all__
    assert getattr(gos, "getpid") is os.getpid  # noqa: B009 - re-exported dynamically
    assert gos._exit is os._exit


def test_nb_read_waits_for_a_writer_greenlet() -> None:
    r, w = os.pipe()
    try:
        gos.make_nonblocking(r)
        gos.make_nonblocking(w)
        gevent.spawn_later(0.02, gos.nb_write, w, b"hello")
        assert gos.nb_read(r, 10) == b"hello"
    finally:
        os.close(r)
        os.close(w)


def test_nb_io_retries_interrupted_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    calls: list[int] = []

    def flaky(fd: int, n: int) -> bytes:
        calls.append(fd)
        if len(calls) == 1:
            raise InterruptedError(errno.EINTR, "interrupted")
        return b"x"

    r, w = os.pipe()
    try:
        os.write(w, b"!")
        monkeypatch.setattr(gos, "_read", flaky)
        assert gos.nb_read(r, 1) == b"x"
        assert calls == [r, r]
    finally:
        os.close(r)
        os.close(w)


def test_waitpid_of_unknown_children_goes_to_the_os() -> None:
    with pytest.raises(ChildProcessError):
        gos.waitpid(-2, 0)
    with pytest.raises(ChildProcessError):
        gos.waitpid(1, 0)
