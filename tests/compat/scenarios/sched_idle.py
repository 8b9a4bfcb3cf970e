"""idle() waits until the busy sleep(0) loops are done."""
import gevent

log = []


def busy(name):
    for i in range(3):
        log.append(f"{name}{i}")
        gevent.sleep(0)


def idler():
    gevent.idle()
    log.append("idle")


gevent.joinall([gevent.spawn(idler), gevent.spawn(busy, "a"), gevent.spawn(busy, "b")])
print(log)
