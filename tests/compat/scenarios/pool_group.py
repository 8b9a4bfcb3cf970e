"""Group: membership, discard, join/kill, killone, raise_error, iteration."""
import gevent
from gevent.pool import Group

gevent.get_hub().exception_stream = None
g = Group()
a = g.spawn(gevent.sleep, 0.01)
b = gevent.spawn(gevent.sleep, 0.02)
g.add(b)
print(len(g), a in g, b in g, bool(g), sorted(x is a for x in g))
print(g.join(timeout=0.001), len(g))
print(g.join(), len(g), bool(g))
c = g.spawn(gevent.sleep, 1)
g.discard(c)
print(len(g), c in g)
c.kill()
log = []


def victim(name):
    try:
        gevent.sleep(1)
    except gevent.GreenletExit:
        log.append(name)
        raise


x = g.spawn(victim, "x")
y = g.spawn(victim, "y")
gevent.sleep(0)
g.killone(x)
print(log, len(g), x.dead)
g.kill()
print(log, len(g), y.dead)
stubborn_runs = []


def stubborn():
    while True:
        try:
            gevent.sleep(0.5)
            return
        except gevent.GreenletExit:
            stubborn_runs.append(1)


s = g.spawn(stubborn)
gevent.sleep(0)
print(g.kill(timeout=0.01), s.dead)
s.kill(ValueError)
gevent.sleep(0)
print(s in g, len(g))
f = g.spawn(lambda: 1 / 0)
try:
    g.join(raise_error=True)
except ZeroDivisionError:
    print("join raise_error")
initial = Group([gevent.spawn(gevent.sleep, 0.05)])
print(len(initial), initial.join(timeout=0.001))
started = g.start(gevent.Greenlet(lambda: "started"))
gevent.sleep(0)
print(started, len(g))
