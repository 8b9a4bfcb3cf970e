"""HTTP/1.x request parsing with no I/O: the protocol half of ``gevent.pywsgi``.

Theory of operation
-------------------
Nothing here touches a socket, a greenlet or a clock. The WSGI handler reads
bytes and hands them over; this module says what they mean or why they are
unacceptable. Every refusal is a ``RemoteProtocolError`` carrying the HTTP
status the server should answer with (``status_hint``: 400, 414, 431, 501 or
505), so the driver never has to guess which error deserves which response.
The grammar is RFC 9112's, applied strictly: anything that two parsers could
read differently is refused rather than guessed at, because that difference
is what request smuggling exploits.

* ``parse_request_line`` turns one request line into a ``RequestLine``.
* ``parse_header_block`` checks a whole header block (every line up to and
  including the empty one) at once and returns its fields.
* ``analyse`` applies the rules between fields (Host, Content-Length,
  Transfer-Encoding, Connection, Expect) and says how the body is delimited.
* ``ChunkedDecoder`` decodes a chunked body fed as bytes in any split. It
  never consumes a byte past the end of the message, which is what keeps a
  pipelined next request (or a smuggled one) out of the body.

Speed: this is the per-request hot path, so the checks run over whole buffers
with compiled regular expressions and ``bytes`` methods; Python code runs once
per line or per chunk, never once per byte. The slow, precise diagnosis of
what exactly is wrong only runs once something is.

Rule 1: every limit is checked before the data that would exceed it is kept,
so memory stays bounded whatever the peer sends.
Rule 2: the decoder reports how many input bytes it consumed; the driver
removes exactly that many from its buffer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote_to_bytes

__all__ = [
    "MAX_CHUNK_LINE",
    "MAX_HEADERS",
    "MAX_HEADER_BYTES",
    "MAX_HEADER_LINE",
    "MAX_REQUEST_LINE",
    "ChunkedDecoder",
    "RemoteProtocolError",
    "RequestInfo",
    "RequestLine",
    "analyse",
    "format_chunk",
    "parse_header_block",
    "parse_request_line",
]

#: The longest request line accepted, line end included (longer ones get 414).
MAX_REQUEST_LINE = 8192
#: The longest single header line, line end included (431 beyond).
MAX_HEADER_LINE = 16384
#: The most header (or trailer) fields in one message (431 beyond).
MAX_HEADERS = 100
#: The most bytes in one header block, all lines together (431 beyond).
MAX_HEADER_BYTES = 65536
#: The longest chunk-size line (size plus extensions) or trailer line.
MAX_CHUNK_LINE = 4096
# 16 hex digits is already 2**64; more can only be an attack or a mistake.
_MAX_SIZE_DIGITS = 16

# RFC 9110 5.6.2: token characters, as a regex class body.
_TCHAR = r"!#$%&'*+.^_`|~0-9A-Za-z-"
_TOKEN = re.compile(f"[{_TCHAR}]+")
# RFC 9112 3: method SP request-target SP HTTP-version, single spaces, and a
# target with no control character or space in it.
_REQUEST_LINE = re.compile(f"([{_TCHAR}]+) ([^\\x00-\\x20\\x7f]+) HTTP/([0-9])\\.([0-9])")
_HTTP_VERSION = re.compile(r"HTTP/[0-9]\.[0-9]")
_ABSOLUTE_FORM = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_AUTHORITY_FORM = re.compile(r"[^/?#@\s]+:[0-9]+")
# RFC 9110 5.5: field-value = *field-content: visible characters and obs-text,
# with spaces and tabs only inside. Written so that no text makes the engine
# backtrack more than once per run of spaces (a lazy value would be quadratic).
_VCHAR = "!-~\\x80-\\xff"
_VALUE = f"[ \\t]*((?:[{_VCHAR}]+(?:[ \\t]+[{_VCHAR}]+)*)?)[ \\t]*"
_FIELD_NC = f"[{_TCHAR}]+:[ \\t]*(?:[{_VCHAR}]+(?:[ \\t]+[{_VCHAR}]+)*)?[ \\t]*\\r\\n"
_HEADER_BLOCK = re.compile(f"(?:{_FIELD_NC})*\\r\\n")
_FIELDS = re.compile(f"([{_TCHAR}]+):{_VALUE}\\r\\n")
_FIELD = re.compile(f"([{_TCHAR}]+):{_VALUE}")
_FIELD_BYTES = re.compile(_FIELD.pattern.encode("latin-1"))
# RFC 3986 host [":" port], as Host carries it (no userinfo, no path).
_HOST = re.compile(r"[A-Za-z0-9._~!$&'()*+;=%:\[\]-]*")
_DIGITS = re.compile(r"[0-9]{1,18}")
_FOLD = re.compile(r"[ \t]*\r\n[ \t]+(?=[^\r])")


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
    ``version`` is the protocol string (``'HTTP/1.1'``) and ``version_info``
    its ``(major, minor)``.
    """

    method: str
    target: str
    path: str
    query: str
    version: str
    version_info: tuple[int, int]


