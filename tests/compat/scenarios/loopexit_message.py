"""Blocking the main greenlet with nothing else to run raises LoopExit."""
import gevent
from gevent.event import Event
from gevent.exceptions import LoopExit
from gevent.lock import Semaphore
from gevent.queue import Queue

print(issubclass(LoopExit, Exception), gevent.exceptions.__all__)
for blocker in (Event().wait, Queue().get, Semaphore(0).acquire):
    try:
        blocker()
    except LoopExit as exc:
        # Only the first line: the rest describes the hub, and ours also names the
        # blocked greenlets (docs/design.md, "Compatibility").
        print(type(exc).__name__, repr(str(exc).splitlines()[0]), len(exc.args),
              exc.hub is gevent.get_hub())
