"""Event: set/clear/wait return values, FIFO wake-up, set-then-clear still wakes."""
import gevent
from gevent.event import Event

e = Event()
print(e.is_set(), e.isSet(), e.ready(), e.wait(timeout=0.01), e.wait(0))
log = []


def waiter(name, ev, timeout=None):
    log.append((name, ev.wait(timeout)))


gs = [gevent.spawn(waiter, n, e) for n in "abc"]
gevent.sleep(0)
print(e.linkcount())
e.set()
e.clear()
gevent.joinall(gs)
print(log, e.is_set())
log.clear()
e.set()
print(e.wait(), e.wait(0.01))
gevent.joinall([gevent.spawn(waiter, "late", e)])
print(log)
e.clear()
gevent.joinall([gevent.spawn(waiter, "timeout", e, 0.01)])
print(log, e.linkcount())
called = []
e.rawlink(lambda ev: called.append(ev is e))
e.set()
gevent.sleep(0)
print(called, e.linkcount())
e.rawlink(lambda ev: called.append("after set"))
gevent.sleep(0)
print(called)
