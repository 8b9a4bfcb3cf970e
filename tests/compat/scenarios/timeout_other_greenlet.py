"""A timeout fires in the greenlet that started it, and the kill of an expired sleeper."""
import gevent
from gevent import Timeout

log = []


def worker(name, n):
    try:
        with Timeout(n):
            gevent.sleep(0.05)
        log.append(name + " done")
    except Timeout as exc:
        log.append(f"{name} timed out: {exc}")


gevent.joinall([gevent.spawn(worker, "a", 0.01), gevent.spawn(worker, "b", 1)])
print(log)


def starter():
    return Timeout.start_new(0.01)


t = gevent.spawn(starter).get()
gevent.sleep(0.03)
print("main unaffected", t.pending)
