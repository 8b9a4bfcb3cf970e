#!/usr/bin/env python3
"""Profile one benchmark script under cProfile, with this project's gevent.

    python bench/profile_bench.py sleep0_pingpong 50000 [extra args] [--sort tottime] [--limit 30]

Runs ``bench/benchmarks/NAME.py`` in this process (working tree ``src/`` first
on the path) and prints the cProfile table sorted by ``--sort``. cProfile's
per-call overhead inflates cheap functions; read the tottime column as a
ranking, and confirm any gain with bench/run.py.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("name", help="benchmark script name, without .py")
    p.add_argument("args", nargs="*", help="size and any extra arguments for the script")
    p.add_argument("--sort", default="tottime", help="pstats sort key (default %(default)s)")
    p.add_argument("--limit", type=int, default=25, help="rows to print")
    p.add_argument("--output", default="", help="also save the raw stats to this file")
    args = p.parse_args()

    sys.path[:0] = [str(HERE / "benchmarks"), str(HERE.parent / "src")]
    script = HERE / "benchmarks" / f"{args.name}.py"
    sys.argv = [str(script), *args.args]
    prof = cProfile.Profile()
    prof.enable()
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        prof.disable()
    if args.output:
        prof.dump_stats(args.output)
    stats = pstats.Stats(prof, stream=sys.stderr)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
