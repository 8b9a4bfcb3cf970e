"""HTTP/1.x request parsing with no I/O: the protocol half of ``gevent.pywsgi``.

Theory of operation
-------------------
Nothing here touches a socket, a greenlet or a clock. The WSGI handler reads
bytes and hands them over; this module says what they mean or why they are
unacceptable. Every refusal is a ``RemoteProtocolError`` carrying the HTTP
status the server should answer with (``status_hint``), so the driver never
has to guess which error deserves which response.

* ``parse_request_line`` turns one request line into a ``RequestLine``.
* ``HeaderParser`` is fed the header block line by line and enforces the
  limits (line length, number of fields, total size), folds obsolete
  continuation lines and rejects malformed fields.
* ``body_framing`` applies the Content-Length / Transfer-Encoding rules and
  says how the body is delimited.
* ``ChunkedDecoder`` is a byte-driven state machine for a chunked body. It
  validates each byte as it arrives, so a bad chunk size is refused at its
  first byte instead of after waiting for a line end that may never come. It
  never consumes a byte past the end of the message, which is what keeps a
  pipelined next request (or a smuggled one) out of the body.

Rule 1: every limit is checked before the data that would exceed it is kept,
so memory stays bounded whatever the peer sends.
Rule 2: the decoder reports how many input bytes it consumed; the driver
removes exactly that many from its buffer.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

__all__ = [
    "MAX_CHUNK_LINE",
    "MAX_HEADERS",
    "MAX_HEADER_BYTES",
    "MAX_HEADER_LINE",
    "MAX_REQUEST_LINE",
    "ChunkedDecoder",
    "HeaderParser",
    "RemoteProtocolError",
    "RequestLine",
    "body_framing",
    "format_chunk",
    "parse_request_line",
]

#: The longest request line accepted (longer ones get 414).
MAX_REQUEST_LINE = 8192
#: The longest single header line (http.client uses the same bound).
MAX_HEADER_LINE = 65536
#: The most header (or trailer) fields in one message.
MAX_HEADERS = 100
#: The most bytes in one header block, all lines together.
MAX_HEADER_BYTES = 262144
#: The longest chunk-size line (size plus extensions) or trailer line.
MAX_CHUNK_LINE = MAX_REQUEST_LINE
# 16 hex digits is already 2**64; more can only be an attack or a mistake.
_MAX_SIZE_DIGITS = 16

# RFC 9110 5.6.2: token characters.
_TCHAR = frozenset(b"!#$%&'*+-.^_`|~0123456789"
                   b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_HEX = frozenset(b"0123456789abcdefABCDEF")


class RemoteProtocolError(ValueError):
    """The peer sent something that is not acceptable HTTP.

    ``status_hint`` is the status code the server should reply with.
    """

    def __init__(self, message: str, status_hint: int = 400) -> None:
        super().__init__(message)
        self.status_hint = status_hint


# ------------------------------------------------------------ request line


@dataclass(frozen=True)
class RequestLine:
    """One parsed request line.

    ``target`` is the raw request-target; ``path`` is its percent-decoded path
    as latin-1 text (WSGI's convention) and ``query`` the raw query string.
    ``version`` is the protocol string (``'HTTP/1.1'``; ``'HTTP/0.9'`` for a
    two-word line) and ``version_info`` its ``(major, minor)``.
    """

    method: str
    target: str
    path: str
    query: str
    version: str
    version_info: tuple[int, int]


def _is_token(text: str) -> bool:
    return bool(text) and all(ord(c) < 128 and ord(c) in _TCHAR for c in text)


def parse_request_line(raw: bytes) -> RequestLine:
    """Parse ``raw`` (with or without its line end) into a ``RequestLine``."""
    if len(raw) >= MAX_REQUEST_LINE:
        raise RemoteProtocolError("request line too long", 414)
    line = raw.decode("latin-1").rstrip("\r\n")
    words = line.split()
    if len(words) == 3:
        method, target, version = words
        if not _is_token(method):
            raise RemoteProtocolError(f"invalid HTTP method: {line!r}")
        version_info = _parse_version(version)
        if version_info is None or not (0, 9) <= version_info < (2, 0):
            raise RemoteProtocolError(f"invalid http version: {line!r}")
    elif len(words) == 2:
        # HTTP/0.9 ("GET /path") has no version and only GET.
        method, target = words
        if method != "GET":
            raise RemoteProtocolError(f"expected GET method, got {method!r}: {line!r}")
        version, version_info = "HTTP/0.9", (0, 9)
    else:
        raise RemoteProtocolError(f"invalid request line: {line!r}")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        raise RemoteProtocolError(f"invalid request target: {target!r}")
    path, _, query = target.partition("?")
    path = unquote_to_bytes(path).decode("latin-1")
    return RequestLine(method, target, path, query, version, version_info)


def _parse_version(text: str) -> tuple[int, int] | None:
    if not text.startswith("HTTP/"):
        return None
    major, dot, minor = text[5:].partition(".")
    if not dot or not major.isdigit() or not minor.isdigit():
        return None
    if not major.isascii() or not minor.isascii() or len(major) > 3 or len(minor) > 3:
        return None
    return int(major), int(minor)


# ----------------------------------------------------------------- headers


class HeaderParser:
    """Collects a header (or trailer) block fed one line at a time.

    ``feed_line`` returns True once the blank line that ends the block has
    been seen; ``headers`` then holds ``(name, value)`` pairs as latin-1 text,
    in arrival order, names as sent.
    """

    def __init__(self, max_line: int = MAX_HEADER_LINE, max_headers: int = MAX_HEADERS,
                 max_bytes: int = MAX_HEADER_BYTES, allow_folding: bool = True) -> None:
        self.max_line = max_line
        self.max_headers = max_headers
        self.max_bytes = max_bytes
        self.allow_folding = allow_folding
        self.headers: list[tuple[str, str]] = []
        self.done = False
        self._size = 0

    def feed_line(self, line: bytes) -> bool:
        """Add one line (including its line end); True when the block is complete."""
        if self.done:
            raise RuntimeError("header block already complete")
        if len(line) > self.max_line or (len(line) == self.max_line
                                         and not line.endswith(b"\n")):
            raise RemoteProtocolError("header line too long")
        self._size += len(line)
        if self._size > self.max_bytes:
            raise RemoteProtocolError("header block too large")
        if not line.endswith(b"\n"):
            raise RemoteProtocolError("header block ended early")
        text = line.decode("latin-1").rstrip("\r\n")
        if not text:
            self.done = True
            return True
        if text[0] in " \t":
            # Obsolete line folding (RFC 9112 5.2): a continuation of the last field.
            if not self.allow_folding or not self.headers:
                raise RemoteProtocolError(f"invalid header continuation: {text!r}")
            name, value = self.headers[-1]
            self.headers[-1] = (name, f"{value} {text.strip()}".strip())
            return False
        name, colon, value = text.partition(":")
        if not colon or not _is_token(name):
            # Also refuses "Name : value": whitespace before the colon is a
            # known request-smuggling vector (RFC 9112 5.1).
            raise RemoteProtocolError(f"invalid header line: {text!r}")
        if len(self.headers) >= self.max_headers:
            raise RemoteProtocolError(f"got more than {self.max_headers} headers")
        if any(c in value for c in "\0\r\n"):
            raise RemoteProtocolError(f"invalid header value for {name!r}")
        self.headers.append((name, value.strip(" \t")))
        return False


# ------------------------------------------------------------ body framing


def body_framing(method: str, headers: list[tuple[str, str]]) -> tuple[bool, int | None]:
    """Decide how a request body is delimited: ``(chunked, content_length)``.

    A chunked request ignores Content-Length (RFC 9112 6.3); otherwise the
    length is the agreed Content-Length, or None when there is none (no body).
    """
    encodings: list[str] = []
    lengths: list[str] = []
    for name, value in headers:
        lname = name.lower()
        if lname == "transfer-encoding":
            encodings.extend(v.strip().lower() for v in value.split(",") if v.strip())
        elif lname == "content-length":
            lengths.append(value.strip())
    if encodings:
        if encodings[-1] != "chunked" or encodings.count("chunked") > 1:
            # Anything else cannot be delimited: refusing is the only safe answer.
            raise RemoteProtocolError(
                f"unsupported transfer-encoding: {', '.join(encodings)!r}")
        return True, None
    if not lengths:
        return False, None
    values = {v for item in lengths for v in (p.strip() for p in item.split(","))}
    if len(values) != 1:
        raise RemoteProtocolError(f"conflicting Content-Length: {lengths!r}")
    text = values.pop()
    if not text.isdigit() or not text.isascii():
        raise RemoteProtocolError(f"invalid Content-Length: {text}")
    length = int(text)
    if method == "HEAD" and length:
        raise RemoteProtocolError("unexpected Content-Length")
    return False, length


# ------------------------------------------------------------ chunked body

# Decoder states.
_SIZE = 0        # reading hex digits of the chunk size
_EXT = 1         # after ';': a chunk extension, up to CR
_SIZE_LF = 2     # saw CR after the size line, need LF
_DATA = 3        # inside chunk data
_DATA_CR = 4     # chunk data done, need CR
_DATA_LF = 5     # need LF
_TRAILER = 6     # reading a trailer line (or the final empty line)
_TRAILER_LF = 7  # saw CR ending a trailer line, need LF
_DONE = 8


class ChunkedDecoder:
    """Decodes a chunked body (RFC 9112 7.1) fed as bytes in any split.

    ``feed(data, limit)`` consumes from ``data`` and returns
    ``(consumed, payload)``, with at most ``limit`` bytes of payload. It stops
    at the end of the message (``done``), never consuming past it.
    ``trailers`` holds the trailer fields once done. Malformed input raises
    ``RemoteProtocolError``, as soon as the offending byte is seen.
    """

    def __init__(self, max_line: int = MAX_CHUNK_LINE, max_trailers: int = MAX_HEADERS) -> None:
        self.max_line = max_line
        self.max_trailers = max_trailers
        self.trailers: list[tuple[str, str]] = []
        self._state = _SIZE
        self._size = 0
        self._digits = 0
        self._line_len = 0
        self._line = bytearray()
        self._colon = False

    @property
    def done(self) -> bool:
        return self._state == _DONE

    @property
    def in_data(self) -> bool:
        """True while chunk data is expected: ``remaining`` bytes of it."""
        return self._state == _DATA

    @property
    def remaining(self) -> int:
        return self._size if self._state == _DATA else 0

    def feed(self, data: bytes, limit: int = -1) -> tuple[int, bytes]:
        pos = 0
        end = len(data)
        out: list[bytes] = []
        room = limit if limit >= 0 else end
        # Stop as soon as the caller has what it asked for: bytes after that
        # (possibly malformed) are only examined when more payload is wanted.
        while pos < end and room > 0 and self._state != _DONE:
            state = self._state
            if state == _DATA:
                take = min(self._size, end - pos, room)
                out.append(data[pos:pos + take])
                pos += take
                room -= take
                self._size -= take
                if not self._size:
                    self._state = _DATA_CR
                continue
            byte = data[pos]
            pos += 1
            if state == _SIZE:
                self._count_line_byte()
                if byte in _HEX:
                    self._digits += 1
                    if self._digits > _MAX_SIZE_DIGITS:
                        raise RemoteProtocolError("chunk size too large")
                    self._size = self._size * 16 + int(chr(byte), 16)
                elif not self._digits:
                    raise RemoteProtocolError(f"invalid chunk size: non-hex data {bytes([byte])!r}")
                elif byte == 0x3B:  # ';'
                    self._state = _EXT
                elif byte == 0x0D:
                    self._state = _SIZE_LF
                else:
                    raise RemoteProtocolError(f"invalid chunk size line: {bytes([byte])!r}")
            elif state == _EXT:
                # Extensions are ignored, but bounded and never allowed to
                # contain a bare line end.
                self._count_line_byte()
                if byte == 0x0D:
                    self._state = _SIZE_LF
                elif byte == 0x0A:
                    raise RemoteProtocolError("chunk size line did not end in CRLF")
            elif state == _SIZE_LF:
                if byte != 0x0A:
                    raise RemoteProtocolError("chunk size line did not end in CRLF")
                self._line_len = 0
                self._digits = 0
                self._state = _DATA if self._size else _TRAILER
            elif state in (_DATA_CR, _DATA_LF):
                if byte != (0x0D if state == _DATA_CR else 0x0A):
                    raise RemoteProtocolError(
                        f"chunk data did not end in CRLF: {bytes([byte])!r}")
                self._state = _DATA_LF if state == _DATA_CR else _SIZE
            elif state == _TRAILER:
                self._trailer_byte(byte)
            else:  # _TRAILER_LF
                if byte != 0x0A:
                    raise RemoteProtocolError("trailer line did not end in CRLF")
                self._end_trailer_line()
        return pos, b"".join(out)

    def _count_line_byte(self) -> None:
        self._line_len += 1
        if self._line_len > self.max_line:
            raise RemoteProtocolError("chunk size line too long")

    def _trailer_byte(self, byte: int) -> None:
        if byte == 0x0D:
            self._state = _TRAILER_LF
            return
        line = self._line
        if byte == 0x0A:
            raise RemoteProtocolError("trailer line did not end in CRLF")
        if len(line) >= self.max_line:
            raise RemoteProtocolError("trailer line too long")
        if not self._colon:
            # The field name is checked as it arrives, so a request line
            # smuggled in where a trailer belongs is refused at its first space.
            if byte == 0x3A and line:
                self._colon = True
            elif byte not in _TCHAR:
                raise RemoteProtocolError(f"invalid trailer line: {bytes(line + bytes([byte]))!r}")
        elif byte == 0:
            raise RemoteProtocolError("invalid trailer value")
        line.append(byte)

    def _end_trailer_line(self) -> None:
        line = self._line
        if not line:
            self._state = _DONE
            return
        if not self._colon:
            raise RemoteProtocolError(f"invalid trailer line: {bytes(line)!r}")
        if len(self.trailers) >= self.max_trailers:
            raise RemoteProtocolError("too many trailers")
        name, _, value = bytes(line).decode("latin-1").partition(":")
        self.trailers.append((name, value.strip(" \t")))
        self._line = bytearray()
        self._colon = False
        self._state = _TRAILER


def format_chunk(data: bytes) -> bytes:
    """One chunk of a chunked response body (never the empty last chunk)."""
    return b"%x\r\n%s\r\n" % (len(data), data)
