#!/usr/bin/env python3
"""Run the benchmark suite for this project and for the reference gevent, side by side.

    python bench/run.py            # full run: default sizes, 5 rounds
    python bench/run.py --quick    # smoke test: small sizes, 2 rounds, a few seconds
    python bench/run.py --json     # the same, as one JSON document on stdout

"Ours" runs with the interpreter that runs this script, with the working tree's
``src/`` first on the path. The reference is gevent REF_VERSION from the package
index, installed by this script into its own virtual environment (by default
``~/.cache/gevent-bench/ref-venv``; never the project's environment). Each
benchmark script runs in a fresh process, ours and the reference interleaved,
round after round. The report gives the median and min-max of each side, the
ratio ours/reference of the medians, and warns when the machine looked too
noisy for the numbers to mean much.

Exit status: 0 when every script ran (or said it is unavailable on one side);
1 when any script crashed; 2 for a usage or setup error. A ratio never fails
the run: the goals are reported, not enforced.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REF_VERSION = "26.9.0"
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCRIPTS = HERE / "benchmarks"
DEFAULT_REF_VENV = Path(
    os.environ.get("GEVENT_BENCH_REF_VENV", "~/.cache/gevent-bench/ref-venv")
).expanduser()

# Spread (max-min)/median above this marks a row as noisy.
NOISY_SPREAD = 0.15
# A 1-minute load average above this fraction of the CPU count marks the run as loaded.
BUSY_LOAD_PER_CPU = 0.5


@dataclass(frozen=True)
class Benchmark:
    """One row of the report: a script, its arguments, and what to show."""

    name: str
    script: str
    full_n: int
    quick_n: int
    extra_args: tuple[str, ...] = ()
    # goal: ours/reference ratio of the primary metric's medians at most this.
    goal_ratio: float = 1.0
    # the primary metric: compared for the ratio and the goal; lower is better.
    metric: str = "time_s"
    # secondary metrics shown in the details table (median of each side).
    details: tuple[str, ...] = ()


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("spawn_join", "spawn_join.py", 100_000, 5_000,
              details=("spawn_s", "join_s", "us_per_greenlet",
                       "traced_per_greenlet", "rss_per_greenlet")),
    Benchmark("sleep0_pingpong", "sleep0_pingpong.py", 200_000, 5_000,
              details=("us_per_switch",)),
    Benchmark("event_pingpong", "event_pingpong.py", 100_000, 5_000,
              details=("us_per_roundtrip",)),
    Benchmark("queue_pingpong", "queue_pingpong.py", 100_000, 5_000,
              details=("us_per_roundtrip",)),
    # Pure Python's goal for an unbounded queue is half the C build's throughput.
    Benchmark("queue_throughput_unbounded", "queue_throughput.py", 1_000_000, 20_000,
              extra_args=("0",), goal_ratio=2.0, details=("items_per_s",)),
    Benchmark("queue_throughput_max100", "queue_throughput.py", 1_000_000, 20_000,
              extra_args=("100",), details=("items_per_s",)),
    Benchmark("sleep_random", "sleep_random.py", 100_000, 2_000,
              details=("late_p50_ms", "late_p99_ms", "late_max_ms")),
    # ---- I/O and server benchmarks, added as those modules land.
    # Same contract: a script in benchmarks/ using only gevent's public API, a size
    # argument, one JSON line with at least "time_s".
    # Issue 9: at least 1.2x gevent's round trips per second (time ratio <= 1/1.2).
    Benchmark("tcp_echo", "tcp_echo.py", 50_000, 1_000, goal_ratio=1 / 1.2,
              details=("us_per_roundtrip", "roundtrips_per_s")),
    Benchmark("tcp_echo_mp", "tcp_echo_mp.py", 50_000, 1_000, goal_ratio=1 / 1.2,
              details=("us_per_roundtrip", "roundtrips_per_s", "pinned")),
    # Memory per idle connection (both ends in one process): compared on rss_per_conn.
    Benchmark("idle_connections", "idle_connections.py", 2_000, 200, metric="rss_per_conn",
              details=("time_s", "us_per_conn", "traced_per_conn")),
    Benchmark("wsgi_load", "wsgi_load.py", 20_000, 500,
              details=("requests_per_s", "us_per_request", "lat_p50_ms",
                       "lat_p99_ms")),                  # gevent.pywsgi, keep-alive clients
    # wrk against a pywsgi server in a child process; n is wrk's duration in seconds and
    # time_s is seconds per 10,000 requests. Unavailable (not failed) without wrk.
    # Issue 10: 3x gevent's requests per second at -c50 and -c500 (time ratio <= 1/3).
    Benchmark("wsgi_wrk", "wsgi_wrk.py", 10, 1, goal_ratio=1 / 3,
              details=("requests_per_s", "latency_p50_ms", "latency_p99_ms", "errors",
                       "pinned")),
    # Issue 12: gevent.asyncio.EventLoop against the stdlib selector loop in the same
    # process (ratio_vs_stock, goal <= 1.5). The reference gevent has no gevent.asyncio,
    # so its side reports unavailable.
    Benchmark("asyncio_pingpong", "asyncio_pingpong.py", 200_000, 5_000,
              details=("stock_time_s", "ratio_vs_stock", "us_per_hop")),
    Benchmark("asyncio_echo", "asyncio_echo.py", 50_000, 1_000,
              details=("stock_time_s", "ratio_vs_stock", "us_per_roundtrip")),
    Benchmark("wsgi_wrk_c500", "wsgi_wrk.py", 10, 1, extra_args=("500",), goal_ratio=1 / 3,
              details=("requests_per_s", "latency_p50_ms", "latency_p99_ms", "errors",
                       "pinned")),
    # gunicorn's gevent workers, 1.2x gevent's throughput; unavailable where gunicorn is
    # not installed (the reference environment needs it too for a ratio).
    Benchmark("wsgi_gunicorn_pywsgi", "wsgi_gunicorn.py", 10, 1,
              extra_args=("gevent_pywsgi",), goal_ratio=1 / 1.2,
              details=("requests_per_s", "latency_p50_ms", "latency_p99_ms", "errors")),
    Benchmark("wsgi_gunicorn_gevent", "wsgi_gunicorn.py", 10, 1,
              extra_args=("gevent",), goal_ratio=1 / 1.2,
              details=("requests_per_s", "latency_p50_ms", "latency_p99_ms", "errors")),
    # Issue 11: 1 KiB websocket echo, 3x gevent + gevent-websocket 0.10.1 (time ratio <= 1/3).
    # The reference side needs gevent-websocket in its venv, else the row is unavailable.
    Benchmark("ws_echo", "ws_echo.py", 50_000, 1_000, goal_ratio=1 / 3,
              details=("us_per_roundtrip", "roundtrips_per_s")),
)

OURS = "ours"
REF = "ref"


@dataclass
class Series:
    """All the runs of one benchmark on one implementation."""

    records: list[dict[str, Any]] = field(default_factory=list)
    status: str = "ok"  # ok | unavailable | crashed | skipped
    message: str = ""

    def values(self, metric: str) -> list[float]:
        return [float(r[metric]) for r in self.records
                if isinstance(r.get(metric), (int, float))]


# ------------------------------------------------------------------ machine


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def loadavg() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (float("nan"),) * 3  # type: ignore[return-value]


def machine() -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


# ------------------------------------------------------------ reference venv


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _gevent_version(python: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(python), "-c", "import gevent; print(gevent.__version__)"],
            capture_output=True, text=True, timeout=60, env=ref_env(), cwd=str(SCRIPTS),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


# What the reference side of some rows runs on besides gevent: ws_echo compares with
# gevent-websocket, the wsgi_gunicorn rows run gunicorn's gevent workers on it.
REF_COMPANIONS = {"geventwebsocket": "gevent-websocket==0.10.1", "gunicorn": "gunicorn>=23",
                  "packaging": "packaging"}  # gunicorn's gevent workers import packaging


def _ensure_companions(python: Path, log: Any) -> None:
    # Best effort: a row whose companion is missing reports unavailable.
    check = "import importlib.util as u; print(' '.join(m for m in {!r} if not u.find_spec(m)))"
    out = subprocess.run([str(python), "-c", check.format(sorted(REF_COMPANIONS))],
                         capture_output=True, text=True, timeout=60)
    missing = [REF_COMPANIONS[m] for m in out.stdout.split()]
    if not missing:
        return
    log(f"installing {' '.join(missing)} into the reference environment ...")
    try:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        *missing], check=True, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        log(f"(could not install {' '.join(missing)}: {exc}; those rows report unavailable)")


def ensure_reference(venv: Path, log: Any) -> tuple[Path | None, str]:
    """The reference interpreter, creating its venv if needed; (None, why) on failure."""
    python = _venv_python(venv)
    if python.exists() and _gevent_version(python) == REF_VERSION:
        _ensure_companions(python, log)
        return python, f"reusing {venv}"
    log(f"creating the reference environment in {venv} (gevent=={REF_VERSION}) ...")
    try:
        if not python.exists():
            venv.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                           capture_output=True, text=True, timeout=300)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        f"gevent=={REF_VERSION}"], check=True, capture_output=True, text=True,
                       timeout=900)
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or exc.stdout or "").strip().splitlines()[-3:]
        return None, f"could not create {venv}: " + " | ".join(tail)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"could not create {venv}: {exc}"
    version = _gevent_version(python)
    if version != REF_VERSION:
        return None, f"{venv} has gevent {version!r}, not {REF_VERSION}"
    _ensure_companions(python, log)
    return python, f"created {venv}"


# -------------------------------------------------------------------- running


def ours_env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(REPO / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("GEVENT_BENCH_N", None)
    return env


def ref_env() -> dict[str, str]:
    env = dict(os.environ)
    # Nothing of the project may leak into the reference's process.
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "GEVENT_BENCH_N"):
        env.pop(var, None)
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run_one(python: str, env: dict[str, str], bench: Benchmark, n: int,
            timeout: float) -> tuple[str, dict[str, Any] | str]:
    """Run a script once: ("ok", record), ("unavailable", record) or ("crashed", why)."""
    cmd = [python, str(SCRIPTS / bench.script), str(n), *bench.extra_args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(SCRIPTS),
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return "crashed", f"timed out after {timeout:.0f}s"
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = " | ".join(proc.stderr.strip().splitlines()[-4:])
        return "crashed", f"exit {proc.returncode}: {tail or proc.stdout.strip()[-300:]}"
    try:
        record = json.loads(lines[-1])
    except ValueError as exc:
        return "crashed", f"bad JSON line: {exc}"
    if record.get("unavailable"):
        return "unavailable", record
    for metric in {"time_s", bench.metric}:
        if not isinstance(record.get(metric), (int, float)):
            return "crashed", f"no {metric} in the JSON line"
    return "ok", record


def check_identity(impl: str, record: dict[str, Any]) -> str | None:
    """Make sure each side really imported the gevent it claims to be."""
    path = str(record.get("gevent_file", ""))
    inside = path.startswith(str(REPO / "src"))
    if impl == OURS and not inside:
        return f"ours imported gevent from {path}, not from {REPO / 'src'}"
    if impl == REF and (inside or record.get("gevent_version") != REF_VERSION):
        return f"reference imported gevent {record.get('gevent_version')} from {path}"
    return None


def run_suite(args: argparse.Namespace, log: Any) -> dict[str, Any]:
    benches = [b for b in BENCHMARKS if not args.bench or b.name in args.bench]
    if args.bench:
        unknown = set(args.bench) - {b.name for b in BENCHMARKS}
        if unknown:
            raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    rounds = args.rounds or (2 if args.quick else 5)

    notes: list[str] = []
    if args.quick:
        notes.append("quick mode: sizes are too small and rounds too few for the ratios to "
                     "mean much; this run checks that every script works")
    impls: dict[str, tuple[str, dict[str, str]]] = {OURS: (sys.executable, ours_env())}
    if args.no_ref:
        notes.append("reference not run (--no-ref): ours alone, no ratios")
    else:
        if args.ref_python:
            ref_python: Path | None = Path(args.ref_python)
            how = f"using --ref-python {args.ref_python}"
        else:
            ref_python, how = ensure_reference(Path(args.ref_venv).expanduser(), log)
        if ref_python is None:
            if not args.quick:
                raise SystemExit(f"reference gevent unavailable: {how} "
                                 "(use --no-ref to run ours alone)")
            notes.append(f"reference gevent unavailable ({how}): ours alone, no ratios")
        else:
            impls[REF] = (str(ref_python), ref_env())
            log(f"reference: {how}")

    series: dict[str, dict[str, Series]] = {b.name: {i: Series() for i in impls} for b in benches}
    loads = [loadavg()]
    started = time.time()
    for r in range(rounds):
        for bench in benches:
            n = args.n or (bench.quick_n if args.quick else bench.full_n)
            for impl, (python, env) in impls.items():
                s = series[bench.name][impl]
                if s.status != "ok":
                    continue
                status, result = run_one(python, env, bench, n, args.timeout)
                if status == "crashed":
                    s.status, s.message = "crashed", str(result)
                    log(f"  round {r + 1} {bench.name} [{impl}] CRASHED: {result}")
                    continue
                assert isinstance(result, dict)
                wrong = check_identity(impl, result)
                if wrong:
                    s.status, s.message = "crashed", wrong
                    log(f"  round {r + 1} {bench.name} [{impl}] {wrong}")
                    continue
                if status == "unavailable":
                    s.status, s.message = "unavailable", str(result["unavailable"])
                    log(f"  round {r + 1} {bench.name} [{impl}] unavailable: {s.message}")
                    continue
                s.records.append(result)
                shown = ("" if bench.metric == "time_s"
                         else f" {bench.metric}={_fmt(float(result[bench.metric]))}")
                log(f"  round {r + 1}/{rounds} {bench.name} [{impl}] "
                    f"{result['time_s']:.4f}s{shown}")
        loads.append(loadavg())

    return summarize(benches, series, impls, rounds, loads, notes, args, time.time() - started)


# ------------------------------------------------------------------ reporting


def _stats(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    med = statistics.median(values)
    return {"median": med, "min": min(values), "max": max(values),
            "spread": (max(values) - min(values)) / med if med else 0.0}


def summarize(benches: list[Benchmark], series: dict[str, dict[str, Series]],
              impls: dict[str, Any], rounds: int, loads: list[tuple[float, float, float]],
              notes: list[str], args: argparse.Namespace, elapsed: float) -> dict[str, Any]:
    cpus = os.cpu_count() or 1
    peak_load = max(ld[0] for ld in loads)
    if peak_load > BUSY_LOAD_PER_CPU * cpus:
        notes.append(f"machine busy: 1-minute load average reached {peak_load:.2f} "
                     f"on {cpus} CPUs; timings are unreliable")
    rows = []
    for bench in benches:
        row: dict[str, Any] = {"bench": bench.name, "goal_ratio": bench.goal_ratio,
                               "metric": bench.metric,
                               "n": args.n or (bench.quick_n if args.quick else bench.full_n)}
        for impl, s in series[bench.name].items():
            row[impl] = {
                "status": s.status, "message": s.message,
                "time_s": _stats(s.values("time_s")),
                # the stats of the compared metric (the same as time_s for most rows)
                "primary": _stats(s.values(bench.metric)),
                "details": {m: _stats(s.values(m)) for m in bench.details},
            }
        ours_p = row[OURS]["primary"]
        ref_p = row.get(REF, {}).get("primary")
        row["ratio"] = (ours_p["median"] / ref_p["median"]
                        if ours_p and ref_p and ref_p["median"] else None)
        row["goal_met"] = None if row["ratio"] is None else row["ratio"] <= bench.goal_ratio
        noisy = [impl for impl in series[bench.name]
                 if row[impl]["primary"] and row[impl]["primary"]["spread"] > NOISY_SPREAD]
        row["noisy"] = noisy
        rows.append(row)
    if any(r["noisy"] for r in rows):
        notes.append(f"high spread (max-min over median above {NOISY_SPREAD:.0%}) in rows "
                     "marked with '~': rerun on a quieter machine before trusting them")
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "rounds": rounds,
        "machine": machine(),
        "implementations": {k: v[0] for k, v in impls.items()},
        "reference_version": REF_VERSION,
        "load_average": {"start": loads[0], "end": loads[-1], "peak_1min": peak_load},
        "elapsed_s": elapsed,
        "rows": rows,
        "notes": notes,
        "crashed": [f"{r['bench']} [{i}]" for r in rows for i in impls
                    if r[i]["status"] == "crashed"],
    }


def _fmt(x: float) -> str:
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 1e5:
        return f"{x:.3g}"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 1:
        return f"{x:.3g}"
    return f"{x:.3g}"


def _cell(side: dict[str, Any] | None, stats: dict[str, float] | None) -> str:
    if side is None:
        return "not run"
    if side["status"] == "unavailable":
        return "unavailable"
    if side["status"] == "crashed":
        return "CRASHED"
    if not stats:
        return "-"
    return f"{_fmt(stats['median'])} ({_fmt(stats['min'])}-{_fmt(stats['max'])})"


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    la = report["load_average"]
    out = [
        f"gevent benchmarks, {report['mode']} run, {report['rounds']} rounds, "
        f"{report['date']} ({report['elapsed_s']:.0f}s)",
        "",
        f"- machine: {m['cpu']}, {m['cpus']} CPUs, {m['implementation']} {m['python']}, "
        f"{m['platform']}",
        f"- load average (1/5/15 min): start {'/'.join(f'{x:.2f}' for x in la['start'])}, "
        f"end {'/'.join(f'{x:.2f}' for x in la['end'])}, peak 1-min {la['peak_1min']:.2f}",
        f"- ours: {report['implementations'][OURS]} (working tree src/); reference: "
        + (f"gevent {report['reference_version']} at {report['implementations'][REF]}"
           if REF in report["implementations"] else "not run"),
        "",
        "Time in seconds, median (min-max); ratio = ours / reference median time "
        "(below 1 means ours is faster). A row named `bench [metric]` compares that metric "
        "instead of time (lower is better; its time is in the details).",
        "",
        "| benchmark | n | ours | reference | ratio | goal |",
        "| --- | ---: | ---: | ---: | ---: | :---: |",
    ]
    for row in report["rows"]:
        ratio = row["ratio"]
        noisy = "~" if row["noisy"] else ""
        goal = (f"<= {row['goal_ratio']:.3g}" + ("" if row["goal_met"] is None
                                                  else (" met" if row["goal_met"] else " MISSED")))
        name = row["bench"] if row["metric"] == "time_s" else f"{row['bench']} [{row['metric']}]"
        out.append(
            f"| {name} | {row['n']:,} | {_cell(row[OURS], row[OURS]['primary'])} | "
            f"{_cell(row.get(REF), row.get(REF, {}).get('primary'))} | "
            f"{'-' if ratio is None else f'{ratio:.2f}'}{noisy and ' ' + noisy} | {goal} |")
    out += ["", "Details (medians):", "", "| benchmark | metric | ours | reference | ratio |",
            "| --- | --- | ---: | ---: | ---: |"]
    for row in report["rows"]:
        for metric, ostat in row[OURS]["details"].items():
            rstat = row.get(REF, {}).get("details", {}).get(metric)
            if not ostat and not rstat:
                continue
            ratio = (f"{ostat['median'] / rstat['median']:.2f}"
                     if ostat and rstat and rstat["median"] else "-")
            out.append(f"| {row['bench']} | {metric} | "
                       f"{_fmt(ostat['median']) if ostat else '-'} | "
                       f"{_fmt(rstat['median']) if rstat else '-'} | {ratio} |")
    problems = [f"- {row['bench']} [{impl}] {row[impl]['status']}: {row[impl]['message']}"
                for row in report["rows"] for impl in (OURS, REF)
                if impl in row and row[impl]["status"] != "ok"]
    if problems:
        out += ["", "Not measured:", "", *problems]
    if report["notes"]:
        out += ["", "Notes:", "", *(f"- {n}" for n in report["notes"])]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="small sizes and 2 rounds: a smoke test of a few seconds")
    p.add_argument("--rounds", type=int, default=0, help="rounds (default 5, quick 2)")
    p.add_argument("--n", type=int, default=0, help="override every benchmark's size")
    p.add_argument("--bench", action="append", default=[], metavar="NAME",
                   help="run only this benchmark (repeatable): "
                        + ", ".join(b.name for b in BENCHMARKS))
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--no-ref", action="store_true", help="run ours alone")
    p.add_argument("--ref-venv", default=str(DEFAULT_REF_VENV),
                   help="where to create or reuse the reference venv (default %(default)s; "
                        "env GEVENT_BENCH_REF_VENV)")
    p.add_argument("--ref-python", default="",
                   help="an interpreter that already has gevent " + REF_VERSION)
    p.add_argument("--timeout", type=float, default=300.0,
                   help="seconds before one script run counts as crashed")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = p.parse_args(argv)

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    report = run_suite(args, log)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(markdown(report), end="")
    return 1 if report["crashed"] else 0


if __name__ == "__main__":
    sys.exit(main())
