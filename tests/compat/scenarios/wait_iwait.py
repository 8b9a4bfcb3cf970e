"""iwait: readiness order, timeout ends iteration, count, context manager, mixed objects."""
import gevent
from gevent.event import AsyncResult, Event


def later(n, obj):
    gevent.sleep(n)
    obj.set()


e1, e2 = Event(), Event()
r = AsyncResult()
gevent.spawn(later, 0.06, e1)
gevent.spawn(later, 0.02, e2)
gevent.spawn(later, 0.04, r)
names = {id(e1): "e1", id(e2): "e2", id(r): "r"}
print([names[id(o)] for o in gevent.iwait([e1, e2, r])])

slow = Event()
fast = Event()
gevent.spawn(later, 0.01, fast)
print([o is fast for o in gevent.iwait([slow, fast], timeout=0.06)])
print(list(gevent.iwait([slow], timeout=0.01)))

evs = [Event() for _ in range(4)]
for i, ev in enumerate(evs):
    gevent.spawn(later, 0.02 * (4 - i), ev)
print([evs.index(o) for o in gevent.iwait(evs, count=2)])
with gevent.iwait(evs) as it:
    first = next(it)
    print("first", evs.index(first))
print([ev.linkcount() for ev in evs])
g = gevent.spawn(lambda: "g")
print([x is g for x in gevent.iwait([g])])