def parse_request_line(raw: bytes) -> RequestLine:
    """Parse ``raw``, which must end in CRLF, into a ``RequestLine``."""
    if len(raw) > MAX_REQUEST_LINE:
        raise RemoteProtocolError("request line too long", 414)
    if not raw.endswith(b"\r\n"):
        if raw.endswith(b"\n"):
            raise RemoteProtocolError("request line ends in a bare LF; CRLF is required")
        raise RemoteProtocolError("request line cut short")
    line = raw[:-2].decode("latin-1")
    match = _REQUEST_LINE.fullmatch(line)
    if match is None:
        raise RemoteProtocolError(_diagnose_request_line(line))
    method, target, major, minor = match.groups()
    version_info = (int(major), int(minor))
    if version_info != (1, 1) and version_info != (1, 0):
        raise RemoteProtocolError(
            f"HTTP version {major}.{minor} is not supported (only 1.0 and 1.1)", 505)
    if target[0] != "/" or method == "CONNECT":
        _check_target_form(method, target)
    path, _, query = target.partition("?")
    if "%" in path:
        path = unquote_to_bytes(path).decode("latin-1")
    return RequestLine(method, target, path, query, f"HTTP/{major}.{minor}", version_info)


def _check_target_form(method: str, target: str) -> None:
    # RFC 9112 3.2: origin-form is the common case (checked by the caller);
    # the other three forms each belong to particular requests.
    if target == "*":
        if method != "OPTIONS":
            raise RemoteProtocolError(f"request target '*' is only allowed with OPTIONS, "
                                      f"not {method}")
    elif method == "CONNECT":
        if not _AUTHORITY_FORM.fullmatch(target):
            raise RemoteProtocolError(f"CONNECT needs a host:port target, not {target!r}")
    elif not _ABSOLUTE_FORM.match(target):
        raise RemoteProtocolError(
            f"invalid request target {target!r}: expected /path or an absolute URL")


def _diagnose_request_line(line: str) -> str:
    """Why ``line`` is not ``method SP target SP version`` (the slow path)."""
    if "\r" in line or "\n" in line:
        return f"bare CR or LF in the request line: {line!r}"
    words = line.split(" ")
    if len(words) == 2 and all(words):
        return f"HTTP/0.9 requests are not supported: {line!r}"
    if len(words) != 3 or not all(words):
        return f"invalid request line (method SP target SP version, single spaces): {line!r}"
    method, target, version = words
    if not _TOKEN.fullmatch(method):
        return f"invalid HTTP method: {line!r}"
    if not _HTTP_VERSION.fullmatch(version):
        return f"invalid HTTP version: {line!r}"
    return f"invalid character in the request target: {target!r}"


# ----------------------------------------------------------------- headers


