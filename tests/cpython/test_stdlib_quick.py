"""CPython's own test modules under ``patch_all()``: the quick set, against a ratchet.

Each module of ``run_stdlib_tests.QUICK`` runs in its own interpreter, as
``python tests/cpython/run_stdlib_tests.py --quick`` runs it, and every test that
``must-pass.txt`` lists for it must pass. The list only grows (``--grow``). The
full set, side by side with the reference gevent, is for people: see
tests/cpython/RESULTS.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_stdlib_tests", HERE / "run_stdlib_tests.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("run_stdlib_tests", module)
    spec.loader.exec_module(module)
    return module


runner = _runner()
MUST_PASS = runner.read_must_pass(HERE / "must-pass.txt")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("test.support") is None,
    reason="this interpreter has no CPython test package",
)


def test_must_pass_list_names_only_quick_modules_and_no_duplicates() -> None:
    assert MUST_PASS, "must-pass.txt is empty"
    assert len(MUST_PASS) == len(set(MUST_PASS))
    assert {module for module, _ in MUST_PASS} <= set(runner.QUICK)


# The test ids were measured on this CPython; other versions have other tests
# (test_asyncore is gone in 3.12), so the ratchet holds on this one only.
MUST_PASS_PYTHON = (3, 11)


@pytest.mark.slow
@pytest.mark.skipif(sys.version_info[:2] != MUST_PASS_PYTHON,
                    reason="must-pass.txt lists CPython 3.11's test ids")
@pytest.mark.parametrize("module", runner.QUICK)
def test_quick_module_passes_its_must_pass_tests(module: str, tmp_path: Path) -> None:
    res = runner.run_module(
        sys.executable, module, test_timeout=60.0, module_timeout=240.0, max_hangs=2,
        resources=runner.RESOURCES, log_dir=tmp_path,
    )
    wanted = [tid for m, tid in MUST_PASS if m == module]
    failing = {tid: res.outcomes.get(tid, "did not run") for tid in wanted
               if res.outcomes.get(tid) not in ("passed", "xfail")}
    details = "\n".join(f"{tid}: {outcome}\n{res.details.get(tid, '')[-1500:]}"
                        for tid, outcome in failing.items())
    assert not failing, f"{module} ({res.status}); logs in {tmp_path}:\n{details}"


def test_runner_counts_outcomes_and_runs_the_rest_after_a_hang(tmp_path: Path) -> None:
    res = runner.run_module(
        sys.executable, str(HERE / "selftest_cases.py"), test_timeout=3.0,
        module_timeout=120.0, max_hangs=2, resources="", log_dir=tmp_path,
    )
    base = "selftest_cases.Cases."
    assert res.outcomes == {
        base + "test_a_passes": "passed",
        base + "test_b_fails": "failed",
        base + "test_c_skips": "skipped",
        base + "test_d_hangs": "hung",
        base + "test_e_passes_after_the_hang": "passed",
    }
    assert res.summary() == {"ran": 4, "passed": 2, "failed": 1, "errors": 0, "skipped": 1,
                             "hung": 1}
    assert res.status == "ok"
    log = res.logs[0].read_text(errors="replace")
    # The watchdog named the test and dumped the threads (and suspended greenlets).
    assert "=== HANG: selftest_cases.Cases.test_d_hangs" in log
    assert "in test_d_hangs" in log
