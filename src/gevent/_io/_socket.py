"""The cooperative ``socket`` class behind ``gevent.socket``.

Theory of operation
-------------------
``socket`` subclasses the standard library's ``socket.socket`` (so
``isinstance(s, socket.socket)`` holds and ``makefile``, ``dup``, ``__repr__``
and the context manager come for free). The C-level socket underneath is always
in non-blocking mode; the *user-visible* timeout lives in the ``_timeout`` slot
and ``settimeout``/``gettimeout``/``setblocking``/``getblocking`` read and write
only that.

Every potentially blocking call tries the C method first. If the kernel says
``EWOULDBLOCK``, the socket either re-raises (user timeout ``0.0``: a
non-blocking socket) or parks the greenlet on the socket's read or write watcher
(``_wait``: no Waiter, and a per-socket timer that throws
``socket.timeout('timed out')`` when a user timeout is set), and then tries
again. A read that follows a short one asks FIONREAD first, since that read
would most likely fail (docs/design.md, *One blocking call*).

Each socket owns one read and one write ``io`` watcher. Only one greenlet may
wait on each (a second one gets ``ConcurrentObjectUseError``), and closing the
socket (or shutting it down) throws ``cancel_wait_ex`` (``EBADF``) into whoever
waits, before the descriptor goes away. A socket used from a native thread other
than the one that created it waits on a temporary watcher of that thread's hub.
"""

from __future__ import annotations

import _socket
import fcntl as _fcntl
import io as _io
import os
import socket as _stdsocket_module
import time as _time
from errno import EALREADY, EINPROGRESS, EISCONN, EWOULDBLOCK
from termios import FIONREAD as _FIONREAD
from typing import Any

from greenlet import getcurrent
from greenlet import greenlet as _RawGreenlet

from .._hub_local import _threadlocal
from .._hub_local import get_hub_noargs as get_hub
from ..exceptions import ConcurrentObjectUseError, InvalidSwitchError
from ..timeout import Timeout
from ._socketcommon import _resolve_addr, cancel_wait_ex

__all__ = ["SocketType", "fromfd", "socket", "socketpair"]

_csocket = _socket.socket
_stdsocket = _stdsocket_module.socket
_error = _stdsocket_module.error
_timeout_type = _stdsocket_module.timeout
_getdefaulttimeout = _stdsocket_module.getdefaulttimeout
_SOL_SOCKET = _stdsocket_module.SOL_SOCKET
_AF_INET = _stdsocket_module.AF_INET
_SOCK_STREAM = _stdsocket_module.SOCK_STREAM
_SO_ERROR = _stdsocket_module.SO_ERROR
_CONNECT_PENDING = (EWOULDBLOCK, EINPROGRESS, EALREADY)
# The C socket's own getters (plain ints), called as functions.
_c_family = _csocket.family.__get__  # type: ignore[attr-defined]
_c_type = _csocket.type.__get__  # type: ignore[attr-defined]
_c_proto = _csocket.proto.__get__  # type: ignore[attr-defined]
_NONE: Any = object()
_ioctl = _fcntl.ioctl
_NO_BYTES = bytes(4)  # FIONREAD's answer (a C int) when nothing is buffered


_switch_to = _RawGreenlet.switch


_MSG_DONTWAIT: int = getattr(_socket, "MSG_DONTWAIT", 0)


def _dontwait(args: tuple[Any, ...], index: int) -> bool:
    # MSG_DONTWAIT in a call's flags: the caller asked not to wait, even with a timeout.
    return len(args) > index and isinstance(args[index], int) \
        and bool(args[index] & _MSG_DONTWAIT)


def _timed_out() -> BaseException:
    return _timeout_type("timed out")


def _waiting(watcher: Any) -> Any:
    # Who waits on a started watcher: the greenlet's switch, for the message.
    if watcher.callback is _switch_to and watcher.args:
        return watcher.args[0].switch
    return watcher.callback


