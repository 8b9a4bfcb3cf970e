"""map/imap keep input order; imap_unordered gives completion order; errors in imap."""
import gevent
from gevent.pool import Group, Pool


def slow(i):
    gevent.sleep(0.01 * (5 - i))
    return i


def add(a, b):
    return a + b


p = Pool(2)
print(p.map(slow, range(5)))
print(list(p.imap(slow, range(5))))
print(list(Pool(5).imap_unordered(slow, range(5))))
print(list(p.imap(add, [1, 2, 3], [10, 20, 30])))
print(sorted(p.imap_unordered(add, [1, 2], [5, 6])))
print(Group().map(slow, [3, 4]))


def fail_on_two(i):
    if i == 2:
        raise ValueError(f"bad {i}")
    return i


gevent.get_hub().exception_stream = None
seen = []
try:
    for x in p.imap(fail_on_two, range(5)):
        seen.append(x)
except ValueError as exc:
    print("imap raised at index 2:", seen, exc)
try:
    p.map(fail_on_two, range(4))
except ValueError as exc:
    print("map raised", exc)


def timed(i):
    gevent.sleep((0.06, 0.02, 0.06, 0.01)[i])
    return i


# The consumer gives its slot back when it asks for the next result, so a
# second call runs while it waits: 1 and 0 come first, then 3 overtakes 2.
print(list(p.imap_unordered(timed, range(4), maxsize=1)))
