"""gevent.subprocess: cooperative waits, pipes and communicate, against real children.

Children are ``sh`` one-liners (they start in a few milliseconds); the sleeps
in them are real time, so the margins are generous.
"""

from __future__ import annotations

import os
import signal
import subprocess as std_subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from helpers import run_python, wait_all_blocked

import gevent
from gevent import subprocess
from gevent.event import AsyncResult


def sh(script: str, **kwargs: Any) -> subprocess.Popen:
    return subprocess.Popen(["sh", "-c", script], **kwargs)


# ------------------------------------------------------------- waiting


def test_two_children_waited_concurrently_while_another_greenlet_runs() -> None:
    ticks: list[int] = []

    def ticker() -> None:
        while True:
            ticks.append(1)
            gevent.sleep(0.005)

    # Each child exits when its stdin closes, so the test decides when.
    children = [sh(f"read line; exit {code}", stdin=subprocess.PIPE) for code in (3, 4)]
    background = gevent.spawn(ticker)
    waiters = [gevent.spawn(p.wait) for p in children]
    wait_all_blocked()
    # Both greenlets are parked in wait() at once, and the ticker still runs.
    assert not any(g.dead for g in waiters)
    with gevent.Timeout(10):
        while len(ticks) < 3:
            gevent.sleep(0.005)
    assert not any(g.dead for g in waiters)
    for p in children:
        assert p.stdin is not None
        p.stdin.close()
    gevent.joinall(waiters, timeout=10, raise_error=True)
    background.kill()
    assert [g.value for g in waiters] == [3, 4]


def test_wait_timeout_raises_timeout_expired_then_wait_reaps() -> None:
    p = sh("sleep 5")
    with pytest.raises(subprocess.TimeoutExpired) as info:
        p.wait(timeout=0.05)
    assert info.value.timeout == 0.05
    assert p.returncode is None
    p.kill()
    assert p.wait(timeout=5) == -signal.SIGKILL


def test_poll_is_none_while_running_and_a_busy_poll_loop_sees_the_exit() -> None:
    p = sh("exit 7")
    deadline = time.monotonic() + 10
    # No explicit yield in this loop: poll() itself must let the loop reap.
    while p.poll() is None:
        assert time.monotonic() < deadline
    assert p.returncode == 7
    running = sh("sleep 5")
    assert running.poll() is None
    running.kill()
    assert running.wait(timeout=5) == -signal.SIGKILL


def test_gevent_wait_on_popen_objects_returns_those_that_exited() -> None:
    quick = sh("exit 0")
    slow = sh("sleep 5")
    try:
        assert gevent.wait([slow, quick], count=1, timeout=5) == [quick]
        assert gevent.wait([slow], timeout=0.05) == []
    finally:
        slow.kill()
    done = gevent.wait([slow, quick], timeout=5)
    assert len(done) == 2
    assert slow in done
    assert quick in done


def test_result_and_rawlink_report_the_exit() -> None:
    p = sh("exit 5")
    seen: list[Any] = []
    p.rawlink(seen.append)
    dropped: list[Any] = []
    p.rawlink(dropped.append)
    p.unlink(dropped.append)
    assert isinstance(p.result, AsyncResult)
    assert p.result.get(timeout=5) == 5
    gevent.sleep(0)
    assert seen == [p]
    assert dropped == []


def test_terminate_and_send_signal_after_exit_are_harmless() -> None:
    p = sh("sleep 5")
    p.terminate()
    assert p.wait(timeout=5) == -signal.SIGTERM
    p.kill()
    p.send_signal(signal.SIGTERM)
    assert p.returncode == -signal.SIGTERM


def test_failed_exec_raises_the_stdlib_error_and_leaves_no_watched_child() -> None:
    from gevent import os as gos

    before = set(gos._children)
    with pytest.raises(FileNotFoundError):
        subprocess.Popen(["/nonexistent/program"])
    assert set(gos._children) == before


# --------------------------------------------------------- communicate


def test_communicate_with_input_reads_both_outputs() -> None:
    p = sh("cat; printf err >&2", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
           stderr=subprocess.PIPE)
    assert p.communicate(b"x" * 300_000, timeout=10) == (b"x" * 300_000, b"err")
    assert p.returncode == 0
    assert all(f is not None and f.closed for f in (p.stdin, p.stdout, p.stderr))


