"""Regression tests for cases CPython's test_ssl found in gevent.ssl (tests/cpython/)."""

from __future__ import annotations

import socket as stdsocket

import pytest

from gevent import socket, ssl


def test_wrapping_a_datagram_socket_is_refused_before_the_hostname_check() -> None:
    sock = socket.socket(stdsocket.AF_INET, stdsocket.SOCK_DGRAM)
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname is on
        with pytest.raises(NotImplementedError, match="only stream sockets are supported"):
            ctx.wrap_socket(sock)
        assert sock.fileno() >= 0  # still ours: refused before it changed owner
    finally:
        sock.close()
