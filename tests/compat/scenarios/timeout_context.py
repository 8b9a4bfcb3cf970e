"""Context manager: only exception=False and this very timeout is suppressed; nesting."""
import gevent
from gevent import Timeout

with Timeout(0.01, False):
    gevent.sleep(1)
print("False suppressed")
try:
    with Timeout(0.01):
        gevent.sleep(1)
except Timeout as exc:
    print("not suppressed:", exc)
try:
    with Timeout(0.01, KeyError):
        gevent.sleep(1)
except KeyError:
    print("KeyError escaped")

outer = Timeout(0.01)
outer.start()
try:
    with Timeout(1, False):
        gevent.sleep(2)
    print("inner finished?")
except Timeout as exc:
    print("outer passes through inner:", exc is outer)
finally:
    outer.close()

try:
    with Timeout(1) as t1:
        with Timeout(0.01) as t2:
            gevent.sleep(2)
except Timeout as exc:
    print("inner fires first:", exc is t2, exc is t1, t1.pending, t2.pending)

with Timeout(0.5, False) as pre:
    print("entered", pre.pending)
print("left", pre.pending)
t = Timeout(0.5)
t.start()
with t:
    print("already pending ok", t.pending)
print(t.pending)
