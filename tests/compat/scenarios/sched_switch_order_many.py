"""Callbacks, spawns and timers interleave deterministically across several turns."""
import gevent

log = []
hub = gevent.get_hub()


def step(name, n):
    for i in range(n):
        log.append(f"{name}{i}")
        gevent.sleep(0)


gevent.spawn(step, "a", 3)
hub.loop.run_callback(log.append, "cb1")
gevent.spawn(step, "b", 2)
gevent.spawn_later(0, log.append, "later0")
hub.loop.run_callback(log.append, "cb2")
gevent.spawn_later(0.01, log.append, "later1")
gevent.sleep(0.03)
print(log)
log.clear()
gevent.spawn(log.append, "s1")
gevent.spawn_raw(log.append, "raw")
gevent.spawn(log.append, "s2")
gevent.sleep(0)
print(log)
