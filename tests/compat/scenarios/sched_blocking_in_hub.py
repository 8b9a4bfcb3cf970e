"""Blocking from a loop callback raises BlockingSwitchOutError."""
import gevent
from gevent.exceptions import BlockingSwitchOutError

result = []


def cb():
    try:
        gevent.sleep(0.01)
    except BlockingSwitchOutError as exc:
        result.append((type(exc).__name__, str(exc), isinstance(exc, AssertionError)))


gevent.get_hub().loop.run_callback(cb)
gevent.sleep(0.02)
print(result)
