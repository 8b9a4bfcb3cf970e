"""The cooperative TLS socket behind ``gevent.ssl``.

Theory of operation
-------------------
``SSLSocket`` is a green socket (``gevent._io._socket.socket``) with an
OpenSSL connection object attached in ``_sslobj``. That object comes from the
C layer (``SSLContext._wrap_socket``) and does its own reads and writes on the
socket's descriptor. The C socket underneath a green socket is always
non-blocking, so whenever OpenSSL needs the network it fails at once with
``SSLWantReadError`` or ``SSLWantWriteError``. Every TLS operation
(handshake, read, write, shutdown) is therefore a loop: call the C method; on
"want read" park the greenlet on the socket's read watcher, on "want write" on
its write watcher; try again. Which watcher matters: a TLS *read* can need the
socket to be writable (renegotiation) and a *write* can need it readable.

The user-visible timeout is the green socket's ``_timeout``. ``0.0`` means
non-blocking: the ``SSLWant*Error`` goes to the caller, as with the standard
library's non-blocking ``SSLSocket``. A positive timeout limits each wait and
raises ``socket.timeout`` (``TimeoutError``) worded as the standard library
words it ("The read operation timed out"); ``sendall`` limits the whole call.

Closing works as for any green socket: greenlets parked on the watchers get
``cancel_wait_ex`` (``EBADF``), and the connection object is dropped, so later
calls behave as on a closed plain socket.

``SSLContext`` subclasses the standard library's context so that
``wrap_socket`` makes green sockets. It also re-defines the property setters
that the standard library writes as ``super(SSLContext, SSLContext)``: once
``monkey.patch_ssl`` has replaced ``ssl.SSLContext`` with this class, those
setters would otherwise find themselves again and recurse forever.
"""

from __future__ import annotations

import _socket
import _ssl
import errno as _errno
import os
import socket as _stdsocket
import ssl as _stdssl
import sys
import warnings
from typing import Any

from ._socket import _NONE
from ._socket import socket as _green_socket
from ._socketcommon import cancel_wait_ex, connect_first, getaddrinfo

__all__ = ["SSLContext", "SSLSocket", "create_default_context", "get_server_certificate",
           "orig_SSLContext", "wrap_socket"]

#: The standard library's context class, captured before any monkey patching.
orig_SSLContext = _stdssl.SSLContext
_BaseContext = _ssl._SSLContext

_SSLError = _stdssl.SSLError
_SSLWantReadError = _stdssl.SSLWantReadError
_SSLWantWriteError = _stdssl.SSLWantWriteError
_SSL_ERROR_EOF = _stdssl.SSL_ERROR_EOF
_CERT_NONE = _stdssl.CERT_NONE
_CERT_REQUIRED = _stdssl.CERT_REQUIRED
_PROTOCOL_TLS = _stdssl.PROTOCOL_TLS
_PROTOCOL_TLS_CLIENT = _stdssl.PROTOCOL_TLS_CLIENT
_PROTOCOL_TLS_SERVER = _stdssl.PROTOCOL_TLS_SERVER
_timeout_type = TimeoutError
_GLOBAL_DEFAULT_TIMEOUT: Any = _stdsocket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]
_NOT_CONNECTED_ERRNOS = (_errno.ENOTCONN, _errno.EINVAL, _errno.EAGAIN, _errno.EWOULDBLOCK)

_READ_TIMEOUT = "The read operation timed out"
_WRITE_TIMEOUT = "The write operation timed out"
_HANDSHAKE_TIMEOUT = "The handshake operation timed out"


# ------------------------------------------------------------------ context


def _adapt_msg_callback(callback: Any) -> Any:
    """Wrap a ``_msg_callback`` so it sees enum members, as the stdlib's does."""
    content_types: Any = _stdssl._TLSContentType  # type: ignore[attr-defined]
    alert_types: Any = _stdssl._TLSAlertType  # type: ignore[attr-defined]
    message_types: Any = _stdssl._TLSMessageType  # type: ignore[attr-defined]

    def as_enum(enum: Any, value: Any) -> Any:
        try:
            return enum(value)
        except ValueError:
            return value

    def adapter(conn: Any, direction: Any, version: Any, content_type: Any, msg_type: Any,
                data: Any) -> Any:
        version = as_enum(_stdssl.TLSVersion, version)
        content_type = as_enum(content_types, content_type)
        if content_type == content_types.HEADER:
            msg_type = as_enum(content_types, msg_type)
        elif content_type == content_types.ALERT:
            msg_type = as_enum(alert_types, msg_type)
        else:
            msg_type = as_enum(message_types, msg_type)
        return callback(conn, direction, version, content_type, msg_type, data)

    adapter.user_function = callback  # type: ignore[attr-defined]
    return adapter


