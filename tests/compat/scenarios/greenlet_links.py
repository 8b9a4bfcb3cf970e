"""Link order, link_value/link_exception, links added after death, unlink."""
import gevent

log = []
hub = gevent.get_hub()
hub.exception_stream = None


def where():
    cur = gevent.getcurrent()
    return "hub" if cur is hub else ("greenlet" if cur.parent is hub else "?")


def mk(name):
    return lambda g: log.append((name, where(), g.value))


g = gevent.spawn(lambda: 7)
g.link(mk("link1"))
g.rawlink(mk("rawlink2"))
g.link_value(mk("link_value3"))
g.link_exception(mk("link_exception4"))
removed = mk("removed")
g.link(removed)
g.unlink(removed)
print(g.has_links())
g.join()
gevent.sleep(0)
print(log)
log.clear()
g.link(mk("late"))
gevent.sleep(0)
print(log)
log.clear()

f = gevent.spawn(lambda: 1 / 0)
f.link_value(mk("value"))
f.link_exception(lambda g: log.append(("exc", type(g.exception).__name__)))
f.link(mk("any"))
f.join()
gevent.sleep(0)
print(log)
f.unlink_all()
print(f.has_links())
