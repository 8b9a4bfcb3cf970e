"""gevent.signal: the stdlib signal module, except that SIGCHLD belongs to the loop."""

from __future__ import annotations

import os
import signal as stdsignal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

import gevent
import gevent.os
import gevent.signal as gsignal

pytestmark = pytest.mark.skipif(not hasattr(stdsignal, "SIGCHLD"), reason="POSIX signals")


@pytest.fixture
def restore_sigchld() -> Iterator[None]:
    yield
    gsignal.signal(stdsignal.SIGCHLD, stdsignal.SIG_DFL)


def test_module_surface() -> None:
    assert gsignal.__implements__ == ["getsignal", "set_wakeup_fd", "signal", "pthread_kill"]
    assert "SIGUSR1" in gsignal.__imports__
    assert "alarm" in gsignal.__imports__
    assert "signal" not in gsignal.__imports__
    assert vars(gsignal)["SIGUSR1"] is stdsignal.SIGUSR1
    assert vars(gsignal)["Signals"] is stdsignal.Signals


def test_other_signals_go_straight_to_the_stdlib() -> None:
    def handler(*args: Any) -> None:
        pass

    before = stdsignal.getsignal(stdsignal.SIGUSR2)
    try:
        assert gsignal.signal(stdsignal.SIGUSR2, handler) == before
        assert stdsignal.getsignal(stdsignal.SIGUSR2) is handler
        assert gsignal.getsignal(stdsignal.SIGUSR2) is handler
    finally:
        stdsignal.signal(stdsignal.SIGUSR2, before)


def test_sigchld_handler_is_recorded_and_the_loop_catches(restore_sigchld: None) -> None:
    def handler(*args: Any) -> None:
        pass

    loop = gevent.get_hub().loop
    before = gsignal.getsignal(stdsignal.SIGCHLD)
    assert gsignal.signal(stdsignal.SIGCHLD, handler) == before
    assert gsignal.getsignal(stdsignal.SIGCHLD) is handler
    # The process-level handler is the loop's catcher, not ours.
    assert getattr(stdsignal.getsignal(stdsignal.SIGCHLD), "__self__", None) is loop
    assert gsignal.signal(stdsignal.SIGCHLD, stdsignal.SIG_DFL) is handler
    assert stdsignal.getsignal(stdsignal.SIGCHLD) == stdsignal.SIG_DFL


def test_bad_sigchld_handler_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="callable"):
        gsignal.signal(stdsignal.SIGCHLD, 42)


def test_sigchld_handler_runs_in_a_greenlet_for_gevent_children(restore_sigchld: None) -> None:
    calls: list[tuple[Any, ...]] = []

    def handler(*args: Any) -> None:
        calls.append((*args, gevent.getcurrent()))

    gevent.get_hub()
    gsignal.signal(stdsignal.SIGCHLD, handler)
    pid = gevent.os.fork()
    if pid == 0:  # pragma: no cover - the child
        os._exit(3)
    _, status = gevent.os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 3
    with gevent.Timeout(5):
        while not calls:
            gevent.sleep(0.01)
    signum, frame, runner = calls[0]
    assert (signum, frame) == (stdsignal.SIGCHLD, None)
    assert isinstance(runner, gevent.Greenlet)


def test_wakeup_fd_gets_the_sigchld_byte(restore_sigchld: None) -> None:
    gevent.get_hub()
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    gsignal.signal(stdsignal.SIGCHLD, lambda *args: None)
    previous = gsignal.set_wakeup_fd(w)
    try:
        proc = subprocess.Popen([sys.executable, "-c", "pass"])
        proc.wait(timeout=30)
        with gevent.Timeout(5):
            assert gevent.os.nb_read(r, 100) == bytes([stdsignal.SIGCHLD])
    finally:
        gsignal.set_wakeup_fd(previous)
        os.close(r)
        os.close(w)


def test_set_wakeup_fd_returns_the_previous_descriptor() -> None:
    r, w = os.pipe()
    os.set_blocking(w, False)
    try:
        previous = gsignal.set_wakeup_fd(w)
        assert gsignal.set_wakeup_fd(previous, warn_on_full_buffer=False) == w
    finally:
        os.close(r)
        os.close(w)


def test_patch_signal_installs_the_module() -> None:
    src = textwrap.dedent("""
        import signal
        orig = signal.signal
        from gevent import monkey
        assert monkey.patch_signal()
        import gevent.signal
        assert signal.signal is gevent.signal.signal
        assert signal.getsignal is gevent.signal.getsignal
        assert monkey.get_original('signal', 'signal') is orig
        print('ok')
    """)
    proc = subprocess.run([sys.executable, "-W", "error", "-c", src], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


@pytest.mark.skipif(not hasattr(stdsignal, "pthread_kill"), reason="needs stdsignal.pthread_kill")
def test_pthread_kill_takes_a_green_thread_ident() -> None:
    # Found by CPython's test_wsgiref: a patched threading.get_ident() handed to
    # the C pthread_kill is undefined behaviour (it blocked for good, GIL held).
    import _thread

    import gevent.signal
    import gevent.thread

    got: list[int] = []
    old = stdsignal.signal(stdsignal.SIGUSR1, lambda signum, frame: got.append(signum))
    try:
        other = gevent.spawn(lambda: None)
        for ident in (gevent.thread.get_ident(), gevent.thread.get_ident(other),
                      _thread.get_ident()):
            gevent.signal.pthread_kill(ident, stdsignal.SIGUSR1)
        assert got == [stdsignal.SIGUSR1] * 3
        other.join()
        with pytest.raises(ProcessLookupError):
            gevent.signal.pthread_kill(gevent.thread.get_ident(other), stdsignal.SIGUSR1)
    finally:
        stdsignal.signal(stdsignal.SIGUSR1, old)