_SOCK_STREAM = _stdsocket.SOCK_STREAM


class SSLContext(orig_SSLContext):
    """An ``ssl.SSLContext`` whose ``wrap_socket`` returns cooperative sockets.

    ``wrap_bio`` is inherited unchanged: memory-BIO objects do no I/O of their
    own, so there is nothing to make cooperative.
    """

    sslsocket_class: Any = None  # SSLSocket, set below the class

    def wrap_socket(self, sock: Any, server_side: bool = False,  # type: ignore[override]
                    do_handshake_on_connect: bool = True, suppress_ragged_eofs: bool = True,
                    server_hostname: Any = None, session: Any = None) -> Any:
        return self.sslsocket_class._create(
            sock=sock, server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            suppress_ragged_eofs=suppress_ragged_eofs, server_hostname=server_hostname,
            context=self, session=session)

    # The setters below reach the C descriptors directly; see the module
    # docstring for why the inherited ones cannot be used once patched.

    if hasattr(_BaseContext, "minimum_version"):

        @property  # type: ignore[override]
        def minimum_version(self) -> Any:
            return orig_SSLContext.minimum_version.fget(self)  # type: ignore[attr-defined]

        @minimum_version.setter
        def minimum_version(self, value: Any) -> None:
            if value == _stdssl.TLSVersion.SSLv3:
                self.options &= ~_stdssl.Options.OP_NO_SSLv3
            _BaseContext.minimum_version.__set__(self, value)  # type: ignore[attr-defined]

        @property  # type: ignore[override]
        def maximum_version(self) -> Any:
            return orig_SSLContext.maximum_version.fget(self)  # type: ignore[attr-defined]

        @maximum_version.setter
        def maximum_version(self, value: Any) -> None:
            _BaseContext.maximum_version.__set__(self, value)  # type: ignore[attr-defined]

    @property  # type: ignore[override]
    def options(self) -> Any:
        return orig_SSLContext.options.fget(self)  # type: ignore[attr-defined]

    @options.setter
    def options(self, value: Any) -> None:
        _BaseContext.options.__set__(self, value)  # type: ignore[attr-defined]

    @property  # type: ignore[override]
    def verify_flags(self) -> Any:
        return orig_SSLContext.verify_flags.fget(self)  # type: ignore[attr-defined]

    @verify_flags.setter
    def verify_flags(self, value: Any) -> None:
        _BaseContext.verify_flags.__set__(self, value)  # type: ignore[attr-defined]

    @property  # type: ignore[override]
    def verify_mode(self) -> Any:
        return orig_SSLContext.verify_mode.fget(self)  # type: ignore[attr-defined]

    @verify_mode.setter
    def verify_mode(self, value: Any) -> None:
        _BaseContext.verify_mode.__set__(self, value)  # type: ignore[attr-defined]

    @property
    def _msg_callback(self) -> Any:
        return orig_SSLContext._msg_callback.fget(self)  # type: ignore[attr-defined]

    @_msg_callback.setter
    def _msg_callback(self, callback: Any) -> None:
        if callback is not None:
            if not callable(callback):
                raise TypeError(f"{callback} is not callable.")
            callback = _adapt_msg_callback(callback)
        _BaseContext._msg_callback.__set__(self, callback)  # type: ignore[attr-defined]


