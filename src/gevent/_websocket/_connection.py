"""``WebSocket``: one open websocket over a green socket, framed by wsproto.

Theory of operation
-------------------
wsproto's ``Connection`` is sans-IO: bytes in, events out, events in, bytes out.
This class is the blocking driver around it, in the style of the WSGI handler:

- ``receive()`` runs in the application's greenlet. It reads from the socket,
  feeds wsproto, answers pings, enforces the size limits and returns the next
  whole message. Control frames are handled only while someone receives, as in
  every blocking websocket library.
- ``send()``, ``ping()`` and ``close()`` may be called from any greenlet; one
  semaphore keeps each frame's bytes together on the wire, and keeps wsproto's
  deflate context in the order the frames are sent.
- On the server the 101 response goes out on first use (``send``, ``receive``,
  ``close`` or ``ping``), not when the environ is built: an application that
  ignores ``wsgi.websocket`` and upgrades the raw socket itself (simple-websocket,
  used by python-engineio) must find the connection untouched.

Ending: a close frame from the peer is answered and the socket shut; our own
``close()`` waits ``close_timeout`` for the peer's answer; a protocol violation
(wsproto reports it as a close event while the connection is still open) or an
oversized message sends the matching close code and shuts the socket at once.
Shutting (not closing) the socket wakes a greenlet blocked in ``recv`` with EOF,
so nothing waits forever; the owner of the socket closes it.
"""

from __future__ import annotations

import socket as _stdsocket
from collections import deque
from collections.abc import Callable, Mapping
from os import urandom as _urandom
from typing import Any

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import (
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Pong,
    TextMessage,
)
from wsproto.extensions import Extension
from wsproto.utilities import LocalProtocolError

from .._hub_local import get_hub_noargs
from .._sync._semaphore import Semaphore
from ..greenlet import Greenlet
from ..hub import sleep
from ..timeout import Timeout
from ._errors import WebSocketError
from ._handshake import Settings

__all__ = ["ConnectionClosed", "WebSocket"]

_RECV_SIZE = 65536
_NORMAL = 1000
_ABNORMAL = 1006
_TOO_BIG = 1009


def _unmask(key: bytes, payload: bytes) -> bytes:
    # One big-integer XOR: far faster in CPython than a loop or translate tables.
    n = len(payload)
    if not n:
        return payload
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(repeated, "little")).to_bytes(
        n, "little")


class ConnectionClosed(WebSocketError):
    """The websocket is closed; ``code`` and ``reason`` say how it ended."""

    def __init__(self, code: int | None, reason: str | None) -> None:
        self.code = code
        self.reason = reason
        detail = f" ({reason})" if reason else ""
        super().__init__(f"the websocket is closed with code {code}{detail}: "
                         "a closed websocket cannot send; open a new connection")


