"""Connection-level machinery of the WSGI handler: deadlines, refusals, lingering close.

``ConnectionDeadlines`` is the part of ``WSGIHandler`` that keeps time. One
deadline per connection, kept by one loop timer, throws into the handler's
greenlet: the keep-alive
timeout while it waits for the next request, the head deadline from the
request's first byte (from the accept, for the first request) until its last
header line, however slowly the bytes trickle in. Body reads and response
writes use the socket's timeout, so they measure a stall, not a total.
``disable_timeouts()`` turns all of it off for a connection that stops being
request/response HTTP (an upgrade), and ``close_if_idle()`` is how a graceful
shutdown closes connections waiting for a request.
"""

from __future__ import annotations

import time
from typing import Any

from .._hub_local import get_hub_noargs as get_hub

__all__ = ["_BAD_REQUEST_RESPONSE", "_REASONS", "_REQUEST_TOO_LONG_RESPONSE", "ConnectionDeadlines",
           "_HeadTimeout", "_IdleTimeout", "_error_response", "_linger"]

_BAD_REQUEST_RESPONSE = (
    b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-length: 0\r\n\r\n")
_REQUEST_TOO_LONG_RESPONSE = (
    b"HTTP/1.1 414 Request URI Too Long\r\nConnection: close\r\nContent-length: 0\r\n\r\n")
_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "Request URI Too Long",
    431: "Request Header Fields Too Large",
    501: "Not Implemented",
    505: "HTTP Version Not Supported",
}


def _error_response(code: int) -> bytes:
    """The fixed response (and close) for a request refused before the application."""
    if code == 400:
        return _BAD_REQUEST_RESPONSE
    if code == 414:
        return _REQUEST_TOO_LONG_RESPONSE
    reason = _REASONS.get(code, "Bad Request")
    return (f"HTTP/1.1 {code} {reason}\r\nConnection: close\r\n"
            "Content-length: 0\r\n\r\n").encode("latin-1")


class _IdleTimeout(Exception):
    """Thrown into a handler waiting for the next request: close quietly."""


class _HeadTimeout(Exception):
    """Thrown into a handler whose request head did not arrive in time."""


# Closing a socket with unread input makes the kernel send a reset, which can
# destroy the error response still in flight to the client. So after an error
# response we stop sending, then read and drop the client's leftovers for a
# bounded time and amount before closing (a "lingering close").
_LINGER_SECONDS = 0.5
_LINGER_BYTES = 262144


def _linger(sock: Any) -> None:
    try:
        sock.shutdown(1)  # SHUT_WR: the client sees the end of the response
        sock.settimeout(_LINGER_SECONDS)
        deadline = time.monotonic() + _LINGER_SECONDS
        total = 0
        while total < _LINGER_BYTES and time.monotonic() < deadline:
            data = sock.recv(65536)
            if not data:
                break
            total += len(data)
    except (OSError, ValueError):
        # ValueError: a TLS socket may refuse the plain shutdown.
        pass


class ConnectionDeadlines:
    """The deadlines of one connection; mixed into ``WSGIHandler``."""

    socket: Any
    server: Any
    _header_timeout: float | None = None
    _keepalive_timeout: float | None = None
    _body_timeout: float | None = None
    _write_timeout: float | None = None
    _timer: Any = None
    _loop: Any = None
    _deadline: float | None = None
    _timer_at = 0.0  # when the running timer fires
    _deadline_exc: type[Exception] = Exception
    _throw: Any = None
    _idle = False

    # The deadline is a number, not a timer restart: re-arming for each phase
    # of each request only writes it. The one timer runs to the earliest
    # deadline it was started for (it is restarted only for an earlier one);
    # when it fires, ``_expire`` throws if the current deadline has passed,
    # sleeps on until it if it moved later, and stops if there is none. So a
    # busy keep-alive connection costs a timer wake-up per keep-alive period,
    # instead of heap work per request.

    def _arm(self, seconds: float | None, exc: type[Exception]) -> None:
        if seconds is None:
            self._deadline = None
            return
        loop = self._loop
        if loop is None:
            loop = self._loop = get_hub().loop
        # update: the loop's time is that of its last poll, and the application
        # may have run long since.
        loop.update_now()
        deadline = self._deadline = loop.now() + seconds
        self._deadline_exc = exc
        timer = self._timer
        if timer is None:
            timer = self._timer = loop.timer(seconds)
        elif timer.active:
            if self._timer_at <= deadline:
                return  # it wakes up first and sleeps on to the deadline
            timer.stop()
        self._timer_at = deadline
        timer.after = seconds
        timer.start(self._expire)

    def _disarm(self) -> None:
        self._deadline = None

    def _expire(self) -> None:
        deadline = self._deadline
        timer = self._timer
        if deadline is None or timer is None or timer.active:
            return
        left = deadline - self._loop.now()
        if left > 0:
            self._timer_at = deadline
            timer.after = left
            timer.start(self._expire)
            return
        self._deadline = None
        self._throw(self._deadline_exc)

    def _set_socket_timeout(self, seconds: float | None) -> None:
        settimeout = getattr(self.socket, "settimeout", None)
        if settimeout is not None:
            settimeout(seconds)

    def disable_timeouts(self) -> None:
        """Turn off every deadline of this connection, for good.

        For a connection that stops being request/response HTTP: upgraded
        (websockets), or handed to code that reads and writes the socket
        itself. The idle, head, body and write timeouts all stop applying.
        """
        self._header_timeout = self._keepalive_timeout = None
        self._body_timeout = self._write_timeout = None
        self._disarm()
        if self._timer is not None:
            self._timer.stop()
        if self.__dict__.get("socket") is not None:
            self._set_socket_timeout(None)

    def close_if_idle(self) -> bool:
        """Close the connection if it is waiting for a request (graceful shutdown).

        True if it was idle; a request in progress is left to finish, and the
        server's stopping flag makes it the last one on this connection.
        """
        if not self._idle or self._throw is None:
            return False
        get_hub().loop.run_callback(self._wake_idle)
        return True

    def _wake_idle(self) -> None:
        if self._idle and self._throw is not None:
            self._throw(_IdleTimeout)

    def _stopping(self) -> bool:
        return bool(getattr(self.server, "_stopping", False))
