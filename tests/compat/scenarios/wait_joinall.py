"""joinall: readiness order, timeout, count, raise_error."""
import gevent

gevent.get_hub().exception_stream = None


def sleeper(n, fail=False):
    gevent.sleep(n)
    if fail:
        raise ValueError(f"failed after {n}")
    return n


g1 = gevent.spawn(sleeper, 0.05)
g2 = gevent.spawn(sleeper, 0, True)
g3 = gevent.spawn(sleeper, 1)
names = {g1: "g1", g2: "g2", g3: "g3"}
print([names[g] for g in gevent.joinall([g1, g2, g3], timeout=0.2)])
print(g3.dead)
g3.kill()

a = [gevent.spawn(sleeper, n) for n in (0.06, 0.02, 0.04, 0.5)]
print([g.value for g in gevent.joinall(a, count=2)])
print([g.value for g in gevent.joinall(a, count=2)])
a[-1].kill()

b = [gevent.spawn(sleeper, 0.02), gevent.spawn(sleeper, 0.01, True), gevent.spawn(sleeper, 0, True)]
try:
    gevent.joinall(b, raise_error=True)
except ValueError as exc:
    print("raised", exc)
print(gevent.joinall([]))
