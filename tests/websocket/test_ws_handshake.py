"""The opening handshake, sans-IO: environ in, an Accepted or a Rejection out."""

from __future__ import annotations

from typing import Any

import pytest

from gevent._websocket._handshake import (
    Accepted,
    Rejection,
    check_request,
    is_websocket_request,
    negotiate_deflate,
)
from gevent.websocket import Settings, accept_token

KEY = "dGhlIHNhbXBsZSBub25jZQ=="


def environ(**extra: Any) -> dict[str, Any]:
    env = {"REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/",
           "HTTP_UPGRADE": "websocket", "HTTP_CONNECTION": "keep-alive, Upgrade",
           "HTTP_SEC_WEBSOCKET_KEY": KEY, "HTTP_SEC_WEBSOCKET_VERSION": "13"}
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def test_accept_token_matches_rfc_6455_example() -> None:
    assert accept_token(KEY) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert accept_token(KEY.encode()) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize(("upgrade", "key", "expected"), [
    ("websocket", KEY, True), ("WebSocket", KEY, True), ("h2c, websocket", KEY, True),
    ("websocket", "not checked here", True),
    ("h2c", KEY, False), (None, KEY, False),
    # no key: not a websocket handshake; the application sees the request as it is
    ("websocket", None, False), ("websocket", "", False),
])
def test_is_websocket_request(upgrade: str | None, key: str | None, expected: bool) -> None:
    env = environ(HTTP_UPGRADE=upgrade, HTTP_SEC_WEBSOCKET_KEY=key)
    assert is_websocket_request(env) is expected


def test_valid_request_is_accepted() -> None:
    answer = check_request(environ(), Settings())
    assert isinstance(answer, Accepted)
    assert ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") in answer.headers
    assert ("Upgrade", "websocket") in answer.headers
    assert answer.protocol is None and answer.extensions == []


@pytest.mark.parametrize(("change", "status", "words"), [
    ({"REQUEST_METHOD": "POST"}, "400", "GET"),
    ({"SERVER_PROTOCOL": "HTTP/1.0"}, "400", "HTTP/1.1"),
    ({"HTTP_CONNECTION": "keep-alive"}, "400", "Connection: Upgrade"),
    ({"HTTP_CONNECTION": None}, "400", "Connection: Upgrade"),
    ({"HTTP_SEC_WEBSOCKET_VERSION": "8"}, "426", "version '8'"),
    ({"HTTP_SEC_WEBSOCKET_VERSION": None}, "426", "version ''"),
    ({"HTTP_SEC_WEBSOCKET_KEY": None}, "400", "16 bytes"),
    ({"HTTP_SEC_WEBSOCKET_KEY": "c2hvcnQ="}, "400", "16 bytes"),
    ({"HTTP_SEC_WEBSOCKET_KEY": "not base64!!"}, "400", "16 bytes"),
    ({"HTTP_SEC_WEBSOCKET_KEY": "ä"}, "400", "16 bytes"),
])
def test_bad_requests_are_rejected_with_a_reason(change: dict[str, Any], status: str,
                                                 words: str) -> None:
    answer = check_request(environ(**change), Settings())
    assert isinstance(answer, Rejection)
    assert answer.status.startswith(status)
    assert words in answer.body.decode()
    headers = dict(answer.headers)
    assert headers["Content-Length"] == str(len(answer.body))
    assert headers["Connection"] == "close"
    if status == "426":
        assert headers["Sec-WebSocket-Version"] == "13"


def test_origin_collection_and_function() -> None:
    only = Settings(allowed_origins={"https://a.example"})
    assert isinstance(check_request(environ(HTTP_ORIGIN="https://a.example"), only), Accepted)
    refused = check_request(environ(HTTP_ORIGIN="https://b.example"), only)
    assert isinstance(refused, Rejection) and refused.status.startswith("403")
    assert isinstance(check_request(environ(), only), Rejection)  # no Origin at all
    same_host = Settings(allowed_origins=lambda origin, env: origin == "http://" + env["HTTP_HOST"])
    assert isinstance(check_request(environ(HTTP_ORIGIN="http://h", HTTP_HOST="h"), same_host),
                      Accepted)
    assert isinstance(check_request(environ(HTTP_ORIGIN="http://x", HTTP_HOST="h"), same_host),
                      Rejection)


def test_subprotocol_by_server_preference_and_by_function() -> None:
    offered = environ(HTTP_SEC_WEBSOCKET_PROTOCOL="soap, wamp.2.json, mqtt")
    answer = check_request(offered, Settings(subprotocols=("mqtt", "wamp.2.json")))
    assert isinstance(answer, Accepted) and answer.protocol == "mqtt"
    assert ("Sec-WebSocket-Protocol", "mqtt") in answer.headers
    answer = check_request(offered, Settings(subprotocols=("graphql-ws",)))
    assert isinstance(answer, Accepted) and answer.protocol is None
    assert not any(name == "Sec-WebSocket-Protocol" for name, _ in answer.headers)
    answer = check_request(offered, Settings(subprotocols=lambda names, env: names[-1]))
    assert isinstance(answer, Accepted) and answer.protocol == "mqtt"
    with pytest.raises(ValueError, match="did not offer"):
        check_request(offered, Settings(subprotocols=lambda names, env: "other"))


@pytest.mark.parametrize(("header", "response"), [
    ("permessage-deflate", "permessage-deflate"),
    ("permessage-deflate; client_max_window_bits", "permessage-deflate"),
    ("permessage-deflate; server_max_window_bits=10",
     "permessage-deflate; server_max_window_bits=10"),
    ("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
     "permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
    # the first acceptable offer wins; unacceptable ones are skipped
    ("permessage-deflate; server_max_window_bits=8, permessage-deflate; "
     "server_max_window_bits=12, permessage-deflate",
     "permessage-deflate; server_max_window_bits=12"),
    ("x-webkit-deflate-frame, permessage-deflate; foo=1, permessage-deflate",
     "permessage-deflate"),
    ("permessage-deflate; server_max_window_bits=010", None),
    ("permessage-deflate; server_max_window_bits", None),
    ("permessage-deflate; server_max_window_bits=16", None),
    ("permessage-deflate; client_max_window_bits=7", None),
    ("permessage-deflate; server_no_context_takeover=1", None),
    ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", None),
    ("x-webkit-deflate-frame", None),
    (None, None),
])
def test_deflate_negotiation(header: str | None, response: str | None) -> None:
    negotiated = negotiate_deflate(header)
    if response is None:
        assert negotiated is None
        return
    assert negotiated is not None
    text, extension = negotiated
    assert text == response
    assert extension.enabled()


def test_negotiated_window_and_takeover_reach_the_extension() -> None:
    negotiated = negotiate_deflate(
        "permessage-deflate; server_max_window_bits=9; server_no_context_takeover")
    assert negotiated is not None
    extension = negotiated[1]
    assert extension.server_max_window_bits == 9
    assert extension.server_no_context_takeover
    assert not extension.client_no_context_takeover


def test_compression_off_ignores_offers() -> None:
    answer = check_request(environ(HTTP_SEC_WEBSOCKET_EXTENSIONS="permessage-deflate"),
                           Settings(compression=False))
    assert isinstance(answer, Accepted) and answer.extensions == []
    answer = check_request(environ(HTTP_SEC_WEBSOCKET_EXTENSIONS="permessage-deflate"),
                           Settings())
    assert isinstance(answer, Accepted) and len(answer.extensions) == 1
    assert ("Sec-WebSocket-Extensions", "permessage-deflate") in answer.headers
