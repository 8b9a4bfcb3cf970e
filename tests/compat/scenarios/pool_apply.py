"""apply/apply_async/apply_cb/map_async/map_cb."""
import gevent
from gevent.pool import Group, Pool


def mul(a, b=1):
    gevent.sleep(0.001)
    return a * b


p = Pool(1)
print(p.apply(mul, (3,), {"b": 4}), p.apply(mul, [5]))
got = []
r = p.apply_async(mul, (2, 3), callback=got.append)
print(type(r).__name__, r.get(), got)
blocker = p.spawn(gevent.sleep, 0.05)
print(p.full())
bypass = p.apply_async(mul, (7, 7))
print("apply_async never blocks:", bypass in p, bypass.get(), blocker.dead)
print(p.apply_cb(mul, (2,), {"b": 2}, callback=got.append), got)
gevent.sleep(0)
print("apply_cb callback ran later:", got)
m = p.map_async(mul, [1, 2, 3], callback=got.append)
print(type(m).__name__, m.get(), got[-1])
print(p.map_cb(mul, [4, 5], callback=got.append), got[-1])
gevent.get_hub().exception_stream = None
try:
    p.apply(lambda: 1 / 0)
except ZeroDivisionError:
    print("apply re-raises")
g = Group()


def inner():
    return g.apply(mul, (6, 7))


print(g.spawn(inner).get())
