"""The WSGI handler behind ``gevent.pywsgi``: one per connection.

Theory of operation
-------------------
``WSGIServer`` (``gevent._servers._wsgi``) builds one ``WSGIHandler`` per
connection and calls its ``handle()``. The handler is plain blocking code (it
runs in its own greenlet): it loops over ``handle_one_request()``, which reads
a request line and header block from a buffered reader on the socket, asks the
sans-IO layer (``_parser``) what they mean, builds the environ, runs the
application and writes the response. Every parsing decision lives in
``_parser``; this module only moves bytes and keeps gevent's overridable method
structure, which gunicorn's workers and many applications subclass.

The request body is read through ``Input`` (``_input``), which
never reads past the end of the body, so the next pipelined request stays in
the reader. After the response, whatever the application left unread is
drained (up to a bound), so the connection can be reused; if the body turns
out to be malformed, or too much is left, the connection is closed instead
of guessing where the next request starts.

Time: the head deadline, the keep-alive timeout and the body and write
stall timeouts come from the server (``WSGIServer.header_timeout`` and the
rest) and are kept by ``_connection.ConnectionDeadlines``. A connection that
stops being request/response HTTP (an upgrade) calls ``disable_timeouts()``;
an ``Upgrade`` request does so before the application runs.

Errors: a request the parser refuses gets a fixed response with the status
the parser names (400, 413, 414, 431, 501, 505) and a closed connection: no
further request on it is ever read. A malformed body found while the application reads it
raises ``_InvalidClientInput`` (an ``OSError``) in the application; if it
escapes, the client gets a 400. Any other application error is reported
through the hub's ``handle_error`` and answered with a 500, if no headers
were sent yet; otherwise the connection is simply closed mid-response.
"""

from __future__ import annotations

import errno
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime
from http.client import HTTPMessage
from typing import Any

from greenlet import getcurrent

from .._config import config
from .._websocket import _upgrade as _websocket_upgrade
from . import _parser
from ._connection import (
    _BAD_REQUEST_RESPONSE,
    _REASONS,
    _REQUEST_TOO_LONG_RESPONSE,
    ConnectionDeadlines,
    _error_response,
    _HeadTimeout,
    _IdleTimeout,
    _linger,
)
from ._environ import (
    Environ,
    LoggingLogAdapter,
    SecureEnviron,
    WSGISecureEnviron,
    _NoopLog,
    format_date_time,
    http_date_now,
)
from ._input import Input, _InvalidClientInput
from ._parser import (
    MAX_HEADER_BYTES,
    MAX_HEADER_LINE,
    MAX_REQUEST_LINE,
    RemoteProtocolError,
    analyse,
    format_chunk,
    parse_header_block,
    parse_request_line,
)

__all__ = [
    "MAX_REQUEST_LINE",
    "Environ",
    "Input",
    "LoggingLogAdapter",
    "SecureEnviron",
    "WSGIHandler",
    "WSGISecureEnviron",
    "_NoopLog",
    "format_date_time",
]

_INTERNAL_ERROR_BODY = b"Internal Server Error"
# How much unread body we read and throw away to keep a connection alive;
# beyond this, closing is cheaper than reading.
_MAX_DISCARD = 1 << 20
# Large writes go out in slices, each with the full write timeout, so the
# timeout measures a stall, not the time a big body takes on a slow link.
_WRITE_SLICE = 262144


# ------------------------------------------------------------------ handler


class _HeaderMessage(HTTPMessage):
    """Request headers; ``headers`` lists the raw lines, as gevent's does."""

    @property
    def headers(self) -> list[str]:
        return [f"{name}: {value}\r\n" for name, value in self.items()]


# Header name -> environ key (None: dropped), for the names clients keep sending.
# Bounded, so a client that invents names cannot make it grow.
_ENV_KEYS: dict[str, str | None] = {}


def _env_key(name: str) -> str | None:
    key: str | None
    if "_" in name:
        # "X_Foo" and "X-Foo" would collide: drop the ambiguous one.
        key = None
    else:
        key = name.replace("-", "_").upper()
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
    if len(_ENV_KEYS) < 1024:
        _ENV_KEYS[name] = key
    return key


def _as_bytes(data: Any) -> bytes:
    # gevent tolerates native strings in a body; they go out as latin-1.
    if isinstance(data, str):
        return data.encode("latin-1")
    return bytes(data)


