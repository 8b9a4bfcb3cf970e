"""Servers: ``BaseServer`` and its TCP and UDP subclasses.

Theory of operation
-------------------
A server owns one listening socket and one ``io`` read watcher on it. Nothing
polls: when the loop reports the descriptor readable, the watcher calls
``_do_read`` in the hub. That method takes up to ``max_accept`` items from
the socket (connections for TCP, datagrams for UDP) through ``do_read``, which
never blocks: it uses the C-level, non-blocking call and returns ``None`` once
the kernel has nothing more. Each item goes to ``do_handle``, which starts
``handle(*item)`` through the configured spawner and arranges for
``do_close(*item)`` to run when the handler returns.

Because ``_do_read`` runs in the hub it must never block, so two things make
it stop accepting for a while instead:

* **A full pool.** Before each item it asks ``full()``. If the pool has no free
  slot, the watcher is stopped and a one-shot link on the pool's semaphore (or,
  for pool-like objects without one, a short timer) starts it again once a
  handler finishes. Connections meanwhile wait in the kernel's backlog.
* **Errors.** An error from ``do_read`` (``EMFILE``, say) or from starting a
  handler is reported through ``loop.handle_error``; then accepting pauses
  for ``delay`` seconds, doubling from ``min_delay`` up to ``max_delay`` while
  the errors continue and going back to ``min_delay`` after a good read. An
  ``OSError`` whose errno is in ``fatal_errors`` (the socket itself is broken)
  closes the server instead.

``start()`` creates the socket if needed (``init_socket``) and starts the
watcher; ``close()`` stops it and closes the socket; ``stop()`` closes and then,
when the handlers run in a pool, waits for them and kills the stragglers.
``serve_forever()`` is ``start()`` plus waiting for ``close()``.
"""

from __future__ import annotations

import _socket
import errno
import importlib
import sys
from collections.abc import Callable
from typing import Any

from .._hub_local import get_hub_noargs as get_hub
from .._io._socket import socket as _green_socket
from .._sync._event import Event
from .._sync._pool import Pool
from .._sync._semaphore import Semaphore
from ..greenlet import Greenlet

__all__ = ["DEFAULT_REUSE_ADDR", "BaseServer", "DatagramServer", "StreamServer",
           "_tcp_listener", "_udp_socket", "parse_address"]

_csocket = _socket.socket
AF_INET = _socket.AF_INET
AF_INET6 = _socket.AF_INET6
SOCK_DGRAM = _socket.SOCK_DGRAM
SOL_SOCKET = _socket.SOL_SOCKET
SO_REUSEADDR = _socket.SO_REUSEADDR

# Windows' SO_REUSEADDR lets a second process steal the port: only use it on POSIX.
DEFAULT_REUSE_ADDR: int | None = None if sys.platform.startswith("win") else 1


# --------------------------------------------------------------- addresses


def parse_address(address: Any) -> tuple[int, Any]:
    """Turn a listener address into ``(family, address_tuple)``.

    Accepts ``(host, port)`` tuples, ``'host:port'``, ``'[v6host]:port'``,
    ``'*:port'`` and ``':port'`` (all interfaces, IPv4), and a bare port as an
    int or string (all interfaces, IPv6, which on most systems also takes IPv4).
    """
    try:
        return _parse_address(address)
    except ValueError as exc:
        raise ValueError(f"Failed to parse address {address!r}: {exc}") from None


def _parse_address(address: Any) -> tuple[int, Any]:
    if isinstance(address, tuple):
        host = address[0] if address else ""
        if not host or ":" in host:
            return AF_INET6, address
        return AF_INET, address
    if isinstance(address, int) or (isinstance(address, str) and ":" not in address):
        return AF_INET6, ("", int(address))
    if not isinstance(address, str):
        raise TypeError(f"Expected tuple or string, got {type(address)}")
    host, port_text = address.rsplit(":", 1)
    port = int(port_text)
    if host.startswith("[") and host.endswith("]"):
        return AF_INET6, (host[1:-1], port)
    if host == "*":
        host = ""
    return AF_INET, (host, port)


def _make_nonblocking(sock: Any) -> None:
    # Green sockets already are at the C level; a stdlib socket handed in by the
    # user must not block the hub when accept/recvfrom has nothing to give.
    if _csocket.gettimeout(sock) != 0.0:
        _csocket.setblocking(sock, False)


