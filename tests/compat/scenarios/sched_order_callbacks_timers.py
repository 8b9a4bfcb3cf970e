"""sleep(0) resumes after queued callbacks but before timers; then timers by deadline."""
import gevent

order = []
hub = gevent.get_hub()
hub.loop.run_callback(order.append, "run_callback")
gevent.spawn(order.append, "spawn")
gevent.spawn_later(0, order.append, "spawn_later(0)")
timer = hub.loop.timer(0)
timer.start(order.append, "timer(0)")
gevent.sleep(0)
order.append("main-after-sleep0")
gevent.sleep(0.01)
order.append("main-after-sleep0.01")
print(order)
