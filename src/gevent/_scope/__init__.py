"""Structured concurrency: cancel scopes, deadlines and task groups (docs/structured.md)."""

from __future__ import annotations

from ._cancel import (
    Cancelled,
    CancelScope,
    current_time,
    fail_after,
    fail_at,
    move_on_after,
    move_on_at,
)
from ._taskgroup import TaskGreenlet, TaskGroup

__all__ = [
    "CancelScope",
    "Cancelled",
    "TaskGreenlet",
    "TaskGroup",
    "current_time",
    "fail_after",
    "fail_at",
    "move_on_after",
    "move_on_at",
]
