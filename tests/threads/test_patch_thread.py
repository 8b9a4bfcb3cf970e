"""monkey.patch_thread, gevent.threading and gevent.os children, each in a child interpreter."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from helpers import child_env, run_python


def run_python_quietly(src: str) -> str:
    """Like ``run_python``, and the child must print nothing at all on stderr."""
    proc = subprocess.run([sys.executable, "-W", "error", "-c", textwrap.dedent(src)],
                          capture_output=True, text=True, timeout=60, env=child_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == "", proc.stderr
    return proc.stdout


def test_patch_thread_replaces_thread_and_threading_names() -> None:
    out = run_python("""
        import _thread, threading, _threading_local
        orig_start = _thread.start_new_thread
        from gevent import monkey
        monkey.patch_thread()
        import gevent.thread, gevent.threading, gevent.local, gevent.event
        assert _thread.start_new_thread is gevent.thread.start_new_thread
        assert _thread.allocate_lock is gevent.thread.allocate_lock
        assert _thread._local is gevent.local.local
        assert getattr(threading, '_start_new_thread',
                       gevent.thread.start_new_thread) is gevent.thread.start_new_thread
        assert threading.Lock is gevent.thread.allocate_lock
        assert threading.local is gevent.local.local
        assert threading.Event is gevent.event.Event
        assert threading._CRLock is None
        assert _threading_local.local is gevent.local.local
        assert issubclass(threading.Thread, monkey.get_original('threading', 'Thread'))
        assert monkey.get_original('_thread', 'start_new_thread') is orig_start
        for name, value in monkey.saved['threading'].items():
            assert 'gevent' not in repr(value), (name, value)
        expected = {'Event', 'Lock', 'Thread', 'Timer', '_CRLock', '_DummyThread',
                    '_allocate_lock', '_shutdown', 'get_ident', 'local'}
        if hasattr(_thread, 'start_joinable_thread'):  # CPython 3.13+
            expected |= {'_start_joinable_thread', '_ThreadHandle', '_make_thread_handle',
                         '_get_main_thread_ident', '_thread_shutdown', '_thread_local_info'}
            assert threading._ThreadHandle is gevent.thread._ThreadHandle
            assert _thread.start_joinable_thread is gevent.thread.start_joinable_thread
            assert not hasattr(threading, '_set_sentinel')
        else:
            expected |= {'_set_sentinel', '_start_new_thread'}
        assert set(monkey.saved['threading']) >= expected, monkey.saved['threading']
        print('ok')
    """)
    assert out.strip() == "ok"


def test_event_false_keeps_the_threading_event() -> None:
    run_python("""
        import threading
        orig = threading.Event
        from gevent import monkey
        monkey.patch_thread(Event=False)
        assert threading.Event is orig
        assert not monkey.is_object_patched('threading', 'Event')
    """)


def test_main_thread_is_filed_under_the_main_greenlet() -> None:
    out = run_python("""
        from gevent import monkey; monkey.patch_all()
        import threading, _thread
        import gevent
        from greenlet import getcurrent
        from helpers import wait_all_blocked
        main = threading.main_thread()
        assert main.ident == id(getcurrent()) == threading.get_ident() == _thread.get_ident()
        assert threading.current_thread() is main
        assert list(threading._active) == [main.ident]
        seen = []
        def other():
            seen.append(threading.current_thread())
        gevent.spawn(other).join()
        wait_all_blocked()  # the dead greenlet's links run
        assert isinstance(seen[0], threading._DummyThread)
        assert seen[0] is not main
        # The dummy left _active when its greenlet died.
        assert list(threading._active) == [main.ident], threading._active
        print('ok')
    """)
    assert out.strip() == "ok"


def test_threads_are_greenlets_and_join() -> None:
    out = run_python("""
        from gevent import monkey; monkey.patch_all()
        import threading, time
        import gevent
        native_ident = monkey.get_original('_thread', 'get_ident')
        order = []
        def work(n):
            green = isinstance(gevent.getcurrent(), gevent.Greenlet)
            order.append(('start', n, native_ident(), green))
            time.sleep(0.05)
            order.append(('end', n))
        threads = [threading.Thread(target=work, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        # Each start() returned as soon as its thread blocked in the green
        # time.sleep: all five are inside work() at once, as greenlets of this
        # very OS thread. A blocking sleep would have ended each one first.
        assert order == [('start', i, native_ident(), True) for i in range(5)], order
        for t in threads:
            t.join(10)
            assert not t.is_alive()
        assert sorted(order[5:]) == [('end', i) for i in range(5)], order
        ident = []
        t = threading.Thread(target=lambda: ident.append(threading.get_ident()))
        t.start(); t.join()
        assert ident == [t.ident]
        timer = threading.Timer(0.01, order.append, ('timer',))
        timer.start(); timer.join(5)
        assert order[-1] == 'timer'
        print('ok')
    """)
    assert out.strip() == "ok"


def test_locks_and_rlocks_are_green() -> None:
    out = run_python("""
        from gevent import monkey; monkey.patch_all()
        import threading
        import gevent
        from helpers import wait_all_blocked
        rlock = threading.RLock()
        assert type(rlock).__name__ == '_RLock'
        log = []
        def worker(n):
            with rlock:
                with rlock:
                    log.append(('in', n))
                    gevent.sleep(0.01)
                    log.append(('out', n))
        gevent.joinall([gevent.spawn(worker, i) for i in range(3)])
        for i in range(0, 6, 2):
            assert log[i][0] == 'in' and log[i + 1] == ('out', log[i][1]), log
        cond = threading.Condition()
        got = []
        def waiter():
            with cond:
                cond.wait_for(lambda: got, timeout=5)
                got.append('woke')
        g = gevent.spawn(waiter)
        wait_all_blocked()  # the waiter is parked in wait_for()
        with cond:
            got.append('set')
            cond.notify()
        g.join(5)
        assert got == ['set', 'woke'], got
        print('ok')
    """)
    assert out.strip() == "ok"


def test_interpreter_exit_waits_for_non_daemon_threads() -> None:
    out = run_python("""
        from gevent import monkey; monkey.patch_all()
        import threading, time
        def joiner(main):
            main.join()
            print('main ended')
        def late():
            time.sleep(0.1)
            print('late thread done')
        threading.Thread(target=joiner, args=(threading.main_thread(),)).start()
        threading.Thread(target=late).start()
        print('end of main')
    """)
    lines = out.split()
    assert out.splitlines()[0] == "end of main"
    assert sorted(out.splitlines()[1:]) == ["late thread done", "main ended"], lines


def test_patching_inside_an_import_releases_the_import_lock() -> None:
    # The module lock of the importing module is held by the OS thread while
    # patching happens; it must be released by the (now green) main thread.
    out = run_python("""
        import sys, os, tempfile, importlib
        d = tempfile.mkdtemp()
        with open(os.path.join(d, 'patchme.py'), 'w') as f:
            f.write('from gevent import monkey; monkey.patch_all()\\n')
        sys.path.insert(0, d)
        import patchme
        import threading
        import gevent
        def imp():
            importlib.import_module('json')
        gevent.joinall([gevent.spawn(imp) for _ in range(3)])
        print('ok')
    """)
    assert out.strip() == "ok"


def test_logging_locks_become_green() -> None:
    out = run_python("""
        import logging
        handler = logging.StreamHandler()
        logging.getLogger('x').addHandler(handler)
        from gevent import monkey; monkey.patch_all()
        import threading
        assert type(logging._lock).__name__ == '_RLock', type(logging._lock)
        assert type(handler.lock).__name__ == '_RLock', type(handler.lock)
        assert monkey.is_object_patched('logging', '_lock')
        print('ok')
    """)
    assert out.strip() == "ok"


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_patched_fork_and_waitpid_cooperate() -> None:
    out = run_python("""
        from gevent import monkey; monkey.patch_all()
        import os, time, types
        import gevent, gevent.os
        assert os.fork is gevent.os.fork is gevent.os.fork_and_watch
        assert isinstance(os.fork, types.FunctionType)
        assert os.waitpid is gevent.os.waitpid
        ticks = []
        def ticker():
            for i in range(3):
                ticks.append(i)
                gevent.sleep(0.02)
        gevent.spawn(ticker)
        pid = os.fork()
        if pid == 0:
            time.sleep(0.3)
            os._exit(7)
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)
        got_pid, status = os.waitpid(pid, 0)
        assert got_pid == pid and os.WEXITSTATUS(status) == 7, status
        assert ticks == [0, 1, 2], ticks
        print('ok')
    """)
    assert out.strip() == "ok"


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_fork_from_a_thread_marks_main_stopped_in_the_child() -> None:
    out = run_python("""
        from gevent import monkey; monkey.patch_all()
        import os, sys, threading
        main = threading.current_thread()
        def worker():
            pid = os.fork()
            if pid:
                os.waitpid(pid, 0)
                return
            t = threading.Thread(target=lambda: (main.join(), print('joined main')))
            t.start()
            t.join(10)
            assert not t.is_alive()
            sys.stdout.flush()
        w = threading.Thread(target=worker)
        w.start()
        w.join(30)
    """)
    assert out.strip() == "joined main"


def test_waitpid_minus_one_reports_a_finished_watched_child() -> None:
    out = run_python("""
        import os, time
        import gevent, gevent.os
        pid = gevent.os.fork_and_watch()
        if pid == 0:
            os._exit(0)
        deadline = time.monotonic() + 10
        while gevent.os._children[pid].status is None and time.monotonic() < deadline:
            gevent.sleep(0.01)
        assert gevent.os.waitpid(-1, 0) == (pid, 0)
        assert pid not in gevent.os._children
        print('ok')
    """)
    assert out.strip() == "ok"


def test_patching_outside_the_main_thread_warns_and_leaves_the_main_thread_alone() -> None:
    out = run_python("""
        import threading, warnings
        main = threading.current_thread()
        caught = []

        def target():
            from gevent import monkey
            with warnings.catch_warnings(record=True) as got:
                warnings.simplefilter("always")
                monkey.patch_all()
            caught.extend(str(w.message) for w in got
                          if w.category is monkey.MonkeyPatchWarning)

        t = threading.Thread(target=target)
        t.start()
        t.join()
        for message in caught:
            print(message.split(";")[0].split(".")[0])
        print(type(main).__name__, threading.main_thread() is main)
    """)
    assert out.splitlines() == [
        "Monkey-patching outside the main native thread",
        "Monkey-patching not on the main thread",
        "_MainThread True",
    ]


def test_first_import_in_a_thread_still_knows_the_main_thread() -> None:
    # Regression: MAIN_THREAD_IDENT was the ident of whichever thread imported
    # gevent first, so that thread's hub believed it was the main hub.
    out = run_python("""
        import threading

        seen = {}

        def target():
            import gevent.hub
            seen["hub_is_main"] = gevent.get_hub().main_hub

        t = threading.Thread(target=target)
        t.start()
        t.join()
        import gevent.hub
        print(gevent.hub.MAIN_THREAD_IDENT == threading.main_thread().ident,
              seen["hub_is_main"], gevent.get_hub().main_hub)
    """)
    assert out.split() == ["True", "False", "True"]


def test_the_main_thread_joins_and_shows_green_on_every_version() -> None:
    # 3.13+: the main thread's handle is green and filed under the main greenlet;
    # up to 3.12, its state lock. Either way a greenlet can join it with a timeout.
    out = run_python("""
        from gevent import monkey; monkey.patch_all()
        import threading, _thread
        import gevent, gevent.thread
        main = threading.main_thread()
        if hasattr(main, '_handle'):
            assert isinstance(main._handle, gevent.thread._ThreadHandle)
            assert main._handle.ident == main.ident == threading.get_ident()
            t = threading.Thread(target=lambda: None)
            assert isinstance(t._handle, gevent.thread._ThreadHandle)
        else:
            assert isinstance(main._tstate_lock, gevent.thread.LockType)
        results = []
        def joiner():
            main.join(0.01)
            results.append(main.is_alive())
        t = threading.Thread(target=joiner)
        t.start()
        assert t.is_alive()
        t.join(0.001)  # times out: the joiner is still waiting
        assert t.is_alive()
        t.join(5)
        assert not t.is_alive() and results == [True]
        try:
            threading.current_thread().join()
        except RuntimeError:
            pass
        else:
            raise AssertionError('joined itself')
        print('ok')
    """)
    assert out.strip() == "ok"


def test_a_greenlet_keeps_its_dummy_thread() -> None:
    # 3.13's dummy threads also track themselves in one slot per *native* thread;
    # a second greenlet's dummy must not evict the first one's.
    out = run_python_quietly("""
        from gevent import monkey; monkey.patch_all()
        import gc, threading
        import gevent
        from helpers import wait_all_blocked
        same = []
        def body():
            first = threading.current_thread()
            gevent.sleep(0.01)
            gc.collect()
            same.append(first is threading.current_thread())
        gevent.joinall([gevent.spawn(body) for _ in range(3)])
        wait_all_blocked()  # the dead greenlets' links run
        gc.collect()
        assert same == [True, True, True], same
        assert list(threading._active) == [threading.main_thread().ident], threading._active
        print('ok')
    """)
    assert out.strip() == "ok"


def test_exit_is_quiet_with_threads_dummies_and_joiners_of_main() -> None:
    out = run_python_quietly("""
        from gevent import monkey; monkey.patch_all()
        import threading, time
        import gevent
        from gevent.event import Event
        never = Event()
        def parked():
            threading.current_thread()  # a dummy thread that is alive at exit
            never.wait()
        gevent.spawn(parked)
        def chain(n):
            time.sleep(0.01)
            if n:
                # started while the interpreter is already waiting at exit
                threading.Thread(target=chain, args=(n - 1,)).start()
            print('chain', n)
        threading.Thread(target=lambda: (threading.main_thread().join(), print('main'))).start()
        threading.Thread(target=chain, args=(2,)).start()
        threading.Thread(target=never.wait, daemon=True).start()
        print('end')
    """)
    lines = out.splitlines()
    assert lines[0] == "end"
    assert sorted(lines[1:]) == ["chain 0", "chain 1", "chain 2", "main"], lines


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_fork_from_a_raw_greenlet_makes_it_the_childs_main_thread() -> None:
    out = run_python_quietly("""
        from gevent import monkey; monkey.patch_all()
        import os, sys, threading
        import greenlet
        def raw():
            pid = os.fork()
            if pid == 0:
                main = threading.main_thread()
                print(type(main).__name__, main.ident == threading.get_ident(),
                      threading.current_thread() is main, main.is_alive(),
                      threading.enumerate() == [main])
                t = threading.Thread(target=print, args=('child thread',))
                t.start()
                t.join(5)
                sys.stdout.flush()
                os._exit(0 if not t.is_alive() else 1)
            return pid
        pid = greenlet.greenlet(raw).switch()
        _, status = os.waitpid(pid, 0)
        assert status == 0, status
        print('parent', threading.main_thread().is_alive())
    """)
    assert out.splitlines() == ["_MainThread True True True True", "child thread",
                                "parent True"]


def test_failed_non_blocking_acquire_yields_so_spin_locks_work() -> None:
    # Regression (gevent issue 1464's test): a thread spinning on
    # lock.acquire(False) never let the lock's holder run again.
    out = run_python("""
        from gevent import monkey; monkey.patch_all()
        import threading

        lock = threading.Lock()
        lock.acquire()
        tries = []

        def spin():
            while not lock.acquire(False):
                tries.append(1)

        t = threading.Thread(target=spin)
        t.start()  # returns once spin() runs; it must hand control back
        lock.release()
        t.join()
        print(len(tries) > 0, lock.locked())
    """, timeout=30)
    assert out.split() == ["True", "True"]