def parse_header_block(block: bytes, max_headers: int = MAX_HEADERS,
                       max_line: int = MAX_HEADER_LINE,
                       allow_folding: bool = False) -> list[tuple[str, str]]:
    """The fields of ``block``: every header line and the empty line ending it.

    Returns ``(name, value)`` pairs as latin-1 text, in arrival order, names as
    sent and values without surrounding whitespace. The caller bounds the
    block's total size while reading it. Obsolete line folding is refused,
    or with ``allow_folding`` each fold is replaced by one space.
    """
    text = block.decode("latin-1")
    if _HEADER_BLOCK.fullmatch(text) is None:
        if allow_folding and text[:1] not in (" ", "\t") and _FOLD.search(text):
            # RFC 9112 5.2 lets a server replace each obs-fold by a space.
            text = _FOLD.sub(" ", text)
            if _HEADER_BLOCK.fullmatch(text) is None:
                raise _diagnose_block(text)
        else:
            raise _diagnose_block(text)
    fields = _FIELDS.findall(text)
    if len(fields) > max_headers:
        raise RemoteProtocolError(f"more than {max_headers} header fields", 431)
    if len(text) > max_line:
        longest = max(map(len, text.split("\r\n")))
        if longest + 2 > max_line:
            raise RemoteProtocolError(f"a header line is over {max_line} bytes", 431)
    return fields


def _diagnose_block(text: str) -> RemoteProtocolError:
    """The error for a header block that did not match (the slow path)."""
    if not text.endswith("\r\n"):
        return RemoteProtocolError("header block did not end in CRLF")
    lines = text.split("\r\n")[:-1]
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        if _FIELD.fullmatch(line) is None:
            return RemoteProtocolError(_diagnose_field(line))
    return RemoteProtocolError("malformed header block")


def _diagnose_field(line: str) -> str:
    if "\r" in line or "\n" in line:
        return f"bare CR or LF in a header line: {line!r}"
    if not line:
        return "empty header line in the middle of the header block"
    if line[0] in " \t":
        return f"obsolete line folding is not allowed: {line!r}"
    name, colon, _ = line.partition(":")
    if not colon:
        return f"header line without a colon: {line!r}"
    if not name:
        return f"empty header name: {line!r}"
    if name[-1] in " \t":
        return f"whitespace before the colon of a header: {line!r}"
    if not _TOKEN.fullmatch(name):
        return f"invalid character in a header name: {name!r}"
    return f"control character in the value of header {name!r}"


# ----------------------------------------------- rules between the fields


class RequestInfo(NamedTuple):
    """What the fields of a request say about it, as ``analyse`` found it."""

    #: The body is chunked.
    chunked: bool
    #: The Content-Length, or None (no body, or chunked).
    content_length: int | None
    #: The client asked to close (or, on HTTP/1.0, did not ask to keep alive).
    close: bool
    #: ``Expect: 100-continue`` on HTTP/1.1.
    expect_continue: bool
    #: An ``Upgrade`` header or a ``Connection: upgrade`` token.
    upgrade: bool


def analyse(request: RequestLine, headers: list[tuple[str, str]],
            strict: bool = True) -> RequestInfo:
    """Apply RFC 9112's rules between fields; refuse what cannot be framed safely.

    ``strict=False`` keeps gevent's leniencies that its own test suite relies
    on: a missing Host on HTTP/1.1, and chunked framing winning over a
    Content-Length sent beside it (RFC 9112 6.3 allows that reading). The
    other two, obs-fold (``parse_header_block``) and chunk extensions that are
    not well formed (``ChunkedDecoder``), are the callers' to pass on.
    """
    hosts = 0
    lengths: list[str] = []
    codings: list[str] = []
    tokens: list[str] = []
    expect = False
    upgrade = False
    for name, value in headers:
        lname = name.lower()
        if lname == "host":
            hosts += 1
            if not _HOST.fullmatch(value):
                raise RemoteProtocolError(f"invalid Host header: {value!r}")
        elif lname == "content-length":
            lengths.append(value)
        elif lname == "transfer-encoding":
            codings.extend(value.split(","))
        elif lname == "connection":
            tokens.extend(t.strip(" \t").lower() for t in value.split(","))
        elif lname == "expect":
            expect = value.lower() == "100-continue"
        elif lname == "upgrade":
            upgrade = True
    version = request.version_info
    if hosts > 1:
        raise RemoteProtocolError("more than one Host header")
    if not hosts and version >= (1, 1) and strict:
        raise RemoteProtocolError("HTTP/1.1 requests must have a Host header")
    chunked = False
    length: int | None = None
    if codings:
        if version < (1, 1):
            raise RemoteProtocolError("Transfer-Encoding is not allowed in HTTP/1.0")
        if lengths and strict:
            raise RemoteProtocolError("both Content-Length and Transfer-Encoding were sent")
        _check_codings(codings)
        chunked = True
    elif lengths:
        if len(lengths) > 1:
            raise RemoteProtocolError(f"more than one Content-Length: {lengths!r}")
        if not _DIGITS.fullmatch(lengths[0]):
            raise RemoteProtocolError(
                f"invalid Content-Length {lengths[0]!r}: it must be ASCII digits only")
        length = int(lengths[0])
        if request.method == "HEAD" and length:
            raise RemoteProtocolError("a HEAD request cannot have a body")
    if version >= (1, 1):
        close = "close" in tokens
    else:
        close = "keep-alive" not in tokens
    return RequestInfo(chunked, length, close, expect and version >= (1, 1),
                       upgrade or "upgrade" in tokens)


