"""Killing a running greenlet: class, instance, tuple; block=False; join after."""
import sys

import gevent

log = []


def victim(tag):
    try:
        gevent.sleep(10)
    except BaseException as exc:
        log.append((tag, type(exc).__name__, str(exc)))
        raise


gevent.get_hub().exception_stream = sys.stdout
a = gevent.spawn(victim, "default")
gevent.sleep(0)
print("kill:", a.kill(), a.dead, type(a.value).__name__, a.successful())

b = gevent.spawn(victim, "class")
gevent.sleep(0)
b.kill(KeyError)
print(b.dead, repr(b.exception), b.successful())

c = gevent.spawn(victim, "instance")
gevent.sleep(0)
c.kill(ValueError("inst"))
print(c.dead, repr(c.exception))

try:
    raise IndexError("tupled")
except IndexError:
    info = sys.exc_info()
d = gevent.spawn(victim, "tuple")
gevent.sleep(0)
d.kill(info)
print(d.dead, repr(d.exception))

e = gevent.spawn(victim, "nonblocking")
gevent.sleep(0)
print(e.kill(block=False), e.dead)
gevent.sleep(0)
print(e.dead)
print(log)
