"""gevent.monkey, each case in a child interpreter so the test process stays unpatched."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import run_python as _run_python


def run_python(src: str) -> str:
    return _run_python(src, warnings_as_errors=True)




def test_patch_socket_replaces_implements_and_records_originals() -> None:
    out = run_python("""
        import socket
        orig = socket.socket
        from gevent import monkey
        import gevent.socket
        monkey.patch_socket()
        assert socket.socket is gevent.socket.socket
        assert socket.create_connection is gevent.socket.create_connection
        assert socket.getaddrinfo is gevent.socket.getaddrinfo
        assert monkey.get_original('socket', 'socket') is orig
        assert monkey.is_module_patched('socket')
        assert monkey.is_object_patched('socket', 'socket')
        assert not monkey.is_module_patched('select')
        assert 'wait_read' not in vars(socket)
        print('ok')
    """)
    assert out.strip() == "ok"


def test_patch_socket_without_dns() -> None:
    run_python("""
        import socket
        orig = socket.getaddrinfo
        from gevent import monkey
        monkey.patch_socket(dns=False)
        assert socket.getaddrinfo is orig
        monkey.patch_dns()
        assert socket.getaddrinfo is not orig
    """)


def test_patch_select_is_aggressive() -> None:
    run_python("""
        import select, selectors
        from gevent import monkey
        import gevent.select
        monkey.patch_select()
        assert select.select is gevent.select.select
        assert select.poll is gevent.select.poll
        assert not hasattr(select, 'epoll')
        assert monkey.get_original('select', 'epoll') is not None
        import gevent.selectors
        monkey.patch_selectors()
        assert selectors.DefaultSelector is gevent.selectors.GeventSelector
    """)


def test_patch_all_events_and_repeats() -> None:
    out = run_python("""
        import warnings
        from gevent import events, monkey
        seen = []
        events.subscribers.append(lambda e: seen.append(type(e).__name__))
        assert monkey.patch_all() is True
        assert seen[0] == 'GeventWillPatchAllEvent'
        assert seen[-2:] == ['GeventDidPatchBuiltinModulesEvent', 'GeventDidPatchAllEvent']
        assert 'GeventWillPatchModuleEvent' in seen
        assert monkey.patch_all() is None
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            monkey.patch_all(thread=False)
        assert any(issubclass(x.category, monkey.MonkeyPatchWarning) for x in w)
        import time
        assert monkey.get_original('time', 'sleep') is not time.sleep
        assert monkey.is_anything_patched()
        print('ok')
    """)
    assert out.strip() == "ok"


def test_do_not_patch_veto() -> None:
    run_python("""
        import socket
        orig = socket.socket
        from gevent import events, monkey
        def veto(event):
            if isinstance(event, events.GeventWillPatchModuleEvent):
                raise events.DoNotPatch()
        events.subscribers.append(veto)
        assert monkey.patch_socket() is False
        assert socket.socket is orig
    """)


def test_patched_stdlib_code_is_cooperative() -> None:
    out = run_python("""
        from gevent import monkey; monkey.patch_all()
        import socket, time, gevent
        a, b = socket.socketpair()
        order = []
        def reader():
            order.append(b.recv(5))
        def writer():
            time.sleep(0.01)
            order.append('sent')
            a.sendall(b'hello')
        gevent.joinall([gevent.spawn(reader), gevent.spawn(writer)], timeout=5)
        print(order)
    """)
    assert out.strip() == "['sent', b'hello']"


@pytest.mark.parametrize("flag", ["--no-socket", "--socket"])
def test_python_m_gevent_monkey(tmp_path: object, flag: str) -> None:
    import pathlib

    script = pathlib.Path(str(tmp_path)) / "script.py"
    script.write_text("import socket, sys\nprint(socket.socket.__module__, sys.argv[1:])\n")
    proc = subprocess.run([sys.executable, "-m", "gevent.monkey", flag, str(script), "arg"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    module = "socket" if flag == "--no-socket" else "gevent.socket"
    assert proc.stdout.split() == [module, "['arg']"]


def test_python_m_gevent_monkey_records_originals_in_the_real_module(tmp_path: object) -> None:
    # Regression: ``-m gevent.monkey`` patched from its ``__main__`` copy, so the
    # imported gevent.monkey had no originals and the thread pool, asking it for
    # the native start_new_thread, ran its "threads" as greenlets.
    import pathlib

    script = pathlib.Path(str(tmp_path)) / "script.py"
    script.write_text(
        "import sys\n"
        "from gevent import monkey, get_hub\n"
        "from gevent.thread import get_ident as green_ident\n"
        "native = monkey.get_original('_thread', 'get_ident')\n"
        "print(native is green_ident, monkey.is_module_patched('socket'))\n"
        "print(get_hub().threadpool.apply(lambda: native() == green_ident()))\n"
    )
    proc = subprocess.run([sys.executable, "-m", "gevent.monkey", str(script)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True", "False"]


def test_patching_ssl_late_warns_about_subclasses_and_direct_imports() -> None:
    out = run_python("""
        import warnings
        from ssl import SSLContext

        class Mine(SSLContext):
            pass

        from gevent import monkey
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            monkey.patch_all()
        messages = [str(w.message) for w in caught
                    if isinstance(w.message, monkey.MonkeyPatchWarning)]
        assert len(messages) == 1, messages
        assert "Modules that had direct imports (NOT patched): ['__main__']" in messages[0]
        assert "Subclasses (NOT patched): ['__main__.Mine']" in messages[0]
        assert "gevent." not in messages[0]
        print("ok")
    """)
    assert out == "ok\n"


def test_patching_ssl_after_a_plain_import_does_not_warn() -> None:
    out = run_python("""
        import ssl
        from gevent import monkey
        monkey.patch_all()
        print("ok")
    """)
    assert out == "ok\n"


def test_patched_select_selector_is_cooperative() -> None:
    # Regression: SelectSelector._select kept the blocking select.select taken
    # at class creation, so it blocked the loop after patch_all().
    out = run_python("""
        import selectors
        from gevent import monkey; monkey.patch_all()
        import gevent, socket

        a, b = socket.socketpair()
        ticks = []
        def ticker():
            for _ in range(3):
                ticks.append(1)
                gevent.sleep(0.01)
            b.send(b"x")
        gevent.spawn(ticker)
        with selectors.SelectSelector() as sel:
            sel.register(a, selectors.EVENT_READ)
            ready = sel.select(timeout=10)
        print(len(ready), len(ticks), hasattr(selectors.SelectSelector._select, "_gevent_monkey"))
    """)
    assert out.split() == ["1", "3", "True"]
