"""Two asyncio callbacks scheduling each other with ``call_soon``, N hops in all.

One loop iteration per hop, each with an empty poll: the per-iteration overhead
of the loop. ``time_s`` is gevent.asyncio.EventLoop's (median of the rounds);
``stock_time_s`` is the standard selector loop's in the same process, and
``ratio_vs_stock`` the quotient (goal: at most 1.5).
"""

from __future__ import annotations

import asyncio

from _benchlib import emit, size, unavailable

BENCH = "asyncio_pingpong"


def pingpong(loop: asyncio.AbstractEventLoop, n: int) -> None:
    done = loop.create_future()
    count = 0

    def ping() -> None:
        nonlocal count
        count += 1
        if count >= n:
            done.set_result(count)
        else:
            loop.call_soon(pong)

    def pong() -> None:
        loop.call_soon(ping)

    loop.call_soon(ping)
    assert loop.run_until_complete(done) == n


def main() -> None:
    n = size(200_000)
    try:
        from gevent.asyncio import EventLoop
    except ImportError as exc:
        unavailable(BENCH, n, exc)
    from _aiolib import compare

    result = compare(pingpong, n, EventLoop)
    emit(BENCH, n, us_per_hop=result["time_s"] / (2 * n) * 1e6, **result)


if __name__ == "__main__":
    main()
