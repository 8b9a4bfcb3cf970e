"""Called from the hub (a loop callback), put/get never block: hand off or raise."""
import gevent
from gevent.queue import Channel, Empty, Full, Queue

log = []
q = Queue(1)
ch = Channel()


def in_hub():
    for call in (q.get, lambda: q.put(1), lambda: q.put(2), q.get, q.get,
                 lambda: ch.put("c"), lambda: ch.put("c", block=False), q.peek):
        try:
            log.append(("ok", call()))
        except (Full, Empty) as exc:
            log.append(type(exc).__name__)


gevent.get_hub().loop.run_callback(in_hub)
gevent.sleep(0.01)
print(log)
log.clear()
waiting = gevent.spawn(ch.get)
gevent.sleep(0)
gevent.get_hub().loop.run_callback(lambda: log.append(ch.put("to getter", block=False)))
print(waiting.get(), log)
