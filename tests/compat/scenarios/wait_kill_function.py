"""gevent.kill: asynchronous, never unschedules the caller; works on raw greenlets."""
import gevent

log = []
gevent.get_hub().exception_stream = None


def worker(name):
    try:
        gevent.sleep(1)
    except BaseException as exc:
        log.append((name, type(exc).__name__))
        raise


g = gevent.spawn(worker, "greenlet")
raw = gevent.spawn_raw(worker, "raw")
gevent.sleep(0)
print(gevent.kill(g), g.dead)
print(gevent.kill(raw, KeyError), raw.dead)
gevent.sleep(0)
print(g.dead, raw.dead, log)
