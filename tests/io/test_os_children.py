"""gevent.os child watching across a destroyed hub."""

from __future__ import annotations

from helpers import run_python


def test_waitpid_after_the_watching_hub_was_destroyed() -> None:
    # Regression: the child's entry still pointed at the destroyed loop, so
    # waitpid waited on an event that loop would never set.
    out = run_python("""
        import os, time
        import gevent, gevent.os as gos
        from gevent.hub import get_hub

        pid = gos.fork_and_watch()
        if pid == 0:
            time.sleep(0.1)
            os._exit(7)
        get_hub().destroy(destroy_loop=True)
        ticks = []
        gevent.spawn(lambda: [ticks.append(gevent.sleep(0.01)) for _ in range(3)])
        with gevent.Timeout(10):
            wpid, status = gos.waitpid(pid, 0)
        print(wpid == pid, os.waitstatus_to_exitcode(status), len(ticks) > 0)
    """)
    assert out.split() == ["True", "7", "True"]
