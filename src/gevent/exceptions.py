"""Exceptions gevent raises, with the same types and hierarchy as gevent's."""

from __future__ import annotations

from typing import Any

from greenlet import GreenletExit

__all__ = ["LoopExit"]


class LoopExit(Exception):
    """Raised when a blocking call would wait forever: the loop has nothing left to run.

    The hub raises it in the greenlet that waited (usually the main greenlet).
    ``args`` is ``(message, hub, blocked)``; ``blocked`` lists the greenlets that
    are still waiting and on what, which is where a deadlock usually hides.
    """

    @property
    def hub(self) -> Any:
        return self.args[1] if len(self.args) >= 2 else None

    def __repr__(self) -> str:
        if len(self.args) == 3:
            msg, hub, blocked = self.args
            lines = [str(msg), f"\tHub: {hub!r}"]
            if blocked:
                lines.append("\tBlocked greenlets:")
                lines.extend(f"\t\t{entry}" for entry in blocked)
            else:
                lines.append("\tBlocked greenlets: none")
            return "\n".join(lines)
        return super().__repr__()

    def __str__(self) -> str:
        return repr(self) if len(self.args) == 3 else super().__str__()


class BlockingSwitchOutError(AssertionError):
    """A blocking call was made from inside the hub (a loop callback or rawlink)."""


class InvalidSwitchError(AssertionError):
    """A greenlet was switched into by something other than what it waited for."""


class ConcurrentObjectUseError(AssertionError):
    """Two greenlets used an object that only one may use at a time."""


class InvalidThreadUseError(RuntimeError):
    """An object bound to one native thread was used from another."""


class HubDestroyed(GreenletExit):
    """Thrown into a hub to make it exit; ``destroy_loop`` says whether to close the loop."""

    destroy_loop: bool

    def __init__(self, destroy_loop: bool) -> None:
        super().__init__(destroy_loop)
        self.destroy_loop = destroy_loop
