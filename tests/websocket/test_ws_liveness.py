"""Pings, ping timeouts and the close-handshake timeout, on the virtual clock.

A server-side ``WebSocket`` runs on one end of a socket pair and the test plays
the peer on the other end with raw frames, so no real time passes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import wait_all_blocked
from ws_frames import (
    CLOSE,
    PING,
    TEXT,
    close_code,
    close_frame,
    frame,
    read_frame,
    read_response_head,
)
from wsproto.connection import Connection, ConnectionType

import gevent
from gevent import socket
from gevent.websocket import Settings, WebSocket


@pytest.fixture
def pair(virtual_hub: Any) -> Iterator[tuple[socket.socket, socket.socket]]:
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


def server_ws(sock: socket.socket, settings: Settings) -> WebSocket:
    ws = WebSocket(sock, client=False, settings=settings,
                   connection=Connection(ConnectionType.SERVER))
    ws._begin_keepalive()
    return ws


def now() -> float:
    return float(gevent.get_hub().loop.now())


def test_silent_peer_is_dropped_after_ping_timeout(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings(ping_interval=10, ping_timeout=5))
    start = now()
    receiver = gevent.spawn(ws.receive)
    assert read_frame(peer)[0] == PING
    assert now() - start == pytest.approx(10, abs=0.1)
    assert receiver.get() is None
    assert now() - start == pytest.approx(15, abs=0.1)
    assert (ws.close_code, ws.close_reason) == (1006, "ping timeout")
    assert read_frame(peer) == (-1, b"")  # the socket was shut: the peer sees EOF


def test_answered_pings_keep_the_connection(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings(ping_interval=10, ping_timeout=5))
    receiver = gevent.spawn(ws.receive)

    def pong_forever() -> None:
        while True:
            opcode, payload = read_frame(peer)
            if opcode != PING:
                return
            peer.sendall(frame(0xA, payload))

    ponger = gevent.spawn(pong_forever)
    gevent.sleep(100)
    assert not ws.closed and not receiver.ready()
    peer.sendall(frame(TEXT, b"still here"))
    assert receiver.get() == "still here"
    ponger.kill()
    ws.close()


def test_traffic_counts_as_liveness(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings(ping_interval=10, ping_timeout=5))

    def chatter() -> None:
        for _ in range(10):
            gevent.sleep(4)
            peer.sendall(frame(TEXT, b"tick"))

    talker = gevent.spawn(chatter)
    got = [ws.receive() for _ in range(10)]
    assert got == ["tick"] * 10
    talker.join()
    peer.setblocking(False)
    with pytest.raises(BlockingIOError):
        peer.recv(10)  # no ping was needed while messages kept coming
    ws.close()


def test_close_waits_close_timeout_for_a_silent_peer(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings(close_timeout=3))
    start = now()
    ws.close(1001, "going")
    assert now() - start == pytest.approx(3, abs=0.1)
    opcode, payload = read_frame(peer)
    assert (opcode, close_code(payload), payload[2:]) == (CLOSE, 1001, b"going")
    assert read_frame(peer) == (-1, b"")


def test_close_returns_when_the_peer_answers() -> None:
    # On the real clock: the autojump clock would jump to the timeout even
    # while the answer is ready to read.
    a, peer = socket.socketpair()
    ws = server_ws(a, Settings(close_timeout=30))

    def answer() -> None:
        assert read_frame(peer)[0] == CLOSE
        peer.sendall(close_frame(1000))

    answering = gevent.spawn(answer)
    start = time.monotonic()
    ws.close()
    assert time.monotonic() - start < 10
    answering.get()
    assert ws.close_code == 1000
    a.close()
    peer.close()


def test_close_from_another_greenlet_while_receiving(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings(close_timeout=3))
    receiver = gevent.spawn(ws.receive)
    wait_all_blocked()
    start = now()
    ws.close()
    assert now() - start < 0.1  # the receiver reads the answer, close() does not wait
    assert read_frame(peer)[0] == CLOSE
    # the peer never answers: the receiver is released after close_timeout
    assert receiver.get() is None
    assert now() - start == pytest.approx(3, abs=0.1)


def test_messages_received_before_the_close_are_delivered(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings())
    peer.sendall(frame(TEXT, b"one") + frame(TEXT, b"two") + close_frame(1000))
    assert [ws.receive(), ws.receive(), ws.receive()] == ["one", "two", None]
    assert ws.receive() is None
    assert ws.close_code == 1000


def test_peer_vanishing_gives_1006(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings())
    receiver = gevent.spawn(ws.receive)
    wait_all_blocked()
    peer.close()
    assert receiver.get() is None
    assert ws.close_code == 1006


@pytest.mark.parametrize("bad", [{"max_message_size": 0}, {"ping_interval": -1},
                                 {"close_timeout": 0}, {"max_frame_size": 0}])
def test_settings_refuse_nonsense(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        Settings(**bad)


def test_settings_refuse_a_bare_subprotocol_string() -> None:
    with pytest.raises(TypeError, match="sequence of names"):
        Settings(subprotocols="chat")


def test_first_use_from_two_greenlets_waits_for_the_handshake(pair: Any) -> None:
    a, peer = pair
    starts: list[float] = []

    def start() -> None:  # stands for the server's 101, slow to go out
        starts.append(now())
        gevent.sleep(1)
        a.sendall(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")

    ws = WebSocket(a, client=False, settings=Settings(), start=start)
    senders = [gevent.spawn(ws.send, text) for text in ("one", "two")]
    gevent.joinall(senders, raise_error=True)
    assert starts == [0.0]
    assert read_response_head(peer) == b"HTTP/1.1 101 Switching Protocols\r\n\r\n"
    assert [read_frame(peer), read_frame(peer)] == [(TEXT, b"one"), (TEXT, b"two")]


def test_frames_split_at_every_byte_are_reassembled(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings())
    stream = (frame(TEXT, "héllo".encode()) + frame(0x2, b"b" * 300, fin=False)
              + frame(PING, b"p") + frame(0, b"c" * 70_000) + frame(0x2, b"x" * 126))
    got: list[Any] = []
    receiver = gevent.spawn(lambda: [got.append(ws.receive()) for _ in range(3)])
    for i in range(2000):  # every header and the small frames byte by byte
        peer.sendall(stream[i:i + 1])
        gevent.sleep(0)
    peer.sendall(stream[2000:])
    receiver.join()
    assert got == ["héllo", b"b" * 300 + b"c" * 70_000, b"x" * 126]
    assert read_frame(peer) == (0xA, b"p")


def test_oversized_frames_are_refused_from_the_header(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings(max_message_size=1000))
    # Only the header of a 1 TiB binary frame: refused without waiting for the payload.
    peer.sendall(bytes((0x82, 0x80 | 127)) + (1 << 40).to_bytes(8, "big") + b"mask")
    assert ws.receive() is None
    assert ws.close_code == 1009
    opcode, payload = read_frame(peer)
    assert (opcode, close_code(payload)) == (CLOSE, 1009)


def test_oversized_control_frame_is_refused_from_the_header(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings())
    peer.sendall(bytes((0x89, 0x80 | 127)) + (1 << 40).to_bytes(8, "big") + b"mask")
    assert ws.receive() is None
    assert ws.close_code == 1002


def test_invalid_utf8_across_fragments_is_1007(pair: Any) -> None:
    a, peer = pair
    ws = server_ws(a, Settings())
    peer.sendall(frame(TEXT, b"ok \xe2\x82", fin=False) + frame(0, b"\x28 broken"))
    assert ws.receive() is None
    assert ws.close_code == 1007


def test_client_frames_are_masked(pair: Any) -> None:
    a, peer = pair
    ws = WebSocket(a, client=True, settings=Settings(),
                   connection=Connection(ConnectionType.CLIENT))
    ws.send("masked text")
    ws.send(b"\x00" * 200)
    for expected in (b"masked text", b"\x00" * 200):
        head = peer.recv(2)
        assert head[1] & 0x80, "a client must mask its frames"
        length = head[1] & 0x7F
        if length == 126:
            length = int.from_bytes(peer.recv(2), "big")
        key = peer.recv(4)
        body = b""
        while len(body) < length:
            body += peer.recv(length - len(body))
        assert bytes(b ^ key[i % 4] for i, b in enumerate(body)) == expected
    # and the server's unmasked frames are read back
    peer.sendall(frame(TEXT, b"from the server", mask=False))
    assert ws.receive() == "from the server"
