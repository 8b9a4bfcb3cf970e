"""shutdown(): later put/get raise ShutDown; blocked callers are woken; immediate drains."""
import gevent
from gevent.queue import Queue, ShutDown

q = Queue(1)
print(q.is_shutdown)
log = []


def getter():
    try:
        log.append(("got", q.get()))
    except ShutDown as exc:
        log.append(("getter", type(exc).__name__))


def putter(item):
    try:
        q.put(item)
        log.append(("put", item))
    except ShutDown as exc:
        log.append(("putter", type(exc).__name__))


g = gevent.spawn(getter)
gevent.sleep(0)
q.shutdown()
gevent.sleep(0)
print(q.is_shutdown, log)
log.clear()
try:
    q.put(1)
except ShutDown:
    print("put after shutdown: ShutDown")
try:
    q.get()
except ShutDown:
    print("get after shutdown on empty: ShutDown")

q2 = Queue(1)
q2.put("a")
p = gevent.spawn(putter, "b")
gevent.sleep(0)
q2.shutdown()
gevent.sleep(0)
print(log, q2.get(), q2.qsize())
log.clear()

q3 = Queue()
for i in range(3):
    q3.put(i)
q3.shutdown(immediate=True)
print(q3.qsize(), q3.unfinished_tasks, q3.join(timeout=0.01))
try:
    q3.get_nowait()
except ShutDown:
    print("immediate: get raises ShutDown")
q4 = Queue()
q4.put("kept")
q4.shutdown()
print(q4.get(), q4.qsize())
