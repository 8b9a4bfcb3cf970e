"""with_timeout: returns timeout_value on its own timeout, else raises; passes args."""
import gevent
from gevent import Timeout, with_timeout


def slow(x, y=0):
    gevent.sleep(0.5)
    return x + y


def fast(x, y=0):
    return x + y


print(with_timeout(1, fast, 1, y=2))
print(with_timeout(0.01, slow, 1, timeout_value="fallback"))
print(with_timeout(0.01, slow, 1, timeout_value=None))
try:
    with_timeout(0.01, slow, 1)
except Timeout as exc:
    print("raised:", str(exc))

outer = Timeout(0.01)
outer.start()
try:
    with_timeout(1, slow, 1, timeout_value="inner")
except Timeout as exc:
    print("outer escapes:", exc is outer)
outer.close()
