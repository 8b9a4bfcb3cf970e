"""AsyncResult: get/wait/get_nowait, set_exception, value/exception/exc_info, links."""
import gevent
from gevent.event import AsyncResult

r = AsyncResult()
print(r.ready(), r.successful(), r.value, r.exception, r.exc_info)
for call in (lambda: r.get(block=False), lambda: r.get_nowait(), lambda: r.get(timeout=0.01)):
    try:
        call()
    except gevent.Timeout as exc:
        print("Timeout", repr(str(exc)))
print("wait timeout:", r.wait(0.01))
gevent.spawn_later(0.01, r.set, 42)
print(r.get(), r.get(block=False), r.wait(), r.ready(), r.successful(), r.value)
print(r.exception, r.exc_info)

e = AsyncResult()
e.set_exception(KeyError("bad"))
print(e.ready(), e.successful(), repr(e.exception), e.value, e.wait())
try:
    e.get()
except KeyError as exc:
    print("raised", repr(exc))
try:
    raise IndexError("with info")
except IndexError as exc:
    import sys

    i = AsyncResult()
    i.set_exception(exc, sys.exc_info())
print(repr(i.exception), i.exc_info[0].__name__)
try:
    i.get()
except IndexError:
    import traceback

    traceback.print_exc(file=sys.stdout)

waiters = []


def getter(name):
    try:
        waiters.append((name, w.get()))
    except Exception as exc:
        waiters.append((name, repr(exc)))


w = AsyncResult()
gs = [gevent.spawn(getter, n) for n in "xyz"]
gevent.sleep(0)
w.set("v")
gevent.joinall(gs)
print(waiters)
s = AsyncResult()
s.set()
print(s.get(), s.successful())
