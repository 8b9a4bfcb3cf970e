"""Queue: FIFO, qsize/len/bool, put_nowait/get_nowait, Full/Empty, blocking with timeout."""
import queue as stdqueue

from gevent.queue import Empty, Full, Queue

print(Empty is stdqueue.Empty, Full is stdqueue.Full)
q = Queue(2)
print(q.maxsize, q.qsize(), len(q), bool(q), q.empty(), q.full())
q.put(1)
q.put_nowait(2)
print(q.qsize(), len(q), bool(q), q.empty(), q.full())
for call in (lambda: q.put_nowait(3), lambda: q.put(3, block=False),
             lambda: q.put(3, timeout=0.01)):
    try:
        call()
    except Full as exc:
        print("Full", type(exc).__name__, repr(str(exc)))
print(q.get(), q.get_nowait())
for call in (q.get_nowait, lambda: q.get(block=False), lambda: q.get(timeout=0.01)):
    try:
        call()
    except Empty as exc:
        print("Empty", repr(str(exc)))
try:
    q.get(timeout=-1)
except ValueError as exc:
    print("ValueError", type(exc).__name__)
print(bool(Queue()), Queue(items=[1, 2]).qsize(), list(Queue(items=[3, 4]).queue))
c = Queue(items=[1, 2, 3])
d = c.copy()
print(d.get(), c.qsize(), d.qsize(), type(d).__name__)
