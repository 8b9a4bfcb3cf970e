"""Blocked getters and putters are served FIFO; peek does not consume."""
import gevent
from gevent.queue import Empty, Queue

q = Queue(1)
log = []


def getter(name):
    log.append((name, q.get()))


def putter(item):
    q.put(item)
    log.append(("put", item))


gs = [gevent.spawn(getter, n) for n in "abc"]
gevent.sleep(0)
for i in range(3):
    q.put(i)
gevent.joinall(gs)
print(log)
log.clear()
q.put("x")
ps = [gevent.spawn(putter, i) for i in range(3)]
gevent.sleep(0)
print(q.qsize(), q.full(), log)
gevent.joinall([gevent.spawn(lambda: log.append(("got", [q.get() for _ in range(4)])))])
gevent.joinall(ps)
print(sorted(log, key=str))

p = Queue()
try:
    p.peek(timeout=0.01)
except Empty:
    print("peek Empty")
try:
    p.peek_nowait()
except Empty:
    print("peek_nowait Empty")
gevent.spawn_later(0.01, p.put, "peeked")
print(p.peek(), p.qsize(), p.peek_nowait(), p.get(), p.qsize())