class WebSocket:
    """An open websocket. Made by the server (``environ['wsgi.websocket']``) or by
    ``gevent.websocket.connect()``; both sides behave the same.

    Attributes: ``path``, ``origin``, ``protocol`` (the chosen subprotocol or
    None), ``version`` ('13'), ``environ`` (the WSGI environ on the server, else
    None), ``extensions`` (wsproto extension objects in use), ``close_code`` and
    ``close_reason`` (once closed).
    """

    def __init__(self, sock: Any, *, client: bool, settings: Settings,
                 connection: Connection | None = None,
                 extensions: list[Extension] | None = None,
                 path: str | None = None, origin: str | None = None,
                 protocol: str | None = None, environ: Mapping[str, Any] | None = None,
                 start: Callable[[], None] | None = None,
                 first_read: Callable[[int], bytes] | None = None,
                 owns_socket: bool = False) -> None:
        self._sock = sock
        self._client = client
        self._settings = settings
        self._conn = connection
        self.extensions = list(extensions or [])
        self.path = path
        self.origin = origin
        self.protocol = protocol
        self.version = "13"
        self.environ = environ
        self._start = start
        self._first_read = first_read
        self._owns_socket = owns_socket
        self._messages: deque[str | bytes | None] = deque()
        self._buffer = bytearray()
        # A fragmented message is in progress inside wsproto.
        self._fragmented = False
        self._parts: list[Any] = []
        self._message_size = 0
        self._frame_size = 0
        self._write_lock = Semaphore()
        self._closed = False
        self._shut = False
        self._reading = False
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self._last_received = 0.0
        self._keepalive: Greenlet | None = None
        self._close_timer: Any = None

    # ------------------------------------------------------------ state

    @property
    def closed(self) -> bool:
        """True once a close frame was sent or received, or the connection dropped."""
        return self._closed

    @property
    def started(self) -> bool:
        """True once the handshake is complete on the wire (server: the 101 was sent)."""
        return self._conn is not None

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._conn is not None else "pending")
        return f"<{type(self).__name__} {state} path={self.path!r} protocol={self.protocol!r}>"

    def _ensure_started(self) -> Connection:
        conn = self._conn
        if conn is not None:
            return conn
        # Held while the 101 goes out: a second greenlet using the websocket
        # meanwhile waits for it instead of finding it half started.
        with self._write_lock:
            if self._conn is not None:
                return self._conn
            start = self._start
            if start is None:
                raise WebSocketError("the websocket handshake did not complete: "
                                     "the connection cannot be used")
            self._start = None
            start()
            conn = self._conn = Connection(ConnectionType.SERVER, self.extensions)
        self._begin_keepalive()
        return conn

    def _begin_keepalive(self) -> None:
        self._last_received = get_hub_noargs().loop.now()
        if self._settings.ping_interval is not None:
            self._keepalive = Greenlet.spawn(self._keepalive_loop)

    # ---------------------------------------------------------- receiving

    def _recv(self) -> bytes:
        first_read = self._first_read
        if first_read is not None:
            # The HTTP reader may hold bytes that came after the request headers.
            self._first_read = None
            return first_read(_RECV_SIZE)
        return self._sock.recv(_RECV_SIZE)

    def receive(self) -> str | bytes | None:
        """The next message: str for text, bytes for binary, None once closed.

        Pings are answered here; a message over ``max_message_size`` or a frame
        over ``max_frame_size`` closes the connection with 1009, and a protocol
        violation with the code wsproto names (1002, or 1007 for invalid UTF-8).
        ``close_code`` then says why receive() returned None.
        """
        conn = self._ensure_started()
        messages = self._messages
        while not messages:
            if self._shut:
                return None
            self._reading = True
            try:
                data = self._recv()
            except OSError:
                data = b""
            finally:
                self._reading = False
            if not data:
                self._lost()
                return None
            self._last_received = get_hub_noargs().loop.now()
            self._feed(conn, data)
        return messages.popleft()

    def _feed(self, conn: Connection, data: bytes) -> None:
        """Cut the stream into whole frames; decode the plain ones here, the rest in wsproto.

        A plain frame is a whole unfragmented text or binary message, masked as
        the peer's role requires, with no extension active: nearly every frame
        of a busy connection, and one wsproto would take several generator
        steps for. Everything else (control frames, fragments, compressed or
        malformed frames) goes to wsproto one whole frame at a time, so its
        buffer is empty between frames and the two never disagree about where
        a frame starts.
        """
        buf = self._buffer
        buf += data
        size = len(buf)
        pos = 0
        limit = self._settings.frame_limit
        plain_ok = not self.extensions
        want_mask = 0 if self._client else 0x80
        while size - pos >= 2 and not self._shut:
            b0 = buf[pos]
            b1 = buf[pos + 1]
            length = b1 & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length = (buf[pos + 2] << 8) | buf[pos + 3]
                head = 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2:pos + 10], "big")
                head = 10
            masked = b1 & 0x80
            if masked:
                head += 4
            if b0 & 0x08:
                if length > 125:
                    # wsproto refuses an oversized control frame from its header alone.
                    self._to_wsproto(conn, bytes(buf[pos:pos + head]))
                    break
            elif length > limit:
                # Refused from the header: the payload is never buffered.
                self._fail(_TOO_BIG, f"frame over {limit} bytes")
                break
            end = pos + head + length
            if end > size:
                break
            if plain_ok and (b0 == 0x81 or b0 == 0x82) and masked == want_mask \
                    and not self._fragmented:
                if length + self._message_size > self._settings.max_message_size:
                    self._fail(_TOO_BIG,
                               f"message over {self._settings.max_message_size} bytes")
                    break
                payload = bytes(buf[pos + head:end])
                if masked:
                    payload = _unmask(bytes(buf[pos + head - 4:pos + head]), payload)
                if b0 == 0x81:
                    try:
                        self._messages.append(payload.decode("utf-8"))
                    except UnicodeDecodeError:
                        self._fail(1007, "invalid UTF-8 in a text message")
                        break
                else:
                    self._messages.append(payload)
            else:
                opcode = b0 & 0x0F
                if opcode in (1, 2):
                    self._fragmented = not b0 & 0x80
                elif opcode == 0 and b0 & 0x80:
                    self._fragmented = False
                self._to_wsproto(conn, bytes(buf[pos:end]))
            pos = end
        del buf[:pos]

    def _to_wsproto(self, conn: Connection, frame: bytes) -> None:
        try:
            conn.receive_data(frame)
        except LocalProtocolError:
            # Data after the closing handshake completed: ignore it.
            self._shutdown()
            return
        self._handle_events(conn)

    def _handle_events(self, conn: Connection) -> None:
        for event in conn.events():
            if isinstance(event, Message):
                if not self._add_part(event):
                    return
            elif isinstance(event, Ping):
                self._send_event(event.response(), quiet=True)
            elif isinstance(event, Pong):
                pass  # _last_received was already updated
            elif isinstance(event, CloseConnection):
                self._peer_closed(conn, event)
                return

    def _add_part(self, event: Message[Any]) -> bool:
        data = event.data
        size = len(data)
        self._frame_size += size
        self._message_size += size
        settings = self._settings
        if self._message_size > settings.max_message_size:
            self._fail(_TOO_BIG, f"message over {settings.max_message_size} bytes")
            return False
        if self._frame_size > settings.frame_limit:
            self._fail(_TOO_BIG, f"frame over {settings.frame_limit} bytes")
            return False
        if event.frame_finished:
            self._frame_size = 0
        if data:
            self._parts.append(data)
        if event.message_finished:
            parts = self._parts
            if isinstance(event, TextMessage):
                message: str | bytes = "".join(parts)
            else:
                message = b"".join(parts) if len(parts) != 1 else bytes(parts[0])
            self._parts = []
            self._message_size = 0
            self._messages.append(message)
        return True

    def _peer_closed(self, conn: Connection, event: CloseConnection) -> None:
        state = conn.state
        if state is ConnectionState.REMOTE_CLOSING:
            # The peer started the closing handshake: echo its code and end.
            self._closed = True
            self.close_code, self.close_reason = event.code, event.reason
            self._send_event(event.response(), quiet=True)
            self._shutdown()
        elif state is ConnectionState.CLOSED:
            # The answer to our close().
            if self.close_code is None:
                self.close_code, self.close_reason = event.code, event.reason
            self._shutdown()
        else:
            # Still OPEN: wsproto found a protocol violation and names the code.
            self._fail(event.code, event.reason)

    def _fail(self, code: int, reason: str | None) -> None:
        """Close at once with ``code``: the peer broke a rule or a limit."""
        self._closed = True
        self.close_code, self.close_reason = code, reason
        conn = self._conn
        if conn is not None and conn.state in (ConnectionState.OPEN,
                                               ConnectionState.REMOTE_CLOSING):
            self._send_event(CloseConnection(code=code, reason=reason), quiet=True)
        self._shutdown()

    def _lost(self) -> None:
        if not self._closed:
            self._closed = True
            self.close_code, self.close_reason = _ABNORMAL, "connection lost"
        self._shutdown()

    def _shutdown(self) -> None:
        self._closed = True
        if self._shut:
            return
        self._shut = True
        self._messages.append(None)
        keepalive, self._keepalive = self._keepalive, None
        if keepalive is not None and keepalive is not Greenlet.getcurrent():
            keepalive.kill(block=False)
        timer, self._close_timer = self._close_timer, None
        if timer is not None:
            timer.close()
        try:
            self._sock.shutdown(_stdsocket.SHUT_RDWR)
        except (OSError, ValueError):
            pass
        if self._owns_socket:
            try:
                self._sock.close()
            except OSError:
                pass

    # ------------------------------------------------------------ sending

    def _send_event(self, event: Any, quiet: bool = False) -> None:
        conn = self._conn
        assert conn is not None
        with self._write_lock:
            try:
                data = conn.send(event)
                self._sock.sendall(data)
            except (OSError, LocalProtocolError) as ex:
                if quiet:
                    return
                self._lost()
                raise ConnectionClosed(self.close_code, self.close_reason) from ex

    def send(self, message: str | bytes | bytearray | memoryview,
             binary: bool | None = None) -> None:
        """Send one message: text for str, binary for bytes, unless ``binary`` says otherwise.

        Raises ``ConnectionClosed`` (a ``WebSocketError``) once the websocket is closed.
        """
        self._ensure_started()
        if binary is None:
            binary = not isinstance(message, str)
        if binary:
            if isinstance(message, str):
                message = message.encode("utf-8")
            event: Message[Any] = BytesMessage(data=bytes(message))
        else:
            if not isinstance(message, str):
                try:
                    message = bytes(message).decode("utf-8")
                except UnicodeDecodeError as ex:
                    raise ValueError("a text message must be valid UTF-8; "
                                     "send bytes with binary=True instead") from ex
            event = TextMessage(data=message)
        if self._closed:
            raise ConnectionClosed(self.close_code, self.close_reason)
        if self.extensions:
            self._send_event(event)
            return
        # No extension: frame it here, one header and one sendall (see _feed).
        payload = event.data if binary else event.data.encode("utf-8")
        length = len(payload)
        b0 = 0x82 if binary else 0x81
        mask_bit = 0x80 if self._client else 0
        if length < 126:
            header = bytes((b0, mask_bit | length))
        elif length < 65536:
            header = bytes((b0, mask_bit | 126)) + length.to_bytes(2, "big")
        else:
            header = bytes((b0, mask_bit | 127)) + length.to_bytes(8, "big")
        if self._client:
            key = _urandom(4)
            header += key
            payload = _unmask(key, payload)
        with self._write_lock:
            if self._closed:
                raise ConnectionClosed(self.close_code, self.close_reason)
            try:
                self._sock.sendall(header + payload)
            except OSError as ex:
                self._lost()
                raise ConnectionClosed(self.close_code, self.close_reason) from ex

    def ping(self, payload: bytes = b"") -> None:
        """Send a ping (at most 125 bytes); the pong is seen by ``receive()``."""
        if len(payload) > 125:
            raise ValueError(f"a ping payload is at most 125 bytes, not {len(payload)}")
        self._ensure_started()
        if self._closed:
            raise ConnectionClosed(self.close_code, self.close_reason)
        self._send_event(Ping(payload=bytes(payload)))

    def close(self, code: int = _NORMAL, message: str | bytes = b"") -> None:
        """Start the closing handshake with ``code`` and wait (``close_timeout``) for the answer.

        If another greenlet is in ``receive()``, that greenlet reads the answer
        and close() returns at once; the connection is shut after
        ``close_timeout`` either way. Closing a closed websocket does nothing.
        """
        if self._closed:
            return
        if self._conn is None and self._start is None:
            return
        conn = self._ensure_started()
        if isinstance(message, bytes | bytearray):
            reason = bytes(message).decode("utf-8", "replace")
        else:
            reason = message
        self._closed = True
        self.close_code, self.close_reason = code, reason or None
        self._send_event(CloseConnection(code=code, reason=reason), quiet=True)
        timeout = self._settings.close_timeout
        if self._reading:
            timer = self._close_timer = get_hub_noargs().loop.timer(timeout)
            timer.start(self._shutdown)
            return
        with Timeout(timeout, False):
            while not self._shut:
                try:
                    data = self._recv()
                except OSError:
                    break
                if not data:
                    break
                self._feed(conn, data)
        self._shutdown()

    def _finish(self) -> None:
        """The application is done with the connection: close it if it is still open."""
        if self._conn is None:
            # Never started: the socket may belong to whoever upgraded it
            # instead (simple-websocket works on a dup); leave it alone.
            self._start = None
            self._closed = True
            return
        if not self._closed:
            self.close(_NORMAL)
        self._shutdown()

    # ---------------------------------------------------------- keepalive

    def _keepalive_loop(self) -> None:
        settings = self._settings
        interval = settings.ping_interval
        assert interval is not None
        loop = get_hub_noargs().loop
        while not self._closed:
            sleep(interval)
            if self._closed:
                return
            sent_at = loop.now()
            if sent_at - self._last_received < interval:
                continue  # traffic arrived lately: no need to ask
            try:
                self._send_event(Ping(payload=b"gevent"), quiet=True)
            except ConnectionClosed:
                return
            sleep(settings.ping_timeout)
            if self._closed:
                return
            if self._last_received < sent_at:
                self._closed = True
                self.close_code, self.close_reason = _ABNORMAL, "ping timeout"
                self._shutdown()
                return
