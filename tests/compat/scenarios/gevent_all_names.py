"""The public names of the main modules."""
import gevent
import gevent.event
import gevent.greenlet
import gevent.hub
import gevent.local
import gevent.lock
import gevent.pool
import gevent.queue
import gevent.timeout
import gevent.util

for name in ("hub", "greenlet", "event", "queue", "pool", "lock", "local", "timeout", "util"):
    print(name, sorted(getattr(gevent, name).__all__))
print("gevent", sorted(gevent.__all__))
print(issubclass(gevent.GreenletExit, Exception), issubclass(gevent.GreenletExit, BaseException))
print(issubclass(gevent.Timeout, Exception), issubclass(gevent.Timeout, BaseException))
print(issubclass(gevent.pool.PoolFull, gevent.queue.Full))
print(gevent.queue.JoinableQueue is gevent.queue.Queue)
