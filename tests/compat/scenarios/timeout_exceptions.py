"""What a Timeout raises: itself for None/False/string, else the given class or instance."""
import gevent
from gevent import Timeout


def attempt(exception):
    t = Timeout(0.001, exception)
    t.start()
    try:
        gevent.sleep(1)
    except BaseException as exc:
        print(repr(exception), "->", type(exc).__name__, exc is t, exc is exception, str(exc))
    finally:
        t.close()


attempt(None)
attempt(False)
attempt("a string")
attempt(KeyError)
attempt(KeyError("instance"))
attempt(ValueError)
