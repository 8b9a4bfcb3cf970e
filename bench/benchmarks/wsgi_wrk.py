"""A ``pywsgi.WSGIServer`` hello-world app under load from ``wrk``.

The script starts itself again as a child (``--server``, same interpreter and
environment, so the same gevent): a ``WSGIServer`` on 127.0.0.1 port 0 (a
listener with TCP_NODELAY, inherited by accepted sockets; no access log), which
prints its port and the gevent it imported on one ready line. Then it runs
``wrk -t1 -c50 -dNs --latency`` against it: N is the size, in seconds (a second
argument changes the 50). Where two
CPUs are usable the server is pinned to one and wrk (and this idle process) to
the other. The server child and wrk are always stopped, and die with this
process (Linux parent-death signal; the server also watches getppid).

Without ``wrk`` on PATH the script reports itself unavailable.

Metrics: ``time_s`` (seconds per 10,000 requests, from wrk's Requests/sec, so
lower is better), ``requests_per_s``, ``requests`` (completed in the run),
``latency_p50_ms``, ``latency_p99_ms`` (wrk's latency distribution),
``errors`` (socket errors plus non-2xx/3xx responses), ``pinned``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from typing import Any

from _benchlib import (
    child_setup,
    cpu_pair,
    emit,
    exit_with_parent,
    pin_self,
    ready,
    size,
    start_child,
    stop_child,
    unavailable,
)

import gevent

BENCH = "wsgi_wrk"
CONNECTIONS = 50
BODY = b"Hello, world!\n"
PER = 10_000  # time_s is seconds per this many requests


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]


def serve() -> None:
    """The child: serve until killed."""
    from gevent import socket
    from gevent.pywsgi import WSGIServer

    exit_with_parent()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)  # room for wrk's -c500
    server = WSGIServer(listener, app, log=None)
    server.start()
    ready(server.server_port, gevent.__file__)
    server.serve_forever()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise ValueError(f"unreadable wrk duration {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> dict[str, float]:
    """The numbers this benchmark reports, from wrk's text output."""
    found: dict[str, float] = {}
    m = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    if not m:
        raise RuntimeError(f"no Requests/sec in wrk's output: {out[-400:]!r}")
    found["requests_per_s"] = float(m.group(1))
    m = re.search(r"^\s*(\d+) requests in ", out, re.M)
    if m:
        found["requests"] = float(m.group(1))
    for pct, key in (("50", "latency_p50_ms"), ("99", "latency_p99_ms")):
        m = re.search(rf"^\s*{pct}(?:\.0+)?%\s+(\S+)", out, re.M)
        if m:
            found[key] = _ms(m.group(1))
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(g) for g in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    found["errors"] = float(errors)
    return found


def main() -> None:
    seconds = max(1, size(10))
    # argv[2]: wrk's connection count (default CONNECTIONS); issue 10 also asks for 500.
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else CONNECTIONS
    try:
        from gevent.pywsgi import WSGIServer  # noqa: F401  (the child needs it)
    except ImportError as exc:
        unavailable(BENCH, seconds, exc)
    wrk = shutil.which("wrk")
    if wrk is None:
        unavailable(BENCH, seconds, FileNotFoundError("wrk is not installed (apt-get install wrk)"))
    assert wrk is not None

    mine, theirs = cpu_pair()
    server, line = start_child([sys.executable, __file__, "0", "--server"], theirs)
    try:
        port_text, child_gevent = line.split(" ", 1)
        if child_gevent != gevent.__file__:
            raise RuntimeError(f"server child imported {child_gevent}, not {gevent.__file__}")
        pinned = pin_self(mine) and theirs is not None
        cmd = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
               f"http://127.0.0.1:{int(port_text)}/"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60,
                                  stdin=subprocess.DEVNULL, preexec_fn=child_setup(mine))
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"wrk did not finish within {seconds + 60}s") from exc
        if proc.returncode != 0:
            raise RuntimeError(f"wrk exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
        if server.poll() is not None:
            raise RuntimeError(f"the server child exited with {server.returncode} under load")
    finally:
        stop_child(server)
    found = parse_wrk(proc.stdout)
    if not found.get("requests") or not found["requests_per_s"]:
        raise RuntimeError(f"wrk completed no requests: {proc.stdout[-400:]!r}")
    emit(BENCH, seconds, time_s=PER / found["requests_per_s"], pinned=int(pinned),
         connections=connections, **found)


if __name__ == "__main__":
    if "--server" in sys.argv[1:]:
        serve()
    else:
        main()
