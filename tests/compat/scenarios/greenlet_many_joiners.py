"""Several greenlets joining/getting one; woken in order; link errors are reported."""
import sys

import gevent

target = gevent.spawn(gevent.sleep, 0.01)
log = []


def joiner(name, how):
    if how == "join":
        target.join()
    else:
        target.get()
    log.append(name)


gevent.joinall([gevent.spawn(joiner, n, h) for n, h in (("a", "join"), ("b", "get"),
                                                       ("c", "join"))])
print(log)


def bad_link(g):
    raise RuntimeError("link failed")


def bad_rawlink(g):
    raise KeyError("rawlink failed")


x = gevent.spawn(lambda: "x")
x.link(bad_link)
x.rawlink(bad_rawlink)
x.join()
gevent.sleep(0.01)
print("survived", x.value, file=sys.stderr)
