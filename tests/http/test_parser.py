"""gevent._http._parser: the sans-IO request parser. No sockets, no hub, no clock."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gevent._http._parser import (
    MAX_CHUNK_LINE,
    MAX_HEADERS,
    MAX_REQUEST_LINE,
    ChunkedDecoder,
    HeaderParser,
    RemoteProtocolError,
    body_framing,
    format_chunk,
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


def test_request_line_tolerates_extra_whitespace() -> None:
    assert parse_request_line(b" GET  /  HTTP/1.1\r\n").target == "/"


def test_two_word_get_is_http09() -> None:
    line = parse_request_line(b"GET /x\r\n")
    assert (line.version, line.version_info) == ("HTTP/0.9", (0, 9))


@pytest.mark.parametrize("raw", [
    b"POST /\r\n",                 # HTTP/0.9 only knows GET
    b"GET / HTTP/2.0\r\n",
    b"GET / HTTP/3.0\r\n",
    b"GET / http/1.1\r\n",
    b"GET / HTTP/1\r\n",
    b"GET / HTTP/1.x\r\n",
    b"GET / HTTP %\r\n",
    b"G(T / HTTP/1.1\r\n",
    b"GET\r\n",
    b"GET / HTTP/1.1 extra\r\n",
    b"\r\n",
])
def test_bad_request_lines_are_400(raw: bytes) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        parse_request_line(raw)
    assert info.value.status_hint == 400


def test_control_characters_in_target_are_refused() -> None:
    with pytest.raises(RemoteProtocolError):
        parse_request_line(b"GET /a\x00b HTTP/1.1\r\n")


def test_long_request_line_is_414() -> None:
    raw = b"GET /" + b"x" * MAX_REQUEST_LINE + b" HTTP/1.1\r\n"
    with pytest.raises(RemoteProtocolError) as info:
        parse_request_line(raw)
    assert info.value.status_hint == 414


# ----------------------------------------------------------------- headers


def feed_block(data: bytes, **kwargs: int) -> list[tuple[str, str]]:
    parser = HeaderParser(**kwargs)
    lines = data.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if parser.feed_line(line):
            assert i == len(lines) - 1
            return parser.headers
    raise AssertionError("block did not end")


def test_headers_in_order_with_values_stripped() -> None:
    headers = feed_block(b"Host: a\r\nX-Foo:  1 \r\nX-Foo:2\r\n\r\n")
    assert headers == [("Host", "a"), ("X-Foo", "1"), ("X-Foo", "2")]


def test_bare_lf_line_ends_are_accepted() -> None:
    assert feed_block(b"A: b\n\n") == [("A", "b")]


def test_folded_header_is_joined() -> None:
    headers = feed_block(b"Content-Type: multipart/related;\r\n type=x;\r\n\tstart=y\r\n\r\n")
    assert headers == [("Content-Type", "multipart/related; type=x; start=y")]


@pytest.mark.parametrize("block", [
    b"No colon here\r\n\r\n",
    b"Name : value\r\n\r\n",         # whitespace before the colon: smuggling vector
    b": value\r\n\r\n",
    b" leading fold\r\n\r\n",       # a continuation with nothing to continue
    b"Bad\x01Name: v\r\n\r\n",
    b"A: b\x00c\r\n\r\n",
])
def test_malformed_header_lines_are_refused(block: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        feed_block(block)


def test_too_many_headers() -> None:
    block = b"".join(b"X-%d: v\r\n" % i for i in range(MAX_HEADERS + 1)) + b"\r\n"
    with pytest.raises(RemoteProtocolError, match="more than"):
        feed_block(block)
    ok = b"".join(b"X-%d: v\r\n" % i for i in range(MAX_HEADERS)) + b"\r\n"
    assert len(feed_block(ok)) == MAX_HEADERS


def test_header_line_too_long() -> None:
    parser = HeaderParser(max_line=100)
    with pytest.raises(RemoteProtocolError, match="too long"):
        parser.feed_line(b"A: " + b"v" * 200)
    # Exactly at the limit without its line end: the rest is still coming.
    parser = HeaderParser(max_line=100)
    with pytest.raises(RemoteProtocolError, match="too long"):
        parser.feed_line(b"A: " + b"v" * 97)


def test_header_block_total_size_is_bounded() -> None:
    parser = HeaderParser(max_bytes=50)
    parser.feed_line(b"A: " + b"v" * 30 + b"\r\n")
    with pytest.raises(RemoteProtocolError, match="too large"):
        parser.feed_line(b"B: " + b"v" * 30 + b"\r\n")


def test_header_block_cut_short() -> None:
    parser = HeaderParser()
    with pytest.raises(RemoteProtocolError, match="ended early"):
        parser.feed_line(b"")


def test_feeding_after_the_end_is_a_bug() -> None:
    parser = HeaderParser()
    assert parser.feed_line(b"\r\n")
    with pytest.raises(RuntimeError):
        parser.feed_line(b"A: b\r\n")


# ------------------------------------------------------------ body framing


def test_no_framing_headers_means_no_body() -> None:
    assert body_framing("GET", [("Host", "x")]) == (False, None)


def test_content_length() -> None:
    assert body_framing("POST", [("Content-Length", "12")]) == (False, 12)
    # The same value repeated (or listed) is harmless.
    assert body_framing("POST", [("content-length", "3"), ("Content-Length", "3, 3")]) == (False, 3)


def test_chunked_wins_over_content_length() -> None:
    assert body_framing("POST", [("Content-Length", "5"),
                                 ("Transfer-Encoding", "Chunked")]) == (True, None)
    assert body_framing("POST", [("Transfer-Encoding", "gzip, chunked")]) == (True, None)


@pytest.mark.parametrize("headers", [
    [("Content-Length", "-1")],
    [("Content-Length", "+1")],
    [("Content-Length", "abc")],
    [("Content-Length", "")],
    [("Content-Length", "1"), ("Content-Length", "2")],
    [("Transfer-Encoding", "gzip")],
    [("Transfer-Encoding", "chunked, gzip")],
    [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")],
])
def test_bad_framing_is_400(headers: list[tuple[str, str]]) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        body_framing("POST", headers)
    assert info.value.status_hint == 400


def test_head_with_a_body_is_refused() -> None:
    assert body_framing("HEAD", [("Content-Length", "0")]) == (False, 0)
    with pytest.raises(RemoteProtocolError):
        body_framing("HEAD", [("Content-Length", "5")])


# ------------------------------------------------------------ chunked body


def decode_all(data: bytes, step: int | None = None,
               limit: int = -1) -> tuple[bytes, int, ChunkedDecoder]:
    """Feed ``data`` in pieces of ``step`` bytes as a driver would; (payload, consumed, decoder)."""
    decoder = ChunkedDecoder()
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


def test_extension_with_odd_bytes_is_ignored() -> None:
    payload, _, decoder = decode_all(b"4; here is dirt\x00bla\r\nabcd\r\n0\r\n\r\n")
    assert payload == b"abcd" and decoder.done


def test_bad_size_is_refused_at_its_first_byte() -> None:
    decoder = ChunkedDecoder()
    with pytest.raises(RemoteProtocolError, match="non-hex"):
        decoder.feed(b"{")  # no line end needed to know


@pytest.mark.parametrize("data", [
    b"-1\r\n",
    b"zz\r\n",
    b" 2\r\nab\r\n",
    b"2 \r\nab\r\n",
    b"2\nab\r\n",              # bare LF after the size
    b"2\r\nabXX",              # data not followed by CRLF
    b"2\r\nab\n0\r\n\r\n",
    b"2;ext\nab",              # bare LF in an extension
    b"0\r\nbad trailer\r\n\r\n",
    b"0\r\n trailer: folded\r\n\r\n",
    b"0\r\nGET /x HTTP/1.1\r\n\r\n",
    b"0\r\nName: v\r\nGET /x HTTP/1.1\r\n",
    b"0\r\nName: v\n\n",       # bare LF in trailers
    b"0\r\nName: v\x00\r\n\r\n",
    b"0\r\n:v\r\n\r\n",
    b"1" * 17 + b"\r\n",       # more hex digits than any real size needs
])
def test_malformed_chunked_bodies(data: bytes) -> None:
    for step in (None, 1):
        with pytest.raises(RemoteProtocolError) as info:
            decode_all(data, step=step)
        assert info.value.status_hint == 400


def test_chunk_extension_length_is_bounded() -> None:
    data = b"2;" + b"x" * MAX_CHUNK_LINE
    with pytest.raises(RemoteProtocolError, match="too long"):
        decode_all(data)


def test_trailer_length_is_bounded_without_a_line_end() -> None:
    data = b"0\r\nName: " + b"t" * MAX_CHUNK_LINE
    with pytest.raises(RemoteProtocolError, match="too long"):
        decode_all(data)


def test_trailer_count_is_bounded() -> None:
    decoder = ChunkedDecoder(max_trailers=2)
    with pytest.raises(RemoteProtocolError, match="too many"):
        decoder.feed(b"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")


def test_format_chunk() -> None:
    assert format_chunk(b"x" * 26) == b"1a\r\n" + b"x" * 26 + b"\r\n"


@settings(max_examples=200, deadline=None)
@given(chunks=st.lists(st.binary(max_size=40), max_size=8),
       splits=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=20),
       limit=st.integers(min_value=1, max_value=50),
       tail=st.binary(max_size=10))
def test_chunked_roundtrip_any_split(chunks: list[bytes], splits: list[int], limit: int,
                                     tail: bytes) -> None:
    data = encode(chunks, trailers=b"A: b\r\n")
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
