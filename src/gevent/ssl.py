"""Cooperative TLS: the standard ``ssl`` module, with green sockets.

``gevent.ssl`` re-exports every name of the standard library's ``ssl`` module
(``__imports__``) and replaces the ones in ``__implements__`` with versions
whose sockets block only the calling greenlet; ``monkey.patch_ssl`` copies
exactly those onto ``ssl``. ``create_default_context`` is also ours, so that
it returns a green context without monkey patching; ``orig_SSLContext`` is the
standard library's class.

The implementation is in ``gevent._io._ssl``.
"""

from __future__ import annotations

import ssl as __ssl__
from typing import Any

from ._io._ssl import (
    SSLContext,
    SSLSocket,
    create_default_context,
    get_server_certificate,
    orig_SSLContext,
    wrap_socket,
)
from .socket import socket

__implements__ = ["SSLContext", "SSLSocket", "get_server_certificate", "wrap_socket"]
__extensions__: list[str] = []
if not hasattr(__ssl__, "wrap_socket"):
    # Gone from the standard library in 3.12; ours stays, as in gevent.
    __implements__.remove("wrap_socket")
    __extensions__.append("wrap_socket")

# Every other stdlib name, private ones included (other stdlib modules reach
# for ``ssl._create_default_https_context`` and friends), copied as is.
# ``create_default_context`` is ours too (it hands out green contexts even
# unpatched) but is not patched over the stdlib's, which ours builds on.
_ours = {"create_default_context", "socket"}
__imports__ = [name for name in dir(__ssl__)
               if not name.startswith("__") and name not in __implements__
               and name not in _ours]

_globals = globals()
for _name in __imports__:
    if _name not in _ours:
        _globals[_name] = getattr(__ssl__, _name)
del _name, _globals, _ours

__all__ = __implements__ + __imports__ + __extensions__

_: Any = (SSLContext, SSLSocket, create_default_context, get_server_certificate,
          orig_SSLContext, wrap_socket, socket)