def _new_timer(hub: Any) -> Any:
    # Priority -1, as a Timeout's: when the data and the deadline arrive in the
    # same loop pass, the data wins.
    return hub.loop.timer(0.0, 0.0, True, -1)


def _throw_timeout(glet: Any, message: str) -> None:
    # A socket wait's timer callback, run by the hub: the exception is made
    # only now, never on the way into a wait.
    glet.throw(_timeout_type(message))


def _check_timeout_value(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not hasattr(value, "__float__"):
        raise TypeError(f"must be real number, not {type(value).__name__}")
    value = float(value)
    if value != value or value < 0.0:
        raise ValueError("Timeout value out of range")
    return value  # type: ignore[no-any-return]


class socket(_stdsocket):
    """A ``socket.socket`` whose blocking calls block only the calling greenlet.

    Compatibility: ``send`` takes an extra ``timeout`` keyword, as in gevent;
    ``hub``, ``timeout`` and ``ref`` are attributes.
    """

    __slots__ = ("_drained", "_read_event", "_read_timer", "_timeout", "_write_io", "_write_timer",
                 "hub")

    def __init__(self, family: int = -1, type: int = -1, proto: int = -1,
                 fileno: Any = None) -> None:
        # The stdlib's __init__, unrolled (accept makes one per connection):
        # defaults only for a new descriptor, then its two bookkeeping slots.
        if fileno is None:
            if family == -1:
                family = _AF_INET
            if type == -1:
                type = _SOCK_STREAM
            if proto == -1:
                proto = 0
        _csocket.__init__(self, family, type, proto, fileno)
        self._io_refs = 0
        self._closed = False
        # The C socket took getdefaulttimeout(); that is the user's timeout now.
        self._timeout: float | None = _csocket.gettimeout(self)
        _csocket.setblocking(self, False)
        hub = _threadlocal.hub
        if hub is None:
            hub = get_hub()
        self.hub: Any = hub
        fd = _csocket.fileno(self)
        self._read_event: Any = hub.loop.io(fd, 1)
        # Most sockets never wait to write (the kernel's buffer takes what
        # they send): that watcher is made on the first such wait.
        self._write_io: Any = None
        # Made on the first wait with a timeout, then kept: one per watcher,
        # so they clash exactly when the watchers do.
        self._read_timer: Any = None
        self._write_timer: Any = None
        # The last recv/recv_into took less than it asked for: the kernel's
        # buffer was empty then, so the next one asks before it tries.
        self._drained = False

    # ------------------------------------------------------------ timeouts

    @property  # type: ignore[override]
    def timeout(self) -> float | None:
        return self._timeout

    @timeout.setter
    def timeout(self, value: Any) -> None:
        self._timeout = _check_timeout_value(value)

    def settimeout(self, value: Any) -> None:
        self._timeout = _check_timeout_value(value)

    def gettimeout(self) -> float | None:
        return self._timeout

    def setblocking(self, flag: bool) -> None:
        self._timeout = None if flag else 0.0

    def getblocking(self) -> bool:
        return self._timeout != 0.0

    @property
    def _sock(self) -> socket:
        # gevent's socket wraps a ``_socket.socket`` under this name, and code
        # (gevent's tests among it) reaches for it. Ours *is* that C socket.
        return self

    @property
    def ref(self) -> bool:
        return bool(self._read_event.ref)

    @ref.setter
    def ref(self, value: bool) -> None:
        self._read_event.ref = value
        if self._write_io is not None:
            self._write_io.ref = value

    @property
    def _write_event(self) -> Any:
        watcher = self._write_io
        if watcher is None:
            fd = _csocket.fileno(self)
            if fd < 0:
                raise cancel_wait_ex()  # closed (or detached) before it ever waited
            watcher = self._write_io = self.hub.loop.io(fd, 2)
            if not self._read_event.ref:
                watcher.ref = False
        return watcher

    # ------------------------------------------------------------- waiting

    def _wait(self, watcher: Any, timeout: Any = _NONE, timeout_msg: str = "timed out") -> None:
        """Park the current greenlet until ``watcher`` fires (or the timeout passes).

        The greenlet parks itself, as ``Hub.wait`` does, without a ``Waiter``
        or a ``Timeout``: the watcher is started as ``(greenlet.switch,
        greenlet, watcher)`` (the unbound switch: no bound method to make) and
        switches back with itself as the value (anything else is an
        ``InvalidSwitchError``); with a timeout, a loop timer throws
        ``socket.timeout(timeout_msg)`` into it, and that exception is made
        only when the timer fires. ``Hub.cancel_wait`` (on close) throws
        ``cancel_wait_ex`` into the greenlet it finds in the watcher's args.
        """
        if timeout is _NONE:
            timeout = self._timeout
        hub = _threadlocal.hub
        if hub is not self.hub:
            self._wait_other_thread(watcher, timeout, timeout_msg)
            return
        if watcher.callback is not None:
            raise ConcurrentObjectUseError(
                f"This socket is already used by another greenlet: {_waiting(watcher)!r}")
        if watcher.loop is None:
            raise cancel_wait_ex()
        current = getcurrent()
        switch_out = getattr(current, "switch_out", None)
        if switch_out is not None:
            switch_out()  # the hub itself: BlockingSwitchOutError
        timer = None
        if timeout is not None:
            if watcher is self._read_event:
                timer = self._read_timer
                if timer is None:
                    timer = self._read_timer = _new_timer(hub)
            elif watcher is self._write_io:
                timer = self._write_timer
                if timer is None:
                    timer = self._write_timer = _new_timer(hub)
            else:
                timer = _new_timer(hub)
            timer.after = timeout
            timer.start(_throw_timeout, current, timeout_msg, update=True)
        try:
            watcher.start(_switch_to, current, watcher)
            # Rule 5: whatever is thrown into us keeps this frame in its
            # traceback, so hold no reference to the greenlet.
            current = switch_out = None
            result = _switch_to(hub)
        finally:
            watcher.stop()
            if timer is not None:
                timer.stop()
        if result is not watcher:
            raise InvalidSwitchError(
                f"Invalid switch into {getcurrent()}: got {result!r} (expected {watcher!r}; "
                f"waiting on {watcher!r})")

    def _wait_other_thread(self, watcher: Any, timeout: Any, timeout_msg: str) -> None:
        # Used from a native thread other than the socket's: wait on a temporary
        # watcher of that thread's loop, the slow way.
        hub = get_hub()
        temporary = hub.loop.io(watcher.fd, watcher.events)
        timer = Timeout._start_new_or_dummy(
            timeout, _timeout_type(timeout_msg) if timeout is not None else None)
        try:
            hub.wait(temporary)
        finally:
            timer.close()
            del timer
            temporary.close()

    def _cancel_waiters(self, read: bool = True, write: bool = True,
                        close_watchers: bool = False) -> None:
        hub = self.hub
        if hub is None or hub.loop is None:
            return
        if _threadlocal.hub is hub:
            # Hub.cancel_wait queues a hub callback only for a watcher somebody
            # waits on; the common close just closes the watchers.
            if read:
                hub.cancel_wait(self._read_event, cancel_wait_ex, close_watchers)
            if write and self._write_io is not None:
                hub.cancel_wait(self._write_io, cancel_wait_ex, close_watchers)
            return
        threadsafe = hub.loop.run_callback_threadsafe
        if read:
            threadsafe(hub.cancel_wait, self._read_event, cancel_wait_ex, close_watchers)
        if write and self._write_io is not None:
            threadsafe(hub.cancel_wait, self._write_io, cancel_wait_ex, close_watchers)

    # ----------------------------------------------------- life cycle

    def _real_close(self, _ss: Any = _csocket) -> None:
        fd = _csocket.fileno(self)
        if fd >= 0:
            self._cancel_waiters(close_watchers=True)
            hub = self.hub
            if hub is not None and _threadlocal.hub is hub and hub.loop is not None:
                hub.loop.closing_fd(fd)
        _ss.close(self)

    def detach(self) -> int:
        self._cancel_waiters(close_watchers=True)
        return _stdsocket.detach(self)

    def shutdown(self, how: int) -> None:
        if how == 0:
            self._cancel_waiters(write=False)
        elif how == 1:
            self._cancel_waiters(read=False)
        else:
            self._cancel_waiters()
        _csocket.shutdown(self, how)

    def __getstate__(self) -> Any:
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")

    # ---------------------------------------------------- connections

    def accept(self) -> tuple[socket, Any]:
        while True:
            try:
                fd, addr = self._accept()  # type: ignore[attr-defined]
                break
            except BlockingIOError:
                if self._timeout == 0.0:
                    raise
            self._wait(self._read_event)
        # The C attributes: the stdlib's properties build enum members, which
        # the new socket's constructor does not need.
        sock = socket(_c_family(self), _c_type(self), _c_proto(self), fd)
        return sock, addr

    def _internal_connect(self, address: Any) -> None:
        address = _resolve_addr(self, address, _c_family(self))
        timeout = self._timeout
        if timeout == 0.0:
            _csocket.connect(self, address)
            return
        err = _csocket.connect_ex(self, address)
        if not err:
            return
        # Usually one wait: the connection is pending until the descriptor
        # is writable. A timeout limits the whole call.
        deadline = None if timeout is None else _time.monotonic() + timeout
        while True:
            if err == EISCONN:
                return
            if err not in _CONNECT_PENDING:
                raise _error(err, os.strerror(err))
            if deadline is None:
                self._wait(self._write_event, None)
            else:
                left = deadline - _time.monotonic()
                if left <= 0.0:
                    raise _timed_out()
                self._wait(self._write_event, left)
            err = _csocket.getsockopt(self, _SOL_SOCKET, _SO_ERROR)
            if not err:
                return

    def connect(self, address: Any) -> None:
        self._internal_connect(address)

    def connect_ex(self, address: Any) -> int:
        try:
            self._internal_connect(address)
        except _timeout_type:
            return EWOULDBLOCK
        except _stdsocket_module.gaierror:
            raise
        except _error as exc:
            if exc.errno:
                return int(exc.errno)
            raise
        return 0

    # -------------------------------------------------------- receiving

    def _wait_unless_buffered(self, args: tuple[Any, ...], flags_at: int) -> None:
        # A failed recv costs an exception (about 1.5 us); FIONREAD says
        # whether it would fail for a quarter of that. Zero also at EOF or
        # for an empty datagram: then the wait ends at the next poll.
        if len(args) > flags_at and _dontwait(args, flags_at):
            return  # the call must fail at once, not wait
        try:
            empty = _ioctl(_csocket.fileno(self), _FIONREAD, _NO_BYTES) == _NO_BYTES
        except (OSError, ValueError):
            return  # closed (fd -1), or no FIONREAD here: the call itself tells
        if empty:
            self._wait(self._read_event)

    def recv(self, *args: Any) -> bytes:
        if self._drained and self._timeout != 0.0:
            self._wait_unless_buffered(args, 1)
        while True:
            try:
                data = _csocket.recv(self, *args)
            except BlockingIOError:
                if self._timeout == 0.0 or _dontwait(args, 1):
                    raise
            else:
                size = args[0]
                self._drained = size.__class__ is int and len(data) < size
                return data
            self._wait(self._read_event)

    def recv_into(self, *args: Any) -> int:
        if self._drained and self._timeout != 0.0:
            self._wait_unless_buffered(args, 2)
        while True:
            try:
                received = _csocket.recv_into(self, *args)
            except BlockingIOError:
                if self._timeout == 0.0 or _dontwait(args, 2):
                    raise
            else:
                try:
                    self._drained = len(args) == 1 and received < len(args[0])
                except TypeError:  # a buffer with no len(): no guess
                    self._drained = False
                return received
            self._wait(self._read_event)

    def recvfrom(self, *args: Any) -> tuple[bytes, Any]:
        while True:
            try:
                return _csocket.recvfrom(self, *args)
            except BlockingIOError:
                if self._timeout == 0.0 or _dontwait(args, 1):
                    raise
            self._wait(self._read_event)

    def recvfrom_into(self, *args: Any) -> tuple[int, Any]:
        while True:
            try:
                return _csocket.recvfrom_into(self, *args)
            except BlockingIOError:
                if self._timeout == 0.0 or _dontwait(args, 2):
                    raise
            self._wait(self._read_event)

    if hasattr(_csocket, "recvmsg"):

        def recvmsg(self, *args: Any) -> Any:
            while True:
                try:
                    return _csocket.recvmsg(self, *args)
                except BlockingIOError:
                    if self._timeout == 0.0 or _dontwait(args, 2):
                        raise
                self._wait(self._read_event)

        def recvmsg_into(self, *args: Any) -> Any:
            while True:
                try:
                    return _csocket.recvmsg_into(self, *args)
                except BlockingIOError:
                    if self._timeout == 0.0 or _dontwait(args, 2):
                        raise
                self._wait(self._read_event)

    # ---------------------------------------------------------- sending

    def send(self, data: Any, flags: int = 0, timeout: Any = _NONE) -> int:
        if timeout is _NONE:
            timeout = self._timeout
        while True:
            try:
                return _csocket.send(self, data, flags)
            except BlockingIOError:
                if timeout == 0.0 or flags & _MSG_DONTWAIT:
                    raise
            self._wait(self._write_event, timeout)

    def sendall(self, data: Any, flags: int = 0) -> None:
        timeout = self._timeout
        if type(data) is bytes:
            # The common case: one send takes it all, and no view is made.
            total = len(data)
            if not total:
                return
            try:
                sent = _csocket.send(self, data, flags)
                blocked = False
            except BlockingIOError:
                if timeout == 0.0 or flags & _MSG_DONTWAIT:
                    raise
                sent = 0
                blocked = True
            if sent == total:
                return
            view = memoryview(data)
        else:
            view = memoryview(data)
            if view.itemsize != 1 or view.ndim != 1:
                view = view.cast("B")
            total = len(view)
            if not total:
                return
            sent = 0
            blocked = False
        # The rest goes out from views of the caller's buffer, never a copy;
        # a timeout limits the whole call.
        deadline = None if not timeout else _time.monotonic() + timeout
        with view:
            while True:
                if blocked:
                    if deadline is None:
                        self._wait(self._write_event, None)
                    else:
                        left = deadline - _time.monotonic()
                        if left <= 0.0:
                            raise _timed_out()
                        self._wait(self._write_event, left)
                try:
                    sent += _csocket.send(self, view[sent:] if sent else view, flags)
                except BlockingIOError:
                    if timeout == 0.0 or flags & _MSG_DONTWAIT:
                        raise
                    blocked = True
                    continue
                if sent >= total:
                    return
                blocked = False

    def sendto(self, *args: Any) -> int:
        if len(args) >= 2:
            args = (*args[:-1], _resolve_addr(self, args[-1]))
        while True:
            try:
                return _csocket.sendto(self, *args)
            except BlockingIOError:
                if self._timeout == 0.0 or (len(args) == 3 and _dontwait(args, 1)):
                    raise
            self._wait(self._write_event)

    if hasattr(_csocket, "sendmsg"):

        def sendmsg(self, *args: Any) -> int:
            while True:
                try:
                    return _csocket.sendmsg(self, *args)
                except BlockingIOError:
                    if self._timeout == 0.0 or _dontwait(args, 2):
                        raise
                self._wait(self._write_event)

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        """Send a file's bytes; uses ``os.sendfile`` when it can, waiting cooperatively."""
        try:
            fileno = file.fileno()
        except (AttributeError, _io.UnsupportedOperation):
            fileno = None
        if fileno is None or not hasattr(os, "sendfile") or self._timeout == 0.0:
            return self._sendfile_use_send(file, offset, count)  # type: ignore[attr-defined,no-any-return]
        self._check_sendfile_params(file, offset, count)  # type: ignore[attr-defined]
        try:
            fsize = os.fstat(fileno).st_size
        except OSError:
            return self._sendfile_use_send(file, offset, count)  # type: ignore[attr-defined,no-any-return]
        if not fsize:
            return 0
        blocksize = min(count or fsize, 0x40000000)
        total = 0
        try:
            while True:
                if count:
                    blocksize = min(count - total, blocksize)
                    if blocksize <= 0:
                        break
                try:
                    sent = os.sendfile(self.fileno(), fileno, offset, blocksize)
                except BlockingIOError:
                    self._wait(self._write_event)
                    continue
                except OSError:
                    if total == 0:
                        # Not a kind of file the kernel can splice: copy by hand.
                        return self._sendfile_use_send(  # type: ignore[attr-defined,no-any-return]
                            file, offset, count)
                    raise
                if sent == 0:
                    break
                offset += sent
                total += sent
            return total
        finally:
            if total > 0 and hasattr(file, "seek"):
                file.seek(offset)


SocketType = socket


def fromfd(fd: Any, family: int, type: int, proto: int = 0) -> socket:
    """A green socket on a duplicate of the descriptor ``fd``."""
    return socket(family, type, proto, os.dup(fd))


def socketpair(family: Any = None, type: int = _stdsocket_module.SOCK_STREAM,
               proto: int = 0) -> tuple[socket, socket]:
    """Two connected green sockets (AF_UNIX by default where available)."""
    if family is None:
        family = getattr(_stdsocket_module, "AF_UNIX", _stdsocket_module.AF_INET)
    a, b = _socket.socketpair(family, type, proto)
    return (socket(family, type, proto, a.detach()), socket(family, type, proto, b.detach()))


def create_server(address: Any, *, family: int = _stdsocket_module.AF_INET,
                  backlog: int | None = None, reuse_port: bool = False,
                  dualstack_ipv6: bool = False) -> socket:
    """Like ``socket.create_server``, returning a green listening socket."""
    if reuse_port and not hasattr(_stdsocket_module, "SO_REUSEPORT"):
        raise ValueError("SO_REUSEPORT not supported on this platform")
    if dualstack_ipv6:
        if not _stdsocket_module.has_dualstack_ipv6():
            raise ValueError("dualstack_ipv6 not supported on this platform")
        if family != _stdsocket_module.AF_INET6:
            raise ValueError("dualstack_ipv6 requires AF_INET6 family")
    sock = socket(family, _stdsocket_module.SOCK_STREAM)
    try:
        if os.name not in ("nt", "cygwin") and hasattr(_stdsocket_module, "SO_REUSEADDR"):
            try:
                sock.setsockopt(_SOL_SOCKET, _stdsocket_module.SO_REUSEADDR, 1)
            except _error:
                pass
        if reuse_port:
            sock.setsockopt(_SOL_SOCKET, _stdsocket_module.SO_REUSEPORT, 1)
        if _stdsocket_module.has_ipv6 and family == _stdsocket_module.AF_INET6:
            sock.setsockopt(_stdsocket_module.IPPROTO_IPV6, _stdsocket_module.IPV6_V6ONLY,
                            0 if dualstack_ipv6 else 1)
        try:
            sock.bind(address)
        except _error as err:
            raise _error(err.errno, f"{err.strerror} (while attempting to bind on address "
                                    f"{address!r})") from None
        if backlog is None:
            sock.listen()
        else:
            sock.listen(backlog)
        return sock
    except BaseException:
        sock.close()
        raise


# Users subclass it as ``gevent.socket.socket``; show that name, not this module's.
socket.__module__ = "gevent.socket"
