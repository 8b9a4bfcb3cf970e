"""``RLock``: a re-entrant lock owned by a greenlet."""

from __future__ import annotations

from typing import Any

from greenlet import getcurrent

from ._semaphore import Semaphore

__all__ = ["RLock"]


class RLock:
    """A lock the owning greenlet may acquire again; it must release it as often.

    Implements the private hooks ``threading.Condition`` relies on
    (``_is_owned``, ``_release_save``, ``_acquire_restore``).
    """

    __slots__ = ("__weakref__", "_block", "_count", "_owner")

    def __init__(self, hub: Any = None) -> None:
        self._block = Semaphore(1, hub)
        self._owner: Any = None
        self._count = 0

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} at {id(self):#x} _block={self._block} "
                f"_count={self._count!r} _owner={self._owner!r})>")

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> Any:
        """Acquire; re-entry by the owner returns 1 at once."""
        me = getcurrent()
        if self._owner is me:
            self._count += 1
            return 1
        rc = self._block.acquire(blocking, timeout)
        if rc:
            self._owner = me
            self._count = 1
        return rc

    __enter__ = acquire

    def release(self) -> None:
        """Release once; the lock is free when the owner has released every acquire."""
        if self._owner is not getcurrent():
            raise RuntimeError(
                f"cannot release un-acquired lock. Owner: {self._owner!r} "
                f"Current: {getcurrent()!r}")
        self._count -= 1
        if not self._count:
            self._owner = None
            self._block.release()

    def __exit__(self, t: Any, v: Any, tb: Any) -> None:
        if self._owner is not getcurrent():
            self.release()  # raises
        self._count -= 1
        if not self._count:
            self._owner = None
            self._block.release()

    def locked(self) -> bool:
        return self._block.locked()

    def _is_owned(self) -> bool:
        return self._owner is getcurrent()

    def _release_save(self) -> tuple[int, Any]:
        count, owner = self._count, self._owner
        self._count = 0
        self._owner = None
        self._block.release()
        return (count, owner)

    def _acquire_restore(self, state: tuple[int, Any]) -> None:
        self._block.acquire()
        self._count, self._owner = state

    def _at_fork_reinit(self) -> None:
        self._block._at_fork_reinit()
        self._block.counter = 1
        self._owner = None
        self._count = 0
