"""RLock: reentrancy, owner is the greenlet, release by non-owner raises."""
import gevent
from gevent.lock import RLock

lock = RLock()
print(lock.locked(), lock.acquire(), lock.acquire(), lock.locked())


def other():
    try:
        lock.release()
    except RuntimeError as exc:
        return type(exc).__name__ + ": " + str(exc).split("\n")[0][:40]


print(gevent.spawn(other).get())
print(gevent.spawn(lambda: lock.acquire(blocking=False)).get())
print(gevent.spawn(lambda: lock.acquire(timeout=0.01)).get())
print(lock.release(), lock.locked(), lock.release(), lock.locked())
try:
    lock.release()
except RuntimeError:
    print("release unowned: RuntimeError")
log = []


def worker(name):
    with lock:
        log.append(name + " in")
        gevent.sleep(0.001)
        with lock:
            log.append(name + " nested")
        log.append(name + " out")


gevent.joinall([gevent.spawn(worker, n) for n in "ab"])
print(log)
print(lock._is_owned(), lock.acquire(), lock._is_owned())
state = lock._release_save()
print(lock.locked())
lock._acquire_restore(state)
print(lock.locked(), lock.release())
