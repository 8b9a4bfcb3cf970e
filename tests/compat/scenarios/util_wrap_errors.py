"""gevent.util.wrap_errors returns listed exceptions instead of raising them."""
from gevent.util import wrap_errors


def divide(a, b):
    return a / b


safe = wrap_errors(ZeroDivisionError, divide)
print(safe(6, 3), repr(safe(1, 0)))
multi = wrap_errors((ZeroDivisionError, TypeError), divide)
print(repr(multi(1, "x")), repr(multi(1, 0)))
try:
    wrap_errors(KeyError, divide)(1, 0)
except ZeroDivisionError:
    print("unlisted raises")
print(str(safe) == str(divide), repr(safe) == repr(divide))
print(safe.__name__ if hasattr(safe, "__name__") else "no __name__")
print(wrap_errors(KeyError, lambda **kw: kw)(a=1))
