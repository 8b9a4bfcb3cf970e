"""Timeout raising itself, with seconds=None, seconds=0, and its str/repr."""
import gevent
from gevent import Timeout

t = Timeout(0.01)
print(t.pending, t.seconds, t.exception)
t.start()
print(t.pending)
try:
    gevent.sleep(1)
except Timeout as exc:
    print("raised itself:", exc is t, t.pending, str(exc))
t.close()

with Timeout(None) as never:
    gevent.sleep(0.01)
print("None never fires:", never.pending, str(never))
try:
    with Timeout(0):
        gevent.sleep(0.01)
except Timeout as exc:
    print("zero:", str(exc))
for args in [(0.01,), (1,), (2, False), (0.01, "a string"), (None,), (3, KeyError),
             (3, KeyError("k")), (1.5, None)]:
    print(repr(str(Timeout(*args))))
print(Timeout(0) < 1, Timeout(2) < 1, Timeout(0.5) < 1)
print(issubclass(Timeout, BaseException), issubclass(Timeout, Exception))
