"""Run CPython's own test_asyncio against gevent.asyncio.EventLoop and the default loop.

    python bench/asyncio_stdlib_suite.py [--timeout S] [--modules test_tasks,test_streams]

Each side runs in a fresh interpreter with ``python -m unittest``-style discovery of
``test.test_asyncio`` (as shipped with the interpreter). For the gevent side, the
loop factory of asyncio's default policy is replaced by ``EventLoop`` before the
tests import, so every loop the tests get from ``asyncio.new_event_loop()``,
``asyncio.run()`` or ``get_event_loop()`` is ours; tests that build
``SelectorEventLoop(...)`` themselves still get the stock loop (they test the stock
selector classes). Prints one line per side and the names of the tests that fail
only with our loop. It takes minutes of CPU: run it by hand, not in CI.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent("""
    import json, sys, unittest, warnings
    side, modules = sys.argv[1], sys.argv[2]
    created = [0]
    if side == "gevent":
        import asyncio.unix_events
        from gevent.asyncio import EventLoop

        class CountedLoop(EventLoop):
            def __init__(self, *args, **kwargs):
                created[0] += 1
                super().__init__(*args, **kwargs)

        asyncio.unix_events._UnixDefaultEventLoopPolicy._loop_factory = CountedLoop
    loader = unittest.TestLoader()
    if modules:
        suite = unittest.TestSuite(
            loader.loadTestsFromName("test.test_asyncio." + m) for m in modules.split(","))
    else:
        suite = loader.loadTestsFromName("test.test_asyncio")

    class Result(unittest.TextTestResult):
        pass

    with open("/dev/null", "w") as sink:
        runner = unittest.TextTestRunner(stream=sink, verbosity=0, resultclass=Result)
        result = runner.run(suite)
    failed = sorted({t.id() for t, _ in result.failures + result.errors})
    print(json.dumps({"side": side, "run": result.testsRun, "failed": len(failed),
                      "skipped": len(result.skipped),
                      "expected_failures": len(result.expectedFailures),
                      "gevent_loops_created": created[0],
                      "failed_ids": failed}))
""")


def run_side(side: str, modules: str, timeout: float) -> dict[str, object]:
    env_path = str(REPO / "src")
    proc = subprocess.run([sys.executable, "-c", CHILD, side, modules], capture_output=True,
                          text=True, timeout=timeout,
                          env={**__import__("os").environ, "PYTHONPATH": env_path})
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)  # type: ignore[no-any-return]
    raise RuntimeError(f"{side}: no result (exit {proc.returncode})\n{proc.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--modules", default="", help="comma-separated test_asyncio modules")
    parser.add_argument("--json", action="store_true", help="print both results as JSON")
    args = parser.parse_args(argv)
    results = {side: run_side(side, args.modules, args.timeout) for side in ("default", "gevent")}
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for side, r in results.items():
        passed = int(r["run"]) - int(r["failed"]) - int(r["skipped"])  # type: ignore[call-overload]
        print(f"{side:8} run {r['run']}, passed {passed}, failed or errors {r['failed']}, "
              f"skipped {r['skipped']}; gevent loops created {r['gevent_loops_created']}")
    only_ours = sorted(set(results["gevent"]["failed_ids"])  # type: ignore[call-overload]
                       - set(results["default"]["failed_ids"]))  # type: ignore[call-overload]
    print(f"failing only with gevent.asyncio.EventLoop: {len(only_ours)}")
    for name in only_ours:
        print("  " + name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
