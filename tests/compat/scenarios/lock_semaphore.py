"""Semaphore: acquire/release return values, over-release, wait, FIFO waiters, errors."""
import gevent
from gevent.lock import Semaphore

s = Semaphore(2)
print(s.counter, s.locked(), s.ready())
print(s.acquire(), s.acquire(blocking=False), s.counter, s.locked(), s.ready())
print(s.acquire(blocking=False), s.acquire(timeout=0.01), s.wait(0.01))
print(s.release(), s.release(), s.release(), s.counter)
print(s.wait(), s.wait(0.01))
try:
    Semaphore(-1)
except ValueError as exc:
    print("ValueError:", exc)
print(Semaphore(0).acquire(blocking=False), Semaphore().counter)

z = Semaphore(0)
log = []


def taker(name):
    z.acquire()
    log.append(name)


gs = [gevent.spawn(taker, n) for n in "abcd"]
gevent.sleep(0)
print(z.linkcount())
z.release()
z.release()
gevent.sleep(0.01)
print(log, z.counter)
z.release()
z.release()
gevent.joinall(gs)
print(log, z.counter)
with s:
    print("in with", s.counter)
print(s.counter)
