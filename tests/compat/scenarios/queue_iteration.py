"""Iterating a queue gets until the StopIteration class is taken."""
import gevent
from gevent.queue import Channel, Queue

q = Queue()
for item in (1, 2, 3, StopIteration, 4):
    q.put(item)
print(list(q), q.qsize())
print(iter(q) is q)


def producer(ch):
    for i in range(3):
        ch.put(i)
    ch.put(StopIteration)


ch = Channel()
gevent.spawn(producer, ch)
print(list(ch))
q2 = Queue()
gevent.spawn_later(0.01, q2.put, "late")
gevent.spawn_later(0.05, q2.put, StopIteration)
print(list(q2))
