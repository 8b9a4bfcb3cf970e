"""The hub is the parent of greenlets and spawn_raw greenlets; main is the hub's parent."""
import greenlet

import gevent

hub = gevent.get_hub()
main = gevent.getcurrent()
print(hub.parent is main, gevent.getcurrent is greenlet.getcurrent)
seen = []


def probe(*args, **kwargs):
    seen.append((gevent.getcurrent().parent is hub, args, kwargs))


g = gevent.Greenlet(probe)
print(g.parent is hub)
raw = gevent.spawn_raw(probe, 1, key="v")
print(isinstance(raw, greenlet.greenlet), raw.parent is hub, hasattr(raw, "link"))
g.start()
gevent.sleep(0)
print(seen)
print(gevent.getswitchinterval() == __import__("sys").getswitchinterval())
