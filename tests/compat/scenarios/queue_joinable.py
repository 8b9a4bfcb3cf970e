"""task_done/join/unfinished_tasks; too many task_done; join timeout."""
import gevent
from gevent.queue import JoinableQueue, Queue, SimpleQueue

q = Queue()
print(q.unfinished_tasks, q.join(timeout=0.01))
for i in range(3):
    q.put(i)
print(q.unfinished_tasks, q.join(timeout=0.01))
done = []


def worker():
    while True:
        item = q.get()
        gevent.sleep(0.001)
        done.append(item)
        q.task_done()


w = gevent.spawn(worker)
print(q.join(), done, q.unfinished_tasks)
w.kill()
try:
    q.task_done()
except ValueError as exc:
    print("ValueError:", exc)
print(Queue(items=[1, 2]).unfinished_tasks, Queue(items=[1], unfinished_tasks=5).unfinished_tasks)
print(JoinableQueue is Queue, hasattr(SimpleQueue(), "task_done"), hasattr(SimpleQueue(), "join"))
