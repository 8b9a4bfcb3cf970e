"""A failing greenlet's error is printed on stderr: traceback, timestamp, context line."""
import sys

import gevent


def boom(n):
    return 1 / (n - n)


class Custom(Exception):
    pass


def custom(**kwargs):
    raise Custom("custom message")


g = gevent.spawn(boom, 5)
g.join()
print("main continues", type(g.exception).__name__, file=sys.stderr)
named = gevent.spawn(custom, key="v")
named.name = "Named"
named.join()
gevent.spawn(lambda: 1 / 0).join()
gevent.spawn(lambda: (_ for _ in ()).throw(gevent.GreenletExit())).join()
print("done", file=sys.stderr)
