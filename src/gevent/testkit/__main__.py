"""``python -m gevent.testkit script.py [args]``: run a script in virtual time."""

from __future__ import annotations

import sys

from gevent._testkit import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