def test_communicate_in_text_mode_translates_newlines() -> None:
    p = sh("cat", stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.communicate("a\r\nb\rc\n", timeout=10) == ("a\nb\nc\n", None)


@pytest.mark.slow
def test_communicate_timeout_carries_partial_output_and_a_second_call_resumes() -> None:
    p = sh("printf a; sleep 0.4; printf b", stdout=subprocess.PIPE)
    with pytest.raises(subprocess.TimeoutExpired) as info:
        p.communicate(timeout=0.2)
    assert info.value.output == b"a"
    assert p.communicate(timeout=10) == (b"ab", None)


def test_communicate_runs_alongside_other_greenlets() -> None:
    ticks: list[int] = []

    def ticker() -> None:
        while True:
            ticks.append(1)
            gevent.sleep(0.01)

    background = gevent.spawn(ticker)
    p = sh("sleep 0.2; echo done", stdout=subprocess.PIPE)
    assert p.communicate(timeout=10) == (b"done\n", None)
    background.kill()
    assert len(ticks) >= 5


def test_undecodable_output_raises_in_the_caller() -> None:
    p = sh(r"printf '\377'", stdout=subprocess.PIPE, encoding="utf-8")
    with p, pytest.raises(UnicodeDecodeError):
        p.communicate(timeout=10)


def test_exit_kills_greenlets_still_reading_the_pipes() -> None:
    with sh("sleep 5", stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
        communicator = gevent.spawn(p.communicate)
        wait_all_blocked()
        readers = list(p._communicating_greenlets or [])
        assert len(readers) == 2
        communicator.kill()
        assert not any(r.dead for r in readers)
        p.kill()
    assert all(r.dead for r in readers)
    assert all(f is not None and f.closed for f in (p.stdout, p.stderr))
    assert p.returncode == -signal.SIGKILL


# ---------------------------------------------------- module functions


def test_run_call_check_call_and_check_output() -> None:
    done = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True)
    assert (done.returncode, done.stdout, done.stderr) == (3, b"out\n", b"err\n")
    with pytest.raises(subprocess.CalledProcessError) as info:
        subprocess.run(["sh", "-c", "exit 2"], check=True)
    assert info.value.returncode == 2
    assert subprocess.call(["sh", "-c", "exit 4"]) == 4
    assert subprocess.check_call(["true"]) == 0
    assert subprocess.check_output(["sh", "-c", "cat"], input=b"in") == b"in"
    assert subprocess.check_output(["echo", "hi"], text=True) == "hi\n"


@pytest.mark.slow
def test_run_timeout_kills_the_child_and_keeps_partial_output() -> None:
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as info:
        subprocess.run(["sh", "-c", "printf x; exec sleep 5"], stdout=subprocess.PIPE,
                       timeout=0.3)
    assert time.monotonic() - start < 2
    assert info.value.stdout == b"x"


def _waited(p: Any, call: Callable[[Any], Any]) -> Any:
    # Reap the child whatever ``call`` does, so that no ResourceWarning follows.
    try:
        return call(p)
    finally:
        p.wait()


BAD_CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("bufsize", lambda m: m.Popen(["true"], bufsize="x")),
    ("args", lambda m: m.Popen(None)),
    ("missing program", lambda m: m.Popen(["/nonexistent/program"])),
    ("missing cwd", lambda m: m.Popen(["true"], cwd="/nonexistent")),
    ("text conflict", lambda m: m.Popen(["true"], text=True, universal_newlines=False)),
    ("unknown keyword", lambda m: m.Popen(["true"], no_such_option=1)),
    ("bad env", lambda m: m.Popen(["true"], env={"A=B": "c"})),
    ("stdin and input", lambda m: m.run(["true"], input=b"", stdin=m.PIPE)),
    ("check_output stdout", lambda m: m.check_output(["true"], stdout=1)),
    ("wait timeout type", lambda m: _waited(m.Popen(["true"]), lambda p: p.wait(timeout="x"))),
]


