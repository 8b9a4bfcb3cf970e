"""wait() with nothing scheduled is True; a sleep(ref=False) does not keep it waiting."""
import gevent

print("empty wait:", gevent.wait())
log = []


def sleeper():
    gevent.sleep(30, ref=False)
    log.append("woke")


g = gevent.spawn(sleeper)
print("wait:", gevent.wait(timeout=5))
print(log, g.dead, bool(g))
busy = gevent.spawn(gevent.sleep, 1)
print("wait timeout:", gevent.wait(timeout=0.01), busy.dead)
busy.kill()
