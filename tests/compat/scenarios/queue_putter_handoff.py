"""When a get() makes room, a parked putter's item enters the queue only later.

gevent moves the item (and wakes the putter) from a loop callback, so until the
getter blocks again the queue looks empty: get_nowait raises Empty, qsize is 0,
and a LifoQueue hands out its older item before the parked putter's.
"""
import gevent
from gevent.queue import Empty, LifoQueue, Queue

q = Queue(1)
q.put("x")
log = []


def putter(i):
    q.put(i)
    log.append(("put", i))


ps = [gevent.spawn(putter, i) for i in range(2)]
gevent.sleep(0)
print(q.get(), q.qsize(), log)
try:
    print(q.get_nowait(), log)
except Empty:
    print("Empty", log)
print(q.get(), log)
gevent.joinall(ps)
print(log, q.qsize())

lb = LifoQueue(2)
lb.put("a")
lb.put("b")
gevent.spawn(lb.put, "c")
gevent.sleep(0)
print(lb.get(), lb.get(), lb.get())