@pytest.mark.parametrize(("name", "call"), BAD_CALLS, ids=[n for n, _ in BAD_CALLS])
def test_bad_input_gets_the_stdlib_error(name: str, call: Callable[[Any], Any]) -> None:
    errors = []
    for module in (std_subprocess, subprocess):
        with pytest.raises(Exception) as info:
            call(module)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def test_popen_outside_the_main_thread_raises_type_error() -> None:
    caught: list[BaseException] = []

    def in_thread() -> None:
        try:
            subprocess.Popen(["true"])
        except BaseException as exc:
            caught.append(exc)
        finally:
            hub = gevent.get_hub()
            hub.destroy(destroy_loop=True)

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert len(caught) == 1
    assert isinstance(caught[0], TypeError)
    assert str(caught[0]) == "child watchers are only available on the default loop"


def test_descriptor_passed_to_the_child_is_made_blocking_again() -> None:
    r, w = os.pipe()
    os.set_blocking(r, False)
    try:
        with subprocess.Popen(["true"], stdin=r) as p:
            assert os.get_blocking(r)
        assert p.returncode == 0
    finally:
        os.close(r)
        os.close(w)


def test_close_fds_helpers_go_through_the_public_module(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(subprocess, "os_close", lambda fd: calls.append(("close", fd)))
    monkeypatch.setattr(subprocess, "_set_inheritable",
                        lambda fd, flag: calls.append(("inheritable", fd)))
    monkeypatch.setattr(os, "listdir", lambda path: ["0", "5", "6", "9"])
    subprocess.Popen._close_fds_from_path("/proc/self/fd", (5, 6), 6)
    assert calls == [("inheritable", 5), ("close", 9)]


def test_public_module_names() -> None:
    assert set(subprocess.__implements__) <= set(subprocess.__all__)
    for name in subprocess.__imports__:
        assert getattr(subprocess, name) is getattr(std_subprocess, name)
    assert issubclass(subprocess.Popen, std_subprocess.Popen)
    # Subclassed, so patching replaces them and old isinstance checks still pass.
    assert subprocess.CompletedProcess is not std_subprocess.CompletedProcess
    assert isinstance(subprocess.run(["true"]), std_subprocess.CompletedProcess)
    assert subprocess._use_posix_spawn() is False


# ------------------------------------------------------------ monkey


@pytest.mark.slow
def test_patch_all_makes_subprocess_green_in_a_fresh_interpreter() -> None:
    out = run_python("""
        from gevent import monkey
        monkey.patch_all()
        import subprocess, time
        import gevent, gevent.subprocess
        assert subprocess.Popen is gevent.subprocess.Popen
        assert subprocess.run is gevent.subprocess.run
        assert subprocess._USE_POSIX_SPAWN is False
        assert monkey.is_object_patched('subprocess', 'Popen')
        ticks = []
        def ticker():
            while True:
                ticks.append(1)
                gevent.sleep(0.01)
        g = gevent.spawn(ticker)
        # getoutput goes through the stdlib module, which now uses the green Popen.
        assert subprocess.getoutput('sleep 0.2; echo hi') == 'hi'
        # A stdlib Popen captured before patching: its child is watched through
        # the patched _fork_exec, and its wait() is the green os.waitpid.
        Orig = monkey.get_original('subprocess', 'Popen')
        p = Orig(['sh', '-c', 'sleep 0.2; exit 6'])
        assert p.wait() == 6
        g.kill()
        assert len(ticks) >= 10, ticks
        print('ok')
    """, warnings_as_errors=True)
    assert out.strip() == "ok"


def test_patch_subprocess_alone() -> None:
    out = run_python("""
        import subprocess
        orig = subprocess.Popen
        from gevent import monkey
        assert monkey.patch_subprocess()
        import gevent.subprocess
        assert subprocess.Popen is gevent.subprocess.Popen
        assert monkey.get_original('subprocess', 'Popen') is orig
        assert subprocess.check_output(['echo', 'x']) == b'x\\n'
        print('ok')
    """, warnings_as_errors=True)
    assert out.strip() == "ok"


def test_this_interpreter_is_not_patched() -> None:
    assert std_subprocess.Popen is not subprocess.Popen
    assert sys.modules["subprocess"] is std_subprocess


def test_run_timeout_reports_the_callers_timeout() -> None:
    # Regression: without pipes, run()'s TimeoutExpired carried what was left of
    # the timeout (0.1999...) instead of the caller's 0.2, unlike gevent.
    with pytest.raises(subprocess.TimeoutExpired) as info:
        subprocess.run([sys.executable, "-c", "import time; time.sleep(10)"], timeout=0.2)
    assert info.value.timeout == 0.2
