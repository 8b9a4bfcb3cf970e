"""get() returns or re-raises with the original traceback; join() returns None, even on timeout."""
import traceback

import gevent


def slow():
    gevent.sleep(0.5)


def boom(n):
    return 1 / n


s = gevent.spawn(slow)
print("join timeout:", s.join(timeout=0.01), s.dead)
try:
    s.get(block=False)
except gevent.Timeout as exc:
    print("get(block=False):", type(exc).__name__, repr(str(exc)), exc.seconds)
try:
    s.get(timeout=0.01)
except gevent.Timeout as exc:
    print("get(timeout):", type(exc).__name__, repr(str(exc)))
s.kill()

gevent.get_hub().exception_stream = None
b = gevent.spawn(boom, 0)
print("join:", b.join())
try:
    b.get()
except ZeroDivisionError:
    traceback.print_exc(file=__import__("sys").stdout)
print(gevent.spawn(boom, 4).get())