def _check_codings(raw: list[str]) -> None:
    codings = [c.strip(" \t").lower() for c in raw]
    for coding in codings:
        if not _TOKEN.fullmatch(coding):
            raise RemoteProtocolError(f"invalid Transfer-Encoding: {', '.join(raw)!r}")
    if codings[-1] != "chunked" or codings.count("chunked") > 1:
        # RFC 9112 6.3: without chunked last the body cannot be delimited.
        raise RemoteProtocolError(
            f"Transfer-Encoding must end in a single chunked: {', '.join(raw)!r}")
    if len(codings) > 1:
        raise RemoteProtocolError(
            f"unsupported transfer coding: {', '.join(codings[:-1])!r} (only chunked)", 501)


# ------------------------------------------------------------ chunked body

# Decoder states.
_SIZE = 0      # collecting a chunk-size line
_DATA = 1      # inside chunk data
_DATA_END = 2  # chunk data done, need CRLF
_TRAILER = 3   # collecting a trailer line (or the final empty line)
_DONE = 4

_HEX = frozenset(b"0123456789abcdefABCDEF")
_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]+)(.*)", re.DOTALL)
_SIZE_PREFIX = re.compile(rb"[0-9A-Fa-f]*")
_QUOTED = rb'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'
_TOKEN_B = _TCHAR.encode()
# RFC 9112 7.1.1: *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
_EXTENSIONS = re.compile(
    rb"(?:[ \t]*;[ \t]*[" + _TOKEN_B + rb"]+(?:[ \t]*=[ \t]*(?:[" + _TOKEN_B + rb"]+|"
    + _QUOTED + rb"))?)*")
_LAX_EXTENSIONS = re.compile(rb"(?:[ \t]*;[^\r\n]*)?", re.DOTALL)


