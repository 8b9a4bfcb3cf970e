"""Real deployments: gunicorn's gevent_pywsgi worker, Flask-SocketIO and python-socketio.

Servers that monkey-patch or fork run in a child process; the test process talks
to them over a real socket. gevent-websocket must not be installed: these tests
show the built-in upgrade (and, for python-engineio, the simple-websocket path it
takes without gevent-websocket) is enough.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import child_env

from gevent import socket
from gevent.websocket import connect

pytestmark = pytest.mark.slow


def test_gevent_websocket_is_not_installed() -> None:
    assert importlib.util.find_spec("geventwebsocket") is None


def _free_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"the server exited with {proc.returncode}:\n{out}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def _start(argv: list[str], cwd: Path, port: int) -> subprocess.Popen[bytes]:
    env = child_env()
    env["PYTHONPATH"] = os.pathsep.join([str(cwd), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, proc)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out.decode(errors="replace")


GUNICORN_APP = """
def app(environ, start_response):
    ws = environ.get("wsgi.websocket")
    if ws is None:
        start_response("200 OK", [("Content-Length", "5")])
        return [b"plain"]
    while True:
        message = ws.receive()
        if message is None:
            return []
        ws.send(message)
"""


@pytest.fixture
def gunicorn_server(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "wsapp.py").write_text(GUNICORN_APP)
    port = _free_port()
    proc = _start([sys.executable, "-m", "gunicorn", "-k", "gevent_pywsgi", "-w", "1",
                   "-b", f"127.0.0.1:{port}", "wsapp:app"], tmp_path, port)
    yield port
    out = _stop(proc)
    assert "Traceback" not in out, out


def test_gunicorn_gevent_pywsgi_worker_serves_websockets(gunicorn_server: int) -> None:
    ws = connect(f"ws://127.0.0.1:{gunicorn_server}/echo", timeout=30)
    for message in ("text", b"\x00binary", "x" * 100_000):
        ws.send(message)
        assert ws.receive() == message
    ws.close()
    assert ws.close_code == 1000
    plain = socket.create_connection(("127.0.0.1", gunicorn_server), timeout=30)
    plain.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    reply = b""
    while chunk := plain.recv(4096):
        reply += chunk
    plain.close()
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"plain")


SOCKETIO_APP = """
import sys
{patch}
from flask import Flask
from flask_socketio import SocketIO, emit

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")

@socketio.on("echo")
def echo(data):
    return {{"echo": data, "transport": __import__("flask").request.environ.get(
        "HTTP_UPGRADE", "polling")}}

@socketio.on("shout")
def shout(data):
    emit("heard", data.upper())

if __name__ == "__main__":
    socketio.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_output=False)
"""


def _flask_app(patch: bool) -> Any:
    code = SOCKETIO_APP.format(patch="from gevent import monkey; monkey.patch_all()"
                               if patch else "")
    namespace: dict[str, Any] = {"__name__": "socketio_app"}
    exec(compile(code, "socketio_app", "exec"), namespace)
    return namespace


def test_flask_socketio_test_client_connects() -> None:
    pytest.importorskip("flask_socketio")
    ns = _flask_app(patch=False)
    client = ns["socketio"].test_client(ns["app"])
    assert client.is_connected()
    client.emit("shout", "hello")
    received = client.get_received()
    assert [(r["name"], r["args"]) for r in received] == [("heard", ["HELLO"])]
    assert client.emit("echo", {"a": 1}, callback=True)["echo"] == {"a": 1}
    client.disconnect()
    assert not client.is_connected()


@pytest.mark.parametrize("patch", [False, True], ids=["unpatched", "monkey-patched"])
def test_python_socketio_client_over_a_real_websocket(tmp_path: Path, patch: bool) -> None:
    socketio = pytest.importorskip("socketio")
    code = SOCKETIO_APP.format(patch="from gevent import monkey; monkey.patch_all()"
                               if patch else "")
    (tmp_path / "sioapp.py").write_text(textwrap.dedent(code))
    port = _free_port()
    proc = _start([sys.executable, "sioapp.py", str(port)], tmp_path, port)
    # A real threaded client (websocket-client underneath), in a child process
    # so that its threads and blocking sockets stay out of this test's hub.
    client_code = textwrap.dedent(f"""
        import socketio
        sio = socketio.Client()
        heard = []
        sio.on("heard", lambda data: heard.append(data))
        sio.connect("http://127.0.0.1:{port}", transports=["websocket"], wait_timeout=30)
        print("transport", sio.transport())
        reply = sio.call("echo", {{"n": 42}}, timeout=30)
        print("echo", reply["echo"], reply["transport"])
        sio.emit("shout", "over the wire")
        for _ in range(300):
            if heard:
                break
            sio.sleep(0.1)
        print("heard", heard)
        sio.disconnect()
    """)
    try:
        result = subprocess.run([sys.executable, "-c", client_code], env=child_env(),
                                capture_output=True, text=True, timeout=120)
    finally:
        server_out = _stop(proc)
    assert result.returncode == 0, result.stderr + server_out
    lines = result.stdout.splitlines()
    assert "transport websocket" in lines
    assert "echo {'n': 42} websocket" in lines
    assert "heard ['OVER THE WIRE']" in lines
    assert "Traceback" not in server_out, server_out
    assert socketio is not None
