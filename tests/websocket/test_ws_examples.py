"""The websocket examples run and print what their docstrings promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*args: str) -> list[str]:
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120,
                          cwd=EXAMPLES)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_tutorial_websocket_chapter() -> None:
    assert run("tutorial_websocket.py", "--demo", "4") == [
        f"x={x} y in 1..5: True" for x in range(4)]


def test_chat_with_three_clients() -> None:
    lines = run("websocket_chat.py", "--demo")
    assert lines[:3] == ["* ann joined", "* bob joined", "* cid joined"]
    assert lines[3:] == ["<ann> hello, all", "<bob> hi ann", "* cid left"]
