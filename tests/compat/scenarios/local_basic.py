"""gevent.local: per-greenlet attributes, subclass __init__ rerun with the same args."""
import gevent
from gevent.local import local

data = local()
data.x = "main"


def reader(name):
    print(name, "sees", getattr(data, "x", "<missing>"), sorted(data.__dict__))
    data.x = name
    gevent.sleep(0)
    print(name, "kept", data.x)


gevent.joinall([gevent.spawn(reader, "a"), gevent.spawn(reader, "b")])
print("main still", data.x)
try:
    local(1)
except TypeError as exc:
    print("TypeError", exc.args)
try:
    local(key=1)
except TypeError as exc:
    print("TypeError", exc.args)


class Counter(local):
    created = 0

    def __init__(self, start, step=1):
        Counter.created += 1
        self.value = start
        self.step = step

    def bump(self):
        self.value += self.step
        return self.value

    @property
    def doubled(self):
        return self.value * 2


c = Counter(10, step=5)
print(c.bump(), c.doubled, Counter.created)


def use():
    return (c.value, c.bump(), c.doubled)


print(gevent.spawn(use).get(), Counter.created, c.value)
try:
    del data.x
    print("deleted", hasattr(data, "x"))
    del data.x
except AttributeError as exc:
    print("AttributeError", type(exc).__name__)


class Slotted(local):
    __slots__ = ("shared",)


s = Slotted()
s.shared = "slot"
s.own = "mine"
print(gevent.spawn(lambda: (s.shared, getattr(s, "own", None))).get())
