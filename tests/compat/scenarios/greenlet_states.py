"""bool/started/ready/dead/successful through a greenlet's life, value and exception."""
import gevent


def state(g):
    return (bool(g), g.started, g.ready(), g.dead, g.successful())


def ok(x):
    gevent.sleep(0.001)
    return x * 2


def bad():
    raise ValueError("nope")


g = gevent.Greenlet(ok, 21)
print("new", state(g), g.value, g.exception, g.args, g.kwargs)
g.start()
print("started", state(g))
gevent.sleep(0)
print("running", state(g))
g.join()
print("done", state(g), g.value, g.exception, g.exc_info, g.args, g.kwargs)
g.start()
print("restart is a no-op", state(g))

b = gevent.spawn(bad)
b.join()
print("failed", state(b), repr(b.exception), b.value)
print(b.exc_info[0].__name__, b.exc_info[1] is b.exception)
