"""Timeout repr in its various configurations."""
from gevent import Timeout

for args in [(), (1,), (2, False), (0.5, "msg"), (3, KeyError), (4, KeyError("k"))]:
    print(repr(Timeout(*args)))
t = Timeout(1)
t.start()
print(repr(t))
t.close()
