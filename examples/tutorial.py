"""Run every tutorial example in turn, each in its own interpreter.

    python examples/tutorial.py

Each script is one code cell of the tutorial and prints what the tutorial shows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "tutorial_switch.py",
    "tutorial_async.py",
    "tutorial_network.py",
    "tutorial_greenlets.py",
    "tutorial_subclass.py",
    "tutorial_states.py",
    "tutorial_monkey.py",
]


def main() -> int:
    failed = []
    for name in ORDER:
        path = HERE / name
        if not path.exists():
            continue
        print(f"===== {name}", flush=True)
        if subprocess.run([sys.executable, str(path)]).returncode != 0:
            failed.append(name)
    if failed:
        print("failed: " + " ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
