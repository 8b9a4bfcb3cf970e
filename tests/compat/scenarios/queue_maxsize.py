"""maxsize None/0/negative: unbounded; Queue(0) warns; maxsize can be set."""
import warnings

from gevent.queue import Channel, LifoQueue, PriorityQueue, Queue, SimpleQueue

for cls in (Queue, SimpleQueue, PriorityQueue, LifoQueue):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        q0 = cls(0)
        qn = cls(None)
        qneg = cls(-1)
        q3 = cls(3)
    print(cls.__name__, q0.maxsize, qn.maxsize, qneg.maxsize, q3.maxsize, q0.full())
    print([(w.category.__name__, str(w.message)) for w in caught])
for i in range(100):
    q0.put(i)
print(q0.qsize(), q0.full())
q3.maxsize = 5
print(q3.maxsize)
q3.maxsize = None
print(q3.maxsize)
try:
    Channel(2)
except ValueError as exc:
    print("Channel(2):", type(exc).__name__)
