"""Find the reference gevent interpreter and run scenario scripts under both sides.

The reference is gevent ``bench/run.py``'s ``REF_VERSION`` from the package index,
installed in a virtual environment of its own. These tests never create that
environment: they use the interpreter named by ``GEVENT_REF_PYTHON``, else the
benchmark runner's venv if ``bench/run.py`` already made it (CI runs the
benchmark smoke test first for that reason). Locating the venv, its interpreter and a clean
environment for it reuses the benchmark runner's own helpers.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
TIMEOUT = 30.0


@cache
def bench_runner() -> ModuleType:
    """``bench/run.py`` as a module (it has no side effects on import)."""
    spec = importlib.util.spec_from_file_location("_gevent_bench_run", REPO / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Reference:
    python: str | None
    why: str


@cache
def find_reference() -> Reference:
    """The reference interpreter, or None and the reason none is usable."""
    bench = bench_runner()
    candidates: list[tuple[Path, str]] = []
    if os.environ.get("GEVENT_REF_PYTHON"):
        candidates.append((Path(os.environ["GEVENT_REF_PYTHON"]), "GEVENT_REF_PYTHON"))
    else:
        bench_python = bench._venv_python(bench.DEFAULT_REF_VENV)
        if bench_python.exists():
            candidates.append((bench_python, "bench/run.py's reference venv"))
    if not candidates:
        return Reference(None, "no reference gevent: set GEVENT_REF_PYTHON, or create the "
                               "venv once with `python bench/run.py --quick`")
    problems = []
    for python, origin in candidates:
        try:
            proc = subprocess.run(
                [str(python), "-c", "import gevent; print(gevent.__version__, gevent.__file__)"],
                capture_output=True, text=True, timeout=60, env=bench.ref_env(), cwd=str(SCENARIOS),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            problems.append(f"{origin}: {exc}")
            continue
        version, _, where = proc.stdout.strip().partition(" ")
        if proc.returncode != 0:
            problems.append(f"{origin}: cannot import gevent")
        elif version != bench.REF_VERSION:
            problems.append(f"{origin}: gevent {version}, not {bench.REF_VERSION}")
        elif Path(where).resolve().is_relative_to(REPO):
            problems.append(f"{origin}: imports this project, not the reference")
        else:
            return Reference(str(python), origin)
    return Reference(None, "no usable reference gevent: " + "; ".join(problems))


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def run_scenario(python: str, env: dict[str, str], script: Path) -> Outcome:
    try:
        proc = subprocess.run([python, "-X", "faulthandler", str(script)], capture_output=True,
                              text=True, timeout=TIMEOUT, env=env, cwd=str(SCENARIOS))
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return Outcome(-999, normalise(out, script), f"timed out after {TIMEOUT}s")
    return Outcome(proc.returncode, normalise(proc.stdout, script), normalise(proc.stderr, script))


def ours_env() -> dict[str, str]:
    return dict(bench_runner().ours_env(), PYTHONWARNINGS="default")


def ref_env() -> dict[str, str]:
    return dict(bench_runner().ref_env(), PYTHONWARNINGS="default")


_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_FRAME = re.compile(r'^  File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<func>.*)$')
_CARETS = re.compile(r"^\s*[~^]+\s*$")


def normalise(text: str, script: Path) -> str:
    """Hide what legitimately differs between two runs or two implementations.

    Addresses and timestamps become placeholders. A traceback keeps only the
    frames of the scenario script itself (path replaced by its name): frames
    inside gevent differ between any two implementations. Python's ``^^^``
    markers go too: they depend on how the traceback was stored and rebuilt.
    """
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        match = _FRAME.match(line)
        if match:
            skipping = Path(match["path"]).name != script.name
            if skipping:
                continue
            line = f'  File "{script.name}", line {match["line"]}, in {match["func"]}'
        elif (skipping and line.startswith("    ")) or _CARETS.match(line):
            continue
        else:
            skipping = False
        line = _ADDRESS.sub("0xADDR", line)
        line = _TIMESTAMP.sub("TIMESTAMP", line)
        out.append(line)
    return "\n".join(out) + ("\n" if out else "")
