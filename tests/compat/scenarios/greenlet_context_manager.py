"""Greenlet as a context manager: join then kill; on error, kill with the error."""
import gevent

log = []


def worker(n):
    try:
        gevent.sleep(n)
        log.append("finished")
    except BaseException as exc:
        log.append(type(exc).__name__)
        raise


with gevent.spawn(worker, 0.001) as g:
    print("inside", g.dead)
print(g.dead, log)
gevent.get_hub().exception_stream = None
log.clear()
try:
    with gevent.spawn(worker, 1) as h:
        gevent.sleep(0)
        raise KeyError("out")
except KeyError as exc:
    print("caught", repr(exc))
gevent.sleep(0)
print(h.dead, log, repr(h.exception))
