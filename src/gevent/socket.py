"""Cooperative sockets: the standard ``socket`` module, with green blocking calls.

``gevent.socket`` re-exports everything public in the standard library's
``socket`` module (``__imports__``), replaces the names in ``__implements__``
with cooperative versions (``monkey.patch_socket`` copies exactly those), and
adds ``wait_read``/``wait_write``/``wait_readwrite``/``cancel_wait``
(``__extensions__``). ``__dns__`` lists the name-resolution functions, which go
through the hub's resolver.

The implementation is in ``gevent._io._socket`` (the class) and
``gevent._io._socketcommon`` (waiting and resolving).
"""

from __future__ import annotations

import socket as __socket__

# The errno names gevent's socket module has always carried (not in __all__).
from errno import (  # noqa: F401
    EAGAIN,
    EALREADY,
    EBADF,
    ECONNREFUSED,
    EHOSTUNREACH,
    EINPROGRESS,
    EINVAL,
    EISCONN,
    EWOULDBLOCK,
)
from socket import _GLOBAL_DEFAULT_TIMEOUT, SocketIO  # type: ignore[attr-defined]
from typing import Any

from ._io._socket import SocketType, create_server, fromfd, socket, socketpair
from ._io._socketcommon import (
    cancel_wait,
    cancel_wait_ex,
    connect_first,
    getaddrinfo,
    getfqdn,
    gethostbyaddr,
    gethostbyname,
    gethostbyname_ex,
    getnameinfo,
    wait,
    wait_read,
    wait_readwrite,
    wait_write,
)
from .timeout import Timeout

__implements__ = ["create_connection", "create_server", "socket", "SocketType", "fromfd",
                  "socketpair",
                  "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
                  "getnameinfo", "getfqdn"]
__dns__ = ["getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo",
           "getfqdn"]
__extensions__ = ["cancel_wait", "wait_read", "wait_write", "wait_readwrite"]

# Everything else public in the stdlib module, copied as is. (``create_server``
# is ours, so it is implemented here; gevent re-exports the stdlib's, which makes
# blocking sockets unless socket is patched.) CAPI, the C-level capsule, is left
# out, as gevent does.
__imports__ = [name for name in __socket__.__all__
               if name not in __implements__ and name not in __extensions__
               and name != "CAPI"]



def create_connection(address: Any, timeout: Any = _GLOBAL_DEFAULT_TIMEOUT,
                      source_address: Any = None, *, all_errors: bool = False) -> Any:
    """Connect to ``(host, port)``, trying each address the resolver returns in turn.

    Like ``socket.create_connection``. It uses this module's ``getaddrinfo`` and
    ``socket`` as they are at call time, so replacing them here works.
    """
    return connect_first(address, timeout, source_address, all_errors, getaddrinfo, socket)


_globals = globals()
for _name in __imports__:
    if _name not in _globals and hasattr(__socket__, _name):
        _globals[_name] = getattr(__socket__, _name)
__imports__ = [name for name in __imports__ if name in _globals]
del _name

__all__ = __implements__ + __extensions__ + __imports__

_: Any = (SocketIO, _GLOBAL_DEFAULT_TIMEOUT, Timeout, wait, cancel_wait_ex, SocketType, socket,
          create_server, fromfd, socketpair, create_connection, getaddrinfo, getfqdn,
          gethostbyaddr, gethostbyname, gethostbyname_ex, getnameinfo, cancel_wait, wait_read,
          wait_readwrite, wait_write)