def create_default_context(purpose: Any = _stdssl.Purpose.SERVER_AUTH, *, cafile: Any = None,
                           capath: Any = None, cadata: Any = None) -> SSLContext:
    """Like ``ssl.create_default_context``, but the context makes green sockets.

    The standard library builds the context (so its defaults, which change
    between Python versions, are exactly the running Python's); the object is
    then re-classed as our ``SSLContext``, which has the same layout.

    Compatibility: gevent re-exports the standard library function unchanged,
    which returns a non-green context unless ``ssl`` is monkey-patched.
    """
    context = _stdssl.create_default_context(purpose, cafile=cafile, capath=capath,
                                             cadata=cadata)
    if not isinstance(context, SSLContext):
        context.__class__ = SSLContext
    return context  # type: ignore[return-value]


# ------------------------------------------------------------------- socket


def _legacy_context(keyfile: Any, certfile: Any, server_side: bool, cert_reqs: Any,
                    ssl_version: Any, ca_certs: Any, ciphers: Any) -> SSLContext:
    """The context the old ``wrap_socket(sock, keyfile=..., ...)`` API describes."""
    if server_side and not certfile:
        raise ValueError("certfile must be specified for server-side operations")
    if keyfile and not certfile:
        raise ValueError("certfile must be specified")
    context = SSLContext(ssl_version)
    context.verify_mode = cert_reqs
    if ca_certs:
        context.load_verify_locations(ca_certs)
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    if ciphers:
        context.set_ciphers(ciphers)
    return context


