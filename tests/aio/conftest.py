"""Every test of the asyncio bridge leaves no background asyncio loop behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gevent._hub_local import get_hub_if_exists
from gevent.asyncio import close_background


@pytest.fixture(autouse=True)
def no_background_loop() -> Iterator[None]:
    yield
    hub = get_hub_if_exists()
    if hub is not None and not hub.dead:
        close_background(hub)