def _connection_tokens(values: Iterable[str]) -> set[str]:
    return {token.strip().lower() for value in values for token in value.split(",")}


class WSGIHandler(ConnectionDeadlines):
    """Serves the requests of one connection (see the module docstring).

    Every step is a method so that subclasses can change one of them.
    """

    protocol_version = "HTTP/1.1"
    MessageClass: Any = _HeaderMessage
    #: Raised for responses that break the protocol (a 304 with a body).
    ApplicationError: type[BaseException] = AssertionError
    #: Socket errors that mean the client went away: not worth reporting.
    ignored_socket_errors: tuple[int, ...] = (errno.EPIPE, errno.ECONNRESET, errno.ESHUTDOWN)

    status: str | None = None
    _orig_status: str | None = None
    response_headers: list[tuple[str, str]] | None = None
    code: int | None = None
    provided_date: str | None = None
    provided_content_length: str | None = None
    close_connection = False
    time_start: float = 0
    time_finish: float = 0
    headers_sent = False
    response_use_chunked = False
    connection_upgraded = False
    environ: Any = None
    application: Any = None
    requestline: str | None = None
    response_length = 0
    result: Any = None
    wsgi_input: Any = None
    content_length: int | None = 0
    _headers: Any = None
    _headers_read: list[tuple[str, str]] | None = None
    request_version: str | None = None
    command: str | None = None
    path: str | None = None
    _linger = False
    _upgrade = False
    _expect_continue = False
    _chunked_input = False
    _computed_length: int | None = None
    _body_length = 0

    def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
        self.socket = sock
        self.client_address = address
        self.server = server
        self.rfile = rfile if rfile is not None else sock.makefile("rb", -1)
        self._request: _parser.RequestLine | None = None
        self._header_list: list[tuple[str, str]] = []
        self._chunked_input = False
        self._expect_continue = False
        self._upgrade = False
        self._computed_length: int | None = None
        self._body_length = 0
        # Set when closing after an error: unread input must not turn the close into a reset.
        self._linger = False
        # The connection's limits, from the server (see WSGIServer); read once.
        self._header_timeout: float | None = getattr(server, "header_timeout", None)
        self._keepalive_timeout: float | None = getattr(server, "keepalive_timeout", None)
        self._body_timeout: float | None = getattr(server, "body_timeout", None)
        self._write_timeout: float | None = getattr(server, "write_timeout", None)
        self._max_body: int | None = getattr(server, "max_body_size", None)
        # None (WSGIServer's default, or a server without the attribute): the config.
        strict = getattr(server, "strict_http", None)
        self._strict = config.pywsgi_strict if strict is None else bool(strict)
        self._timer: Any = None
        self._throw: Any = None
        self._idle = False      # waiting for the first byte of a request
        self._got_bytes = False  # the request being read has sent something
        self._served = 0

    # ------------------------------------------------------------- the loop

    def handle(self) -> None:
        """Serve requests until the connection is to be closed."""
        self._throw = getcurrent().throw
        try:
            if self._body_timeout is not None:
                self._set_socket_timeout(self._body_timeout)
            while self.socket is not None:
                self.time_start = time.time()
                self.time_finish = 0
                result = self.handle_one_request()
                if result is None:
                    break
                if result is True:
                    continue
                self.status, response_body = result
                self._linger = True
                try:
                    self.socket.sendall(response_body)
                except OSError:
                    pass
                if self.time_finish == 0:
                    self.time_finish = time.time()
                self.log_request()
                break
            # Only on a normal exit: a handler being killed must not linger.
            if self._linger and self.__dict__.get("socket") is not None:
                _linger(self.socket)
        finally:
            self._idle = False
            timer, self._timer = self._timer, None
            if timer is not None:
                timer.stop()
                timer.close()
            self._throw = None
            rfile = self.__dict__.pop("rfile", None)
            self.__dict__.pop("socket", None)
            if rfile is not None:
                # The reader holds a reference on the socket: it must go for
                # the server's close of the socket to release the descriptor.
                try:
                    rfile.close()
                except OSError:
                    pass

    def read_requestline(self) -> Any:
        """The raw request line (bytes), or empty at the end of the connection."""
        return self.rfile.readline(MAX_REQUEST_LINE)

    def handle_one_request(self) -> Any:
        """Serve one request: None to close, True to go on, ``(status, bytes)``
        to send that response and close."""
        if self.rfile.closed:
            return None
        try:
            result = self._read_head()
        finally:
            self._disarm()
        if result is not True:
            return result
        self._served += 1
        if self._stopping():
            self.close_connection = True
        self.environ = self.get_environ()
        self.application = self.server.application
        self.handle_one_response()
        if self.close_connection or self._stopping():
            return None
        if self.rfile.closed:
            return None
        return True

    def _wait_for_request(self) -> bool:
        """Wait for the first byte of a request; False if the connection is to close."""
        peek = getattr(self.rfile, "peek", None)
        if peek is None:
            return True
        # With no keep-alive timeout, the socket's (body) timeout must not close
        # an idle connection either.
        unbounded = (self._served and self._keepalive_timeout is None
                     and self._body_timeout is not None)
        if self._served:
            self._arm(self._keepalive_timeout, _IdleTimeout)
        if unbounded:
            self._set_socket_timeout(None)
        self._idle = True
        try:
            data = peek(1)
        finally:
            self._idle = False
            if unbounded:
                self._set_socket_timeout(self._body_timeout)
        if not data or self._stopping():
            return False
        if self._served:
            self._arm(self._header_timeout, _HeadTimeout)
        return True

    def _read_head(self) -> Any:
        """Read and parse the request head, under its deadline (see handle_one_request)."""
        self._got_bytes = False
        try:
            if not self._served:
                # The first request's head deadline runs from the accept.
                self._arm(self._header_timeout, _HeadTimeout)
            if not self._wait_for_request():
                return None
            self._got_bytes = True
            raw = self.read_requestline()
            if raw == b"\r\n" or raw == "\r\n":
                # RFC 9112 2.2: tolerate one empty line before a request (some
                # clients send an extra CRLF after a POST body).
                raw = self.read_requestline()
            if isinstance(raw, bytes | bytearray):
                raw = bytes(raw).decode("latin-1")
            if not raw:
                return None
            self.requestline = raw.rstrip("\r\n")
            self.response_length = 0
            if len(raw) >= MAX_REQUEST_LINE and not raw.endswith("\n"):
                self.log_error("Invalid request (from %s): request line too long",
                               self.client_address)
                return ("414", _REQUEST_TOO_LONG_RESPONSE)
            if not self.read_request(raw):
                return ("400", _BAD_REQUEST_RESPONSE)
        except _IdleTimeout:
            return None
        except _HeadTimeout:
            if not self._got_bytes:
                return None
            self.log_error("Request head not received in %ss (from %s): closing",
                           self._header_timeout, self.client_address)
            return ("408", _error_response(408))
        except RemoteProtocolError as ex:
            self.log_error("Invalid request (from %s): %s", self.client_address, ex)
            return (str(ex.status_hint), _error_response(ex.status_hint))
        except ValueError as ex:
            self.log_error("Invalid request (from %s): %s", self.client_address, ex)
            return ("400", _BAD_REQUEST_RESPONSE)
        except OSError:
            # The client reset or timed out: there is no one to answer.
            return None
        except Exception as ex:
            self._print_unexpected_exc()
            self.log_error("Invalid request (from %s): %s", self.client_address,
                           str(ex) or type(ex).__name__)
            return ("400", _BAD_REQUEST_RESPONSE)
        return True

    @property
    def headers(self) -> Any:
        """The request's headers as a ``MessageClass`` (an ``http.client.HTTPMessage``)."""
        headers = self._headers
        if headers is None and self._headers_read is not None:
            headers = self._headers = self.MessageClass()
            for name, value in self._headers_read:
                headers[name] = value
        return headers

    @headers.setter
    def headers(self, value: Any) -> None:
        self._headers = value
        self._headers_read = None

    def _print_unexpected_exc(self) -> None:
        traceback.print_exc()

    def _read_header_block(self) -> bytes:
        """The header lines and the empty line that ends them, bounded (431)."""
        rfile = self.rfile
        peek = getattr(rfile, "peek", None)
        if peek is not None:
            # The common case: the whole head arrived in one segment.
            buf = peek(1)
            if buf[:2] == b"\r\n":
                return bytes(rfile.read(2))
            end = buf.find(b"\r\n\r\n", 0, MAX_HEADER_BYTES)
            if end >= 0:
                return bytes(rfile.read(end + 4))
        lines = []
        total = 0
        while True:
            line = rfile.readline(MAX_HEADER_LINE + 1)
            total += len(line)
            if total > MAX_HEADER_BYTES:
                raise RemoteProtocolError(
                    f"request header block over {MAX_HEADER_BYTES} bytes", 431)
            if not line.endswith(b"\n"):
                if len(line) > MAX_HEADER_LINE:
                    raise RemoteProtocolError(
                        f"a header line is over {MAX_HEADER_LINE} bytes", 431)
                raise RemoteProtocolError("connection closed inside the request head")
            lines.append(line)
            if line == b"\r\n" or line == b"\n":
                return b"".join(lines)

    def read_request(self, raw_requestline: str) -> bool:
        """Parse the request line and read the headers; False (or an
        exception) means a bad request."""
        request = parse_request_line(raw_requestline.encode("latin-1"))
        self._request = request
        self.command = request.method
        self.path = request.target
        self.request_version = request.version
        self.close_connection = False
        header_list = parse_header_block(self._read_header_block(),
                                         allow_folding=not self._strict)
        self._header_list = header_list
        # ``headers`` (a MessageClass) is built on first use: most requests never ask.
        self._headers = None
        self._headers_read = header_list
        info = analyse(request, header_list, self._strict)
        self._chunked_input = info.chunked
        self.content_length = info.content_length
        if (self._max_body is not None and info.content_length is not None
                and info.content_length > self._max_body):
            raise RemoteProtocolError(
                f"Content-Length {info.content_length} is over the server's limit "
                f"of {self._max_body} bytes", 413)
        self.close_connection = info.close
        self._expect_continue = info.expect_continue
        self._upgrade = info.upgrade
        return True

    # -------------------------------------------------------------- environ

    def get_environ(self) -> Any:
        """The WSGI environ for the request just read."""
        env = self.server.get_environ()
        request = self._request
        assert request is not None
        env["REQUEST_METHOD"] = request.method
        env["SCRIPT_NAME"] = ""
        env["PATH_INFO"] = request.path
        env["QUERY_STRING"] = request.query
        env["SERVER_PROTOCOL"] = request.version
        address = self.client_address
        if isinstance(address, tuple):
            env["REMOTE_ADDR"] = str(address[0])
            env["REMOTE_PORT"] = str(address[1])
        keys = _ENV_KEYS
        for name, value in self._header_list:
            try:
                key = keys[name]
            except KeyError:
                key = _env_key(name)
            if key is None:
                continue
            if key in env:
                if key == "CONTENT_LENGTH" or key == "CONTENT_TYPE":
                    continue
                sep = "; " if "COOKIE" in key else ","
                env[key] = env[key] + sep + value
            else:
                env[key] = value

        self.wsgi_input = Input(self.rfile, self.content_length,
                                socket=self.socket if self._expect_continue else None,
                                chunked_input=self._chunked_input,
                                max_length=self._max_body, strict=self._strict)
        if self._upgrade:
            # The connection may stop being HTTP: no deadline may cut it.
            self.disable_timeouts()
            # The application takes over the stream (websockets).
            env["wsgi.input"] = self.rfile
            env["wsgi.input_terminated"] = False
        else:
            env["wsgi.input"] = self.wsgi_input
            env["wsgi.input_terminated"] = True
        return env

    # ------------------------------------------------------------- response

    def handle_one_response(self) -> None:
        """Run the application and send its response; then drain the body."""
        self.time_start = time.time()
        self.status = None
        self._orig_status = None
        self.headers_sent = False
        self.result = None
        self.response_use_chunked = False
        self.connection_upgraded = False
        self.response_length = 0
        self.provided_date = None
        self.provided_content_length = None
        self._computed_length = None
        self._body_length = 0
        try:
            try:
                self.run_application()
            finally:
                self._finish_input()
        except _InvalidClientInput as ex:
            self.log_error("Invalid request (from %s): %s", self.client_address, ex)
            self._send_error_response_if_possible(ex.status)
            self.close_connection = True
        except TimeoutError:
            # A body read or a response write stalled past the socket's timeout.
            self.log_error("Timed out (from %s): the client stopped sending or reading",
                           self.client_address)
            self._send_error_response_if_possible(408)
            self.close_connection = True
        except OSError as ex:
            if ex.errno in self.ignored_socket_errors:
                self.close_connection = True
            else:
                self.handle_error(*sys.exc_info())
        except Exception:
            self.handle_error(*sys.exc_info())
        finally:
            self.time_finish = time.time()
            self.log_request()

    def _finish_input(self) -> None:
        if self.close_connection or self.wsgi_input is None:
            return
        if self._upgrade and (self._chunked_input or self.content_length):
            # The application had the raw stream: where the body ends is unknown.
            self.close_connection = True
            return
        try:
            if self.wsgi_input._discard(_MAX_DISCARD):
                return
        except OSError:
            pass
        # Unread input is left: a plain close would reset the connection and
        # could destroy the response still on its way to the client.
        self.close_connection = True
        self._linger = True

    def run_application(self) -> None:
        assert self.result is None
        if self._upgrade and _websocket_upgrade.serve(self):
            return
        try:
            self.result = self.application(self.environ, self.start_response)
            self.process_result()
        finally:
            close = getattr(self.result, "close", None)
            try:
                if close is not None:
                    close()
            finally:
                # Break the cycle environ -> frame -> handler early.
                self.result = None

    def process_result(self) -> None:
        result = self.result
        if (self.provided_content_length is None and not self.headers_sent
                and self.status is not None and hasattr(result, "__len__")):
            # The whole body is at hand: send it with a Content-Length, in one write.
            data = b"".join(_as_bytes(item) for item in result)
            if data and self.code in (204, 304):
                raise self.ApplicationError(f"The {self.code} response must have no body")
            if self.code not in (204, 304):
                self._computed_length = len(data)
            self.write(data)
        else:
            for data in result:
                if data:
                    self.write(data)
        if self.status is None:
            # Nothing at all was produced: there is no response to give.
            self.close_connection = True
            return
        if not self.headers_sent:
            self.write(b"")
        if self.response_use_chunked:
            self._sendall(b"0\r\n\r\n")
        elif self.command != "HEAD" and self.code not in (204, 304):
            self._check_declared_length(self._body_length)

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        # Validate everything before changing any state, so an application
        # that catches the error can call start_response again.
        if not isinstance(status, str):
            raise UnicodeError("The status string must be a native string")
        if "\r" in status or "\n" in status:
            raise ValueError("carriage return or newline in status")
        status.encode("latin-1")
        provided_cl: str | None = None
        provided_date: str | None = None
        close = False
        for header in headers:
            name, value = header
            if not isinstance(name, str):
                raise UnicodeError(f"The header must be a native string: {name!r}")
            if not isinstance(value, str):
                raise UnicodeError(f"The value must be a native string: {name!r}: {value!r}")
            if "\r" in name or "\n" in name:
                raise ValueError("carriage return or newline in header name")
            if "\r" in value or "\n" in value:
                raise ValueError("carriage return or newline in header value")
            name.encode("latin-1")
            value.encode("latin-1")
            lname = name.lower()
            if lname == "content-length":
                provided_cl = value
            elif lname == "date":
                provided_date = value
            elif lname == "connection" and "close" in _connection_tokens([value]):
                close = True
        code = int(status.split(" ", 1)[0])
        if code in (204, 304) and provided_cl not in (None, "0"):
            raise AssertionError(
                f"Invalid Content-Length for {code} response: {provided_cl!r} "
                "(must be absent or zero)")
        self.status = status
        self._orig_status = status
        self.code = code
        self.response_headers = list(headers)
        self.provided_content_length = provided_cl
        self.provided_date = provided_date
        if close:
            self.close_connection = True
        return self.write

    def finalize_headers(self) -> None:
        """Add Connection, Date and the body framing to the response headers."""
        assert self.response_headers is not None
        code = self.code
        request = self._request
        version = request.version_info if request is not None else (1, 0)
        if code == 101:
            self.connection_upgraded = True
            self.close_connection = True
        length_known = (self.provided_content_length is not None
                        or self._computed_length is not None or code in (204, 304))
        if not length_known:
            if version >= (1, 1) and code != 101:
                self.response_use_chunked = True
            else:
                # The only way left to mark the end of the body.
                self.close_connection = True
        headers = self.response_headers
        stopping = self._stopping()
        if stopping:
            self.close_connection = True
        if version == (1, 0) and not any(n.lower() == "connection" for n, _ in headers):
            headers.append(
                ("Connection", "close" if self.close_connection else "keep-alive"))
        elif (stopping and code != 101
              and not any(n.lower() == "connection" for n, _ in headers)):
            # The server shuts down: this is the last response on the connection.
            headers.append(("Connection", "close"))
        if self.provided_date is None:
            self.response_headers.append(("Date", http_date_now()))
        if self._computed_length is not None:
            self.response_headers.append(("Content-Length", str(self._computed_length)))
        elif self.response_use_chunked:
            self.response_headers.append(("Transfer-Encoding", "chunked"))

    def _sendall(self, data: bytes) -> None:
        sock = self.socket
        timeout = self._write_timeout
        if timeout != self._body_timeout:
            self._set_socket_timeout(timeout)
        try:
            if len(data) <= _WRITE_SLICE:
                sock.sendall(data)
            else:
                view = memoryview(data)
                for start in range(0, len(data), _WRITE_SLICE):
                    sock.sendall(view[start:start + _WRITE_SLICE])
        finally:
            if timeout != self._body_timeout:
                self._set_socket_timeout(self._body_timeout)
        self.response_length += len(data)

    def _check_declared_length(self, sent: int) -> None:
        # A body shorter or longer than the Content-Length the application
        # declared leaves the client out of step: the connection cannot be reused.
        declared = self.provided_content_length
        if declared is not None and declared.strip() != str(sent):
            self.close_connection = True

    def write(self, data: Any) -> None:
        """Send ``data`` as (part of) the body, the headers first if needed."""
        if self.code in (204, 304) and data:
            raise self.ApplicationError(f"The {self.code} response must have no body")
        if self.status is None:
            raise AssertionError("write() before start_response()")
        if self.headers_sent:
            if data:
                data = _as_bytes(data)
                self._body_length += len(data)
                self._sendall(format_chunk(data) if self.response_use_chunked else data)
            return
        self.headers_sent = True
        self.finalize_headers()
        assert self.response_headers is not None
        lines = [f"HTTP/1.1 {self.status}\r\n"]
        lines.extend(f"{name}: {value}\r\n" for name, value in self.response_headers)
        lines.append("\r\n")
        towrite = "".join(lines).encode("latin-1")
        if data:
            data = _as_bytes(data)
            self._body_length += len(data)
            towrite += format_chunk(data) if self.response_use_chunked else data
        self._sendall(towrite)

    def _send_error_response_if_possible(self, error_code: int) -> None:
        if self.headers_sent:
            # Part of the response is out: all we can do is cut it short.
            self.close_connection = True
            return
        if error_code in _REASONS:
            status, body = f"{error_code} {_REASONS[error_code]}", b""
        else:
            status, body = "500 Internal Server Error", _INTERNAL_ERROR_BODY
        self.status = None
        self.code = None
        self._computed_length = None
        self.response_use_chunked = False
        try:
            self.start_response(status, [("Content-Type", "text/plain"),
                                         ("Connection", "close"),
                                         ("Content-Length", str(len(body)))])
            self.write(body)
        except OSError:
            pass
        self.close_connection = True
        self._linger = True

    def handle_error(self, t: Any, v: Any, tb: Any) -> None:
        """Report an application error and answer with a 500 if possible."""
        try:
            self._send_error_response_if_possible(500)
            if isinstance(v, OSError) and v.errno in self.ignored_socket_errors:
                return
            environ = self.environ
            if environ is not None and not isinstance(environ, SecureEnviron):
                environ = WSGISecureEnviron(environ)
            context = environ if environ is not None else self
            self.server.loop.handle_error(context, t, v, tb)
        finally:
            del tb

    # -------------------------------------------------------------- logging

    def log_error(self, msg: str, *args: Any) -> None:
        try:
            message = msg % args
        except Exception:
            message = f"{msg!r} {args!r}"
        try:
            message = f"{self.socket}: {message}"
        except Exception:
            pass
        try:
            self.server.error_log.write(message + "\n")
        except Exception:
            traceback.print_exc()

    def log_request(self) -> None:
        log = self.server.log
        if log is not None and type(log) is not _NoopLog:
            log.write(self.format_request() + "\n")

    def format_request(self) -> str:
        now = datetime.now().replace(microsecond=0)
        length = self.response_length or "-"
        delta = f"{self.time_finish - self.time_start:.6f}" if self.time_finish else "-"
        address = self.client_address
        client = address[0] if isinstance(address, tuple) else address
        status = (self._orig_status or self.status or "000").split()[0]
        return f'{client or "-"} - - [{now}] "{self.requestline}" {status} {length} {delta}'
