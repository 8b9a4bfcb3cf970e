#!/usr/bin/env python
"""Run CPython's own test modules under ``gevent.monkey.patch_all()``, side by side.

Each module runs in its own interpreter (``_child.py``), once with the
interpreter given by ``--python`` (this project's venv by default) and, with
``--compare``, once with the reference gevent's. A test that runs longer than
``--test-timeout`` is a hang: the child dumps every greenlet and thread stack to
its log and exits, and the module starts again after the hung test (at most
``--max-hangs`` times), so one hang does not hide the rest of the module.

    python tests/cpython/run_stdlib_tests.py                      # the full set, this venv
    python tests/cpython/run_stdlib_tests.py --compare            # ... and the reference gevent
    python tests/cpython/run_stdlib_tests.py --compare --write    # ... into RESULTS.md/results.json
    python tests/cpython/run_stdlib_tests.py test_select --show   # one module, with what went wrong
    python tests/cpython/run_stdlib_tests.py --quick --expect tests/cpython/must-pass.txt

Exit status: 1 when ``--expect`` names a test that did not pass, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_child.py"
REFERENCE_PYTHON = Path.home() / ".cache" / "gevent-bench" / "ref-venv" / "bin" / "python"
HANG_STATUS = 124

FULL = [
    "test_socket", "test_select", "test_selectors", "test_poll", "test_epoll",
    "test_threading", "test_thread", "test_queue", "test_subprocess", "test_ssl",
    "test_socketserver", "test_signal", "test_wsgiref", "test_asyncore", "test_time",
    "test_fork1", "test_wait3", "test_wait4",
]

# Fast, deterministic modules: what CI runs against must-pass.txt.
QUICK = [
    "test_select", "test_selectors", "test_poll", "test_wait3", "test_wait4",
    "test_fork1", "test_wsgiref", "test_asyncore", "test_time",
]

# regrtest's resources minus those needing the internet, a GUI or hours of CPU.
RESOURCES = "subprocess,walltime"
# Modules that ask for "network" but only talk to localhost.
EXTRA_RESOURCES = {"test_socketserver": "network"}

BAD = ("failed", "error", "hung", "crashed", "xpass")


@dataclass
class ModuleResult:
    module: str
    outcomes: dict[str, str] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    status: str = "ok"  # ok, or what stopped the module from running at all
    seconds: float = 0.0
    logs: list[Path] = field(default_factory=list)
    counts: dict[str, int] | None = None  # set when loaded from a saved run

    def count(self, *kinds: str) -> int:
        return sum(1 for o in self.outcomes.values() if o in kinds)

    def summary(self) -> dict[str, int]:
        if self.counts is not None:
            return self.counts
        ran = sum(1 for o in self.outcomes.values() if o != "skipped")
        return {
            "ran": ran,
            "passed": self.count("passed", "xfail"),
            "failed": self.count("failed", "xpass"),
            "errors": self.count("error", "crashed"),
            "skipped": self.count("skipped"),
            "hung": self.count("hung"),
        }

    def bad(self) -> dict[str, str]:
        return {t: o for t, o in sorted(self.outcomes.items()) if o in BAD}

    def to_json(self) -> dict[str, object]:
        return {**self.summary(), "status": self.status, "seconds": round(self.seconds, 1),
                "bad": self.bad()}

    @classmethod
    def from_json(cls, module: str, data: dict[str, Any]) -> ModuleResult:
        counts = {k: int(data[k]) for k in ("ran", "passed", "failed", "errors", "skipped", "hung")}
        return cls(module, outcomes=dict(data["bad"]), status=str(data["status"]),
                   seconds=float(data["seconds"]), counts=counts)


def save_run(path: Path, label: str, results: dict[str, ModuleResult]) -> None:
    data = {"interpreter": label, "modules": {m: r.to_json() for m, r in results.items()}}
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def load_run(path: Path) -> tuple[str, dict[str, ModuleResult]]:
    data = json.loads(path.read_text())
    mods = {m: ModuleResult.from_json(m, d) for m, d in data["modules"].items()}
    return str(data["interpreter"]), mods


def run_module(
    python: str,
    module: str,
    *,
    test_timeout: float,
    module_timeout: float,
    max_hangs: int,
    resources: str,
    log_dir: Path,
) -> ModuleResult:
    """Run one module; after a hang or a crash, resume after the test that caused it."""
    res = ModuleResult(module)
    excluded: list[str] = []
    started_at = time.monotonic()
    for attempt in range(max_hangs + 1):
        left = module_timeout - (time.monotonic() - started_at)
        if left <= 0:
            res.status = "module timeout"
            break
        with tempfile.TemporaryDirectory(prefix="stdlib-") as cwd:
            events_path = Path(cwd) / "events.jsonl"
            log = log_dir / f"{Path(module).name}.{attempt}.log"
            res.logs.append(log)
            wanted = ",".join(filter(None, [resources, EXTRA_RESOURCES.get(module, "")]))
            cmd = [python, str(CHILD), module, str(events_path), str(test_timeout), wanted]
            if excluded:
                skip_file = Path(cwd) / "skip.txt"
                # What ran already, and the hung tests: the next attempt resumes.
                skip_file.write_text("".join(f"{t}\n" for t in {*res.outcomes, *excluded}))
                cmd.append(str(skip_file))
            env = dict(os.environ)
            env.pop("PYTHONPATH", None)
            env["PYTHONUNBUFFERED"] = "1"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, env=env, start_new_session=True,
                )
                try:
                    rc = proc.wait(timeout=left)
                except subprocess.TimeoutExpired:
                    _kill_group(proc)
                    rc = None
            events = _read_events(events_path)
        running = _apply(res, events)
        if any(e["event"] == "done" for e in events) and rc == 0:
            break
        if running is None:
            # Nothing was running: the module did not load, or died between tests.
            res.status = "did not load" if not events else f"exit status {rc}"
            break
        if rc is None:
            # Cut off by the module's own limit: that test did not get its time.
            res.status = f"module timeout in {running.rsplit('.', 2)[-2]}"
            break
        if rc == HANG_STATUS or _faulthandler_timeout(log):
            res.outcomes[running] = "hung"
        else:
            res.outcomes[running] = "crashed"
            res.details[running] = f"exit status {rc}"
        excluded.append(running)
    else:
        res.status = f"stopped after {max_hangs} hangs"
    res.seconds = time.monotonic() - started_at
    return res


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, 9)
    except ProcessLookupError:
        pass
    proc.wait()


def _faulthandler_timeout(log: Path) -> bool:
    try:
        return "Timeout (0:" in log.read_text(errors="replace")[-200_000:]
    except OSError:
        return False


def _read_events(path: Path) -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return events
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            pass  # a line cut short by the exit
    return events


def _apply(res: ModuleResult, events: list[dict[str, object]]) -> str | None:
    """Fold one attempt's events into ``res``; return the test left running, if any."""
    running: str | None = None
    for e in events:
        kind = e["event"]
        if kind == "start":
            running = str(e["test"])
        elif kind == "end":
            tid = str(e["test"])
            res.outcomes[tid] = str(e["outcome"])
            if e.get("detail"):
                res.details[tid] = str(e["detail"])
            running = None
        elif kind == "module_skipped":
            res.status = f"module skipped: {e.get('reason', '')}"
        elif kind == "fixture":
            tid = str(e["test"])
            res.outcomes[tid] = str(e["outcome"])
            res.details[tid] = str(e.get("detail", ""))
    return running