def _bind(sock: Any, address: Any) -> None:
    try:
        sock.bind(address)
    except OSError as exc:
        # Keep the errno (and the exception type) but say which address it was.
        if exc.strerror is not None:
            exc.strerror = f"{exc.strerror}: {address!r}"
        raise


def _tcp_listener(address: Any, backlog: int = 50, reuse_addr: Any = None,
                  family: int = AF_INET) -> Any:
    """A green TCP socket bound to ``address`` and listening, in non-blocking mode."""
    sock = _green_socket(family=family)
    try:
        if reuse_addr is not None:
            sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, reuse_addr)
        _bind(sock, address)
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _udp_socket(address: Any, backlog: int = 50, reuse_addr: Any = None,
                family: int = AF_INET) -> Any:
    """A green UDP socket bound to ``address`` (``backlog`` is accepted and ignored)."""
    sock = _green_socket(family=family, type=SOCK_DGRAM)
    try:
        if reuse_addr is not None and hasattr(_socket, "SO_REUSEADDR"):
            sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, reuse_addr)
        _bind(sock, address)
    except BaseException:
        sock.close()
        raise
    return sock


def _handle_and_close_when_done(handle: Callable[..., Any], close: Callable[..., Any],
                                args: tuple[Any, ...]) -> Any:
    try:
        return handle(*args)
    finally:
        close(*args)


# ------------------------------------------------------------------ servers


