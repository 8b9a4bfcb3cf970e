"""Channel.get from the hub with no putter waiting.

gevent tries to block there (even with block=False), which fails with
BlockingSwitchOutError; a Queue in the same place raises Empty.
"""
import gevent
from gevent.queue import Channel

ch = Channel()
log = []


def in_hub():
    for call in (ch.get, lambda: ch.get(block=False), lambda: ch.get(timeout=0.01)):
        try:
            log.append(("ok", call()))
        except Exception as exc:
            log.append(type(exc).__name__)


gevent.get_hub().exception_stream = None
gevent.get_hub().loop.run_callback(in_hub)
gevent.sleep(0.01)
print(log)
