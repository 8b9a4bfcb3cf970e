"""Semaphore wake-ups: FIFO, only while the counter stays positive; rawlink; wait()."""
import gevent
from gevent.lock import BoundedSemaphore, Semaphore

s = Semaphore(0)
log = []


def acquirer(name, timeout=None):
    got = s.acquire(timeout=timeout)
    log.append((name, got, s.counter))


def waiter(name):
    log.append((name + " wait", s.wait(), s.counter))


gs = [gevent.spawn(acquirer, "a"), gevent.spawn(waiter, "w"), gevent.spawn(acquirer, "b"),
      gevent.spawn(acquirer, "t", 0.01)]
gs[3].join()
print(log)
s.release()
gevent.sleep(0)
print(log)
s.release()
gevent.joinall(gs)
print(log, s.counter)
linked = []
s.rawlink(lambda sem: linked.append(sem.counter))
s.release()
gevent.sleep(0)
print(linked, s.counter)
b = BoundedSemaphore(2)
with b:
    with b:
        print(b.counter, b.locked(), b.acquire(blocking=False))
print(b.counter)