class BaseServer:
    """The accept loop shared by ``StreamServer`` and ``DatagramServer``.

    Args:
        listener: where to listen: an address (see ``parse_address``) or an
            already bound socket (listening, for TCP).
        handle: called with each item ``do_read`` returns; when omitted the
            subclass must define a ``handle`` method.
        spawn: how each ``handle`` call is started: ``'default'`` (a new
            ``Greenlet``), an int (a ``Pool`` of that size), a ``Pool`` or
            ``Group`` (its ``spawn``; accepting pauses while it is ``full()``),
            ``None`` (called directly in the hub, so it must not block) or any
            callable such as ``gevent.spawn_raw``.

    Subclasses provide ``init_socket`` and ``do_read`` (and ``do_close`` if the
    item owns something to release).
    """

    #: Seconds accepting pauses after the first error; doubled on each further one.
    min_delay: float = 0.01
    #: The longest pause after accept errors.
    max_delay: float = 1
    #: How many items to take per readiness event before letting others run.
    max_accept: int = 100
    #: Default seconds ``stop()`` waits for pooled handlers before killing them.
    stop_timeout: float = 1
    #: errno values meaning the listening socket itself is unusable.
    fatal_errors: tuple[int, ...] = (errno.EBADF, errno.EINVAL, errno.ENOTSOCK)
    #: The most items handled at once (None: no cap). At the cap accepting
    #: pauses: new connections wait in the kernel's listen backlog until a
    #: handler finishes, exactly as with a full pool.
    max_connections: int | None = None

    _spawn: Any
    _handle: Any
    handle: Any
    socket: Any

    def __init__(self, listener: Any, handle: Any = None, spawn: Any = "default") -> None:
        self._stop_event = Event()
        self._stop_event.set()
        self._watcher: Any = None
        self._timer: Any = None
        self._pool_link: Any = None
        self._handle = None
        self._live = 0  # handlers started and not yet closed
        self._paused_at_cap = False
        self.pool: Any = None
        self.family: int = AF_INET
        self.address: Any = None
        try:
            self.set_listener(listener)
            self.set_spawn(spawn)
            self.set_handle(handle)
            self.delay = self.min_delay
            self.loop = get_hub().loop
            if not isinstance(self.max_accept, int) or self.max_accept < 1:
                raise ValueError(f"max_accept must be positive int: {self.max_accept!r}")
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ configuring

    def set_listener(self, listener: Any) -> None:
        """Use ``listener``: a bound socket, or an address to bind in ``start()``."""
        if hasattr(listener, "accept"):
            if hasattr(listener, "do_handshake"):
                raise TypeError(f"Expected a regular socket, not SSLSocket: {listener!r}")
            self.family = listener.family
            self.address = listener.getsockname()
            self.socket = listener
        else:
            self.family, self.address = parse_address(listener)

    def set_spawn(self, spawn: Any) -> None:
        """Choose how handlers are started (see the class docstring)."""
        if spawn == "default":
            self.pool = None
            self._spawn = Greenlet.spawn
        elif hasattr(spawn, "spawn"):
            self.pool = spawn
            self._spawn = spawn.spawn
        elif isinstance(spawn, int) and not isinstance(spawn, bool):
            self.pool = Pool(spawn)
            self._spawn = self.pool.spawn
        elif spawn is None or callable(spawn):
            self.pool = None
            self._spawn = spawn
        else:
            raise TypeError(
                "spawn must be 'default', None, an int pool size, a Pool/Group "
                f"or a callable, not {spawn!r}")

    def set_handle(self, handle: Any) -> None:
        """Use ``handle`` for each item; ``None`` keeps the subclass's method."""
        if handle is not None:
            self.handle = handle
        if not hasattr(self, "handle"):
            raise TypeError("'handle' must be provided")
        if not callable(self.handle):
            raise TypeError(f"'handle' must be callable, not {self.handle!r}")
        self._handle = self.handle

    # ----------------------------------------------------------- description

    def _formatinfo(self) -> str:
        sock = self.__dict__.get("socket")
        parts = []
        if sock is not None:
            try:
                parts.append(f"fileno={sock.fileno()}")
            except Exception as exc:  # a repr must not fail
                parts.append(f"fileno=<{exc}>")
        address = self.address
        if isinstance(address, tuple) and len(address) == 2:
            parts.append(f"address={address[0]}:{address[1]}")
        else:
            parts.append(f"address={address}")
        handle = self.__dict__.get("handle")
        if handle is not None:
            if getattr(handle, "__self__", None) is self:
                name = getattr(handle, "__name__", "handle")
                parts.append(f"handle=<bound method {type(self).__name__}.{name} of self>")
            else:
                parts.append(f"handle={handle!r}")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {id(self):#x} {self._formatinfo()}>"

    def __str__(self) -> str:
        return f"<{type(self).__name__} {self._formatinfo()}>"

    @property
    def server_host(self) -> Any:
        """The host part of ``address`` (after ``start()``, the bound one)."""
        if isinstance(self.address, tuple):
            return self.address[0]
        return None

    @property
    def server_port(self) -> Any:
        """The port part of ``address`` (after ``start()``, the bound one)."""
        if isinstance(self.address, tuple):
            return self.address[1]
        return None

    # ------------------------------------------------------ the accept loop

    def init_socket(self) -> None:
        """Create, bind and (for TCP) listen on the socket if given an address.

        Called by ``start()``; subclasses override it.
        """

    def do_read(self) -> Any:
        """Take one item from the socket without blocking, or return ``None``."""
        raise NotImplementedError(f"{type(self).__name__} must implement do_read()")

    def do_close(self, *args: Any) -> None:
        """Release what an item holds once its handler is done (nothing here)."""

    def do_handle(self, *args: Any) -> None:
        """Start ``handle(*args)`` with the spawner; ``do_close(*args)`` follows it."""
        spawn = self._spawn
        handle = self._handle
        close = self._close_counted
        self._live += 1
        try:
            if spawn is None:
                _handle_and_close_when_done(handle, close, args)
            else:
                spawn(_handle_and_close_when_done, handle, close, args)
        except:
            close(*args)
            raise

    def _close_counted(self, *args: Any) -> None:
        try:
            self.do_close(*args)
        finally:
            self._live -= 1
            if self._paused_at_cap:
                self._paused_at_cap = False
                self._start_accepting_if_started()

    def full(self) -> bool:
        """True while the pool has no room for another handler, or at ``max_connections``."""
        cap = self.max_connections
        if cap is not None and self._live >= cap:
            return True
        pool = self.pool
        if pool is None:
            return False
        full = getattr(pool, "full", None)
        return bool(full()) if full is not None else False

    def is_fatal_error(self, ex: BaseException) -> bool:
        return isinstance(ex, OSError) and ex.errno in self.fatal_errors

    def _do_read(self) -> None:
        for _ in range(self.max_accept):
            if self.full():
                self._pause_until_room()
                return
            try:
                args = self.do_read()
                self.delay = self.min_delay
                if not args:
                    return
            except Exception as ex:
                self.loop.handle_error(self, *sys.exc_info())
                if self.is_fatal_error(ex):
                    self.close()
                    sys.stderr.write(f"ERROR: {self} failed with {str(ex) or repr(ex)}\n")
                    return
                self._pause_after_error()
                return
            try:
                self.do_handle(*args)
            except Exception:
                self.loop.handle_error((args[1:], self), *sys.exc_info())
                self._pause_after_error()
                return
            if self._watcher is None:
                # A handler run in the hub (spawn=None) stopped or closed us.
                return

    def _pause_after_error(self) -> None:
        if self.delay < 0:
            return
        self.stop_accepting()
        self._timer = self.loop.timer(self.delay)
        self._timer.start(self._start_accepting_if_started)
        self.delay = min(self.max_delay, self.delay * 2)

    def _pause_until_room(self) -> None:
        self.stop_accepting()
        cap = self.max_connections
        if cap is not None and self._live >= cap:
            # The next handler to finish resumes accepting (_close_counted).
            self._paused_at_cap = True
            return
        semaphore = getattr(self.pool, "_semaphore", None)
        if semaphore is not None and hasattr(semaphore, "rawlink"):
            # A one-shot link: the semaphore calls it when a slot frees up.
            self._pool_link = semaphore
            semaphore.rawlink(self._start_accepting_if_started)
        else:
            # A pool-like object we cannot link to: look again shortly.
            self._timer = self.loop.timer(self.min_delay)
            self._timer.start(self._start_accepting_if_started)

    def _unlink_pool(self) -> None:
        semaphore, self._pool_link = self._pool_link, None
        if semaphore is not None:
            semaphore.unlink(self._start_accepting_if_started)

    def _start_accepting_if_started(self, _event: Any = None) -> None:
        self._pool_link = None
        if self.started:
            self.start_accepting()

    def start_accepting(self) -> None:
        """Start (or resume) the read watcher on the listening socket."""
        if self._watcher is None:
            sock = self.__dict__.get("socket")
            if sock is None:
                raise OSError(errno.EBADF,
                              f"{type(self).__name__} has no listening socket "
                              "(closed, or init_socket() did not create one)")
            self._watcher = self.loop.io(sock.fileno(), 1)
            self._watcher.start(self._do_read)

    def stop_accepting(self) -> None:
        """Stop taking new items; the socket stays open (``start_accepting`` resumes)."""
        self._paused_at_cap = False
        self._unlink_pool()
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()
            watcher.close()
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.stop()
            timer.close()

    # ------------------------------------------------------------ life cycle

    @property
    def started(self) -> bool:
        return not self._stop_event.is_set()

    @property
    def closed(self) -> bool:
        """True when there is no listening socket (never created, or closed)."""
        return "socket" not in self.__dict__

    def start(self) -> None:
        """Create the socket if needed and start accepting; returns at once.

        Starting a started server does nothing, as in gevent.
        """
        if self.started:
            return
        self.init_socket()
        self._stop_event.clear()
        try:
            self.start_accepting()
        except:
            self.close()
            raise

    def close(self) -> None:
        """Stop accepting and close the listening socket; running handlers go on."""
        self._stop_event.set()
        try:
            self.stop_accepting()
        finally:
            sock = self.__dict__.pop("socket", None)
            if sock is not None:
                try:
                    sock.close()
                except Exception:  # closing must not fail
                    pass

    def stop(self, timeout: float | None = None) -> None:
        """Close, then wait up to ``timeout`` for pooled handlers and kill the rest.

        Handlers not started through a pool are left running.
        """
        self.close()
        if timeout is None:
            timeout = self.stop_timeout
        pool = self.pool
        if pool:
            # A spawn object that only offers spawn() and full() has nothing to wait for.
            join = getattr(pool, "join", None)
            if join is not None:
                join(timeout=timeout)
            kill = getattr(pool, "kill", None)
            if kill is not None:
                kill(block=True, timeout=1)

    def serve_forever(self, stop_timeout: float | None = None) -> None:
        """Start if needed, then block until ``stop()`` or ``close()``."""
        if not self.started:
            self.start()
        try:
            self._stop_event.wait()
        finally:
            # In a greenlet of its own: this one may be unwinding from a kill.
            Greenlet.spawn(self.stop, timeout=stop_timeout).join()

    def __enter__(self) -> BaseServer:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


class StreamServer(BaseServer):
    """A TCP server: calls ``handle(client_socket, address)`` for each connection.

    Args:
        backlog: the ``listen()`` backlog when binding an address (default
            ``StreamServer.backlog``); not allowed with a socket listener.
        ssl_args: any of these turns on TLS for accepted connections. Either
            ``ssl_context=<SSLContext>`` plus ``wrap_socket`` keyword arguments, or
            ``gevent.ssl.wrap_socket`` arguments such as ``keyfile`` and
            ``certfile``. ``server_side=True`` is implied.
    """

    backlog: int = 128
    reuse_addr: Any = DEFAULT_REUSE_ADDR

    def __init__(self, listener: Any, handle: Any = None, backlog: int | None = None,
                 spawn: Any = "default", **ssl_args: Any) -> None:
        BaseServer.__init__(self, listener, handle=handle, spawn=spawn)
        try:
            self.ssl_args: dict[str, Any] | None = None
            if ssl_args:
                ssl_args.setdefault("server_side", True)
                context = ssl_args.pop("ssl_context", None)
                if context is not None:
                    self.wrap_socket: Callable[..., Any] = context.wrap_socket
                else:
                    self.wrap_socket = _gevent_ssl_wrap_socket()
                self.ssl_args = ssl_args
            if backlog is not None:
                if "socket" in self.__dict__:
                    raise TypeError("backlog must be None when a socket instance is passed")
                self.backlog = backlog
        except BaseException:
            self.close()
            raise

    @property
    def ssl_enabled(self) -> bool:
        return self.ssl_args is not None

    @classmethod
    def get_listener(cls, address: Any, backlog: int | None = None,
                     family: int | None = None) -> Any:
        """A new listening socket for ``address``."""
        if backlog is None:
            backlog = cls.backlog
        return _tcp_listener(address, backlog=backlog, reuse_addr=cls.reuse_addr,
                             family=AF_INET if family is None else family)

    def init_socket(self) -> None:
        if "socket" not in self.__dict__:
            self.socket = self.get_listener(self.address, self.backlog, self.family)
            self.address = self.socket.getsockname()
        else:
            _make_nonblocking(self.socket)
        if self.ssl_args is not None:
            self._handle = self.wrap_socket_and_handle
        else:
            self._handle = self.handle

    def do_read(self) -> Any:
        sock = self.socket
        try:
            fd, address = sock._accept()
        except BlockingIOError:
            return None
        client = _green_socket(sock.family, sock.type, sock.proto, fileno=fd)
        return client, address

    def do_close(self, sock: Any, *args: Any) -> None:
        sock.close()

    def wrap_socket_and_handle(self, client_socket: Any, address: Any) -> Any:
        """Wrap the accepted socket with TLS, then call ``handle`` with it."""
        assert self.ssl_args is not None
        ssl_socket = self.wrap_socket(client_socket, **self.ssl_args)
        try:
            return self.handle(ssl_socket, address)
        finally:
            # The TLS socket is ours: the server closes only the one it accepted.
            ssl_socket.close()


def _gevent_ssl_wrap_socket() -> Callable[..., Any]:
    try:
        gevent_ssl = importlib.import_module("gevent.ssl")
    except ImportError as exc:
        raise ImportError(
            "StreamServer was given SSL arguments but gevent.ssl could not be "
            f"imported ({exc}); pass ssl_context=<ssl.SSLContext> instead") from exc
    wrap: Callable[..., Any] = gevent_ssl.wrap_socket
    return wrap


class DatagramServer(BaseServer):
    """A UDP server: calls ``handle(data, address)`` for each datagram (up to 8192 bytes)."""

    reuse_addr: Any = DEFAULT_REUSE_ADDR

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        BaseServer.__init__(self, *args, **kwargs)
        self._writelock = Semaphore(1)

    @classmethod
    def get_listener(cls, address: Any, family: int | None = None) -> Any:
        """A new UDP socket bound to ``address``."""
        return _udp_socket(address, reuse_addr=cls.reuse_addr,
                           family=AF_INET if family is None else family)

    def init_socket(self) -> None:
        if "socket" not in self.__dict__:
            self.socket = self.get_listener(self.address, self.family)
            self.address = self.socket.getsockname()
        else:
            _make_nonblocking(self.socket)
        self._handle = self.handle

    def do_read(self) -> Any:
        try:
            data, address = _csocket.recvfrom(self.socket, 8192)
        except BlockingIOError:
            return None
        return data, address

    def sendto(self, *args: Any) -> Any:
        """``socket.sendto`` on the server's socket, one sender at a time."""
        with self._writelock:
            return self.socket.sendto(*args)


# Users subclass these under their public names.
BaseServer.__module__ = "gevent.baseserver"
StreamServer.__module__ = "gevent.server"
DatagramServer.__module__ = "gevent.server"