class ChunkedDecoder:
    """Decodes a chunked body (RFC 9112 7.1) fed as bytes in any split.

    ``feed(data, limit)`` consumes from ``data`` and returns
    ``(consumed, payload)``, with at most ``limit`` bytes of payload. It stops
    at the end of the message (``done``), never consuming past it, and as soon
    as it has ``limit`` bytes, so later bytes are only examined when more
    payload is wanted. Size and trailer lines may arrive in pieces: the
    decoder keeps a partial line (bounded by ``max_line``), and refuses one as
    soon as its start is wrong. ``trailers`` holds the trailer fields once
    done. ``strict_extensions=False`` accepts any chunk extension that holds
    no CR or LF. Malformed input raises ``RemoteProtocolError``.
    """

    def __init__(self, max_line: int = MAX_CHUNK_LINE, max_trailers: int = MAX_HEADERS,
                 strict_extensions: bool = True,
                 max_trailer_bytes: int = MAX_HEADER_BYTES) -> None:
        self.max_line = max_line
        self.max_trailers = max_trailers
        self.max_trailer_bytes = max_trailer_bytes
        self.trailers: list[tuple[str, str]] = []
        self._extensions = _EXTENSIONS if strict_extensions else _LAX_EXTENSIONS
        self._state = _SIZE
        self._size = 0
        self._line = b""
        self._trailer_bytes = 0

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
        while pos < end and room > 0:
            state = self._state
            if state == _DATA:
                take = min(self._size, end - pos, room)
                out.append(data[pos:pos + take])
                pos += take
                room -= take
                self._size -= take
                if not self._size:
                    self._state = _DATA_END
            elif state == _DATA_END:
                pos = self._data_end(data, pos)
            elif state == _DONE:
                break
            else:
                line, pos = self._take_line(data, pos, end)
                if line is None:
                    continue
                if state == _SIZE:
                    self._size_line(line)
                else:
                    self._trailer_line(line)
        return pos, b"".join(out)

    def _data_end(self, data: bytes, pos: int) -> int:
        want = 2 - len(self._line)
        got = self._line + data[pos:pos + want]
        if got != b"\r\n"[:len(got)]:
            raise RemoteProtocolError(f"chunk data did not end in CRLF: {got!r}")
        if len(got) == 2:
            self._line = b""
            self._state = _SIZE
        else:
            self._line = got
        return pos + min(want, len(data) - pos)

    def _take_line(self, data: bytes, pos: int, end: int) -> tuple[bytes | None, int]:
        """A whole line (without its CRLF) and the new position; None: keep collecting."""
        room = self.max_line + 2 - len(self._line)
        newline = data.find(b"\n", pos, pos + room)
        if newline < 0:
            partial = self._line + data[pos:pos + room]
            if len(partial) > self.max_line + 1:
                what = "chunk size" if self._state == _SIZE else "trailer"
                raise RemoteProtocolError(f"{what} line too long (over {self.max_line} bytes)")
            if self._state == _SIZE:
                self._check_size_prefix(partial)
            elif partial and partial[:1] in (b" ", b"\t"):
                raise RemoteProtocolError("obsolete line folding in the trailers")
            self._line = partial
            return None, end
        line = self._line + data[pos:newline + 1]
        self._line = b""
        if not line.endswith(b"\r\n") or b"\r" in line[:-2]:
            raise RemoteProtocolError(f"bare CR or LF in a chunked body line: {line!r}")
        return line[:-2], newline + 1

    def _check_size_prefix(self, partial: bytes) -> None:
        if partial and partial[0] not in _HEX:
            raise RemoteProtocolError(f"invalid chunk size: non-hex data {partial[:1]!r}")
        digits = _SIZE_PREFIX.match(partial)
        assert digits is not None
        if digits.end() > _MAX_SIZE_DIGITS:
            raise RemoteProtocolError("chunk size too large")
        rest = partial[digits.end():digits.end() + 1]
        if rest and rest not in (b";", b" ", b"\t", b"\r"):
            raise RemoteProtocolError(f"invalid chunk size line: {partial!r}")

    def _size_line(self, line: bytes) -> None:
        match = _SIZE_LINE.fullmatch(line)
        if match is None:
            raise RemoteProtocolError(f"invalid chunk size: non-hex data {line[:1]!r}")
        digits, extensions = match.groups()
        if len(digits) > _MAX_SIZE_DIGITS:
            raise RemoteProtocolError("chunk size too large")
        if extensions and not self._extensions.fullmatch(extensions):
            raise RemoteProtocolError(f"invalid chunk size line: {line!r}")
        self._size = int(digits, 16)
        self._state = _DATA if self._size else _TRAILER

    def _trailer_line(self, line: bytes) -> None:
        if not line:
            self._state = _DONE
            return
        self._trailer_bytes += len(line) + 2
        if self._trailer_bytes > self.max_trailer_bytes:
            raise RemoteProtocolError("trailer section too large")
        match = _FIELD_BYTES.fullmatch(line)
        if match is None:
            raise RemoteProtocolError(
                "invalid trailer line: " + _diagnose_field(line.decode("latin-1")))
        if len(self.trailers) >= self.max_trailers:
            raise RemoteProtocolError(f"too many trailers (over {self.max_trailers})")
        name, value = match.groups()
        self.trailers.append((name.decode("latin-1"), value.decode("latin-1")))


def format_chunk(data: bytes) -> bytes:
    """One chunk of a chunked response body (never the empty last chunk)."""
    return b"%x\r\n%s\r\n" % (len(data), data)
