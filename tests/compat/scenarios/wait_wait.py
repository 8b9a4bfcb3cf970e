"""gevent.wait on objects: returns the ready ones, in order, with timeout and count."""
import gevent
from gevent.event import Event

evs = [Event() for _ in range(3)]


def later(n, ev):
    gevent.sleep(n)
    ev.set()


gevent.spawn(later, 0.04, evs[0])
gevent.spawn(later, 0.01, evs[2])
print([evs.index(e) for e in gevent.wait(evs, timeout=0.1)])
print(evs[1].is_set())
print([evs.index(e) for e in gevent.wait(evs, count=1)])
fresh = [Event(), Event()]
print(gevent.wait(fresh, timeout=0.01))
print(gevent.wait(timeout=0.01))
