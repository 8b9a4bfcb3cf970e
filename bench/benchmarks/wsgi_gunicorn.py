"""gunicorn's gevent workers (one process) with a hello-world app, under ``wrk``.

``wsgi_gunicorn.py SECONDS WORKER`` where WORKER is ``gevent_pywsgi`` (our
``pywsgi.WSGIServer`` with gunicorn's handler subclass) or ``gevent`` (gunicorn's
own parser on our ``StreamServer``). gunicorn runs as a child with one worker,
``--keep-alive 5``, no access log; its worker prints its port and the gevent it
imported (``_gunicorn_conf.py``); then ``wrk -t1 -c50 -dNs --latency``, pinned
as in wsgi_wrk.py.

Unavailable without ``wrk`` on PATH or without gunicorn in this interpreter
(the reference environment needs ``pip install gunicorn`` for a comparison).

Metrics: as wsgi_wrk.py: ``time_s`` (seconds per 10,000 requests),
``requests_per_s``, ``latency_p50_ms``, ``latency_p99_ms``, ``errors``, ``pinned``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from _benchlib import cpu_pair, emit, pin_self, size, start_child, stop_child, unavailable
from wsgi_wrk import BODY, CONNECTIONS, PER, parse_wrk

import gevent

BENCH = "wsgi_gunicorn"
HERE = Path(__file__).resolve().parent


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]


def main() -> None:
    seconds = max(1, size(10))
    worker = sys.argv[2] if len(sys.argv) > 2 else "gevent_pywsgi"
    name = f"{BENCH}_{worker}"
    try:
        import gunicorn  # noqa: F401
    except ImportError as exc:
        unavailable(name, seconds, exc)
    wrk = shutil.which("wrk")
    if wrk is None:
        unavailable(name, seconds, FileNotFoundError("wrk is not installed (apt-get install wrk)"))
    assert wrk is not None
    mine, theirs = cpu_pair()
    cmd = [sys.executable, "-m", "gunicorn", "-k", worker, "-w", "1", "-b", "127.0.0.1:0",
           "--keep-alive", "5", "--no-control-socket", "--log-level", "warning",
           "--chdir", str(HERE), "-c", "python:_gunicorn_conf", "wsgi_gunicorn:app"]
    server, line = start_child(cmd, theirs, ready_timeout=60)
    try:
        port_text, child_gevent = line.split(" ", 1)
        if child_gevent != gevent.__file__:
            raise RuntimeError(f"gunicorn's worker imported {child_gevent}, not {gevent.__file__}")
        pinned = pin_self(mine) and theirs is not None
        proc = subprocess.run(
            [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s",
             f"http://127.0.0.1:{int(port_text)}/"],
            capture_output=True, text=True, timeout=seconds + 60, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise RuntimeError(f"wrk exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    finally:
        stop_child(server, grace=5)
    found = parse_wrk(proc.stdout)
    if not found.get("requests") or not found["requests_per_s"]:
        raise RuntimeError(f"wrk completed no requests: {proc.stdout[-400:]!r}")
    emit(name, seconds, time_s=PER / found["requests_per_s"], pinned=int(pinned), **found)


if __name__ == "__main__":
    main()
