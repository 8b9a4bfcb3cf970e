"""Name resolvers: the objects behind ``gevent.socket.getaddrinfo`` and friends.

Every resolver has the same five methods as the ``socket`` functions they stand
in for (``getaddrinfo``, ``gethostbyname``, ``gethostbyname_ex``,
``gethostbyaddr``, ``getnameinfo``) plus ``close``. ``AbstractResolver`` holds
the shared part; a concrete resolver only says *where* the native call runs, by
overriding ``_call(func, *args)``:

- ``gevent.resolver.thread.Resolver`` (the default) runs it in a native thread,
  so the hub's loop keeps going while the C library resolves;
- ``gevent.resolver.blocking.Resolver`` runs it right here, blocking the loop.

The hub creates its resolver lazily from ``gevent.config.resolver``.
"""

from __future__ import annotations

import _socket
import socket as _stdsocket
from collections.abc import Callable
from typing import Any

__all__: list[str] = []

hostname_types = (str, bytes)

_AddressFamily = _stdsocket.AddressFamily
_SocketKind = _stdsocket.SocketKind


def _as_enum(value: int, enum_class: Any) -> Any:
    try:
        return enum_class(value)
    except ValueError:
        return value


def native_getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
                       flags: int = 0) -> list[tuple[Any, Any, int, str, Any]]:
    """``_socket.getaddrinfo`` with the family and type turned into enums, as the stdlib does."""
    return [(_as_enum(af, _AddressFamily), _as_enum(kind, _SocketKind), pr, canon, sa)
            for af, kind, pr, canon, sa in _socket.getaddrinfo(host, port, family, type, proto,
                                                               flags)]


def _check_hostname(host: Any) -> None:
    if not isinstance(host, hostname_types):
        raise TypeError(f"str, bytes or bytearray expected, not {type(host).__name__}")


class AbstractResolver:
    """The resolver API on top of ``_call``, which subclasses define."""

    def __init__(self, hub: Any = None) -> None:
        if hub is None:
            from .._hub_local import get_hub_noargs

            hub = get_hub_noargs()
        self.hub = hub

    def _call(self, func: Callable[..., Any], *args: Any) -> Any:
        raise NotImplementedError

    def getaddrinfo(self, host: Any, port: Any, family: int = 0, socktype: int = 0,
                    proto: int = 0, flags: int = 0) -> Any:
        return self._call(native_getaddrinfo, host, port, family, socktype, proto, flags)

    def gethostbyname(self, hostname: Any, family: int = _socket.AF_INET) -> Any:
        _check_hostname(hostname)
        return self._call(_socket.gethostbyname, hostname)

    def gethostbyname_ex(self, hostname: Any, family: int = _socket.AF_INET) -> Any:
        _check_hostname(hostname)
        return self._call(_socket.gethostbyname_ex, hostname)

    def gethostbyaddr(self, ip_address: Any) -> Any:
        _check_hostname(ip_address)
        return self._call(_socket.gethostbyaddr, ip_address)

    def getnameinfo(self, sockaddr: Any, flags: int) -> Any:
        return self._call(_socket.getnameinfo, sockaddr, flags)

    def close(self) -> None:
        """Release what the resolver holds; it must not be used afterwards."""

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} at {id(self):#x} hub={self.hub!r}>"
