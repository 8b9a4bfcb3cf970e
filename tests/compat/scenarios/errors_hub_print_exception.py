"""Hub.print_exception and handle_error called directly, with and without a context."""
import sys

import gevent

hub = gevent.get_hub()
try:
    raise ValueError("direct")
except ValueError:
    t, v, tb = sys.exc_info()
hub.print_exception(None, t, v, tb)
hub.print_exception("a string context", t, v, tb)
hub.print_exception({"a": [1, 2]}, t, v, None)
hub.handle_error(object.__new__(type("Ctx", (), {"__repr__": lambda s: "<Ctx>"})), t, v, tb)
hub.exception_stream = sys.stdout
hub.print_exception("to stdout", t, v, None)
hub.exception_stream = None
hub.print_exception("silenced", t, v, tb)
print("NOT_ERROR", [c.__name__ for c in hub.NOT_ERROR])
print("SYSTEM_ERROR", sorted(c.__name__ for c in hub.SYSTEM_ERROR))