class SSLSocket(_green_socket):
    """A TLS connection over a green socket; blocking calls block only the greenlet.

    Made by ``SSLContext.wrap_socket`` (or the module-level ``wrap_socket``).
    Until the handshake has a connection to run on (an unconnected or
    listening socket), and after ``unwrap`` or ``shutdown``, it behaves as a
    plain green socket.

    Compatibility: as in gevent (and unlike the standard library) the
    constructor is public and accepts the old ``wrap_socket`` arguments;
    ``read`` defaults to 2014 bytes, as gevent's does.
    """

    _sslobj: Any

    def __init__(self, sock: Any = None, keyfile: Any = None, certfile: Any = None,
                 server_side: bool = False, cert_reqs: Any = _CERT_NONE,
                 ssl_version: Any = _PROTOCOL_TLS, ca_certs: Any = None,
                 do_handshake_on_connect: bool = True, family: int = _stdsocket.AF_INET,
                 type: int = _stdsocket.SOCK_STREAM, proto: int = 0, fileno: Any = None,
                 suppress_ragged_eofs: bool = True, npn_protocols: Any = None,
                 ciphers: Any = None, server_hostname: Any = None, _session: Any = None,
                 _context: Any = None) -> None:
        # The stdlib's order of checks: a datagram socket is refused before anything else.
        if sock is not None and \
                sock.getsockopt(_stdsocket.SOL_SOCKET, _stdsocket.SO_TYPE) != _SOCK_STREAM:
            raise NotImplementedError("only stream sockets are supported")
        if _context is None:
            _context = _legacy_context(keyfile, certfile, server_side, cert_reqs, ssl_version,
                                       ca_certs, ciphers)
        if server_side:
            if server_hostname:
                raise ValueError("server_hostname can only be specified in client mode")
            if _session is not None:
                raise ValueError("session can only be specified in client mode")
        if _context.check_hostname and not server_hostname:
            raise ValueError("check_hostname requires server_hostname")

        if sock is not None:
            family, type, proto = sock.family, sock.type, sock.proto
            timeout = sock.gettimeout()
            # The descriptor changes owner: the old object forgets it (and any
            # greenlet waiting on it is woken), this one takes it over.
            fileno = sock.detach()
            _green_socket.__init__(self, family, type, proto, fileno)
            self.settimeout(timeout)
        else:
            _green_socket.__init__(self, family, type, proto, fileno)
            if self.getsockopt(_stdsocket.SOL_SOCKET, _stdsocket.SO_TYPE) != _stdsocket.SOCK_STREAM:
                self.detach()
                raise NotImplementedError("only stream sockets are supported")

        self._context = _context
        self._session = _session
        self._sslobj = None
        self.server_side = server_side
        self.server_hostname = _context._encode_hostname(server_hostname)
        self.do_handshake_on_connect = do_handshake_on_connect
        self.suppress_ragged_eofs = suppress_ragged_eofs
        try:
            self._connected = self._is_connected()
            if self._connected:
                self._sslobj = self._new_sslobj(server_side)
                if do_handshake_on_connect:
                    if self._timeout == 0.0:
                        raise ValueError("do_handshake_on_connect should not be specified "
                                         "for non-blocking sockets")
                    self.do_handshake()
        except BaseException:
            # Never leak the descriptor we took over: not on an SSL error,
            # a timeout or a GreenletExit either.
            self.close()
            raise

    @classmethod
    def _create(cls, sock: Any, server_side: bool = False, do_handshake_on_connect: bool = True,
                suppress_ragged_eofs: bool = True, server_hostname: Any = None,
                context: Any = None, session: Any = None) -> SSLSocket:
        """What ``SSLContext.wrap_socket`` calls (the standard library's hook name)."""
        return cls(sock=sock, server_side=server_side,
                   do_handshake_on_connect=do_handshake_on_connect,
                   suppress_ragged_eofs=suppress_ragged_eofs, server_hostname=server_hostname,
                   _session=session, _context=context)

    def _is_connected(self) -> bool:
        try:
            self.getpeername()
        except OSError as exc:
            if exc.errno != _errno.ENOTCONN:
                raise
        else:
            return True
        # Not connected. Bytes already waiting here (a peer that connected,
        # wrote and went away) must not later pass for TLS-protected data.
        try:
            early = _socket.socket.recv(self, 1)  # the C socket never blocks
        except OSError as exc:
            if exc.errno not in _NOT_CONNECTED_ERRNOS:
                raise
            early = b""
        if early:
            reason = "Closed before TLS handshake with data in recv buffer."
            error = _SSLError(_errno.ENOTCONN, reason)
            error.reason = reason
            error.library = None  # type: ignore[assignment]
            raise error
        return False

    def _new_sslobj(self, server_side: bool) -> Any:
        return self._context._wrap_socket(self, server_side, self.server_hostname,
                                          owner=self, session=self._session)

    # ------------------------------------------------------ the TLS loop

    def _tls_call(self, method: Any, args: tuple[Any, ...], message: str,
                  timeout: Any = _NONE) -> Any:
        """Call ``method(*args)`` until OpenSSL stops asking for the network."""
        if timeout is _NONE:
            timeout = self._timeout
        while True:
            try:
                return method(*args)
            except _SSLWantReadError:
                if timeout == 0.0:
                    raise
                watcher = self._read_event
            except _SSLWantWriteError:
                if timeout == 0.0:
                    raise
                watcher = self._write_event
            sslobj = self._sslobj
            self._wait(watcher, timeout, message)
            if self._sslobj is not sslobj:
                # Closed (or shut down) by another greenlet while we waited. The
                # loop may wake us as "ready" before the cancellation arrives;
                # OpenSSL must not touch the old descriptor number again.
                raise cancel_wait_ex()

    def _checkClosed(self, msg: Any = None) -> None:
        """Kept for code written against the standard library's class; checks nothing."""

    def _check_connected(self) -> None:
        if not self._connected:
            # Raises ENOTCONN if it really is not connected; a connect that
            # first said EAGAIN can leave the flag unset on a live connection.
            self.getpeername()

    def _no_wrapper(self) -> ValueError:
        return ValueError(f"No SSL wrapper around {self}")

    def do_handshake(self, block: bool = False) -> None:
        """Run the TLS handshake, waiting cooperatively.

        With ``block`` a non-blocking socket waits for as long as it takes.
        """
        self._check_connected()
        if self._sslobj is None:
            raise self._no_wrapper()
        timeout = self._timeout
        if block and timeout == 0.0:
            timeout = None
        self._tls_call(self._sslobj.do_handshake, (), _HANDSHAKE_TIMEOUT, timeout)

    def read(self, nbytes: int = 2014, buffer: Any = None) -> Any:
        """Read up to ``nbytes`` decrypted bytes (into ``buffer`` if given).

        Returns ``b''`` (or 0) at the end of the stream, including an end
        without a TLS close when ``suppress_ragged_eofs`` is set.
        """
        sslobj = self._sslobj
        if sslobj is None:
            raise ValueError("Read on closed or unwrapped SSL socket.")
        timeout = self._timeout
        # _tls_call, unrolled: no argument tuple, one wait per "want".
        while True:
            try:
                if buffer is None:
                    return sslobj.read(nbytes)
                return sslobj.read(nbytes, buffer)
            except _SSLWantReadError:
                if timeout == 0.0:
                    raise
                watcher = self._read_event
            except _SSLWantWriteError:
                if timeout == 0.0:
                    raise
                watcher = self._write_event
            except _SSLError as exc:
                if exc.args[0] == _SSL_ERROR_EOF and self.suppress_ragged_eofs:
                    return b"" if buffer is None else 0
                raise
            self._wait(watcher, timeout, _READ_TIMEOUT)
            if self._sslobj is not sslobj:
                raise cancel_wait_ex()  # closed meanwhile: see _tls_call

    def _tls_write(self, sslobj: Any, data: Any, timeout: Any) -> int:
        # _tls_call for sslobj.write, unrolled. OpenSSL writes all of ``data``
        # or asks again for the same buffer (no partial writes).
        while True:
            try:
                return sslobj.write(data)  # type: ignore[no-any-return]
            except _SSLWantWriteError:
                if timeout == 0.0:
                    raise
                watcher = self._write_event
            except _SSLWantReadError:
                if timeout == 0.0:
                    raise
                watcher = self._read_event
            self._wait(watcher, timeout, _WRITE_TIMEOUT)
            if self._sslobj is not sslobj:
                raise cancel_wait_ex()

    def write(self, data: Any) -> int:
        """Encrypt and send ``data``; returns how many bytes of it were sent."""
        sslobj = self._sslobj
        if sslobj is None:
            raise ValueError("Write on closed or unwrapped SSL socket.")
        return self._tls_write(sslobj, data, self._timeout)

    def unwrap(self) -> Any:
        """Run the TLS closing handshake and return the socket, now plain again."""
        sslobj = self._sslobj
        if sslobj is None:
            raise self._no_wrapper()
        plain = self._tls_call(sslobj.shutdown, (), _READ_TIMEOUT)
        self._sslobj = None
        return plain

    def verify_client_post_handshake(self) -> None:
        if self._sslobj is None:
            raise self._no_wrapper()
        self._sslobj.verify_client_post_handshake()

    # ----------------------------------------------- the socket methods

    def send(self, data: Any, flags: int = 0, timeout: Any = _NONE) -> int:
        sslobj = self._sslobj
        if sslobj is None:
            return _green_socket.send(self, data, flags, timeout)
        if flags != 0:
            raise ValueError(f"non-zero flags not allowed in calls to send() on {type(self)}")
        return self._tls_write(sslobj, data, self._timeout if timeout is _NONE else timeout)

    def sendall(self, data: Any, flags: int = 0) -> None:
        sslobj = self._sslobj
        if sslobj is None:
            return _green_socket.sendall(self, data, flags)
        if flags != 0:
            raise ValueError(f"non-zero flags not allowed in calls to sendall() on {type(self)}")
        # OpenSSL writes all of it or nothing (no partial writes), so one
        # write, with its waits, is the whole call.
        timeout = self._timeout
        if type(data) is bytes:
            if data:
                self._tls_write(sslobj, data, timeout)
            return None
        with memoryview(data) as view, view.cast("B") as octets:
            if octets:
                self._tls_write(sslobj, octets, timeout)
        return None

    def sendto(self, data: Any, flags_or_addr: Any, addr: Any = None) -> int:
        if self._sslobj is not None:
            raise ValueError(f"sendto not allowed on instances of {type(self)}")
        if addr is None:
            return _green_socket.sendto(self, data, flags_or_addr)
        return _green_socket.sendto(self, data, flags_or_addr, addr)

    def sendmsg(self, *args: Any, **kwargs: Any) -> int:
        raise NotImplementedError(f"sendmsg not allowed on instances of {type(self)}")

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        if self._sslobj is None:
            return _green_socket.sendfile(self, file, offset, count)
        # The kernel cannot encrypt: copy through send().
        return self._sendfile_use_send(file, offset, count)  # type: ignore[attr-defined,no-any-return]

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:  # type: ignore[override]
        if self._sslobj is None:
            return _green_socket.recv(self, buflen, flags)
        if flags != 0:
            raise ValueError(f"non-zero flags not allowed in calls to recv() on {type(self)}")
        return self.read(buflen)  # type: ignore[no-any-return]

    def recv_into(self, buffer: Any, nbytes: int | None = None,  # type: ignore[override]
                  flags: int = 0) -> int:
        if nbytes is None:
            if type(buffer) is memoryview:
                # What a makefile() reader passes: no second view needed.
                nbytes = buffer.nbytes or 1024
            else:
                nbytes = 1024
                if buffer is not None:
                    with memoryview(buffer) as view:
                        nbytes = view.nbytes or 1024
        if self._sslobj is None:
            return _green_socket.recv_into(self, buffer, nbytes, flags)
        if flags != 0:
            raise ValueError(
                f"non-zero flags not allowed in calls to recv_into() on {type(self)}")
        return self.read(nbytes, buffer)  # type: ignore[no-any-return]

    def recvfrom(self, buflen: int = 1024, flags: int = 0) -> tuple[bytes, Any]:  # type: ignore[override]
        if self._sslobj is not None:
            raise ValueError(f"recvfrom not allowed on instances of {type(self)}")
        return _green_socket.recvfrom(self, buflen, flags)

    def recvfrom_into(self, buffer: Any, nbytes: int | None = None,  # type: ignore[override]
                      flags: int = 0) -> tuple[int, Any]:
        if self._sslobj is not None:
            raise ValueError(f"recvfrom_into not allowed on instances of {type(self)}")
        return _green_socket.recvfrom_into(self, buffer, nbytes or 0, flags)

    def recvmsg(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"recvmsg not allowed on instances of {type(self)}")

    def recvmsg_into(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"recvmsg_into not allowed on instances of {type(self)}")

    def pending(self) -> int:
        """Decrypted bytes already buffered and readable without touching the network."""
        return 0 if self._sslobj is None else int(self._sslobj.pending())

    def shutdown(self, how: int) -> None:
        # As in the standard library: no TLS close, the connection object is dropped.
        self._sslobj = None
        _green_socket.shutdown(self, how)

    def _real_close(self, _ss: Any = _socket.socket) -> None:
        self._sslobj = None
        _green_socket._real_close(self, _ss)

    def dup(self) -> Any:
        raise NotImplementedError(f"Can't dup() {type(self).__name__} instances")

    # ------------------------------------------------------- connections

    def _real_connect(self, address: Any, connect_ex: bool) -> int | None:
        if self.server_side:
            raise ValueError("can't connect in server-side mode")
        if self._connected or self._sslobj is not None:
            raise ValueError("attempt to connect already-connected SSLSocket!")
        self._sslobj = self._new_sslobj(False)
        try:
            if connect_ex:
                rc: int | None = _green_socket.connect_ex(self, address)
            else:
                rc = None
                _green_socket.connect(self, address)
            if not rc:
                self._connected = True
                if self.do_handshake_on_connect:
                    self.do_handshake()
            return rc
        except (OSError, ValueError):
            self._sslobj = None
            raise

    def connect(self, address: Any) -> None:
        """Connect to ``address``, then (by default) run the TLS handshake."""
        self._real_connect(address, False)

    def connect_ex(self, address: Any) -> int:
        """Like ``connect`` but returns an errno instead of raising for connection errors."""
        return self._real_connect(address, True) or 0

    def accept(self) -> tuple[Any, Any]:
        """Accept a connection and wrap it as the server side of a TLS session."""
        plain, address = _green_socket.accept(self)
        wrapped = self._context.wrap_socket(
            plain, server_side=True, do_handshake_on_connect=self.do_handshake_on_connect,
            suppress_ragged_eofs=self.suppress_ragged_eofs)
        return wrapped, address

    # ------------------------------------------------ session information

    @property
    def context(self) -> Any:
        return self._context

    @context.setter
    def context(self, ctx: Any) -> None:
        self._context = ctx
        if self._sslobj is not None:
            self._sslobj.context = ctx

    @property
    def session(self) -> Any:
        return None if self._sslobj is None else self._sslobj.session

    @session.setter
    def session(self, session: Any) -> None:
        self._session = session
        if self._sslobj is not None:
            self._sslobj.session = session

    @property
    def session_reused(self) -> Any:
        return None if self._sslobj is None else self._sslobj.session_reused

    def getpeercert(self, binary_form: bool = False) -> Any:
        self._check_connected()
        if self._sslobj is None:
            raise self._no_wrapper()
        return self._sslobj.getpeercert(binary_form)

    def selected_npn_protocol(self) -> None:
        warnings.warn("ssl NPN is deprecated, use ALPN instead", DeprecationWarning,
                      stacklevel=2)
        return None

    def selected_alpn_protocol(self) -> Any:
        if self._sslobj is None or not _ssl.HAS_ALPN:
            return None
        return self._sslobj.selected_alpn_protocol()

    def cipher(self) -> Any:
        return None if self._sslobj is None else self._sslobj.cipher()

    def shared_ciphers(self) -> Any:
        return None if self._sslobj is None else self._sslobj.shared_ciphers()

    def compression(self) -> Any:
        return None if self._sslobj is None else self._sslobj.compression()

    def version(self) -> Any:
        return None if self._sslobj is None else self._sslobj.version()

    def get_channel_binding(self, cb_type: str = "tls-unique") -> Any:
        if self._sslobj is not None:
            return self._sslobj.get_channel_binding(cb_type)
        if cb_type not in _stdssl.CHANNEL_BINDING_TYPES:
            raise ValueError(f"{cb_type} channel binding type not implemented")
        return None

    if sys.version_info >= (3, 13):

        def get_verified_chain(self) -> Any:
            chain = None if self._sslobj is None else self._sslobj.get_verified_chain()
            return [] if chain is None else chain

        def get_unverified_chain(self) -> Any:
            chain = None if self._sslobj is None else self._sslobj.get_unverified_chain()
            return [] if chain is None else chain


