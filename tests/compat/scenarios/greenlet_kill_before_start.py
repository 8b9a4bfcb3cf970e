"""Killing a greenlet that never ran cancels it; links still fire."""
import gevent

ran = []
links = []
g = gevent.spawn(ran.append, 1)
g.link(lambda x: links.append("link"))
g.rawlink(lambda x: links.append("rawlink"))
print(g.kill(), ran, g.dead, repr(g.value), g.successful(), g.ready(), g.started)
gevent.sleep(0.01)
print(ran, links)

u = gevent.Greenlet(ran.append, 2)
print(u.kill(), u.dead, repr(u.value))
u.start()
gevent.sleep(0.01)
print(ran)
later = gevent.spawn_later(0.01, ran.append, 3)
later.kill()
gevent.sleep(0.03)
print(ran, later.dead)
