"""A greenlet that swallows the kill: kill(timeout) returns quietly; it keeps running."""
import gevent

log = []


def stubborn():
    for i in range(3):
        try:
            gevent.sleep(0.05)
        except gevent.GreenletExit:
            log.append(f"ignored {i}")
    log.append("finished")
    return "done"


g = gevent.spawn(stubborn)
gevent.sleep(0)
print(g.kill(timeout=0.01), g.dead, log)
g.join()
print(g.dead, g.value, log)

done = gevent.spawn(lambda: 5)
done.join()
print(done.kill(), done.value)
