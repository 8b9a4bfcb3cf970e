"""Channel is a rendezvous: put returns only once a getter took the item."""
import gevent
from gevent.queue import Channel, Empty, Full

ch = Channel()
print(ch.qsize(), ch.empty(), ch.full(), ch.balance, bool(ch), hasattr(ch, "__len__"))
log = []


def producer():
    for i in range(2):
        log.append(f"put {i}")
        ch.put(i)
        log.append(f"put {i} returned")


def consumer():
    for _ in range(2):
        log.append(f"got {ch.get()}")


p = gevent.spawn(producer)
gevent.sleep(0)
print("balance with putter waiting:", ch.balance, ch.qsize())
c = gevent.spawn(consumer)
gevent.joinall([p, c])
print(log)
try:
    ch.put(1, block=False)
except Full:
    print("put nowait Full")
try:
    ch.get(block=False)
except Empty:
    print("get nowait Empty")
try:
    ch.put(1, timeout=0.01)
except Full:
    print("put timeout Full")
try:
    ch.get(timeout=0.01)
except Empty:
    print("get timeout Empty")
g = gevent.spawn(ch.get)
gevent.sleep(0)
print("balance with getter waiting:", ch.balance)
ch.put_nowait("direct")
print(g.get())
