"""gevent.local details beyond the main local tests."""

from __future__ import annotations

from gevent.hub import Hub


def test_isinstance_from_another_greenlet_does_not_create_its_data(virtual_hub: Hub) -> None:
    # Regression: isinstance() reads __class__, which re-ran the subclass
    # __init__ for the asking greenlet (GreenletTree then showed phantom locals).
    import gevent
    from gevent.local import all_local_dicts_for_greenlet, local

    class Mine(local):
        def __init__(self, foo: int) -> None:
            self.foo = foo

    mine = Mine(42)
    g = gevent.spawn(lambda: isinstance(mine, Mine))
    assert g.get() is True
    assert all_local_dicts_for_greenlet(g) == []
