"""Environ classes and log adapters for ``gevent.pywsgi``.

Small value types with no I/O: the environ dict subclasses (one of which
hides its values from reprs, so error reports do not leak secrets), the
adapter that lets a ``logging.Logger`` serve as a file-like log, and the
HTTP date format.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from email.utils import formatdate
from typing import Any

__all__ = ["Environ", "LoggingLogAdapter", "SecureEnviron", "WSGISecureEnviron", "_NoopLog",
           "format_date_time", "http_date_now"]


def format_date_time(timestamp: float) -> str:
    """An HTTP date (RFC 9110 5.6.7) for ``timestamp``."""
    return formatdate(timestamp, usegmt=True)


class _DateCache:
    # (whole second, its date). One tuple, swapped whole, so native threads
    # sharing it can at worst format the same second twice.
    current: tuple[int, str] = (0, "")


def http_date_now() -> str:
    """The Date header for now: one-second resolution, formatted once per second
    (``formatdate`` costs more than a microsecond, on every response)."""
    now = int(time.time())
    second, date = _DateCache.current
    if second != now:
        date = format_date_time(now)
        _DateCache.current = (now, date)
    return date


class _NoopLog:
    """A log that discards everything (``log=None``)."""

    def write(self, *args: Any, **kwargs: Any) -> None:
        pass

    def flush(self) -> None:
        pass

    def writelines(self, *args: Any, **kwargs: Any) -> None:
        pass


class LoggingLogAdapter:
    """Makes a ``logging.Logger`` usable where a file-like log is expected.

    ``write`` logs one message at ``level`` (without its trailing newline).
    Every other attribute, read or set, is the logger's.
    """

    def __init__(self, logger: Any, level: int = 20) -> None:
        object.__setattr__(self, "_logger", logger)
        object.__setattr__(self, "_level", level)

    def write(self, msg: str) -> None:
        if msg and msg.endswith("\n"):
            msg = msg[:-1]
        self._logger.log(self._level, msg)

    def flush(self) -> None:
        """Nothing is buffered."""

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._logger, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in LoggingLogAdapter.__dict__:
            setattr(self._logger, name, value)
        else:
            object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._logger, name)


# ------------------------------------------------------------------ environ


class Environ(dict):  # type: ignore[type-arg]
    """The WSGI environ: a dict whose ``copy()`` keeps the class.

    Pickling and ``copy.copy`` produce a plain dict, so nothing outside
    needs to know this class.
    """

    __slots__ = ()

    def copy(self) -> Any:
        return self.__class__(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (dict, (), None, None, iter(self.items()))


class SecureEnviron(Environ):
    """An environ whose repr does not show its values (they may be secrets).

    ``secure_repr`` (default ``default_secure_repr``) turns masking on;
    ``whitelist_keys`` names keys shown anyway; ``print_masked_keys`` shows
    the other keys with a masked value instead of only counting them. Each
    can be set per instance or, through the ``default_*`` names, per class.
    """

    default_secure_repr = True
    default_whitelist_keys: tuple[str, ...] = ()
    default_print_masked_keys = True

    __slots__ = ("print_masked_keys", "secure_repr", "whitelist_keys")

    def __getattr__(self, name: str) -> Any:
        # An unset slot lands here: fall back to the class-wide default.
        if name in SecureEnviron.__slots__:
            return getattr(type(self), "default_" + name)
        raise AttributeError(name)

    def __repr__(self) -> str:
        if not self.secure_repr:
            return dict.__repr__(self)
        whitelist = self.whitelist_keys
        if not whitelist:
            return f"<pywsgi.{type(self).__name__} dict (keys: {len(self)}) at {id(self):#x}>"
        shown = {}
        hidden = 0
        for key, value in self.items():
            if key in whitelist:
                shown[key] = value
            elif self.print_masked_keys:
                shown[key] = "<MASKED>"
            else:
                hidden += 1
        text = repr(shown)
        if hidden:
            text = text[:-1] + (", " if shown else "") + f"(hidden keys: {hidden})}}"
        return text

    __str__ = __repr__


class WSGISecureEnviron(SecureEnviron):
    """The environ given to error reports: only the client and host are shown."""

    __slots__ = ()
    default_whitelist_keys = ("REMOTE_ADDR", "REMOTE_PORT", "HTTP_HOST")
    default_print_masked_keys = False
