"""Module-level pieces of ``gevent.socket``: waiting on descriptors, and name resolution.

Theory of operation
-------------------
Every green socket operation is "try the non-blocking system call; on
``EWOULDBLOCK`` wait for the descriptor and try again". The waiting half lives
here as ``wait(watcher, timeout, timeout_exc)``: it starts a ``Timeout`` (when a
timeout is given) and then parks the greenlet in ``Hub.wait(watcher)``, the one
blocking seam of the package. ``cancel_wait`` is the other direction: it makes
a greenlet parked on a watcher raise, which is how closing a socket wakes its
readers and writers instead of leaving them hanging forever.

Name resolution never calls the C library from the hub's thread: the DNS
functions ask ``get_hub().resolver``, which by default runs the native call in a
worker thread (``gevent.resolver.thread``).
"""

from __future__ import annotations

import socket as __socket__
from collections.abc import Callable
from errno import EBADF
from typing import Any

from .._hub_local import get_hub_noargs as get_hub
from ..exceptions import ConcurrentObjectUseError
from ..timeout import Timeout

__all__ = ["cancel_wait", "cancel_wait_ex", "connect_first", "getaddrinfo", "getfqdn",
           "gethostbyaddr", "gethostbyname", "gethostbyname_ex", "getnameinfo", "wait",
           "wait_read", "wait_readwrite", "wait_write"]

# The stdlib module, captured before anything could patch it: gevent.monkey
# imports this module before it touches ``socket``.
_socket_error = __socket__.error
_GLOBAL_DEFAULT_TIMEOUT = __socket__._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]
AF_INET = __socket__.AF_INET
AF_INET6 = __socket__.AF_INET6
AF_UNSPEC = __socket__.AF_UNSPEC
SOCK_STREAM = __socket__.SOCK_STREAM

# The C-level functions, unaffected by monkey patching of the ``socket`` module.
_native_inet_pton = getattr(__socket__, "inet_pton", None)


class cancel_wait_ex(_socket_error):
    """What a greenlet waiting on a socket gets when another greenlet closes it."""

    def __init__(self) -> None:
        super().__init__(EBADF, "File descriptor was closed in another greenlet")


class _TimedOutSentinel:
    """Marks "use the default ``socket.timeout('timed out')``" in signatures."""

    def __repr__(self) -> str:
        return "<default value>"


_DEFAULT_TIMEOUT_EXC: Any = _TimedOutSentinel()


def _timeout_error() -> BaseException:
    return TimeoutError("timed out")


# ------------------------------------------------------------------- waiting


def wait(io: Any, timeout: float | None = None, timeout_exc: Any = _DEFAULT_TIMEOUT_EXC,
         hub: Any = None) -> Any:
    """Block the current greenlet until the (not started) watcher ``io`` fires.

    Raises ``timeout_exc`` (by default ``socket.timeout('timed out')``) when
    ``timeout`` seconds pass first, and ``ConcurrentObjectUseError`` when some
    other greenlet is already waiting on ``io``.
    """
    if io.callback is not None:
        raise ConcurrentObjectUseError(
            f"This socket is already used by another greenlet: {io.callback!r}")
    if timeout_exc is _DEFAULT_TIMEOUT_EXC:
        timeout_exc = _timeout_error() if timeout is not None else None
    timer = Timeout._start_new_or_dummy(timeout, timeout_exc)
    try:
        return (hub if hub is not None else get_hub()).wait(io)
    finally:
        timer.close()


def _wait_fd(fileno: int, events: int, timeout: float | None, timeout_exc: Any) -> Any:
    hub = get_hub()
    io = hub.loop.io(fileno, events)
    try:
        return wait(io, timeout, timeout_exc, hub)
    finally:
        io.close()


def wait_read(fileno: int, timeout: float | None = None,
              timeout_exc: Any = _DEFAULT_TIMEOUT_EXC) -> Any:
    """Block the current greenlet until ``fileno`` is readable (or ``timeout`` passes)."""
    return _wait_fd(fileno, 1, timeout, timeout_exc)


def wait_write(fileno: int, timeout: float | None = None,
               timeout_exc: Any = _DEFAULT_TIMEOUT_EXC, event: Any = None) -> Any:
    """Block the current greenlet until ``fileno`` is writable (or ``timeout`` passes).

    Compatibility: ``event`` is accepted and ignored, as in gevent.
    """
    return _wait_fd(fileno, 2, timeout, timeout_exc)


def wait_readwrite(fileno: int, timeout: float | None = None,
                   timeout_exc: Any = _DEFAULT_TIMEOUT_EXC, event: Any = None) -> Any:
    """Block until ``fileno`` is readable or writable (or ``timeout`` passes)."""
    return _wait_fd(fileno, 3, timeout, timeout_exc)


def cancel_wait(watcher: Any, error: Any = cancel_wait_ex) -> None:
    """Make the greenlet waiting on ``watcher`` (if any) raise ``error`` soon."""
    get_hub().cancel_wait(watcher, error)


