"""A backdoor session reads, evaluates and prints as gevent's does."""
import gevent
from gevent import socket
from gevent.backdoor import BackdoorServer


def read_until(conn, suffix):
    data = b""
    with gevent.Timeout(10):
        while not data.endswith(suffix):
            chunk = conn.recv(1)
            if not chunk:
                break
            data += chunk
    return data.replace(b"\r\n", b"\n")


server = BackdoorServer(("127.0.0.1", 0), locals={"answer": 42}, banner="Welcome")
server.start()
with socket.create_connection(("127.0.0.1", server.server_port)) as conn:
    print(read_until(conn, b">>> "))
    for line in [b"answer + 1", b"print('printed')", b"x = 3", b"x * 2",
                 b"for i in range(2):", b"    print(i)", b"", b"1/0"]:
        conn.sendall(line + b"\r\n")
        out = read_until(conn, b" ")
        while not out.endswith((b">>> ", b"... ")):
            out += read_until(conn, b" ")
        print(out.splitlines()[0] if b"Traceback" in out else out)
    conn.sendall(b"quit()\r\n")
    print(read_until(conn, b"\x00"))
server.stop()
