"""Helpers shared by the test directories (on sys.path through pytest's ``pythonpath``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_python(src: str, *, timeout: float = 60, warnings_as_errors: bool = False) -> str:
    """Run ``src`` in a child interpreter (so patching never touches this one); its stdout."""
    cmd = [sys.executable]
    if warnings_as_errors:
        cmd += ["-W", "error"]
    proc = subprocess.run([*cmd, "-c", textwrap.dedent(src)], capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout
