"""BoundedSemaphore over-release; DummySemaphore never blocks."""
from gevent.lock import BoundedSemaphore, DummySemaphore, Semaphore

b = BoundedSemaphore(1)
print(isinstance(b, Semaphore), b.acquire(), b.release())
try:
    b.release()
except ValueError as exc:
    print("ValueError:", exc)
print(b.counter)
d = DummySemaphore()
print(d.acquire(), d.acquire(), d.acquire(blocking=False), d.wait(), d.wait(0.01))
print(d.release(), d.locked(), d.ready())
with d:
    print("dummy with")
print(DummySemaphore(3).acquire(), DummySemaphore(0).acquire(blocking=False))
d.rawlink(lambda s: None)
d.unlink(lambda s: None)
