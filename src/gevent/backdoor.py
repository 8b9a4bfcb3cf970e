"""An interactive Python prompt served over TCP, running inside this process.

``BackdoorServer(("127.0.0.1", 5001), locals={...}).serve_forever()``, then
connect with ``telnet`` or ``nc``. The implementation lives in
``gevent._servers._backdoor``.
"""

from __future__ import annotations

from ._servers._backdoor import BackdoorServer, _main

__all__ = ["BackdoorServer"]

if __name__ == "__main__":
    _main()
