"""Timeouts passed to blocking calls raise the right thing; the caller's state is intact."""
import gevent
from gevent import Timeout
from gevent.event import AsyncResult, Event
from gevent.lock import Semaphore
from gevent.queue import Empty, Queue

r = AsyncResult()
try:
    r.get(timeout=0.01)
except Timeout as exc:
    print("AsyncResult.get:", str(exc), exc.pending)
print("Event.wait:", Event().wait(0.01), "Semaphore.acquire:", Semaphore(0).acquire(timeout=0.01))
try:
    Queue().get(timeout=0.01)
except Empty:
    print("Queue.get: Empty")
g = gevent.spawn(gevent.sleep, 1)
try:
    g.get(timeout=0.01)
except Timeout as exc:
    print("Greenlet.get:", str(exc))
print("Greenlet.join:", g.join(0.01), g.dead)
g.kill()
outer = Timeout(0.02)
outer.start()
try:
    Event().wait(1)
except Timeout as exc:
    print("outer timeout escapes Event.wait:", exc is outer)
finally:
    outer.close()
with Timeout(0.02, False):
    print("Event.wait inside:", Event().wait(0.001))
    Queue().get()
print("silenced")
