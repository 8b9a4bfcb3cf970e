"""``wsgi.input`` for ``gevent.pywsgi``: a request body that is never read past its end.

Theory of operation
-------------------
A Content-Length body is read straight from the connection's buffered
reader, never more than the bytes that remain. A chunked body goes through
``_parser.ChunkedDecoder``: inside chunk data the reader is asked for at
most the rest of the chunk; between chunks the decoder is only shown what the
reader has already buffered (``peek``) and reports how much of it belongs to
the body, and exactly that much is taken. So the next pipelined request
stays in the reader, and a malformed size line is refused at its first bad
byte instead of after waiting for a line end that may never come. Readers
without ``peek`` (a ``BytesIO`` in tests) are read one byte at a time there.
"""

from __future__ import annotations

import sys
from typing import Any

from ._parser import ChunkedDecoder, RemoteProtocolError

__all__ = ["Input", "_BodyTooLarge", "_InvalidClientInput"]

_CONTINUE_RESPONSE = b"HTTP/1.1 100 Continue\r\n\r\n"
_READ_CHUNK = 65536


class _InvalidClientInput(OSError):
    """The request body is malformed; the connection cannot be reused.

    ``status`` is the response the client should get (400; 413 for a body
    over the server's limit).
    """

    status = 400


class _BodyTooLarge(_InvalidClientInput):
    """The request body is longer than the server's ``max_body_size``."""

    status = 413


class Input:
    """``wsgi.input``: the request body, never read past its end.

    ``content_length`` bounds a plain body (None means no body);
    ``chunked_input`` decodes a chunked one. With ``socket`` given, the first
    read sends ``100 Continue`` (the client sent ``Expect: 100-continue``).
    A body cut short raises ``OSError``; a malformed chunked body raises
    ``_InvalidClientInput``, and one over ``max_length`` bytes ``_BodyTooLarge``
    (a Content-Length body over the limit is refused before it is read).
    ``strict`` refuses malformed chunk extensions.
    """

    def __init__(self, rfile: Any, content_length: int | None, socket: Any = None,
                 position: int = 0, chunked_input: bool = False,
                 max_length: int | None = None, strict: bool = True) -> None:
        self.rfile = rfile
        self.content_length = content_length
        self.socket = socket
        self.position = position
        self.chunked_input = chunked_input
        self.max_length = max_length
        self._decoder: ChunkedDecoder | None = (
            ChunkedDecoder(strict_extensions=strict) if chunked_input else None)
        self._pending = b""  # decoded chunked payload not yet returned
        self._error: BaseException | None = None
        self._decoded = 0  # chunked payload bytes decoded so far

    # ------------------------------------------------------------- helpers

    def _send_100_continue(self) -> None:
        sock = self.socket
        if sock is not None:
            self.socket = None
            sock.sendall(_CONTINUE_RESPONSE)

    def _remaining(self) -> int:
        if self.content_length is None:
            return 0
        return max(self.content_length - self.position, 0)

    def _eof(self) -> OSError:
        if self.chunked_input:
            return OSError("unexpected end of file while parsing chunked data")
        return OSError(f"unexpected end of file while reading request at position {self.position}")

    def _next_payload(self, limit: int) -> bytes:
        """Up to ``limit`` decoded bytes of a chunked body; b'' only at its end."""
        if self._pending:
            data, self._pending = self._pending[:limit], self._pending[limit:]
            return data
        decoder = self._decoder
        assert decoder is not None
        if self._error is not None:
            raise self._error
        rfile = self.rfile
        peek = getattr(rfile, "peek", None)
        try:
            while not decoder.done:
                if decoder.in_data:
                    data = rfile.read(min(decoder.remaining, limit))
                    if not data:
                        raise self._eof()
                    decoder.feed(data)
                    self._decoded += len(data)
                    return bytes(data)
                # Outside chunk data only look at what is already buffered,
                # so nothing past the end of the body is ever taken.
                buf = peek(1) if peek is not None else rfile.read(1)
                if not buf:
                    raise self._eof()
                consumed, payload = decoder.feed(buf, limit)
                if peek is not None:
                    rfile.read(consumed)
                self._decoded += len(payload)
                if self.max_length is not None:
                    # Also against the declared size of the chunk begun, before it is read.
                    self._check_length(self._decoded + decoder.remaining)
                if payload:
                    return payload
        except RemoteProtocolError as ex:
            self._error = _InvalidClientInput(str(ex))
            raise self._error from None
        return b""

    def _check_length(self, total: int) -> None:
        assert self.max_length is not None
        if total > self.max_length:
            self._error = _BodyTooLarge(
                f"request body over the server's limit of {self.max_length} bytes")
            raise self._error

    # ----------------------------------------------------------- WSGI API

    def read(self, length: int | None = None) -> bytes:
        self._send_100_continue()
        return self._read(length)

    def _read(self, length: int | None = None) -> bytes:
        if length is not None and length < 0:
            length = None
        if self.chunked_input:
            parts = []
            wanted = sys.maxsize if length is None else length
            while wanted > 0:
                data = self._next_payload(min(wanted, _READ_CHUNK))
                if not data:
                    break
                parts.append(data)
                wanted -= len(data)
            result = b"".join(parts)
            self.position += len(result)
            return result
        remaining = self._remaining()
        if length is None or length > remaining:
            length = remaining
        if not length:
            return b""
        data = self.rfile.read(length)
        self.position += len(data)
        if len(data) < length:
            raise self._eof()
        return bytes(data)

    def readline(self, size: int | None = None) -> bytes:
        self._send_100_continue()
        if size is not None and size < 0:
            size = None
        if self.chunked_input:
            parts: list[bytes] = []
            wanted = sys.maxsize if size is None else size
            while wanted > 0:
                data = self._next_payload(min(wanted, _READ_CHUNK))
                if not data:
                    break
                newline = data.find(b"\n")
                if newline >= 0:
                    self._pending = data[newline + 1:] + self._pending
                    data = data[:newline + 1]
                    parts.append(data)
                    break
                parts.append(data)
                wanted -= len(data)
            line = b"".join(parts)
            self.position += len(line)
            return line
        remaining = self._remaining()
        if size is None or size > remaining:
            size = remaining
        if not size:
            return b""
        line = self.rfile.readline(size)
        self.position += len(line)
        if len(line) < size and not line.endswith(b"\n"):
            raise self._eof()
        return bytes(line)

    def readlines(self, hint: int | None = None) -> list[bytes]:
        lines = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Input:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def _discard(self, limit: int = sys.maxsize) -> bool:
        """Read and drop the rest of the body (no ``100 Continue`` for it).

        False if more than ``limit`` bytes were left: reading on would only
        serve a client that sends a huge body nobody wants.
        """
        self.socket = None
        if not self.chunked_input and self._remaining() > limit:
            return False
        dropped = 0
        while dropped <= limit:
            data = self._read(_READ_CHUNK)
            if not data:
                return True
            dropped += len(data)
        return False
