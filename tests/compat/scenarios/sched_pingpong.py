"""Two greenlets that alternate sleep(0) strictly ping-pong; negative sleep is like 0."""
import gevent

log = []


def player(tag, delay):
    for i in range(4):
        log.append(f"{tag}{i}")
        gevent.sleep(delay)


gevent.joinall([gevent.spawn(player, "x", 0), gevent.spawn(player, "y", -1)])
print(" ".join(log))
