"""Count Autobahn results by behaviour: ``python summarize.py reports/index.json``.

Exits 1 if any case is not OK, NON-STRICT or INFORMATIONAL (close behaviour included).
"""

from __future__ import annotations

import json
import sys
from collections import Counter

ACCEPTED = {"OK", "NON-STRICT", "INFORMATIONAL"}


def main(path: str) -> int:
    with open(path) as f:
        index = json.load(f)
    counts: Counter[str] = Counter()
    bad = []
    for agent, cases in index.items():
        for case, result in sorted(cases.items()):
            behaviour = result["behavior"]
            close = result.get("behaviorClose", "OK")
            counts[behaviour] += 1
            if behaviour not in ACCEPTED or close not in ACCEPTED:
                bad.append(f"{agent} {case}: {behaviour} (close: {close})")
    print(f"{sum(counts.values())} cases: "
          + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())))
    for line in bad:
        print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
