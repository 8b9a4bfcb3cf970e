"""AsyncResult's concurrent.futures-style methods and use as a link target."""
import gevent
from gevent.event import AsyncResult

r = AsyncResult()
print(r.done(), r.cancel(), r.cancelled())
try:
    r.result(timeout=0.01)
except gevent.Timeout:
    print("result timeout")
r.set_result("res")
print(r.done(), r.result(), r.result(1), r.cancel(), r.cancelled())
x = AsyncResult()
x.set_exception(ValueError("v"))
try:
    x.result()
except ValueError as exc:
    print("result raises", exc)
print(x.exception.__class__.__name__, x.done())

ok = AsyncResult()
g = gevent.spawn(lambda: "from greenlet")
g.link(ok)
print(ok.get())
bad = AsyncResult()
gevent.get_hub().exception_stream = None
b = gevent.spawn(lambda: 1 / 0)
b.link(bad)
try:
    bad.get()
except ZeroDivisionError as exc:
    print("linked failure:", exc)
print(bad.successful(), bad.ready())
