"""GreenletExit is successful; raising it in the body; value is the instance."""
import gevent


def exits():
    raise gevent.GreenletExit("bye")


g = gevent.spawn(exits)
g.join()
print(g.successful(), repr(g.value), g.exception, g.dead)
k = gevent.spawn(gevent.sleep, 1)
gevent.sleep(0)
k.kill()
print(k.successful(), type(k.value).__name__, k.exception, k.get() is k.value)
sub = gevent.spawn(gevent.sleep, 1)
gevent.sleep(0)


class MyExit(gevent.GreenletExit):
    pass


sub.kill(MyExit)
print(sub.successful(), type(sub.value).__name__, sub.exception)
