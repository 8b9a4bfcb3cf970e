"""start/cancel/close/pending, restarting, double start, start_new identity."""
import gevent
from gevent import Timeout

t = Timeout(0.01)
t.start()
try:
    t.start()
except AssertionError as exc:
    print("double start:", type(exc).__name__)
t.cancel()
print("cancelled:", t.pending)
gevent.sleep(0.02)
print("no fire after cancel")
t.start()
print("restarted:", t.pending)
try:
    gevent.sleep(1)
except Timeout as exc:
    print("fired:", exc is t)
t.close()
print(t.pending)

n = Timeout.start_new(0.01)
print(type(n).__name__, n.pending)
try:
    gevent.sleep(1)
except Timeout as exc:
    print("start_new raised same:", exc is n)
n.close()
existing = Timeout(0.01)
same = Timeout.start_new(existing)
print("start_new of instance:", same is existing, existing.pending)
existing.close()
pending = Timeout(1)
pending.start()
print(Timeout.start_new(pending) is pending)
pending.close()
f = Timeout.start_new(0.01, KeyError("x"))
try:
    gevent.sleep(1)
except KeyError as exc:
    print("start_new exception:", repr(exc))
f.close()
