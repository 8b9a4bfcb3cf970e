"""A SystemExit/KeyboardInterrupt in a greenlet is re-raised in the main greenlet at once."""
import gevent

log = []


def quit_(code):
    log.append("quit")
    raise SystemExit(code)


def interrupt():
    log.append("interrupt")
    raise KeyboardInterrupt


def bystander():
    log.append("bystander")


for func, args in ((quit_, (4,)), (interrupt, ())):
    g = gevent.spawn(func, *args)
    other = gevent.spawn(bystander)
    try:
        gevent.sleep(0.01)
        print("not raised")
    except BaseException as exc:
        print("main got", type(exc).__name__, exc.args, g.dead, other.dead, log)
    gevent.sleep(0.01)
    print("later", g.dead, other.dead, log, repr(g.exception), repr(g.value))
    log.clear()

try:
    gevent.get_hub().handle_error(None, ValueError, ValueError("ctx none"), None)
except ValueError as exc:
    print("context None re-raised:", exc)
