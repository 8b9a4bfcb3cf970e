"""killall: unstarted cancelled, running killed, survivors with timeout raise Timeout."""
import gevent

log = []


def worker(name, stubborn=False):
    log.append(name + " ran")
    while True:
        try:
            gevent.sleep(0.5)
            return
        except gevent.GreenletExit:
            log.append(name + " killed")
            if not stubborn:
                raise


running = [gevent.spawn(worker, "r1"), gevent.spawn(worker, "r2")]
gevent.sleep(0)
unstarted = gevent.spawn(worker, "u")
print(gevent.killall([*running, unstarted]))
print(log, [g.dead for g in running], unstarted.dead, type(unstarted.value).__name__)
log.clear()

tough = gevent.spawn(worker, "tough", True)
gevent.sleep(0)
try:
    gevent.killall([tough], timeout=0.01)
except gevent.Timeout as exc:
    print("Timeout", str(exc))
print(tough.dead, log)
log.clear()

nb = [gevent.spawn(worker, "nb")]
gevent.sleep(0)
print(gevent.killall(nb, block=False), nb[0].dead)
gevent.sleep(0)
print(nb[0].dead, log)
gevent.killall([tough], KeyError)
print(tough.dead, type(tough.exception).__name__)
