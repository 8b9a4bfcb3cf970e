"""Lazy descriptor interest: registrations kept across waits, changes applied in a
batch before the poll, dropped when the poll reports a descriptor nobody waits on.

Every test runs over both pollers, on real descriptors, with a virtual clock: a
guard timer ends a run that would otherwise hang, and counts of polls and poller
calls show that nothing spins and that waits cost no registration.
"""

from __future__ import annotations

import os
import resource
import select
import socket
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gevent._core import READ, WRITE, EpollPoller, Loop, MockClock, SelectorsPoller


def _counting(base: type) -> type:
    class Counting(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.calls: dict[str, int] = {"register": 0, "unregister": 0, "discard": 0,
                                          "poll": 0}
            self.reported: list[int] = []

        def register(self, fd: int, events: int) -> None:
            self.calls["register"] += 1
            super().register(fd, events)

        def unregister(self, fd: int) -> None:
            self.calls["unregister"] += 1
            super().unregister(fd)

        def discard(self, fd: int) -> None:
            self.calls["discard"] += 1
            super().discard(fd)

        def poll(self, timeout: float | None) -> list[tuple[int, int]]:
            self.calls["poll"] += 1
            out: list[tuple[int, int]] = super().poll(timeout)
            self.reported.extend(fd for fd, _ in out)
            return out

    Counting.__name__ = "Counting" + base.__name__
    return Counting


_POLLERS = [pytest.param(EpollPoller, id="epoll"), pytest.param(SelectorsPoller, id="selectors")]


@pytest.fixture(params=_POLLERS)
def loop(request: pytest.FixtureRequest) -> Iterator[Loop]:
    if request.param is EpollPoller and not hasattr(select, "epoll"):
        pytest.skip("no epoll here")
    lp = Loop(default=False, clock=MockClock(autojump=True),
              poller_class=_counting(request.param))
    yield lp
    lp.destroy()


def _calls(loop: Loop) -> dict[str, int]:
    return dict(loop._poller.calls)


def _run_until(loop: Loop, done: Callable[[], bool], passes: int = 50) -> bool:
    """Run loop passes until ``done()``, at most ``passes``; True if done.

    A guard timer keeps each pass from blocking for more than a virtual second.
    """
    for _ in range(passes):
        if done():
            return True
        guard = loop.timer(1.0)
        guard.start(lambda: None)
        try:
            loop.run(once=True)
        finally:
            guard.stop()
    return done()


def _pair() -> tuple[socket.socket, socket.socket]:
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    return a, b


def _wait_once(loop: Loop, fd: int, events: int = READ,
               w: Any = None) -> tuple[Any, list[int]]:
    """Start a watcher (a new one unless given), run until it fires once; it stops itself."""
    if w is None:
        w = loop.io(fd, events)
    got: list[int] = []

    def fired(revents: int) -> None:
        got.append(revents)
        w.stop()

    w.start(fired, pass_events=True)
    _run_until(loop, lambda: bool(got))
    if w.active:
        w.stop()
    return w, got


# ------------------------------------------------------------ the plain case


def test_a_socket_waiting_again_costs_no_registration(loop: Loop) -> None:
    a, b = _pair()
    try:
        w = loop.io(a.fileno(), READ)
        for _ in range(50):
            b.send(b"x")
            _, got = _wait_once(loop, a.fileno(), w=w)
            assert got == [READ]
            assert a.recv(10) == b"x"
        # One registration for the whole run; nothing dropped, kept after the last wait.
        assert _calls(loop)["register"] - 1 == 1  # the first is the wake-up pipe
        assert _calls(loop)["unregister"] == _calls(loop)["discard"] == 0
        assert loop._poller.masks.get(a.fileno()) == READ
        assert not loop._fds
    finally:
        a.close()
        b.close()


def test_stop_and_start_between_polls_applies_nothing(loop: Loop) -> None:
    a, b = _pair()
    try:
        w = loop.io(a.fileno(), READ)
        w.start(lambda: None)
        loop.run(nowait=True)
        before = _calls(loop)
        for _ in range(10):
            w.stop()
            w.start(lambda: None)
        loop.run(nowait=True)
        w.stop()
        loop.run(nowait=True)  # no watcher: the registration stays
        assert _calls(loop)["register"] == before["register"]
        assert _calls(loop)["unregister"] == before["unregister"]
        assert loop._poller.masks.get(a.fileno()) == READ
    finally:
        a.close()
        b.close()


def test_changed_events_are_applied_once_per_poll(loop: Loop) -> None:
    a, b = _pair()
    try:
        r = loop.io(a.fileno(), READ)
        wr = loop.io(a.fileno(), WRITE)
        r.start(lambda: None)
        loop.run(nowait=True)
        before = _calls(loop)["register"]
        wr.start(lambda: None)
        r.stop()
        r.start(lambda: None)
        loop.run(nowait=True)
        assert _calls(loop)["register"] == before + 1
        assert loop._poller.masks[a.fileno()] == READ | WRITE
        wr.stop()
        r.stop()
    finally:
        a.close()
        b.close()


def test_closing_fd_drops_everything_kept(loop: Loop) -> None:
    a, b = _pair()
    try:
        fd = a.fileno()
        b.send(b"x")
        _, got = _wait_once(loop, fd)
        assert got == [READ]
        assert fd in loop._poller.masks and fd in loop._tokens
        w2 = loop.io(fd, READ)
        w2.start(lambda: None)  # a change not applied yet
        assert loop.closing_fd(fd)
        assert fd not in loop._poller.masks
        assert fd not in loop._tokens and fd not in loop._dirty
        w2.stop()
        assert not loop.closing_fd(fd)
    finally:
        a.close()
        b.close()


# ------------------------------------------------- 1. closed behind our back


def test_number_closed_behind_our_back_and_reused_by_a_new_socket(loop: Loop) -> None:
    a, b = _pair()
    fd = a.fileno()
    b.send(b"x")
    _, got = _wait_once(loop, fd)
    assert got == [READ]
    assert loop._poller.masks.get(fd) == READ  # kept after the wait
    os.close(a.detach())  # no closing_fd
    b.close()
    c, d = _pair()
    try:
        new = c if c.fileno() == fd else d
        other = d if new is c else c
        assert new.fileno() == fd, "the lowest free number is reused"
        # The cache says "registered READ", the kernel forgot the closed file: the
        # new watcher object is not trusted with the kept registration.
        polls = _calls(loop)["poll"]
        other.send(b"y")
        _, got = _wait_once(loop, fd)
        assert got == [READ], "the new socket's wait must be woken"
        assert new.recv(10) == b"y"
        assert _calls(loop)["poll"] - polls <= 2
        # And again, with the same watcher object, now trusted.
        other.send(b"z")
        _, got = _wait_once(loop, fd)
        assert got == [READ]
    finally:
        c.close()
        d.close()


def test_number_closed_behind_our_back_while_nobody_waits_then_reused_for_writing(
        loop: Loop) -> None:
    a, b = _pair()
    fd = a.fileno()
    b.send(b"x")
    _wait_once(loop, fd)
    os.close(a.detach())
    b.close()
    loop.run(nowait=True)
    r, w = os.pipe()
    try:
        target = r if r == fd else w
        assert target == fd
        if target == r:
            os.write(w, b"p")
            _, got = _wait_once(loop, fd, READ)
            assert got == [READ] and os.read(r, 1) == b"p"
        else:
            _, got = _wait_once(loop, fd, WRITE)
            assert got == [WRITE]
    finally:
        os.close(r)
        os.close(w)


# ------------------------------------------------------ 2. dup'ed descriptors


def test_dup_closed_behind_our_back_keeps_no_ghost_reports(loop: Loop) -> None:
    # epoll keys a registration by (open file, number): closing the number while a
    # dup keeps the file open leaves it in the set, reporting the closed number.
    a, b = _pair()
    fd = a.fileno()
    b.send(b"x")
    _wait_once(loop, fd)  # registered, kept
    dup = os.dup(fd)
    try:
        os.close(a.detach())  # behind our back; the file lives on as ``dup``
        loop._poller.reported.clear()
        b.send(b"y")  # the file is readable again, nobody waits on ``fd``
        for _ in range(20):
            loop.run(nowait=True)
        reports = loop._poller.reported.count(fd)
        assert reports <= 1, "a ghost registration must not keep reporting"
        assert fd not in loop._poller.masks
        # The dup works as a descriptor of its own.
        _, got = _wait_once(loop, dup)
        assert got == [READ]
        assert os.read(dup, 10) == b"xy"
    finally:
        os.close(dup)
        b.close()


def test_dup_number_reused_by_a_new_socket_is_not_woken_by_the_old_file(loop: Loop) -> None:
    a, b = _pair()
    fd = a.fileno()
    b.send(b"x")
    _wait_once(loop, fd)
    dup = os.dup(fd)
    os.close(a.detach())
    c, d = _pair()
    try:
        new, other = (c, d) if c.fileno() == fd else (d, c)
        assert new.fileno() == fd
        # The old file (still open as ``dup``) is readable: its stale registration
        # must not wake the new socket's watcher, or the wait would spin.
        w = loop.io(fd, READ)
        fired: list[int] = []
        w.start(fired.append, 1)
        for _ in range(20):
            loop.run(nowait=True)
        assert fired == []
        other.send(b"z")
        assert _run_until(loop, lambda: bool(fired))
        w.stop()
        assert new.recv(10) == b"z"
        assert os.read(dup, 10) == b"x"
    finally:
        os.close(dup)
        b.close()
        c.close()
        d.close()


def test_two_numbers_of_one_file_wait_independently(loop: Loop) -> None:
    a, b = _pair()
    fd = a.fileno()
    dup = os.dup(fd)
    try:
        b.send(b"x")
        _, got1 = _wait_once(loop, fd)
        _, got2 = _wait_once(loop, dup)
        assert got1 == got2 == [READ]
        # Closing one number the proper way leaves the other registered and working.
        loop.closing_fd(fd)
        os.close(a.detach())
        assert os.read(dup, 10) == b"x"
        b.send(b"y")
        _, got = _wait_once(loop, dup)
        assert got == [READ]
        assert os.read(dup, 10) == b"y"
    finally:
        os.close(dup)
        b.close()


def test_closing_fd_after_the_close_and_a_ghost_rebuild_keep_the_poller_number(
        loop: Loop) -> None:
    a, b = _pair()
    fd = a.fileno()
    b.send(b"x")
    _wait_once(loop, fd)
    number = loop.fileno()
    dup = os.dup(fd)
    try:
        os.close(a.detach())
        loop.closing_fd(fd)  # told too late: the number is already closed
        b.send(b"y")
        for _ in range(10):
            loop.run(nowait=True)
        assert loop._poller.reported.count(fd) <= 2
        if loop._poller.rebuilds and isinstance(loop._poller, EpollPoller):
            assert loop.fileno() == number, "a rebuilt set keeps its descriptor number"
        _, got = _wait_once(loop, dup)
        assert got == [READ]
    finally:
        os.close(dup)
        b.close()


# ------------------------------------------------------------ 3. spurious events


def test_events_nobody_waits_for_are_narrowed_at_once(loop: Loop) -> None:
    a, b = _pair()
    try:
        fd = a.fileno()
        b.send(b"x")
        _wait_once(loop, fd)  # registered READ, kept; the byte is still unread
        polls = _calls(loop)["poll"]
        loop._poller.reported.clear()
        for _ in range(20):
            loop.run(nowait=True)
        assert _calls(loop)["poll"] - polls == 20
        assert loop._poller.reported.count(fd) == 1, "reported once, then narrowed"
        assert fd not in loop._poller.masks
        # Waiting again registers it again and sees the byte.
        _, got = _wait_once(loop, fd)
        assert got == [READ]
        assert a.recv(10) == b"x"
    finally:
        a.close()
        b.close()


def test_a_blocking_loop_with_an_unwanted_ready_descriptor_does_not_spin(loop: Loop) -> None:
    a, b = _pair()
    try:
        fd = a.fileno()
        b.send(b"x")
        _wait_once(loop, fd)
        polls = _calls(loop)["poll"]
        # A loop blocked on a timer: the ready, unwanted descriptor costs one pass.
        done: list[bool] = []
        loop.timer(1.0).start(done.append, True)
        loop.run()
        assert done == [True]
        assert _calls(loop)["poll"] - polls <= 3
    finally:
        a.close()
        b.close()


# ---------------------------------------------------------- 4. hang-up, errors


def test_peer_closed_wakes_the_reader_with_eof(loop: Loop) -> None:
    a, b = _pair()
    try:
        w = loop.io(a.fileno(), READ)
        fired: list[bool] = []
        w.start(fired.append, True)
        loop.run(nowait=True)
        b.close()
        assert _run_until(loop, lambda: bool(fired))
        w.stop()
        assert a.recv(10) == b""
    finally:
        a.close()


def test_peer_closed_while_nobody_waits_then_a_wait_sees_eof(loop: Loop) -> None:
    a, b = _pair()
    try:
        fd = a.fileno()
        b.send(b"x")
        _wait_once(loop, fd)
        assert a.recv(10) == b"x"
        b.close()  # HUP on a kept registration, nobody waiting
        for _ in range(20):
            loop.run(nowait=True)
        assert loop._poller.reported.count(fd) <= 2
        _, got = _wait_once(loop, fd)
        assert got == [READ]
        assert a.recv(10) == b""
    finally:
        a.close()


def test_pipe_writer_closed_wakes_the_reader_with_eof(loop: Loop) -> None:
    r, w = os.pipe()
    try:
        watcher = loop.io(r, READ)
        fired: list[bool] = []
        watcher.start(fired.append, True)
        loop.run(nowait=True)
        os.close(w)
        assert _run_until(loop, lambda: bool(fired))
        watcher.stop()
        assert os.read(r, 10) == b""
        for _ in range(10):  # EPOLLHUP on a kept registration: narrowed, no spin
            loop.run(nowait=True)
        assert loop._poller.reported.count(r) <= 2
    finally:
        os.close(r)


def test_pipe_reader_closed_wakes_the_writer_with_the_error(loop: Loop) -> None:
    r, w = os.pipe()
    os.set_blocking(w, False)
    try:
        try:
            while True:
                os.write(w, b"x" * 65536)
        except BlockingIOError:
            pass
        watcher = loop.io(w, WRITE)
        fired: list[int] = []
        watcher.start(fired.append, 1)
        loop.run(nowait=True)
        assert fired == []
        os.close(r)
        assert _run_until(loop, lambda: bool(fired))
        watcher.stop()
        with pytest.raises(BrokenPipeError):
            os.write(w, b"x")
    finally:
        os.close(w)


# -------------------------------------------------------------------- 5. fork


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_fork_child_builds_its_own_set_from_the_watchers(loop: Loop) -> None:
    a, b = _pair()
    try:
        fd = a.fileno()
        w = loop.io(fd, READ)
        b.send(b"x")
        _wait_once(loop, fd, w=w)
        assert a.recv(10) == b"x"
        assert fd in loop._poller.masks  # kept in the parent's set
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 1
            try:
                loop.reinit()
                ok = not loop._tokens and fd not in loop._poller.masks
                b.send(b"c")
                _, got = _wait_once(loop, fd, w=w)  # the same, once trusted, watcher
                ok = ok and got == [READ] and a.recv(10) == b"c"
                ok = ok and loop._poller.masks.get(fd) == READ
                code = 0 if ok else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        # The parent's set is untouched by the child's.
        b.send(b"p")
        _, got = _wait_once(loop, fd, w=w)
        assert got == [READ]
        assert a.recv(10) == b"p"
    finally:
        a.close()
        b.close()


# ------------------------------------------------------- 6. many descriptors


def test_ten_thousand_descriptors(loop: Loop) -> None:
    pairs_wanted = 5000
    need = 2 * pairs_wanted + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            pytest.skip(f"the descriptor limit ({hard}) is below {need}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    pairs: list[tuple[socket.socket, socket.socket]] = []
    t0 = time.monotonic()
    try:
        for _ in range(pairs_wanted):
            pairs.append(_pair())
        socks = [s for pair in pairs for s in pair]
        fired: set[int] = set()
        watchers = []
        for s in socks:
            w = loop.io(s.fileno(), READ)
            w.start(fired.add, s.fileno())
            watchers.append(w)
        loop.run(nowait=True)
        registered = _calls(loop)["register"]
        for _ in range(2):  # every socket readable, each wait wakes once
            fired.clear()
            for a, b in pairs:
                a.send(b"x")
                b.send(b"y")
            assert _run_until(loop, lambda: len(fired) == len(socks))
            assert fired == {s.fileno() for s in socks}
            for s, w in zip(socks, watchers, strict=True):
                w.stop()
                s.recv(10)
                w.start(fired.add, s.fileno())
        assert _calls(loop)["register"] == registered, "waits again cost nothing"
        for w in watchers:
            w.stop()
        loop.run(nowait=True)
        for s in socks:
            assert loop.closing_fd(s.fileno()) is False
            s.close()
        assert not loop._fds and not loop._tokens
        assert set(loop._poller.masks) == {loop._wakeup_r}
        assert loop._poller.rebuilds == 0
    finally:
        for a, b in pairs:
            a.close()
            b.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert time.monotonic() - t0 < 60


# ----------------------------------------------------------- with the hub


def test_green_socket_round_trips_cost_no_registration() -> None:
    import gevent
    from gevent import socket as gsocket

    hub = gevent.get_hub()
    poller = hub.loop._poller
    counts = {"register": 0, "unregister": 0, "discard": 0}
    originals = {name: getattr(poller, name) for name in counts}

    def counting(name: str) -> Callable[..., None]:
        def call(*args: int) -> None:
            counts[name] += 1
            originals[name](*args)
        return call

    for name in counts:
        setattr(poller, name, counting(name))
    try:
        a, b = gsocket.socketpair()

        def echo() -> None:
            while True:
                data = b.recv(100)
                if not data:
                    return
                b.sendall(data)

        server = gevent.spawn(echo)
        gevent.sleep(0)
        for _ in range(10):
            a.sendall(b"ping")
            assert a.recv(100) == b"ping"
        warm = dict(counts)
        for _ in range(200):
            a.sendall(b"ping")
            assert a.recv(100) == b"ping"
        assert counts == warm, "round trips must not touch the registrations"
        a.close()
        server.join(timeout=5)
        b.close()
        assert a.fileno() == -1
    finally:
        for name in counts:
            delattr(poller, name)


def test_green_socket_on_a_number_closed_behind_our_back_and_reused() -> None:
    import gevent
    from gevent import socket as gsocket

    a, b = gsocket.socketpair()
    gevent.spawn_later(0.01, b.sendall, b"x")
    assert a.recv(10) == b"x"  # the registration is kept after this wait
    fd = a.fileno()
    os.close(a.detach())  # no closing_fd: behind the loop's back
    b.close()
    c, d = gsocket.socketpair()
    try:
        new, other = (c, d) if c.fileno() == fd else (d, c)
        assert new.fileno() == fd
        for i in range(3):
            gevent.spawn_later(0.01, other.sendall, b"y%d" % i)
            with gevent.Timeout(5):
                assert new.recv(10) == b"y%d" % i
    finally:
        c.close()
        d.close()


if sys.platform != "linux":  # pragma: no cover
    pytestmark = pytest.mark.skip(reason="these tests count Linux descriptor numbers")
