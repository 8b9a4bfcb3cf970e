"""spawn blocks while the pool is full; add/start with blocking=False/timeout raise PoolFull."""
import gevent
from gevent.pool import Pool, PoolFull

log = []
p = Pool(2)


def job(name, n):
    log.append(name + " start")
    gevent.sleep(n)
    log.append(name + " end")


p.spawn(job, "a", 0.3)
p.spawn(job, "b", 0.01)
log.append("before c")
p.spawn(job, "c", 0.01)
log.append("after c")
p.join()
print(log)
p.spawn(job, "x", 0.5)  # long enough that a loaded machine still finds the pool full
p.spawn(job, "y", 0.5)
for kwargs in ({"blocking": False}, {"timeout": 0.01}):
    try:
        p.add(gevent.Greenlet(job, "z", 0), **kwargs)
    except PoolFull as exc:
        print("add PoolFull", kwargs, type(exc).__name__)
    try:
        p.start(gevent.Greenlet(job, "z", 0), **kwargs)
    except PoolFull:
        print("start PoolFull", kwargs)
print(len(p), p.join(timeout=0.001), p.join(), len(p))