SSLContext.sslsocket_class = SSLSocket


# ---------------------------------------------------------------- functions


def wrap_socket(sock: Any, keyfile: Any = None, certfile: Any = None, server_side: bool = False,
                cert_reqs: Any = _CERT_NONE, ssl_version: Any = _PROTOCOL_TLS,
                ca_certs: Any = None, do_handshake_on_connect: bool = True,
                suppress_ragged_eofs: bool = True, ciphers: Any = None) -> SSLSocket:
    """Wrap ``sock`` in TLS with a one-off context built from the arguments.

    Compatibility: the standard library dropped this function in Python 3.12;
    gevent (and this module) keep it. ``PROTOCOL_TLS``, the default, makes the
    standard library warn with ``DeprecationWarning``.
    """
    context = _legacy_context(keyfile, certfile, server_side, cert_reqs, ssl_version, ca_certs,
                              ciphers)
    return SSLSocket(sock=sock, server_side=server_side,
                     do_handshake_on_connect=do_handshake_on_connect,
                     suppress_ragged_eofs=suppress_ragged_eofs, _context=context)


def get_server_certificate(addr: Any, ssl_version: Any = _PROTOCOL_TLS_CLIENT,
                           ca_certs: Any = None, timeout: Any = _GLOBAL_DEFAULT_TIMEOUT) -> str:
    """The PEM certificate of the TLS server at ``addr`` (``(host, port)``).

    With ``ca_certs`` the certificate must verify against those CAs.

    Compatibility: the signature is the standard library's (gevent's has no
    ``timeout`` and defaults to the deprecated ``PROTOCOL_TLS``).
    """
    host = addr[0]
    context = SSLContext(ssl_version)
    context.check_hostname = False
    if ca_certs is not None:
        context.verify_mode = _CERT_REQUIRED
        context.load_verify_locations(ca_certs)
    else:
        context.verify_mode = _CERT_NONE
    if hasattr(context, "keylog_filename") and not sys.flags.ignore_environment:
        keylog = os.environ.get("SSLKEYLOGFILE")
        if keylog:
            context.keylog_filename = keylog
    with connect_first(addr, timeout, None, False, getaddrinfo, _green_socket) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(True)
    return _stdssl.DER_cert_to_PEM_cert(der)


# Users subclass these as ``gevent.ssl.X``; show that name.
SSLContext.__module__ = "gevent.ssl"
SSLSocket.__module__ = "gevent.ssl"
