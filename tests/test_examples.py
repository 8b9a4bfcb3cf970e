"""Every tutorial cell (examples/) runs unchanged and prints what the tutorial shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True,
                          text=True, timeout=120)


def test_explicit_context_switch() -> None:
    proc = run("tutorial_switch.py")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "Running in foo",
        "Explicit context to bar",
        "Explicit context switch to foo again",
        "Implicit context switch back to bar",
        "hehe",
    ]


def test_synchronous_then_asynchronous_tasks() -> None:
    proc = run("tutorial_async.py")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "Synchronous:"
    assert lines[1:10] == [f"Task {i} done" for i in range(1, 10)]
    assert lines[10] == "Asynchronous:"
    assert sorted(lines[11:]) == sorted(f"Task {i} done" for i in range(10))


def test_creating_greenlets() -> None:
    proc = run("tutorial_greenlets.py")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:2] == ["Hello", "I live!"]
    assert lines[2].startswith("[<Greenlet ") and lines[2].count("<Greenlet ") == 3


def test_subclassing_greenlet() -> None:
    proc = run("tutorial_subclass.py")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Hi there!\n"


def test_greenlet_state() -> None:
    proc = run("tutorial_states.py")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "True", "True", "You win!", "None", "True", "True", "True", "False",
        "You fail at failing.",
    ]
    assert "failed with Exception" in proc.stderr


@pytest.mark.parametrize("name", ["tutorial_network.py", "tutorial_monkey.py"])
def test_io_cells_when_present(name: str) -> None:
    if not (EXAMPLES / name).exists():
        pytest.skip(f"{name} arrives with the green socket module")
    proc = run(name)
    assert proc.returncode == 0, proc.stderr
