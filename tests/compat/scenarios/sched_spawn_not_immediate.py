"""spawn() queues the greenlet; it runs only once the spawner blocks, in spawn order."""
import gevent

ran = []
greenlets = [gevent.spawn(ran.append, i) for i in range(5)]
print("before sleep:", ran)
gevent.sleep(0)
print("after sleep:", ran)
print([g.dead for g in greenlets])
