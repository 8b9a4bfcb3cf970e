"""gevent._http._parser: the sans-IO request parser. No sockets, no hub, no clock.

The refusal corpus follows RFC 9112 and RFC 9110 section by section; each case
is its own test (its id names the rule), with the status it must get.
tests/http/test_strict_http.py sends the same kinds of case to a real server.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gevent._http._parser import (
    MAX_CHUNK_LINE,
    MAX_HEADER_LINE,
    MAX_HEADERS,
    MAX_REQUEST_LINE,
    ChunkedDecoder,
    RemoteProtocolError,
    RequestLine,
    analyse,
    format_chunk,
    parse_header_block,
    parse_request_line,
)

# ------------------------------------------------------------ request line


def test_request_line_parts() -> None:
    line = parse_request_line(b"POST /a%20b/c?x=1&y=%20 HTTP/1.1\r\n")
    assert line.method == "POST"
    assert line.target == "/a%20b/c?x=1&y=%20"
    assert line.path == "/a b/c"
    assert line.query == "x=1&y=%20"
    assert line.version == "HTTP/1.1"
    assert line.version_info == (1, 1)


def test_request_line_path_is_latin1_of_the_decoded_bytes() -> None:
    line = parse_request_line(b"GET /%D0%BF HTTP/1.0\r\n")
    assert line.path == "/\xd0\xbf"
    assert line.version_info == (1, 0)


@pytest.mark.parametrize("raw", [
    b"OPTIONS * HTTP/1.1\r\n",
    b"CONNECT example.com:443 HTTP/1.1\r\n",
    b"GET http://example.com/x?y HTTP/1.1\r\n",   # absolute-form (RFC 9112 3.2.2)
    b"PURGE /x HTTP/1.1\r\n",                     # any token is a method
    b"GET /caf\xc3\xa9 HTTP/1.1\r\n",            # obs-text is not a control character
], ids=["asterisk-with-options", "authority-with-connect", "absolute-form", "any-token-method",
        "non-ascii-target"])
def test_accepted_request_lines(raw: bytes) -> None:
    assert isinstance(parse_request_line(raw), RequestLine)


REQUEST_LINE_CASES = [
    # RFC 9112 3: method SP request-target SP HTTP-version, single spaces.
    ("leading-space", b" GET / HTTP/1.1\r\n", 400),
    ("double-space-after-method", b"GET  / HTTP/1.1\r\n", 400),
    ("double-space-after-target", b"GET /  HTTP/1.1\r\n", 400),
    ("trailing-space", b"GET / HTTP/1.1 \r\n", 400),
    ("tab-separator", b"GET\t/ HTTP/1.1\r\n", 400),
    ("four-words", b"GET / HTTP/1.1 extra\r\n", 400),
    ("one-word", b"GET\r\n", 400),
    ("empty-line", b"\r\n", 400),
    # The method is a token.
    ("method-not-token", b"G(T / HTTP/1.1\r\n", 400),
    ("method-with-colon", b"GET: / HTTP/1.1\r\n", 400),
    # The version is exactly HTTP/DIGIT.DIGIT ...
    ("version-lowercase", b"GET / http/1.1\r\n", 400),
    ("version-no-minor", b"GET / HTTP/1\r\n", 400),
    ("version-letters", b"GET / HTTP/1.x\r\n", 400),
    ("version-two-digits", b"GET / HTTP/1.10\r\n", 400),
    ("version-percent", b"GET / HTTP %\r\n", 400),
    ("version-leading-zero", b"GET / HTTP/01.1\r\n", 400),
    # ... and only 1.0 and 1.1 are served.
    ("version-2.0", b"GET / HTTP/2.0\r\n", 505),
    ("version-3.0", b"GET / HTTP/3.0\r\n", 505),
    ("version-0.9-three-words", b"GET / HTTP/0.9\r\n", 505),
    ("version-1.2", b"GET / HTTP/1.2\r\n", 505),
    # A two-word HTTP/0.9 line is not HTTP/1.x.
    ("http09-get", b"GET /x\r\n", 400),
    ("http09-post", b"POST /\r\n", 400),
    # Target forms (RFC 9112 3.2).
    ("asterisk-without-options", b"GET * HTTP/1.1\r\n", 400),
    ("authority-without-connect", b"GET example.com:80 HTTP/1.1\r\n", 400),
    ("connect-with-origin-form", b"CONNECT / HTTP/1.1\r\n", 400),
    ("connect-without-port", b"CONNECT example.com HTTP/1.1\r\n", 400),
    ("relative-target", b"GET x/y HTTP/1.1\r\n", 400),
    # No control characters.
    ("nul-in-target", b"GET /a\x00b HTTP/1.1\r\n", 400),
    ("del-in-target", b"GET /a\x7fb HTTP/1.1\r\n", 400),
    ("vtab-in-target", b"GET /a\x0bb HTTP/1.1\r\n", 400),
    ("nul-in-method", b"G\x00T / HTTP/1.1\r\n", 400),
    # CRLF only.
    ("bare-lf-end", b"GET / HTTP/1.1\n", 400),
    ("bare-cr-end", b"GET / HTTP/1.1\r", 400),
    ("bare-cr-inside", b"GET /\r HTTP/1.1\r\n", 400),
    ("no-line-end", b"GET / HTTP/1.1", 400),
    # Over the limit: 414.
    ("too-long", b"GET /" + b"x" * MAX_REQUEST_LINE + b" HTTP/1.1\r\n", 414),
]


@pytest.mark.parametrize(("raw", "status"), [c[1:] for c in REQUEST_LINE_CASES],
                         ids=[c[0] for c in REQUEST_LINE_CASES])
def test_refused_request_lines(raw: bytes, status: int) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        parse_request_line(raw)
    assert info.value.status_hint == status
    assert str(info.value)  # every refusal says why


def test_request_line_error_names_http09() -> None:
    with pytest.raises(RemoteProtocolError, match=r"HTTP/0\.9"):
        parse_request_line(b"GET /x\r\n")


# ----------------------------------------------------------------- headers


def test_headers_in_order_with_values_stripped() -> None:
    headers = parse_header_block(b"Host: a\r\nX-Foo:  1 \r\nX-Foo:2\r\nX-E:\r\n\r\n")
    assert headers == [("Host", "a"), ("X-Foo", "1"), ("X-Foo", "2"), ("X-E", "")]


def test_empty_block() -> None:
    assert parse_header_block(b"\r\n") == []


def test_value_keeps_inner_whitespace_tabs_and_obs_text() -> None:
    assert parse_header_block(b"A: x \t y\xff\r\n\r\n") == [("A", "x \t y\xff")]


def test_folding_is_unfolded_only_when_allowed() -> None:
    block = b"Content-Type: multipart/related;\r\n type=x;\r\n\tstart=y\r\n\r\n"
    with pytest.raises(RemoteProtocolError, match="folding"):
        parse_header_block(block)
    assert parse_header_block(block, allow_folding=True) == [
        ("Content-Type", "multipart/related; type=x; start=y")]


def test_a_leading_fold_is_refused_even_when_folding_is_allowed() -> None:
    with pytest.raises(RemoteProtocolError):
        parse_header_block(b" A: b\r\n\r\n", allow_folding=True)


HEADER_CASES = [
    # The name is a token, with no whitespace before the colon, never empty.
    ("no-colon", b"No colon here\r\n\r\n"),
    ("space-before-colon", b"Name : value\r\n\r\n"),
    ("tab-before-colon", b"Name\t: value\r\n\r\n"),
    ("empty-name", b": value\r\n\r\n"),
    ("control-in-name", b"Bad\x01Name: v\r\n\r\n"),
    ("space-in-name", b"Bad Name: v\r\n\r\n"),
    ("non-ascii-name", b"N\xe4me: v\r\n\r\n"),
    # No obs-fold continuation lines.
    ("fold-space", b"A: b\r\n c\r\n\r\n"),
    ("fold-tab", b"A: b\r\n\tc\r\n\r\n"),
    ("fold-first-line", b" A: b\r\n\r\n"),
    # Values hold no control characters other than HTAB.
    ("nul-in-value", b"A: b\x00c\r\n\r\n"),
    ("vtab-in-value", b"A: b\x0bc\r\n\r\n"),
    ("esc-in-value", b"A: b\x1bc\r\n\r\n"),
    ("del-in-value", b"A: b\x7fc\r\n\r\n"),
    # CRLF only: a bare CR or LF anywhere is an error.
    ("bare-lf-between-lines", b"A: b\nB: c\r\n\r\n"),
    ("bare-lf-final", b"A: b\r\n\n"),
    ("bare-lf-everywhere", b"A: b\n\n"),
    ("bare-cr-in-value", b"A: b\rc\r\n\r\n"),
    ("bare-cr-line-end", b"A: b\rB: c\r\n\r\n"),
    ("no-final-crlf", b"A: b\r\n"),
    ("empty-line-inside", b"A: b\r\n\r\nB: c\r\n\r\n"),
]


@pytest.mark.parametrize("block", [c[1] for c in HEADER_CASES], ids=[c[0] for c in HEADER_CASES])
def test_refused_header_blocks(block: bytes) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        parse_header_block(block)
    assert info.value.status_hint == 400


def test_whitespace_before_colon_names_the_smuggling_rule() -> None:
    with pytest.raises(RemoteProtocolError, match="whitespace before the colon"):
        parse_header_block(b"Transfer-Encoding : chunked\r\n\r\n")


def test_too_many_fields_is_431() -> None:
    block = b"".join(b"X-%d: v\r\n" % i for i in range(MAX_HEADERS + 1)) + b"\r\n"
    with pytest.raises(RemoteProtocolError) as info:
        parse_header_block(block)
    assert info.value.status_hint == 431
    ok = b"".join(b"X-%d: v\r\n" % i for i in range(MAX_HEADERS)) + b"\r\n"
    assert len(parse_header_block(ok)) == MAX_HEADERS


def test_field_over_the_line_limit_is_431() -> None:
    block = b"A: " + b"v" * MAX_HEADER_LINE + b"\r\n\r\n"
    with pytest.raises(RemoteProtocolError) as info:
        parse_header_block(block)
    assert info.value.status_hint == 431
    ok = b"A: " + b"v" * (MAX_HEADER_LINE - 5) + b"\r\n\r\n"
    assert parse_header_block(ok)[0][1] == "v" * (MAX_HEADER_LINE - 5)


def test_long_run_of_spaces_is_linear() -> None:
    # A lazy value pattern would backtrack quadratically on this.
    block = b"A: x" + b" " * 60000 + b"\x01\r\n\r\n"
    with pytest.raises(RemoteProtocolError):
        parse_header_block(block, max_line=1 << 20)


# ------------------------------------------------- rules between the fields

GET11 = parse_request_line(b"GET / HTTP/1.1\r\n")
POST11 = parse_request_line(b"POST / HTTP/1.1\r\n")
POST10 = parse_request_line(b"POST / HTTP/1.0\r\n")
HEAD11 = parse_request_line(b"HEAD / HTTP/1.1\r\n")
HOST = ("Host", "example.com")


def test_no_framing_headers_means_no_body() -> None:
    info = analyse(GET11, [HOST])
    assert (info.chunked, info.content_length, info.close) == (False, None, False)


def test_content_length() -> None:
    assert analyse(POST11, [HOST, ("Content-Length", "12")]).content_length == 12
    assert analyse(POST11, [HOST, ("Content-Length", "007")]).content_length == 7


def test_chunked() -> None:
    assert analyse(POST11, [HOST, ("Transfer-Encoding", "Chunked")]).chunked
    assert analyse(POST11, [HOST, ("Transfer-Encoding", " chunked ")]).chunked


def test_connection_tokens() -> None:
    assert analyse(GET11, [HOST, ("Connection", "keep-alive, Close")]).close
    assert analyse(POST10, []).close
    assert not analyse(POST10, [("Connection", "keep-alive")]).close
    assert analyse(GET11, [HOST, ("Connection", "Upgrade"), ("Upgrade", "websocket")]).upgrade


def test_expect_continue_only_on_http11() -> None:
    assert analyse(POST11, [HOST, ("Expect", "100-Continue")]).expect_continue
    assert not analyse(POST10, [("Expect", "100-continue")]).expect_continue


def test_host_with_port_and_ipv6() -> None:
    analyse(GET11, [("Host", "example.com:8080")])
    analyse(GET11, [("Host", "[::1]:80")])
    analyse(GET11, [("Host", "")])  # allowed: the target may carry no authority


def test_http10_needs_no_host() -> None:
    analyse(POST10, [])


FRAMING_CASES = [
    # Host: required on HTTP/1.1, and exactly one.
    ("host-missing", GET11, [], 400),
    ("host-twice", GET11, [HOST, HOST], 400),
    ("host-with-space", GET11, [("Host", "a b")], 400),
    ("host-list", GET11, [("Host", "a,b")], 400),
    ("host-with-userinfo", GET11, [("Host", "user@example.com")], 400),
    ("host-with-path", GET11, [("Host", "example.com/x")], 400),
    # Content-Length: ASCII digits only, as one value.
    ("cl-negative", POST11, [HOST, ("Content-Length", "-1")], 400),
    ("cl-plus-sign", POST11, [HOST, ("Content-Length", "+1")], 400),
    ("cl-letters", POST11, [HOST, ("Content-Length", "abc")], 400),
    ("cl-hex", POST11, [HOST, ("Content-Length", "0x10")], 400),
    ("cl-empty", POST11, [HOST, ("Content-Length", "")], 400),
    ("cl-list-same", POST11, [HOST, ("Content-Length", "3, 3")], 400),
    ("cl-list-different", POST11, [HOST, ("Content-Length", "1,2")], 400),
    ("cl-twice-same", POST11, [HOST, ("Content-Length", "3"), ("Content-Length", "3")], 400),
    ("cl-twice-different", POST11, [HOST, ("Content-Length", "1"), ("Content-Length", "2")],
     400),
    ("cl-inner-space", POST11, [HOST, ("Content-Length", "1 2")], 400),
    ("cl-underscore", POST11, [HOST, ("Content-Length", "1_000")], 400),
    ("cl-decimal", POST11, [HOST, ("Content-Length", "1.0")], 400),
    ("cl-arabic-indic-digits", POST11, [HOST, ("Content-Length", "\u0663")], 400),
    ("cl-superscript", POST11, [HOST, ("Content-Length", "\xb2")], 400),
    ("cl-too-many-digits", POST11, [HOST, ("Content-Length", "9" * 19)], 400),
    ("head-with-body", HEAD11, [HOST, ("Content-Length", "5")], 400),
    # Content-Length together with Transfer-Encoding.
    ("cl-and-te", POST11, [HOST, ("Content-Length", "5"), ("Transfer-Encoding", "chunked")],
     400),
    ("te-and-cl", POST11, [HOST, ("Transfer-Encoding", "chunked"), ("Content-Length", "0")],
     400),
    # Transfer-Encoding only in HTTP/1.1, chunked the only coding, as the final one.
    ("te-on-http10", POST10, [("Transfer-Encoding", "chunked")], 400),
    ("te-gzip-only", POST11, [HOST, ("Transfer-Encoding", "gzip")], 400),
    ("te-chunked-not-last", POST11, [HOST, ("Transfer-Encoding", "chunked, gzip")], 400),
    ("te-chunked-twice", POST11, [HOST, ("Transfer-Encoding", "chunked"),
                                  ("Transfer-Encoding", "chunked")], 400),
    ("te-chunked-twice-listed", POST11, [HOST, ("Transfer-Encoding", "chunked, chunked")], 400),
    ("te-empty", POST11, [HOST, ("Transfer-Encoding", "")], 400),
    ("te-empty-element", POST11, [HOST, ("Transfer-Encoding", ", chunked")], 400),
    ("te-not-token", POST11, [HOST, ("Transfer-Encoding", "chun\"ked")], 400),
    ("te-misspelt", POST11, [HOST, ("Transfer-Encoding", "chunk")], 400),
    ("te-gzip-then-chunked", POST11, [HOST, ("Transfer-Encoding", "gzip, chunked")], 501),
    ("te-identity-then-chunked", POST11, [HOST, ("Transfer-Encoding", "identity, chunked")],
     501),
    ("te-headers-gzip-then-chunked", POST11, [HOST, ("Transfer-Encoding", "gzip"),
                                              ("Transfer-Encoding", "chunked")], 501),
]


@pytest.mark.parametrize(("request_line", "headers", "status"), [c[1:] for c in FRAMING_CASES],
                         ids=[c[0] for c in FRAMING_CASES])
def test_refused_framing(request_line: RequestLine, headers: list[tuple[str, str]],
                         status: int) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        analyse(request_line, headers)
    assert info.value.status_hint == status


def test_lenient_mode_keeps_only_geventss_leniencies() -> None:
    # gevent's own tests send these; strict=False accepts them...
    analyse(GET11, [], strict=False)
    info = analyse(POST11, [HOST, ("Content-Length", "5"), ("Transfer-Encoding", "chunked")],
                   strict=False)
    assert info.chunked and info.content_length is None
    # ... and still refuses everything else.
    for _, request_line, headers, _ in FRAMING_CASES:
        if headers in ([], [HOST, ("Content-Length", "5"), ("Transfer-Encoding", "chunked")],
                       [HOST, ("Transfer-Encoding", "chunked"), ("Content-Length", "0")]):
            continue
        with pytest.raises(RemoteProtocolError):
            analyse(request_line, headers, strict=False)


# ------------------------------------------------------------ chunked body


def decode_all(data: bytes, step: int | None = None, limit: int = -1,
               strict: bool = True) -> tuple[bytes, int, ChunkedDecoder]:
    """Feed ``data`` in pieces of ``step`` bytes as a driver would; (payload, consumed, decoder)."""
    decoder = ChunkedDecoder(strict_extensions=strict)
    out = []
    pos = 0
    while not decoder.done and pos < len(data):
        piece = data[pos:pos + step] if step else data[pos:]
        consumed, payload = decoder.feed(piece, limit)
        assert consumed or payload or limit == 0
        out.append(payload)
        pos += consumed
    return b"".join(out), pos, decoder


def encode(chunks: list[bytes], ext: bytes = b"", trailers: bytes = b"") -> bytes:
    body = b"".join(b"%x%s\r\n%s\r\n" % (len(c), ext, c) for c in chunks if c)
    return body + b"0\r\n" + trailers + b"\r\n"


def test_chunked_whole_message() -> None:
    data = encode([b"oh", b" hai"])
    payload, consumed, decoder = decode_all(data)
    assert (payload, consumed, decoder.done) == (b"oh hai", len(data), True)


def test_chunked_byte_at_a_time() -> None:
    data = encode([b"hello", b" ", b"world" * 10], ext=b';name="va;l"', trailers=b"X-T: 1\r\n")
    payload, consumed, decoder = decode_all(data, step=1)
    assert payload == b"hello world" + b"world" * 9
    assert consumed == len(data)
    assert decoder.trailers == [("X-T", "1")]


@pytest.mark.parametrize("ext", [b";a", b";a=b", b';a="x y"', b";a;b=c", b" ; a = b",
                                 b';a="q\\"uote"'])
def test_well_formed_extensions(ext: bytes) -> None:
    payload, _, decoder = decode_all(encode([b"abcd"], ext=ext))
    assert payload == b"abcd" and decoder.done


def test_chunked_stops_at_the_end_of_the_message() -> None:
    data = encode([b"abc"])
    payload, consumed, decoder = decode_all(data + b"GET / HTTP/1.1\r\n\r\n")
    assert (payload, consumed, decoder.done) == (b"abc", len(data), True)
    assert decoder.feed(b"more") == (0, b"")


def test_chunked_limit_bounds_the_payload_and_consumption() -> None:
    decoder = ChunkedDecoder()
    data = encode([b"abcdef"])
    consumed, payload = decoder.feed(data, 4)
    assert payload == b"abcd"
    assert consumed == 3 + 4
    # Nothing after the wanted bytes was looked at, not even the rest of the chunk.
    _, payload2 = decoder.feed(data[consumed:], 100)
    assert payload2 == b"ef"
    assert decoder.done


def test_satisfied_read_does_not_examine_later_garbage() -> None:
    # A smuggled request after the last data chunk must not fail the read
    # that only wanted the data; it fails the next read.
    decoder = ChunkedDecoder()
    data = b"2\r\noh\r\n0GET / HTTP/1.1\r\n"
    consumed, payload = decoder.feed(data, 2)
    assert payload == b"oh"
    with pytest.raises(RemoteProtocolError):
        decoder.feed(data[consumed:], 10)


def test_lax_extensions_accept_odd_bytes() -> None:
    data = b"4; here is dirt\x00bla\r\nabcd\r\n0\r\n\r\n"
    payload, _, decoder = decode_all(data, strict=False)
    assert payload == b"abcd" and decoder.done
    with pytest.raises(RemoteProtocolError):
        decode_all(data)


def test_bad_size_is_refused_at_its_first_byte() -> None:
    decoder = ChunkedDecoder()
    with pytest.raises(RemoteProtocolError, match="non-hex"):
        decoder.feed(b"{")  # no line end needed to know


def test_bad_byte_after_the_size_is_refused_before_the_line_end() -> None:
    with pytest.raises(RemoteProtocolError):
        ChunkedDecoder().feed(b"12x")


CHUNKED_CASES = [
    ("negative-size", b"-1\r\n"),
    ("non-hex-size", b"zz\r\n"),
    ("size-0x-prefix", b"0x2\r\nab\r\n0\r\n\r\n"),
    ("size-leading-space", b" 2\r\nab\r\n"),
    ("size-trailing-space", b"2 \r\nab\r\n"),
    ("size-underscore", b"1_0\r\n"),
    ("size-empty", b"\r\nab\r\n"),
    ("size-bare-lf", b"2\nab\r\n"),
    ("size-bare-cr", b"2\rab\r\n"),
    ("data-not-followed-by-crlf", b"2\r\nabXX"),
    ("data-longer-than-size", b"2\r\nabc\r\n0\r\n\r\n"),
    ("data-bare-lf", b"2\r\nab\n0\r\n\r\n"),
    ("ext-bare-lf", b"2;ext\nab"),
    ("ext-bare-cr", b"2;e\rxt\r\nab\r\n0\r\n\r\n"),
    ("ext-without-semicolon", b"2 ext\r\nab\r\n0\r\n\r\n"),
    ("ext-empty-name", b"2;\r\nab\r\n0\r\n\r\n"),
    ("ext-space-in-name", b"2;a b\r\nab\r\n0\r\n\r\n"),
    ("ext-nul", b"2;a\x00\r\nab\r\n0\r\n\r\n"),
    ("ext-unterminated-quote", b'2;a="x\r\nab\r\n0\r\n\r\n'),
    ("ext-empty-value", b"2;a=\r\nab\r\n0\r\n\r\n"),
    ("trailer-no-colon", b"0\r\nbad trailer\r\n\r\n"),
    ("trailer-folded", b"0\r\n trailer: folded\r\n\r\n"),
    ("trailer-request-line", b"0\r\nGET /x HTTP/1.1\r\n\r\n"),
    ("trailer-then-request-line", b"0\r\nName: v\r\nGET /x HTTP/1.1\r\n"),
    ("trailer-bare-lf", b"0\r\nName: v\n\n"),
    ("trailer-nul", b"0\r\nName: v\x00\r\n\r\n"),
    ("trailer-empty-name", b"0\r\n:v\r\n\r\n"),
    ("trailer-space-before-colon", b"0\r\nName : v\r\n\r\n"),
    ("size-too-many-digits", b"1" * 17 + b"\r\n"),
    ("size-many-leading-zeros", b"0" * 17 + b"1\r\n"),
]


@pytest.mark.parametrize("data", [c[1] for c in CHUNKED_CASES], ids=[c[0] for c in CHUNKED_CASES])
@pytest.mark.parametrize("step", [None, 1])
def test_malformed_chunked_bodies(data: bytes, step: int | None) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        decode_all(data, step=step)
    assert info.value.status_hint == 400


def test_chunk_extension_length_is_bounded() -> None:
    data = b"2;" + b"x" * MAX_CHUNK_LINE
    with pytest.raises(RemoteProtocolError, match="too long"):
        decode_all(data)
    with pytest.raises(RemoteProtocolError, match="too long"):
        decode_all(data, step=7)


def test_trailer_length_is_bounded_without_a_line_end() -> None:
    data = b"0\r\nName: " + b"t" * MAX_CHUNK_LINE
    with pytest.raises(RemoteProtocolError, match="too long"):
        decode_all(data)


def test_trailer_count_is_bounded() -> None:
    decoder = ChunkedDecoder(max_trailers=2)
    with pytest.raises(RemoteProtocolError, match="too many"):
        decoder.feed(b"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")


def test_trailer_section_size_is_bounded() -> None:
    decoder = ChunkedDecoder(max_trailer_bytes=30)
    with pytest.raises(RemoteProtocolError, match="too large"):
        decoder.feed(b"0\r\nA: " + b"x" * 20 + b"\r\nB: " + b"y" * 20 + b"\r\n\r\n")


def test_format_chunk() -> None:
    assert format_chunk(b"x" * 26) == b"1a\r\n" + b"x" * 26 + b"\r\n"


@settings(max_examples=200, deadline=None)
@given(chunks=st.lists(st.binary(max_size=40), max_size=8),
       splits=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=20),
       limit=st.integers(min_value=1, max_value=50),
       tail=st.binary(max_size=10))
def test_chunked_roundtrip_any_split(chunks: list[bytes], splits: list[int], limit: int,
                                     tail: bytes) -> None:
    data = encode(chunks, ext=b";k=v", trailers=b"A: b\r\n")
    stream = data + tail
    decoder = ChunkedDecoder()
    out = []
    pos = 0
    i = 0
    while not decoder.done:
        step = splits[i % len(splits)]
        i += 1
        consumed, payload = decoder.feed(stream[pos:pos + step], limit)
        assert len(payload) <= limit
        out.append(payload)
        pos += consumed
    assert b"".join(out) == b"".join(chunks)
    assert pos == len(data)  # never a byte of what follows
    assert decoder.trailers == [("A", "b")]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_chunked_garbage_never_crashes(data: bytes) -> None:
    decoder = ChunkedDecoder()
    try:
        pos = 0
        while pos < len(data) and not decoder.done:
            consumed, _ = decoder.feed(data[pos:], 1000)
            assert consumed > 0
            pos += consumed
    except RemoteProtocolError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120))
def test_header_block_garbage_is_accepted_or_refused_never_crashes(data: bytes) -> None:
    block = data + b"\r\n\r\n"
    try:
        fields = parse_header_block(block)
    except RemoteProtocolError as ex:
        assert ex.status_hint in (400, 431)
        return
    # Whatever is accepted has clean names and values.
    for name, value in fields:
        assert name and all(c not in name for c in " \t:\r\n")
        assert not any(ord(c) < 32 and c != "\t" for c in value)
        assert value == value.strip(" \t")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60))
def test_request_line_garbage_is_accepted_or_refused_never_crashes(data: bytes) -> None:
    try:
        line = parse_request_line(data + b"\r\n")
    except RemoteProtocolError as ex:
        assert ex.status_hint in (400, 414, 505)
        return
    assert line.version_info in ((1, 0), (1, 1))
    assert " " not in line.target and line.method
