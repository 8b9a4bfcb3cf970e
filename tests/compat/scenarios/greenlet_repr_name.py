"""Greenlet repr, name, minimal_ident."""
import functools

import gevent


def func(*args, **kwargs):
    return args


class Callable:
    def __call__(self):
        pass

    def __repr__(self):
        return "<Callable>"


g = gevent.Greenlet(func, 1, "two", key=3)
print(repr(g))
print(g.name, g.minimal_ident)
print(repr(g))
h = gevent.Greenlet(func)
h.name = "custom"
print(repr(h), h.name)
print(repr(gevent.Greenlet(Callable())))
print(repr(gevent.Greenlet(functools.partial(func, 1))).split(":")[0])
print(repr(gevent.Greenlet(lambda: None)))
others = [gevent.Greenlet(func) for _ in range(3)]
print([o.minimal_ident for o in others], [o.name for o in others])


class Sub(gevent.Greenlet):
    def _run(self):
        return "sub"


s = Sub.spawn()
print(repr(s), type(s).__name__, s.get())
try:
    gevent.Greenlet(42)
except TypeError as exc:
    print("TypeError", type(exc).__name__)
try:
    gevent.spawn(42)
except TypeError:
    print("spawn TypeError")