# ------------------------------------------------------------------ resolving


def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
                flags: int = 0) -> Any:
    """Like ``socket.getaddrinfo``, resolved by the hub's resolver without blocking the loop."""
    return get_hub().resolver.getaddrinfo(host, port, family, type, proto, flags)


def gethostbyname(hostname: Any) -> Any:
    """Like ``socket.gethostbyname``, through the hub's resolver."""
    return get_hub().resolver.gethostbyname(hostname)


def gethostbyname_ex(hostname: Any) -> Any:
    """Like ``socket.gethostbyname_ex``, through the hub's resolver."""
    return get_hub().resolver.gethostbyname_ex(hostname)


def gethostbyaddr(ip_address: Any) -> Any:
    """Like ``socket.gethostbyaddr``, through the hub's resolver."""
    return get_hub().resolver.gethostbyaddr(ip_address)


def getnameinfo(sockaddr: Any, flags: int) -> Any:
    """Like ``socket.getnameinfo``, through the hub's resolver."""
    return get_hub().resolver.getnameinfo(sockaddr, flags)


def getfqdn(name: str = "") -> str:
    """Like ``socket.getfqdn``: the fully qualified name of ``name`` (default: this host)."""
    name = name.strip()
    if not name or name in ("0.0.0.0", "::"):
        name = __socket__.gethostname()
    try:
        hostname, aliases, _ = gethostbyaddr(name)
    except _socket_error:
        return name
    for candidate in [hostname, *aliases]:
        if "." in candidate:
            return str(candidate)
    return str(hostname)


def _is_numeric_host(host: str, family: int) -> bool:
    if _native_inet_pton is None:
        return False
    families = (family,) if family in (AF_INET, AF_INET6) else (AF_INET, AF_INET6)
    for fam in families:
        try:
            _native_inet_pton(fam, host.split("%", 1)[0] if fam == AF_INET6 else host)
        except (OSError, ValueError, TypeError):
            continue
        return True
    return False


def _resolve_addr(sock: Any, address: Any, family: Any = None) -> Any:
    """Turn a host name in an INET ``address`` into an IP, through the resolver.

    Numeric addresses (and non-INET families) come back untouched, so the IPv6
    flow info and scope id are kept. A green socket passes its ``family`` as
    the C attribute's int (the stdlib property builds an enum member).
    """
    if family is None:
        family = sock.family
    if family not in (AF_INET, AF_INET6) or not isinstance(address, tuple) or len(address) < 2:
        return address
    host, port = address[0], address[1]
    if isinstance(port, int) and not 0 <= port <= 0xFFFF:
        # What the C layer says for a numeric host; the resolver would wrap it.
        raise OverflowError("connect(): port must be 0-65535.")
    if isinstance(host, bytes):
        host = host.decode("idna")
    if not isinstance(host, str):
        return address
    if not host or _is_numeric_host(host, family):
        return address
    sock_type = getattr(sock, "type", SOCK_STREAM)
    sock_type &= ~(getattr(__socket__, "SOCK_NONBLOCK", 0) | getattr(__socket__, "SOCK_CLOEXEC", 0))
    infos = getaddrinfo(host, port, family, sock_type)
    if not infos:
        raise __socket__.gaierror(f"getaddrinfo returned an empty list for {host!r}")
    sockaddr = infos[0][4]
    if family == AF_INET6 and len(address) > 2:
        # Keep the caller's flowinfo and scope_id.
        sockaddr = (sockaddr[0], sockaddr[1], *address[2:])
    return sockaddr


def connect_first(address: Any, timeout: Any, source_address: Any, all_errors: bool,
                  resolve: Callable[..., Any], socket_class: Callable[..., Any]) -> Any:
    """Connect to ``(host, port)``, trying each address ``resolve`` returns in turn.

    The body of ``socket.create_connection``. The caller passes the resolver and
    the socket class, so that ``gevent.socket.create_connection`` can pass its own
    module's names as they are at call time (replacing them there works).
    """
    host, port = address
    exceptions: list[BaseException] = []
    for af, socktype, proto, _canonname, sa in resolve(host, port, 0, SOCK_STREAM):
        sock = None
        try:
            sock = socket_class(af, socktype, proto)
            if timeout is not _GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sa)
        except _socket_error as exc:
            if not all_errors:
                exceptions.clear()
            exceptions.append(exc)
            if sock is not None:
                sock.close()
            continue
        except BaseException:
            # Timeout, GreenletExit, KeyboardInterrupt: never leak the descriptor.
            if sock is not None:
                sock.close()
            raise
        exceptions.clear()
        return sock
    if exceptions:
        try:
            if not all_errors:
                raise exceptions[0]
            raise ExceptionGroup("create_connection failed", exceptions)  # type: ignore[name-defined]  # noqa: F821
        finally:
            exceptions.clear()
    raise _socket_error("getaddrinfo returns an empty list")
