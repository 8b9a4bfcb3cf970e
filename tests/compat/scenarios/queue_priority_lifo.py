"""PriorityQueue lowest first; LifoQueue last first; both are Queues."""
from gevent.queue import LifoQueue, PriorityQueue, Queue

p = PriorityQueue()
for item in (3, 1, 2, 0):
    p.put(item)
print([p.get() for _ in range(4)])
t = PriorityQueue()
for item in [(2, "b"), (1, "z"), (1, "a"), (0, "x")]:
    t.put(item)
print([t.get() for _ in range(4)])
lq = LifoQueue()
for item in (1, 2, 3):
    lq.put(item)
print([lq.get() for _ in range(3)])
print(issubclass(PriorityQueue, Queue), issubclass(LifoQueue, Queue))
pi = PriorityQueue(items=[5, 1, 3])
print(pi.peek(), pi.qsize())
q = Queue()
q.put(2)
q.put(1)
print([q.get(), q.get()])
