"""gevent's pytest plugin: load it with ``-p gevent.testkit.plugin`` or ``pytest_plugins``.

Fixtures ``fresh_hub``, ``mock_clock``, ``autojump_clock`` and ``virtual_hub``
(none autouse), the marker ``gevent_leak_check`` and the option
``--gevent-leak-check`` (docs/testing.md).
"""

from __future__ import annotations

from gevent._testkit._plugin import (
    autojump_clock,
    check_no_leaked_greenlets,
    fresh_hub,
    mock_clock,
    pytest_addoption,
    pytest_configure,
    pytest_runtest_call,
    virtual_hub,
)

__all__ = [
    "autojump_clock",
    "check_no_leaked_greenlets",
    "fresh_hub",
    "mock_clock",
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_call",
    "virtual_hub",
]
