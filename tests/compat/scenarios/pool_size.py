"""Pool sizes: None unlimited, 0 blocks, negative raises; free_count/full/wait_available."""
import gevent
from gevent.pool import Group, Pool, PoolFull

p = Pool(2)
print(p.size, p.free_count(), p.full(), len(p), bool(p))
a = p.spawn(gevent.sleep, 0.02)
b = p.spawn(gevent.sleep, 0.02)
print(p.free_count(), p.full(), len(p), a in p)
print(p.wait_available(timeout=0.005))
print(p.wait_available(), p.free_count(), len(p))
u = Pool()
print(u.size, u.free_count(), u.full())
for _ in range(50):
    u.spawn(gevent.sleep, 0)
print(len(u), u.full())
u.join()
print(len(u))
try:
    Pool(-1)
except ValueError as exc:
    print("ValueError", type(exc).__name__)
zero = Pool(0)
print(zero.size, zero.free_count(), zero.full())
try:
    zero.add(gevent.Greenlet(lambda: None), blocking=False)
except PoolFull as exc:
    print("PoolFull", type(exc).__name__)
g = Group()
print(g.full(), g.wait_available(), len(g), bool(g))
