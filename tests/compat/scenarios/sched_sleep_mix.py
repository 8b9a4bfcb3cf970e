"""A sleeps a little, B and C yield: B and C resume before A."""
import gevent

log = []


def worker(name, delay):
    log.append(name + "-start")
    gevent.sleep(delay)
    log.append(name + "-after")


gevent.joinall([gevent.spawn(worker, "A", 0.001), gevent.spawn(worker, "B", 0),
                gevent.spawn(worker, "C", 0)])
print(log)
