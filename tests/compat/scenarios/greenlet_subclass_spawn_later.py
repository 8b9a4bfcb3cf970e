"""spawn/spawn_later are classmethods; start_later; spawn callbacks."""
import gevent


class Mine(gevent.Greenlet):
    pass


seen = []


def cb(g):
    seen.append(type(g).__name__)


gevent.Greenlet.add_spawn_callback(cb)
a = Mine.spawn(lambda: "a")
b = Mine.spawn_later(0.04, lambda: "b")
c = gevent.Greenlet(lambda: "c")
c.start_later(0.005)
print(type(a).__name__, type(b).__name__, a.started, b.started, c.started)
print(gevent.joinall([b, a, c]) == [a, c, b], [x.value for x in (a, b, c)])
gevent.Greenlet.remove_spawn_callback(cb)
gevent.spawn(lambda: None).join()
print(seen)