def row(res: ModuleResult | None) -> str:
    if res is None:
        return "-"
    s = res.summary()
    text = f"{s['ran']} ran, {s['failed']} F, {s['errors']} E, {s['skipped']} skip"
    if s["hung"]:
        text += f", {s['hung']} HUNG"
    if res.status != "ok":
        text += f" [{res.status}]"
    return text


def verdict(ours: ModuleResult, ref: ModuleResult | None) -> str:
    if ref is None:
        return ""
    worse = [t for t, o in ours.bad().items() if ref.outcomes.get(t) not in BAD]
    better = [t for t, o in ref.bad().items() if ours.outcomes.get(t) not in BAD]
    if ours.status != "ok" and ref.status == "ok":
        return "WORSE (module)"
    if worse:
        return f"WORSE ({len(worse)})" + (f", better ({len(better)})" if better else "")
    if better:
        return f"better ({len(better)})"
    return "same"


def write_results(
    results: dict[str, dict[str, ModuleResult]], labels: dict[str, str], out_dir: Path
) -> None:
    data: dict[str, object] = {
        impl: {m: r.to_json() for m, r in mods.items()} for impl, mods in results.items()
    }
    data["_interpreters"] = labels
    (out_dir / "results.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    ours = results["ours"]
    ref = results.get("gevent", {})
    lines = [
        "# CPython's test modules under `monkey.patch_all()`",
        "",
        f"Written by `python tests/cpython/run_stdlib_tests.py ... --write` on "
        f"{time.strftime('%Y-%m-%d', time.gmtime())}. This package: {labels['ours']}; "
        f"reference: {labels.get('gevent', 'not run')}.",
        "Each module ran in its own interpreter; a test running over the time limit (60 s)",
        "counts as HUNG, and the module resumed after it. F = failures (and unexpected",
        "successes), E = errors (and crashes). The tests behind the counts are in",
        "results.json; known-differences.md gives the reason for every test that does not",
        "pass here and every hang. `better (n)`: n tests pass here and not under gevent;",
        "`WORSE (n)`: the reverse.",
        "",
        "| module | this package | gevent 26.9.0 | compared with gevent |",
        "| --- | --- | --- | --- |",
    ]
    for m, r in ours.items():
        lines.append(f"| {m} | {row(r)} | {row(ref.get(m))} | {verdict(r, ref.get(m))} |")
    (out_dir / "RESULTS.md").write_text("\n".join(lines) + "\n")


def show(res: ModuleResult, ref: ModuleResult | None) -> None:
    for tid, outcome in res.bad().items():
        ref_outcome = ref.outcomes.get(tid, "passed") if ref is not None else ""
        print(f"    {outcome:7} {tid}" + (f"   (gevent: {ref_outcome})" if ref else ""))
        detail = res.details.get(tid, "")
        for line in detail.strip().splitlines()[-6:]:
            print(f"             {line}")
    for log in res.logs[:-1]:
        print(f"    log of a hung/crashed attempt: {log}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("modules", nargs="*", help="test modules (default: the full set)")
    ap.add_argument("--quick", action="store_true", help="the quick set that CI runs")
    ap.add_argument("--python", default=sys.executable, help="interpreter with gevent to measure")
    ap.add_argument("--compare", nargs="?", const=str(REFERENCE_PYTHON), default=None,
                    metavar="PYTHON", help="also run under the reference gevent's interpreter")
    ap.add_argument("--test-timeout", type=float, default=60.0, help="seconds per test")
    ap.add_argument("--module-timeout", type=float, default=900.0, help="seconds per module")
    ap.add_argument("--max-hangs", type=int, default=8)
    ap.add_argument("--resources", default=RESOURCES, help="test.support resources to enable")
    ap.add_argument("--logs", type=Path, default=None, help="folder for the children's output")
    ap.add_argument("--show", action="store_true", help="print each test that did not pass")
    ap.add_argument("--write", action="store_true", help="write RESULTS.md and results.json here")
    ap.add_argument("--expect", type=Path, help="file of test ids that must pass")
    ap.add_argument("--grow", type=Path, metavar="MUST_PASS",
                    help="add every test that passed to this must-pass list (it only grows)")
    ap.add_argument("--save", type=Path, help="save this run (the --python column) as JSON")
    ap.add_argument("--compare-saved", type=Path, metavar="JSON",
                    help="take the gevent column from a run saved with --save")
    ap.add_argument("--saved", type=Path, metavar="JSON",
                    help="do not run: take this package's column from a run saved with --save")
    args = ap.parse_args()

    modules = args.modules or (QUICK if args.quick else FULL)
    impls = {"ours": args.python}
    if args.compare:
        impls["gevent"] = args.compare
    labels = {k: _describe(v) for k, v in impls.items()}
    saved: dict[str, ModuleResult] = {}
    if args.compare_saved:
        labels["gevent"], saved = load_run(args.compare_saved)
    ours_saved: dict[str, ModuleResult] = {}
    if args.saved:
        labels["ours"], ours_saved = load_run(args.saved)
        modules = args.modules or list(ours_saved)
    log_root = args.logs or Path(tempfile.mkdtemp(prefix="stdlib-logs-"))
    results: dict[str, dict[str, ModuleResult]] = {k: {} for k in labels}
    for module in modules:
        for impl, python in impls.items():
            if impl == "ours" and args.saved:
                results[impl][module] = ours_saved[module]
                continue
            log_dir = log_root / impl
            log_dir.mkdir(parents=True, exist_ok=True)
            res = run_module(
                python, module, test_timeout=args.test_timeout,
                module_timeout=args.module_timeout, max_hangs=args.max_hangs,
                resources=args.resources, log_dir=log_dir,
            )
            results[impl][module] = res
        if module in saved:
            results["gevent"][module] = saved[module]
        ours = results["ours"][module]
        ref = results.get("gevent", {}).get(module)
        line = f"{module:18} {row(ours):48} {ours.seconds:6.1f}s"
        if ref is not None:
            line += f" | gevent: {row(ref)} | {verdict(ours, ref)}"
        print(line, flush=True)
        if args.show:
            show(ours, ref)
    print(f"logs: {log_root}")
    if args.grow:
        grow_must_pass(args.grow, results["ours"])
    if args.save:
        save_run(args.save, labels["ours"], results["ours"])
    if args.write:
        write_results(results, labels, HERE)
    if args.expect:
        return check_expected(args.expect, results["ours"])
    return 0


def check_expected(path: Path, results: dict[str, ModuleResult]) -> int:
    """Every listed test whose module ran must have passed (or been an expected failure)."""
    missing = []
    for module, tid in read_must_pass(path):
        res = results.get(module)
        if res is None:
            continue
        if res.outcomes.get(tid) not in ("passed", "xfail"):
            missing.append(f"{module} {tid}: {res.outcomes.get(tid, 'did not run')}")
    for line in missing:
        print(f"must pass, but: {line}")
    return 1 if missing else 0


def read_must_pass(path: Path) -> list[tuple[str, str]]:
    """``(module, test id)`` per line ``MODULE TEST_ID``; ``#`` starts a comment."""
    out = []
    if path.exists():
        for line in path.read_text().splitlines():
            fields = line.split("#")[0].split()
            if len(fields) == 2:
                out.append((fields[0], fields[1]))
            elif fields:
                raise SystemExit(f"{path}: expected 'MODULE TEST_ID', got {line!r}")
    return out


def grow_must_pass(path: Path, results: dict[str, ModuleResult]) -> None:
    """Add the tests that passed; keep every line already there (comments included)."""
    old = set(read_must_pass(path))
    new = sorted({(m, t) for m, r in results.items() for t, o in r.outcomes.items()
                  if o in ("passed", "xfail")} - old)
    text = path.read_text() if path.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "".join(f"{m} {t}\n" for m, t in new))
    print(f"{path}: {len(new)} tests added, {len(old) + len(new)} in all")


def _describe(python: str) -> str:
    code = "import gevent, sys; print('gevent', gevent.__version__, 'on', sys.version.split()[0])"
    try:
        return subprocess.run(
            [python, "-c", code], capture_output=True, text=True, timeout=60
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return python


if __name__ == "__main__":
    sys.exit(main())
